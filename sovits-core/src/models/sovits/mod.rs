//! SoVITS v1/v2/v2Pro/v2ProPlus (`SynthesizerTrn`, upstream `GPT_SoVITS/module/`): the stage-2 model that
//! turns semantic tokens into a 32 kHz waveform in the voice of a reference spectrogram.

pub mod attentions;
mod config;
pub mod flow;
pub mod generator;
pub mod quantizer;
pub mod ref_encoder;
mod synthesizer;
pub mod text_encoder;

pub use config::{MrteConfig, SovitsConfig};
pub use synthesizer::{
    DecodeTrace, Noise, ReferenceInput, SovitsFileInfo, SpeakerConditioning, StreamWindow, SynthesizerTrn,
};
