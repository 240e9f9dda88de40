//! Parity runner: checks sovits-core against reference outputs of the original
//! GPT-SoVITS implementation.
//!
//! ```text
//! cargo run --release --example parity -- tests/fixtures/parity/tiny [-v] [--case NAME ...]
//! ```
//!
//! DIR is any directory laid out like `tests/fixtures/parity/tiny` (configs/, weights/, io/),
//! at any model size. Prints one line per case and a final `N passed, M failed`; exits 1 on
//! a failure. `-v` also prints every compared tensor.

use sovits_core::backend::CpuBackend;
use sovits_suite::parity::{Fixtures, format_line, run_all, run_one};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut verbose = false;
    let mut only: Vec<String> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-v" | "--verbose" => verbose = true,
            "--case" => only.extend(args.next()),
            "-h" | "--help" => {
                println!(
                    "usage: parity DIR [-v] [--case NAME ...]\n  DIR: a fixture directory with configs/, weights/ and \
                     io/\n  --case: run only the named cases"
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
    let device = Default::default();
    let results: Vec<_> = if only.is_empty() {
        run_all::<CpuBackend>(&fixtures, &device)
    } else {
        only.iter().map(|c| run_one::<CpuBackend>(&fixtures, c, &device)).collect()
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
