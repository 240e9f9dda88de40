//! Runs golden files of the text frontend (the format of `tests/fixtures/text/*.jsonl`) and
//! reports, per file, the cases whose ids, word2ph or norm_text differ.
//!
//! ```text
//! cargo run --release --example text_parity -- tests/fixtures/text/zh.jsonl [more.jsonl ...] [-v]
//! ```
//!
//! Two line formats are understood: phonemizer cases (`text`, `lang`, `ids`, `word2ph`,
//! `norm_text`, `error`) and sentence-splitting cases (`method`, `texts`, `results`), where the
//! sentence list and each sentence's `norm_text` and `ids` must match.
//! Cases in languages the frontend does not support yet count as failures (listed as such).
//! Prints `N passed, M failed` last and exits non-zero when anything failed.

use sovits_core::text::phonemize;
use sovits_core::text::split::{CutMethod, sentences};

/// A sentence-splitting case: the sentence list, then each sentence's phonemes.
fn split_case_ok(j: &serde_json::Value, text: &str, lang: &str) -> Result<bool, String> {
    let method: CutMethod = j["method"].as_str().unwrap_or("").parse().map_err(|e| format!("{e}"))?;
    let ours = sentences(text, lang == "en", method);
    let want_err = !j["texts_error"].is_null();
    let ours = match (ours, want_err) {
        (Err(_), true) => return Ok(true),
        (Ok(v), false) => v,
        (Ok(v), true) => return Err(format!("expected an error, got {v:?}")),
        (Err(e), false) => return Err(e.to_string()),
    };
    let want: Vec<&str> =
        j["texts"].as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
    if ours != want {
        return Err(format!("sentences {ours:?} != {want:?}"));
    }
    for (t, r) in ours.iter().zip(j["results"].as_array().into_iter().flatten()) {
        let want_ids: Vec<u32> = r["ids"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_u64().map(|x| x as u32)).collect())
            .unwrap_or_default();
        match phonemize(t, lang) {
            Ok(p) if p.ids == want_ids && r["norm_text"].as_str() == Some(p.norm_text.as_str()) => {}
            Ok(p) => return Err(format!("{t:?}: norm {:?} vs {:?}", p.norm_text, r["norm_text"])),
            Err(e) => return Err(format!("{t:?}: {e}")),
        }
    }
    Ok(true)
}

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
        let (mut ok, mut total, mut unsupported) = (0usize, 0usize, 0usize);
        for line in data.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(j) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Some(text) = j["text"].as_str() else { continue };
            let lang = j["lang"].as_str().unwrap_or("");
            total += 1;
            let id = j["id"].as_str().unwrap_or("?");
            if j.get("method").is_some() {
                match split_case_ok(&j, text, lang) {
                    Ok(_) => ok += 1,
                    Err(e) => {
                        if e.contains("not supported") || e.contains("not yet implemented") {
                            unsupported += 1;
                        }
                        if verbose || !e.contains("not yet implemented") {
                            println!("  {id} [{lang}] {e}");
                        }
                    }
                }
                continue;
            }
            let want_err = !j["error"].is_null();
            let result = phonemize(text, lang);
            let good = match (&result, want_err) {
                (Err(_), true) => true,
                (Ok(p), false) => {
                    let ids: Vec<u32> = j["ids"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|v| v.as_u64().map(|x| x as u32)).collect())
                        .unwrap_or_default();
                    let w2p: Vec<Option<Vec<usize>>> = j["word2ph"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|s| {
                                    s.as_array()
                                        .map(|v| v.iter().filter_map(|x| x.as_u64().map(|y| y as usize)).collect())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let ours_w2p: Vec<Option<Vec<usize>>> = p.segments.iter().map(|s| s.word2ph.clone()).collect();
                    p.ids == ids && ours_w2p == w2p && j["norm_text"].as_str() == Some(p.norm_text.as_str())
                }
                _ => false,
            };
            if good {
                ok += 1;
            } else {
                if matches!(result, Err(sovits_core::Error::UnsupportedLanguage { .. })) {
                    unsupported += 1;
                }
                if verbose || !matches!(result, Err(sovits_core::Error::UnsupportedLanguage { .. })) {
                    match &result {
                        Ok(p) => println!(
                            "  {id} [{lang}] {text:?}\n    norm ours {:?} / want {:?}\n    phones {:?}\n    want   {:?}",
                            p.norm_text,
                            j["norm_text"].as_str().unwrap_or(""),
                            p.segments.iter().flat_map(|s| s.phones.iter().cloned()).collect::<Vec<_>>().join(" "),
                            j["phones"]
                                .as_array()
                                .map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(" "))
                                .unwrap_or_default()
                        ),
                        Err(e) => println!("  {id} [{lang}] {text:?}: {e}"),
                    }
                }
            }
        }
        println!(
            "{f}: {ok}/{total} match ({:.1}%), {unsupported} in languages not supported yet",
            100.0 * ok as f64 / total.max(1) as f64
        );
        passed += ok;
        failed += total - ok;
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
