//! The inference pipeline: reference audio in, model inputs out (and, later, the whole
//! text-to-speech call).

mod reference;

pub use reference::{ReferenceOptions, prompt_semantic, reference_spectrogram};
