//! The workspace's integration tests as one test binary: each file of `tests/` is a module here
//! (one link and one instantiation of the generic model code instead of one per file).
//!
//! Run one file's tests by its module name: `cargo test --test suite parity_sovits::`, or one
//! test: `cargo test --test suite pipeline::e2e_parity`.

mod audio;
mod gpt;
mod hf_models;
mod hostile;
mod parity_features;
mod parity_gpt;
mod parity_sovits;
mod parity_stream;
mod parity_v2pro;
mod pipeline;
mod pipeline_stream;
mod pipeline_v2pro;
mod soak;
mod text_frontend;
mod text_split;
mod weights;
