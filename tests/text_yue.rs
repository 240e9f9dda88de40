//! Cantonese: ToJyutping 3.2.0's `get_jyutping_list` on 400 random strings
//! (`tests/fixtures/text/yue_jyutping_cases.jsonl.gz`, `scripts/gen_yue_jyutping_cases.py`), and
//! bad input. The golden-file rate (`yue.jsonl`) is in `text_frontend`.

use std::io::Read;

use sovits_core::Error;
use sovits_core::text::yue::get_jyutping_list;
use sovits_core::text::{Lang, SegmentLang, phonemize};

#[test]
fn jyutping_lists_equal_tojyutping() {
    let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/text/yue_jyutping_cases.jsonl.gz"))
        .expect("fixture");
    let mut data = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut data).unwrap();
    let mut bad = Vec::new();
    let mut n = 0;
    for line in data.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = j["text"].as_str().unwrap();
        let want: Vec<(String, Option<String>)> = j["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().map(str::to_string)))
            .collect();
        let ours: Vec<(String, Option<String>)> =
            get_jyutping_list(text).into_iter().map(|(c, s)| (c.to_string(), s)).collect();
        n += 1;
        if ours != want {
            bad.push(format!("{text:?}: {ours:?} != {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{} of {n} differ:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn bad_cantonese_input_is_sane_output_or_a_clear_error() {
    // A character without a reading (the original raises): a clear error naming it.
    match phonemize("佢寫咗個乄字。", Lang::AllYue) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains('乄') && m.contains("jyutping"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Mixed scripts: English stays English, the rest is Cantonese; emoji are dropped.
    let p = phonemize("我今日用ChatGPT寫code😀。", Lang::Yue).unwrap();
    assert!(p.segments.iter().any(|s| s.lang == SegmentLang::En));
    assert!(p.segments.iter().any(|s| s.lang == SegmentLang::Yue && s.word2ph.is_some()));
    for lang in [Lang::AllYue, Lang::Yue, Lang::AutoYue] {
        for text in ["😀😀", "「」（）", "\u{0}\u{1b}", "𠮷野家", "ｗｗｗ", "123", "いいね", "안녕"]
        {
            match phonemize(text, lang) {
                Ok(p) => assert_eq!(p.ids.len(), p.segments.iter().map(|s| s.ids.len()).sum::<usize>()),
                Err(Error::InvalidArgument(_) | Error::UnsupportedLanguage { .. }) => {}
                Err(e) => panic!("{text:?} {lang}: {e}"),
            }
        }
    }
    // Long text: within the per-call limit it reads; 100 kB is the limit's clear error.
    let long = "你食咗飯未呀？我哋一齊去飲茶啦。".repeat(1000);
    assert!(phonemize(&long, Lang::AllYue).unwrap().len() > 1000 * 25);
    let big = long.repeat(3);
    assert!(matches!(phonemize(&big, Lang::AllYue), Err(Error::InvalidArgument(m)) if m.contains("at most")));
}
