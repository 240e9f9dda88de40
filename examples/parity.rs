//! Parity runner: checks sovits-core against reference outputs of the original
//! GPT-SoVITS implementation.
//!
//! ```text
//! cargo run --release --example parity -- tests/fixtures/parity/tiny [-v] [--case NAME ...] [--device cuda]
//! ```
//!
//! DIR is any directory laid out like `tests/fixtures/parity/tiny` (configs/, weights/, io/),
//! at any model size. Prints one line per case and a final `N passed, M failed`; exits 1 on
//! a failure. `-v` also prints every compared tensor.

use burn::tensor::backend::Backend;
use sovits_core::backend::CpuBackend;
use sovits_suite::parity::{CaseResult, Fixtures, format_line, run_all, run_one};

fn run<B: Backend>(fixtures: &Fixtures, only: &[String], device: &B::Device) -> Vec<CaseResult> {
    if only.is_empty() {
        run_all::<B>(fixtures, device)
    } else {
        only.iter().map(|c| run_one::<B>(fixtures, c, device)).collect()
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut verbose = false;
    let mut only: Vec<String> = Vec::new();
    let mut device = "cpu".to_string();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-v" | "--verbose" => verbose = true,
            "--case" => only.extend(args.next()),
            "--device" => device = args.next().unwrap_or_default(),
            "-h" | "--help" => {
                println!(
                    "usage: parity DIR [-v] [--case NAME ...] [--device cpu|cuda]\n  DIR: a fixture directory with \
                     configs/, weights/ and io/\n  --case: run only the named cases\n  --device: the backend \
                     (cuda needs a build with --features cuda)"
                );
                return;
            }
            _ => dir = Some(a),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: parity DIR [-v]   (e.g. tests/fixtures/parity/tiny)");
        std::process::exit(2);
    };
    let fixtures = Fixtures::new(&dir);
    if !fixtures.dir().join("io").is_dir() {
        eprintln!("{dir}: no io/ folder; expected a directory laid out like tests/fixtures/parity/tiny");
        std::process::exit(2);
    }
    let results: Vec<CaseResult> = match device.as_str() {
        "cpu" => run::<CpuBackend>(&fixtures, &only, &Default::default()),
        #[cfg(feature = "cuda")]
        "cuda" => run::<sovits_core::backend::Cuda>(&fixtures, &only, &sovits_core::backend::cuda_device(0)),
        other => {
            eprintln!("error: device {other} is not in this build (cpu; cuda needs --features cuda)");
            std::process::exit(2);
        }
    };
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for r in &results {
        println!("{}", format_line(r));
        if verbose || (!r.passed() && r.error.is_none()) {
            for c in &r.checks {
                let status = if c.passed() { "ok" } else { "FAIL" };
                println!("    {:<48} {:>10.3e}  {status} {}", c.name, c.max_abs_err, c.note);
            }
        }
        match &r.error {
            Some(e) if e.starts_with("SKIP") => skipped += 1,
            _ if r.passed() => passed += 1,
            _ => failed += 1,
        }
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        std::process::exit(1);
    }
}
