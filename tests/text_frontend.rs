//! The text frontend against the original's outputs (`tests/fixtures/text/*.jsonl`, about 1100
//! cases of zh, en, ja, ko, yue, mixed and split; see the README there).
//!
//! The acceptance bar is 98% exact matches (ids, word2ph and norm_text) per file (99% for
//! Japanese and the files with Japanese cases); each test prints its file's rate and the ids
//! that differ. Cases that need a frontend the build leaves out (features `ja`, `ko`) are
//! counted apart. `docs/text-frontend.md` explains every remaining class of mismatch.

use sovits_suite::text_golden::run_lines;

/// Runs a golden file, prints its rates and mismatches, and returns the rate over the cases in
/// the languages this build reads.
fn run(file: &str) -> f64 {
    let path = format!("{}/tests/fixtures/text/{file}", env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let r = run_lines(&data);
    for f in r.failures.iter().filter(|f| !f.later) {
        println!("  {} {}", f.id, f.message);
    }
    let later: Vec<&str> = r.failures.iter().filter(|f| f.later).map(|f| f.id.as_str()).collect();
    println!("  needing a frontend this build leaves out: {later:?}");
    println!(
        "{file}: {}/{} = {:.1}% of all; {:.1}% of the {} cases in the languages built",
        r.passed,
        r.total,
        r.rate(),
        r.rate_in_scope(),
        r.total - r.later
    );
    r.rate_in_scope()
}

/// The bar for a file: 98% with the fastText detector (feature `lid176`, the default). Built
/// without it the script rule decides languages, and the rates reached that way are guarded
/// instead (docs/text-frontend.md lists what the script rule gets wrong).
fn bar(script_rule_floor: f64) -> f64 {
    if cfg!(feature = "lid176") { 98.0 } else { script_rule_floor }
}

#[test]
fn en_jsonl() {
    let rate = run("en.jsonl");
    assert!(rate >= 98.0, "en.jsonl: {rate:.1}% < 98%");
}

#[test]
fn zh_jsonl() {
    let rate = run("zh.jsonl");
    assert!(rate >= bar(99.4), "zh.jsonl: {rate:.1}%");
}

/// The bar of the files with Japanese cases: 99% with the `ja` and `lid176` features (the
/// defaults). Without `lid176` the script rule's rates are guarded, measured without `ja` (the
/// Japanese cases counted apart) and with it (the Chinese phrases fastText calls Japanese, which
/// the original reads with OpenJTalk, stay Chinese then).
fn ja_bar(script_rule_floor: f64, script_rule_floor_with_ja: f64) -> f64 {
    match (cfg!(feature = "ja"), cfg!(feature = "lid176")) {
        (true, true) => 99.0,
        (true, false) => script_rule_floor_with_ja,
        (false, _) => bar(script_rule_floor),
    }
}

#[test]
fn mixed_jsonl() {
    let rate = run("mixed.jsonl");
    assert!(rate >= ja_bar(97.6, 90.6), "mixed.jsonl: {rate:.1}%");
}

#[test]
fn split_jsonl() {
    let rate = run("split.jsonl");
    assert!(rate >= ja_bar(95.2, 95.5), "split.jsonl: {rate:.1}%");
}

#[test]
fn yue_jsonl() {
    let rate = run("yue.jsonl");
    // all_yue never asks the detector; auto_yue does (98% without it is the floor measured).
    assert!(rate >= if cfg!(feature = "lid176") { 99.0 } else { 98.0 }, "yue.jsonl: {rate:.1}%");
}

#[test]
fn ko_jsonl() {
    let rate = run("ko.jsonl");
    // all_ko never asks the language detector, ko only to find English: 99% with or without it.
    if cfg!(feature = "ko") {
        assert!(rate >= 99.0, "ko.jsonl: {rate:.1}%");
    }
}

#[test]
fn ja_jsonl() {
    let rate = run("ja.jsonl");
    // all_ja never asks the language detector, ja only to find English: 99% with or without it.
    if cfg!(feature = "ja") {
        assert!(rate >= 99.0, "ja.jsonl: {rate:.1}%");
    }
}

#[test]
fn english_number_words_match_inflect() {
    use sovits_core::text::en::inflect::{Words, number_to_words, ordinal_digits, ordinal_word};
    let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/inflect_cases.jsonl"))
        .expect("inflect cases");
    let plain = Words { andword: "", ..Words::default() };
    let year = Words { group: 2, andword: "", zero: "oh" };
    let mut bad = Vec::new();
    for line in data.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let n = j["n"].as_str().unwrap();
        let mut check = |what: &str, ours: String, want: &serde_json::Value| {
            if want.as_str().is_some_and(|w| w != ours) {
                bad.push(format!("{n} {what}: {ours:?} != {want}"));
            }
        };
        check("andword=''", number_to_words(n, &plain), &j["g0"]);
        check("default", number_to_words(n, &Words::default()), &j["g0and"]);
        check("group=2", number_to_words(n, &year), &j["g2"]);
        check("ordinal digits", ordinal_digits(n), &j["ordd"]);
        check("words of ordinal", number_to_words(&ordinal_digits(n), &Words::default()), &j["ord"]);
        check("ordinal of words", ordinal_word(&number_to_words(n, &Words::default())), &j["ordw"]);
    }
    assert!(bad.is_empty(), "{} differences from inflect 7.6.0:\n{}", bad.len(), bad.join("\n"));
}
