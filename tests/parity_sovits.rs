//! Parity of the audio front and SoVITS v2 against the original implementation
//! (`tests/fixtures/parity/tiny`, random weights at tiny sizes).
//!
//! Tolerance: max |ours - reference| <= 1e-4 (absolute, f32) for every compared tensor
//! ([`sovits_suite::parity::TOLERANCE`]); codes must be identical.

use sovits_core::backend::CpuBackend;
use sovits_suite::parity::{Fixtures, TOLERANCE, run_one};

fn fixtures() -> Fixtures {
    Fixtures::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny"))
}

fn check(case: &str) {
    assert_eq!(TOLERANCE, 1e-4);
    let r = run_one::<CpuBackend>(&fixtures(), case, &Default::default());
    if let Some(e) = &r.error {
        panic!("{case}: {e}");
    }
    let mut report = String::new();
    for c in &r.checks {
        report.push_str(&format!("  {:<48} {:.3e} (tol {:.0e}) {}\n", c.name, c.max_abs_err, c.tol, c.note));
    }
    println!("{case}:\n{report}");
    assert!(!r.checks.is_empty(), "{case}: nothing was compared");
    assert!(r.passed(), "{case} exceeds the tolerance:\n{report}");
}

#[test]
fn spectrogram() {
    check("spectrogram");
}

#[test]
fn sovits_extract_latent() {
    check("sovits_extract_latent");
}

#[test]
fn sovits_quantizer_decode() {
    check("sovits_quantizer_decode");
}

#[test]
fn sovits_ref_enc() {
    check("sovits_ref_enc");
}

#[test]
fn sovits_decode() {
    check("sovits_decode");
}

#[test]
fn sovits_decode_noise() {
    check("sovits_decode_noise");
}

#[test]
fn sovits_decode_speed() {
    check("sovits_decode_speed");
}

#[test]
fn sovits_decode_multiref() {
    check("sovits_decode_multiref");
}
