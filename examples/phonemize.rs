//! Prints what the text frontend makes of a text: the normalised text, the phone symbols, their
//! v2 ids and (for Mandarin) the phones per character.
//!
//! ```text
//! cargo run --release --example phonemize -- --lang zh "我用ChatGPT写了一段代码。"
//! cargo run --release --example phonemize -- --lang en --user-en "conda=K AA1 N D AH0" "Install conda."
//! cargo run --release --example phonemize -- --lang ja "今日はいい天気ですね。"
//! cargo run --release --example phonemize -- --lang ja --user-ja "鬼滅=キメツ/0" "鬼滅の刃を見た。"
//! ```
//!
//! Languages: `all_zh`, `zh` (Chinese-English), `en`, `all_ja`, `ja` (Japanese-English),
//! `all_ko`, `ko` (Korean-English), `all_yue`, `yue` (Cantonese-English), `auto`
//! (Chinese/English/Japanese/Korean pieces), `auto_yue` (Chinese pieces read as Cantonese; see
//! `docs/text-frontend.md`). `--user-zh WORD=PINYIN`, `--user-en WORD=ARPABET` and
//! `--user-ja WORD=KATAKANA/ACCENT` add user pronunciations. Errors are printed and exit with 2.

use sovits_core::text::{FrontendOptions, Lang, SymbolTable, phonemize_with};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut lang = Lang::AllZh;
    let mut texts = Vec::new();
    let mut opts = FrontendOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lang" => match args.next() {
                Some(l) => match l.parse() {
                    Ok(l) => lang = l,
                    Err(e) => {
                        eprintln!("--lang: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => return usage("--lang needs a value"),
            },
            "--user-zh" | "--user-en" | "--user-ja" => {
                let Some((word, pron)) =
                    args.next().and_then(|v| v.split_once('=').map(|(a, b)| (a.to_string(), b.to_string())))
                else {
                    return usage("--user-zh/--user-en/--user-ja need WORD=PRONUNCIATION");
                };
                let added = match a.as_str() {
                    "--user-zh" => opts.user_dict.add_zh(&word, &pron),
                    "--user-en" => opts.user_dict.add_en(&word, &pron),
                    _ => {
                        let (kana, accent) = pron.split_once('/').unwrap_or((&pron, "0"));
                        match accent.parse::<u8>() {
                            Ok(accent) => opts.user_dict.add_ja(&word, kana, accent),
                            Err(_) => {
                                return usage("--user-ja needs WORD=KATAKANA/ACCENT (accent: a mora number, 0 = flat)");
                            }
                        }
                    }
                };
                if let Err(e) = added {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            }
            "-h" | "--help" => return usage(""),
            _ => texts.push(a),
        }
    }
    if texts.is_empty() {
        return usage("give a text to phonemize");
    }
    let table = SymbolTable::v2();
    for text in &texts {
        let p = match phonemize_with(text, lang, &opts) {
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
        let segs: Vec<String> = p.segments.iter().map(|s| format!("{}:{:?}", s.lang, s.text)).collect();
        println!("segments:  {}", segs.join(" "));
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
    eprintln!(
        "usage: phonemize [--lang all_zh|zh|en|all_ja|ja|all_yue|yue|auto|auto_yue] [--user-zh WORD=PINYIN] [--user-en WORD=ARPABET] \
         [--user-ja WORD=KATAKANA/ACCENT] TEXT ..."
    );
    if why.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
