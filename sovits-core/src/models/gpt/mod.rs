//! The stage-1 GPT (`Text2SemanticDecoder` v2, upstream `GPT_SoVITS/AR/`): phones + BERT
//! features + the prompt's semantic tokens in, 25 Hz semantic tokens out.

mod cache;
mod config;
mod host;
mod infer;
mod model;
pub mod sampler;
mod state;
mod stream;

pub use cache::KvCache;
pub use config::GptConfig;
pub use host::{HostDecoder, HostKvCache};
pub use infer::{EOS_BLOCKED_STEPS, GptInput, InferOutput, InferTrace, StreamOutput};
pub use model::{SelfAttention, SinePositionalEmbedding, Text2SemanticDecoder, TransformerEncoderLayer};
pub use sampler::SamplingParams;
pub use state::{GptState, StepDecoder};
pub use stream::{
    CutTest, MAX_CHUNK_TOKENS, MUTE_SPLIT_THRESHOLD, MUTE_TOKEN, TokenChunk, TokenChunking, mute_similarity,
};
