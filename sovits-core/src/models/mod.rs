//! The neural networks, one folder per sub-model.

pub mod common;
pub mod bert;
pub mod gpt;
pub mod hubert;
pub mod sovits;
