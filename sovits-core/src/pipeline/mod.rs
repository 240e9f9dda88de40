//! The inference pipeline, one file per job:
//!
//! * [`model_paths`](ModelPaths): where the model parts are;
//! * `reference`: reference clip -> prompt semantic tokens and spectrogram, and the clip checks;
//! * `voice`: the [`Voice`] a clip and its [`Transcript`] become, and its file format;
//! * `params`: [`SynthesisParams`] of a call (with the GPT's [`SamplingParams`](crate::models::gpt::SamplingParams));
//! * `cancel`: [`CancelToken`];
//! * `stream`: the token-chunk loop of streaming synthesis ([`ChunkDecoder`]);
//! * `tts`: the loaded models ([`Tts`]) and the sentence loop.

mod cancel;
mod model_paths;
mod params;
mod reference;
mod stream;
mod tts;
mod voice;

pub use cancel::CancelToken;
pub use model_paths::{ModelOverrides, ModelPaths};
pub use params::{MAX_BATCH_SIZE, StreamingMode, SynthesisParams};
pub use reference::{
    ReferenceOptions, check_reference, check_reference_clip, prompt_semantic, reference_audio, reference_spectrogram,
};
pub use stream::{ChunkCall, ChunkDecoder, ChunkStep};
pub use tts::{Chunk, Session, Tts, TtsOptions, VoiceOptions};
pub use voice::{Spectrogram, Transcript, Voice};
