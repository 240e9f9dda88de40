//! Korean: MeCab-ko's tags and the phones of upstream's `korean.g2p` on 1,398 inputs beyond the
//! goldens (`tests/fixtures/text/ko_g2p_cases.jsonl.gz`, `scripts/gen_ko_g2p_cases.py`: g2pk2's
//! rule examples and idioms, random sentences of dictionary words, numbers, Latin letters), and
//! bad input. The golden-file rate (`ko.jsonl`) is in `text_frontend`.
#![cfg(feature = "ko")]

use std::io::Read;

use sovits_core::Error;
use sovits_core::text::ko;
use sovits_core::text::{Lang, SegmentLang, phonemize};

fn cases() -> Vec<serde_json::Value> {
    let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/text/ko_g2p_cases.jsonl.gz"))
        .expect("fixture");
    let mut data = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut data).unwrap();
    data.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn mecab_ko_tags_equal_python_mecab_ko() {
    let mut bad = Vec::new();
    let all = cases();
    for j in &all {
        let text = j["text"].as_str().unwrap();
        let want: Vec<(String, String)> = j["pos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().to_string()))
            .collect();
        let ours = ko::pos(text).unwrap();
        if ours != want {
            bad.push(format!("{text:?}:\n  ours {ours:?}\n  want {want:?}"));
        }
    }
    println!("MeCab-ko tags: {}/{} equal", all.len() - bad.len(), all.len());
    assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), all.len(), bad.join("\n"));
}

#[test]
fn phones_equal_upstream_korean_g2p() {
    let mut bad = Vec::new();
    let mut n = 0;
    for j in cases() {
        let text = j["text"].as_str().unwrap();
        let Some(want) = j["phones"].as_array() else { continue };
        let want: Vec<&str> = want.iter().map(|p| p.as_str().unwrap()).collect();
        let ours = ko::g2p(text).unwrap();
        n += 1;
        if ours != want {
            bad.push(format!("{text:?}:\n  ours {}\n  want {}", ours.concat(), want.concat()));
        }
    }
    println!("Korean phones: {}/{n} equal", n - bad.len());
    assert!(bad.is_empty(), "{} of {n} differ:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn bad_korean_input_is_sane_output_or_a_clear_error() {
    // Where upstream fails (a number of more than 16 digits before a counter: g2pk2 reads an
    // unset name), the number is read digit by digit.
    let p = ko::g2p("12345678901234567개").unwrap();
    assert!(p.concat().starts_with("ㅇㅣㄹㅣㅅㅏㅁㅅㅏㅇㅗ"), "{}", p.concat());
    // Old-Hangul jamo (upstream's jamo package raises on them) are the 停 phone.
    assert!(ko::g2p("ꥠ가").unwrap().contains(&"停".to_string()));
    // Mixed scripts: English stays English under `ko`; Hanja and kana are 停 phones.
    let p = phonemize("오늘은 ChatGPT로 漢字와 かな를 공부했어요.", Lang::Ko).unwrap();
    assert!(p.segments.iter().any(|s| s.lang == SegmentLang::En));
    assert!(p.segments.iter().any(|s| s.lang == SegmentLang::Ko && s.phones.iter().any(|x| x == "停")));
    for lang in [Lang::AllKo, Lang::Ko, Lang::Auto] {
        for text in ["😀😀", "「」（）", "\u{0}\u{1b}", "𠮷", "ｗｗｗ", "123", "ㅋㅋㅋ", "\t안녕\n", "ᄀᄀᄀ", "ퟻ", "  "]
        {
            match phonemize(text, lang) {
                Ok(p) => assert_eq!(p.ids.len(), p.segments.iter().map(|s| s.ids.len()).sum::<usize>()),
                Err(Error::InvalidArgument(_) | Error::UnsupportedLanguage { .. }) => {}
                Err(e) => panic!("{text:?} {lang}: {e}"),
            }
        }
    }
    // Long text: within the per-call limit it reads; 100 kB is the limit's clear error.
    let long = "오늘 날씨가 정말 좋네요. 3시에 만나요! ".repeat(800);
    assert!(phonemize(&long, Lang::AllKo).unwrap().len() > 800 * 30);
    let big = long.repeat(5);
    assert!(matches!(phonemize(&big, Lang::AllKo), Err(Error::InvalidArgument(m)) if m.contains("at most")));
}
