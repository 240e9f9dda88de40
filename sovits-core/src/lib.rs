//! # sovits-core
//!
//! [GPT-SoVITS](https://github.com/RVC-Boss/GPT-SoVITS) few-shot voice-cloning TTS as a
//! native Rust library on [burn](https://burn.dev). The official checkpoints load as they are
//! and every module is checked against the original PyTorch implementation.
//!
//! Layout: [`audio`] (WAV, resampling, spectrogram), [`weights`] (safetensors and the official
//! PyTorch files), [`models`] (one folder per sub-model). The models are generic over a burn
//! [`Backend`](burn::tensor::backend::Backend); [`backend`] names the ones this build enables.
//!
//! ```no_run
//! use sovits_core::backend::CpuBackend;
//! use sovits_core::models::sovits::{Noise, SynthesizerTrn};
//!
//! let device = Default::default();
//! let (model, info) = SynthesizerTrn::<CpuBackend>::from_file("s2G2333k.pth", None, &device)?;
//! println!("loaded a {} SoVITS model", info.version);
//! # Ok::<(), sovits_core::Error>(())
//! ```
#![warn(missing_docs)]

pub mod audio;
pub mod backend;
mod error;
pub mod limits;
pub mod models;
pub mod pipeline;
pub mod rng;
pub mod text;
pub mod weights;

pub use error::{Error, Result};
