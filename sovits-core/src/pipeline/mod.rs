//! The inference pipeline: reference audio in, model inputs out, and the whole text-to-speech
//! call ([`Tts`], [`Voice`], [`SynthesisParams`]).

mod reference;
mod tts;

pub use reference::{ReferenceOptions, check_reference, prompt_semantic, reference_spectrogram};
pub use tts::{CancelToken, Chunk, ModelOverrides, ModelPaths, SynthesisParams, Tts, TtsOptions, Voice};
