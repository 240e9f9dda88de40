//! Parity of the GPT stage (`Text2SemanticDecoder.infer_panel`) against the original
//! implementation (`tests/fixtures/parity/tiny`): every step's raw and penalised logits, the
//! prefill activations and KV cache within max |ours - reference| <= 1e-4 (absolute, f32;
//! [`sovits_suite::parity::TOLERANCE`]), and the token sequences, `idx`, the caller's slice
//! and the EOS flag identical.

use sovits_core::backend::CpuBackend;

fn check(case: &str) {
    sovits_suite::parity::assert_tiny_case::<CpuBackend>(case, 10);
}

#[test]
fn gpt_infer() {
    check("gpt_infer");
}

#[test]
fn gpt_infer_capped() {
    check("gpt_infer_capped");
}

#[test]
fn gpt_infer_ref_free() {
    check("gpt_infer_ref_free");
}
