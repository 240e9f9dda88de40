//! Shared code of the workspace-level tests, examples and benchmarks: the parity runner that
//! checks `sovits-core` against reference outputs of the original implementation.

pub mod parity;
pub mod text_golden;
