//! Parity of CN-HuBERT and Chinese RoBERTa against the original implementation
//! (`tests/fixtures/parity/tiny`): every hidden state, the feature GPT-SoVITS reads and its
//! phone-level expansion within max |ours - reference| <= 1e-4 (absolute, f32;
//! [`sovits_suite::parity::TOLERANCE`]).

use sovits_core::backend::CpuBackend;
use sovits_suite::parity::{Fixtures, TOLERANCE, run_one};

fn check(case: &str) {
    assert_eq!(TOLERANCE, 1e-4);
    let fixtures = Fixtures::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny"));
    let r = run_one::<CpuBackend>(&fixtures, case, &Default::default());
    if let Some(e) = &r.error {
        panic!("{case}: {e}");
    }
    let report: String = r
        .checks
        .iter()
        .map(|c| format!("  {:<40} {:.3e} (tol {:.0e}) {}\n", c.name, c.max_abs_err, c.tol, c.note))
        .collect();
    println!("{case}:\n{report}");
    assert!(r.checks.len() >= 4, "{case}: too few checks:\n{report}");
    assert!(r.passed(), "{case} differs from the reference:\n{report}");
}

#[test]
fn hubert() {
    check("hubert");
}

#[test]
fn bert() {
    check("bert");
}
