//! Shared code of the workspace-level tests, examples and benchmarks: the parity runner that
//! checks `sovits-core` against reference outputs of the original implementation, and the
//! shared models and clips (`fixtures`).

pub mod fixtures;

pub mod parity;
pub mod server;
pub mod text_golden;
