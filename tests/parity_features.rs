//! Parity of CN-HuBERT and Chinese RoBERTa against the original implementation
//! (`tests/fixtures/parity/tiny`): every hidden state, the feature GPT-SoVITS reads and its
//! phone-level expansion within max |ours - reference| <= 1e-4 (absolute, f32;
//! [`sovits_suite::parity::TOLERANCE`]).

use sovits_core::backend::CpuBackend;

fn check(case: &str) {
    sovits_suite::parity::assert_tiny_case::<CpuBackend>(case, 4);
}

#[test]
fn hubert() {
    check("hubert");
}

#[test]
fn bert() {
    check("bert");
}
