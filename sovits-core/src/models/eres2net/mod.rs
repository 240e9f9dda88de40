//! The speaker-verification model of v2Pro/v2ProPlus (upstream `GPT_SoVITS/eres2net/` and
//! `sv.py`): Kaldi fbank features of the 16 kHz reference -> `ERes2NetV2.forward3` -> the
//! `sv_emb` SoVITS conditions on.

mod config;
pub mod kaldi;
mod model;

pub use config::SvConfig;
pub use kaldi::{Fbank, FbankOptions, FbankTrace};
pub use model::{Aff, Block, Conv2dBn, ERes2NetV2, SvTrace};
