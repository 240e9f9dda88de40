//! # sovits-core
//!
//! [GPT-SoVITS](https://github.com/RVC-Boss/GPT-SoVITS) few-shot voice-cloning TTS as a
//! native Rust library on [burn](https://burn.dev). The official checkpoints (v1, v2, v2Pro,
//! v2ProPlus) load as they are, the version read from the SoVITS file, and every module is
//! checked against the original PyTorch implementation.
//!
//! Layout: [`pipeline`] (the whole call: [`pipeline::Tts`], [`pipeline::Voice`],
//! [`pipeline::SynthesisParams`]), [`text`] (the frontend: [`text::Lang`], sentence splitting,
//! phonemes), [`models`] (one folder per sub-model: GPT, SoVITS, HuBERT, BERT, and ERes2NetV2,
//! the speaker model of v2Pro), [`audio`] (WAV, resampling, spectrogram), [`weights`] (safetensors and the official PyTorch files),
//! [`limits`] (bounds on untrusted input). The models are generic over a burn
//! [`Backend`](burn::tensor::backend::Backend); [`backend`] names the ones this build enables.
//! The C API is the `sovits-ffi` crate.
//!
//! ```no_run
//! use sovits_core::backend::CpuBackend;
//! use sovits_core::pipeline::{SynthesisParams, Transcript, Tts, TtsOptions, VoiceOptions};
//! use sovits_core::text::Lang;
//!
//! let tts = Tts::<CpuBackend>::from_dir("pretrained_models", &TtsOptions::default(), &Default::default())?;
//! let transcript = Transcript::new("参考音频说的话。", Lang::Zh);
//! let voice = tts.voice_from_wav("ref.wav", Some(&transcript), &VoiceOptions::default())?;
//! let audio = tts.synthesize(&voice, "今天天气真不错。", Lang::Zh, &SynthesisParams::default())?;
//! sovits_core::audio::write_wav("out.wav", &audio.samples, audio.sample_rate)?;
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

pub use error::{Error, ErrorKind, Result};
