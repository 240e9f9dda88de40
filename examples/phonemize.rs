//! Prints what the text frontend makes of a text: the normalised text, the phone symbols, their
//! v2 ids and (for Mandarin) the phones per character.
//!
//! ```text
//! cargo run --release --example phonemize -- [--lang all_zh] "你好，世界。"
//! ```
//!
//! Languages so far: `all_zh`, and `zh` for text without Latin letters (see
//! `docs/text-frontend.md`). Other languages print the frontend's error and exit with 2.

use sovits_core::text::{SymbolTable, phonemize};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut lang = "all_zh".to_string();
    let mut texts = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lang" => match args.next() {
                Some(l) => lang = l,
                None => return usage("--lang needs a value"),
            },
            "-h" | "--help" => return usage(""),
            _ => texts.push(a),
        }
    }
    if texts.is_empty() {
        return usage("give a text to phonemize");
    }
    let table = SymbolTable::v2();
    for text in &texts {
        let p = match phonemize(text, &lang) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{text:?}: {e}");
                return ExitCode::from(2);
            }
        };
        let symbols: Vec<&str> = p.ids.iter().map(|&i| table.symbol(i).unwrap_or("?")).collect();
        println!("text:      {text}");
        println!("norm_text: {}", p.norm_text);
        println!("phones:    {}", symbols.join(" "));
        println!("ids:       {:?}", p.ids);
        let word2ph: Vec<usize> = p.segments.iter().filter_map(|s| s.word2ph.as_ref()).flatten().copied().collect();
        if !word2ph.is_empty() {
            println!("word2ph:   {word2ph:?}");
        }
    }
    ExitCode::SUCCESS
}

fn usage(why: &str) -> ExitCode {
    if !why.is_empty() {
        eprintln!("error: {why}");
    }
    eprintln!("usage: phonemize [--lang all_zh|zh] TEXT [TEXT ...]");
    if why.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
