//! The text frontend against golden files in the format of `tests/fixtures/text/*.jsonl`
//! (the original's outputs): shared by `tests/text_frontend.rs` and the `text_parity` example.
//!
//! Two line formats are understood: phonemizer cases (`text`, `lang`, `ids`, `word2ph`,
//! `norm_text`, `error`) and sentence-splitting cases (`method`, `texts`, `results`), where the
//! sentence list and each sentence's `norm_text` and `ids` must match.

use sovits_core::text::split::{CutMethod, sentences};
use sovits_core::text::{Lang, phonemize};

/// How one case went.
#[derive(Debug)]
pub enum Outcome {
    /// ids, word2ph and norm_text (or the error) as the original.
    Pass,
    /// Different; the message says how.
    Fail(String),
    /// The frontend does not handle this language yet.
    Unsupported(String),
}

/// A file's results.
#[derive(Debug, Default)]
pub struct FileReport {
    pub total: usize,
    pub passed: usize,
    pub unsupported: usize,
    /// Cases that need a frontend this build leaves out (Japanese without the `ja` feature,
    /// Korean without `ko`): the language argument is one of theirs, or the original's
    /// segments include such a piece.
    pub later: usize,
    /// Of those, how many pass anyway.
    pub later_passed: usize,
    /// Every case that did not pass.
    pub failures: Vec<Failure>,
}

/// A case that did not pass.
#[derive(Debug)]
pub struct Failure {
    pub id: String,
    pub message: String,
    /// In a language the frontend does not handle yet.
    pub unsupported: bool,
    /// Needs a frontend this build leaves out (see [`FileReport::later`]).
    pub later: bool,
}

/// Whether a case needs a frontend this build leaves out (ja without the `ja` feature, ko
/// without `ko`; both are on by default).
pub fn needs_later_language(j: &serde_json::Value) -> bool {
    let mut later_langs: Vec<&str> = Vec::new();
    if !cfg!(feature = "ja") {
        later_langs.push("ja");
    }
    if !cfg!(feature = "ko") {
        later_langs.push("ko");
    }
    let later = |l: &str| later_langs.iter().any(|x| l.trim_start_matches("all_").trim_start_matches("auto_") == *x);
    let lang = j["lang"].as_str().unwrap_or("");
    let arg = later(lang);
    let segs = j["segments"].as_array().is_some_and(|a| a.iter().any(|s| s["lang"].as_str().is_some_and(later)));
    arg || segs
}

impl FileReport {
    /// Exact matches in percent.
    pub fn rate(&self) -> f64 {
        100.0 * self.passed as f64 / self.total.max(1) as f64
    }

    /// Exact matches in percent among the cases in the languages this build reads.
    pub fn rate_in_scope(&self) -> f64 {
        let n = self.total - self.later;
        100.0 * (self.passed - self.later_passed) as f64 / n.max(1) as f64
    }
}

fn u32s(v: &serde_json::Value) -> Vec<u32> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_u64().map(|y| y as u32)).collect()).unwrap_or_default()
}

fn word2ph(v: &serde_json::Value) -> Vec<Option<Vec<usize>>> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_array().map(|v| v.iter().filter_map(|x| x.as_u64().map(|y| y as usize)).collect()))
                .collect()
        })
        .unwrap_or_default()
}

