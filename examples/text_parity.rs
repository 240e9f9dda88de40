//! Runs golden files of the text frontend (the format of `tests/fixtures/text/*.jsonl`) and
//! reports, per file, the cases whose ids, word2ph or norm_text differ.
//!
//! ```text
//! cargo run --release --example text_parity -- tests/fixtures/text/zh.jsonl [more.jsonl ...] [-v]
//! ```
//!
//! Two line formats are understood: phonemizer cases (`text`, `lang`, `ids`, `word2ph`,
//! `norm_text`, `error`) and sentence-splitting cases (`method`, `texts`, `results`).
//! Cases in languages the frontend does not support yet count as failures; `-v` lists them too.
//! Prints `N passed, M failed` last and exits non-zero when anything failed.

use sovits_suite::text_golden::run_lines;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if files.is_empty() {
        eprintln!("usage: text_parity FILE.jsonl... [-v]");
        std::process::exit(2);
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in files {
        let Ok(data) = std::fs::read_to_string(f) else {
            eprintln!("{f}: cannot read");
            std::process::exit(2);
        };
        let r = run_lines(&data);
        for f in r.failures.iter().filter(|f| verbose || !f.unsupported) {
            println!("  {} {}", f.id, f.message);
        }
        println!(
            "{f}: {}/{} match ({:.1}%); without the {} cases that need ko/yue: {:.1}%",
            r.passed,
            r.total,
            r.rate(),
            r.later,
            r.rate_in_scope()
        );
        passed += r.passed;
        failed += r.total - r.passed;
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
