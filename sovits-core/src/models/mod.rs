//! The neural networks, one folder per sub-model.

pub mod bert;
pub mod common;
pub mod eres2net;
pub mod gpt;
pub mod hubert;
pub mod sovits;