fn strs(v: &serde_json::Value) -> String {
    v.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

fn unsupported(e: &sovits_core::Error) -> bool {
    matches!(e, sovits_core::Error::UnsupportedLanguage { .. })
}

/// A sentence-splitting case: the sentence list, then each sentence's phonemes.
fn split_case(j: &serde_json::Value, text: &str, lang: &str) -> Outcome {
    let method: CutMethod = match j["method"].as_str().unwrap_or("").parse() {
        Ok(m) => m,
        Err(e) => return Outcome::Fail(format!("{e}")),
    };
    let lang: Lang = match lang.parse() {
        Ok(l) => l,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let ours = sentences(text, lang, method);
    let want_err = !j["texts_error"].is_null();
    let ours = match (ours, want_err) {
        (Err(_), true) => return Outcome::Pass,
        (Ok(v), false) => v,
        (Ok(v), true) => return Outcome::Fail(format!("expected an error, got {v:?}")),
        (Err(e), false) => return Outcome::Fail(e.to_string()),
    };
    let want: Vec<&str> =
        j["texts"].as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
    if ours != want {
        return Outcome::Fail(format!("sentences {ours:?} != {want:?}"));
    }
    for (t, r) in ours.iter().zip(j["results"].as_array().into_iter().flatten()) {
        match phonemize(t, lang) {
            Ok(p) if p.ids == u32s(&r["ids"]) && r["norm_text"].as_str() == Some(p.norm_text.as_str()) => {}
            Ok(p) => return Outcome::Fail(format!("{t:?}: norm {:?} vs {:?}", p.norm_text, r["norm_text"])),
            Err(e) if unsupported(&e) => return Outcome::Unsupported(e.to_string()),
            Err(e) => return Outcome::Fail(format!("{t:?}: {e}")),
        }
    }
    Outcome::Pass
}

/// Checks one parsed line.
pub fn check_case(j: &serde_json::Value) -> Outcome {
    let Some(text) = j["text"].as_str() else { return Outcome::Fail("no text".into()) };
    let lang = j["lang"].as_str().unwrap_or("");
    if j.get("method").is_some() {
        return split_case(j, text, lang);
    }
    let want_err = !j["error"].is_null();
    match (lang.parse::<Lang>().and_then(|l| phonemize(text, l)), want_err) {
        (Err(_), true) => Outcome::Pass,
        (Err(e), false) if unsupported(&e) => Outcome::Unsupported(e.to_string()),
        (Err(e), false) => Outcome::Fail(format!("{text:?}: {e}")),
        (Ok(p), true) => Outcome::Fail(format!("{text:?}: expected {}, got {:?}", j["error"], p.norm_text)),
        (Ok(p), false) => {
            let ours_w2p: Vec<Option<Vec<usize>>> = p.segments.iter().map(|s| s.word2ph.clone()).collect();
            if p.ids == u32s(&j["ids"])
                && ours_w2p == word2ph(&j["word2ph"])
                && j["norm_text"].as_str() == Some(p.norm_text.as_str())
            {
                Outcome::Pass
            } else {
                let segs: Vec<String> = p.segments.iter().map(|s| format!("{}:{:?}", s.lang, s.text)).collect();
                Outcome::Fail(format!(
                    "{text:?}\n    norm ours {:?} / want {:?}\n    phones {}\n    want   {}\n    segments {}",
                    p.norm_text,
                    j["norm_text"].as_str().unwrap_or(""),
                    p.segments.iter().flat_map(|s| s.phones.iter().cloned()).collect::<Vec<_>>().join(" "),
                    strs(&j["phones"]),
                    segs.join(" ")
                ))
            }
        }
    }
}

/// Runs every line of a golden file's text.
pub fn run_lines(data: &str) -> FileReport {
    let mut r = FileReport::default();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(j) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if j["text"].as_str().is_none() {
            continue;
        }
        r.total += 1;
        let id = j["id"].as_str().unwrap_or("?").to_string();
        let lang = j["lang"].as_str().unwrap_or("");
        let later = needs_later_language(&j);
        r.later += later as usize;
        match check_case(&j) {
            Outcome::Pass => {
                r.passed += 1;
                r.later_passed += later as usize;
            }
            Outcome::Fail(m) => {
                r.failures.push(Failure { id, message: format!("[{lang}] {m}"), unsupported: false, later })
            }
            Outcome::Unsupported(m) => {
                r.unsupported += 1;
                r.failures.push(Failure { id, message: format!("[{lang}] {m}"), unsupported: true, later });
            }
        }
    }
    r
}
