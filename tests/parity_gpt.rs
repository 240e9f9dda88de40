//! Parity of the GPT stage (`Text2SemanticDecoder.infer_panel`) against the original
//! implementation (`tests/fixtures/parity/tiny`): every step's raw and penalised logits, the
//! prefill activations and KV cache within max |ours - reference| <= 1e-4 (absolute, f32;
//! [`sovits_suite::parity::TOLERANCE`]), and the token sequences, `idx`, the caller's slice
//! and the EOS flag identical.

use sovits_core::backend::CpuBackend;
use sovits_suite::parity::{Fixtures, TOLERANCE, run_one};

fn check(case: &str) {
    assert_eq!(TOLERANCE, 1e-4);
    let fixtures = Fixtures::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny"));
    let r = run_one::<CpuBackend>(&fixtures, case, &Default::default());
    if let Some(e) = &r.error {
        panic!("{case}: {e}");
    }
    let mut report = String::new();
    for c in &r.checks {
        report.push_str(&format!("  {:<40} {:.3e} (tol {:.0e}) {}\n", c.name, c.max_abs_err, c.tol, c.note));
    }
    println!("{case}:\n{report}");
    assert!(r.checks.len() >= 10, "{case}: too few checks:\n{report}");
    assert!(r.passed(), "{case} differs from the reference:\n{report}");
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
