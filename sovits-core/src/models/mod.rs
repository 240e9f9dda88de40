//! The neural networks, one folder per sub-model.

pub mod common;
pub mod gpt;
pub mod sovits;
