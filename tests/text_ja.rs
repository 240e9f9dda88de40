//! The Japanese frontend: OpenJTalk's full-context labels against pyopenjtalk 0.4.1 (the
//! original's dependency, with its naist-jdic 1.11 dictionary) on 500 extra inputs, and bad
//! input. The golden-file rates (`ja.jsonl`, `mixed.jsonl`, `split.jsonl`) are in
//! `text_frontend`.
//!
//! `tests/fixtures/text/ja_openjtalk_labels.jsonl.gz` was written by
//! `scripts/gen_ja_openjtalk_labels.py` (random dictionary-word sentences, random strings of kana,
//! kanji, digits, Latin letters and symbols, numbers, dates, times, money), each input given to
//! `pyopenjtalk.extract_fullcontext` as it is.

#![cfg(feature = "ja")]

use std::io::Read;

use sovits_core::text::ja::{UserDictionary, openjtalk, prosody_from_labels};

#[test]
fn openjtalk_labels_equal_pyopenjtalk() {
    let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/text/ja_openjtalk_labels.jsonl.gz"))
        .expect("fixture");
    let mut data = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut data).expect("gzip");
    let (mut total, mut same, mut same_prosody) = (0, 0, 0);
    let mut bad = Vec::new();
    for line in data.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = j["text"].as_str().unwrap();
        let want: Vec<String> =
            j["labels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        let ours = openjtalk::labels(text, &UserDictionary::default()).unwrap();
        total += 1;
        // jpreprocess writes `xx` for the part of speech of the word after a silence (`/D:`),
        // where OpenJTalk names it; the prosody phonemes never read those fields.
        let strip = |l: &String| {
            let mut f: Vec<&str> = l.split('/').collect();
            f.retain(|x| !x.starts_with("B:") && !x.starts_with("C:") && !x.starts_with("D:"));
            f.join("/")
        };
        if ours.iter().map(strip).eq(want.iter().map(strip)) {
            same += 1;
        }
        let (po, pw) = (prosody_from_labels(&ours), prosody_from_labels(&want));
        if po == pw {
            same_prosody += 1;
        } else {
            bad.push(format!("{text:?}\n    ours {}\n    want {}", po.join(" "), pw.join(" ")));
        }
    }
    for b in &bad {
        println!("  {b}");
    }
    let rate = 100.0 * same_prosody as f64 / total as f64;
    let labels_rate = 100.0 * same as f64 / total as f64;
    println!(
        "prosody phonemes equal on {same_prosody}/{total} ({rate:.1}%); labels (but B/C/D) equal on {same}/{total} ({labels_rate:.1}%)"
    );
    assert!(rate >= 99.0, "{rate:.1}% < 99%");
}

#[test]
fn japanese_through_phonemize() {
    use sovits_core::text::{FrontendOptions, Lang, SegmentLang, phonemize, phonemize_with};
    let p = phonemize("こんにちは。今日はいい天気ですね！", Lang::AllJa).unwrap();
    assert!(p.segments.iter().all(|s| s.lang == SegmentLang::Ja && s.word2ph.is_none()));
    let phones: Vec<&str> = p.segments.iter().flat_map(|s| s.phones.iter().map(String::as_str)).collect();
    assert_eq!(phones.first(), Some(&"k"));
    assert_eq!(phones.last(), Some(&"!"));
    // `ja`: English words stay English; `auto` reads the Japanese pieces as Japanese.
    let p = phonemize("今日はOpenAIのニュースです。", Lang::Ja).unwrap();
    assert!(p.segments.iter().any(|s| s.lang == SegmentLang::En), "{:?}", p.segments);
    let p = phonemize("ありがとうございます。", Lang::Auto).unwrap();
    assert!(p.segments.iter().all(|s| s.lang == SegmentLang::Ja), "{:?}", p.segments);
    // The user dictionary changes the reading.
    let base = phonemize("鬼滅の刃", Lang::AllJa).unwrap();
    let mut opts = FrontendOptions::default();
    opts.user_dict.add_ja("鬼滅", "キメツ", 0).unwrap();
    let user = phonemize_with("鬼滅の刃", Lang::AllJa, &opts).unwrap();
    assert_ne!(base.ids, user.ids);
    assert!(user.segments[0].phones.join(" ").contains("k i [ m e ts u"), "{:?}", user.segments[0].phones);
    assert!(opts.user_dict.add_ja_mecab_line("bad line").is_err());
}

#[test]
fn bad_japanese_input_is_sane_output_or_a_clear_error() {
    use sovits_core::Error;
    use sovits_core::text::{Lang, phonemize, split};
    // Half-width katakana reads as full-width (OpenJTalk's normalisation). Its voicing marks
    // (U+FF9E/F) are outside upstream's Japanese character class, so they cut the run there and
    // become UNK, as upstream's do.
    let half = phonemize("ｺﾝﾆﾁﾊ。ｻｸﾗ", Lang::AllJa).unwrap();
    let full = phonemize("コンニチハ。サクラ", Lang::AllJa).unwrap();
    assert_eq!(half.ids, full.ids);
    let voiced = phonemize("ｶﾞｯｺｳ", Lang::AllJa).unwrap();
    assert!(voiced.segments[0].phones.contains(&"UNK".to_string()), "{:?}", voiced.segments[0].phones);
    for lang in [Lang::AllJa, Lang::Ja, Lang::Auto] {
        for text in [
            "😀😀😀",
            "今日は😀です👍🏽。",
            "※★♪〒ｗｗｗ〜〜〜",
            "\u{0}\u{1b}[31m日本",
            "𠮷野家で𩸽を食べた",
            "ヴョゕヶヮゎ",
            "ーーー、、、。。。",
            "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字",
            "\u{202e}テキスト",
            "ｱｲｳｴｵﾞﾟ",
        ] {
            match phonemize(text, lang) {
                Ok(p) => assert_eq!(p.ids.len(), p.segments.iter().map(|s| s.ids.len()).sum::<usize>()),
                Err(e) => assert!(matches!(e, Error::InvalidArgument(_)), "{text:?} {lang}: {e}"),
            }
        }
    }
    // Long runs without punctuation: one sentence for the lattice, linear time.
    let t = std::time::Instant::now();
    let long = "今日はとてもいい天気なので公園まで散歩に行きました".repeat(400);
    assert!(phonemize(&long, Lang::AllJa).unwrap().len() > 400 * 40);
    let unknown = "鶼".repeat(20_000);
    assert!(phonemize(&unknown, Lang::AllJa).is_ok());
    assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
    // 100 kB in one call is over the per-call limit: a clear error; split into sentences first,
    // it reads.
    let big = "吾輩は猫である。名前はまだ無い。".repeat(2100);
    assert!(big.len() > 100_000);
    assert!(matches!(phonemize(&big, Lang::AllJa), Err(Error::InvalidArgument(m)) if m.contains("at most")));
    let sentences = split::sentences(&big[..3000], Lang::AllJa, split::CutMethod::Cut5).unwrap();
    assert!(sentences.len() > 50);
    for s in &sentences {
        phonemize(s, Lang::AllJa).unwrap();
    }
}

/// Random strings over kana, kanji, digits, Latin, symbols, spaces and odd code points, in the
/// three Japanese-reading languages: no panic, and every answer is a sane output or a clear error.
#[test]
fn random_strings_never_panic() {
    use sovits_core::Error;
    use sovits_core::text::{Lang, phonemize};
    let pools: [&[char]; 4] = [
        &['あ', 'ぁ', 'ゃ', 'ー', 'ッ', 'ン', 'ヴ', 'ヶ', 'ｶ', 'ﾞ', 'ﾟ', '々', '〆', 'ゝ', 'ゞ', '・'],
        &['日', '本', '語', '鶼', '𠮷', '〇', '一', '十', '百', '円', '％', '年', '月', '時'],
        &['0', '9', '１', 'a', 'Z', 'ｚ', ' ', '　', '、', '。', '？', '！', '「', '」', '\n', '\t', '.', ','],
        &['\u{0}', '\u{ffff}', '\u{fffd}', '😀', '\u{200d}', '\u{301}', 'Ω', 'é', '한', '\u{e000}'],
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..600 {
        let len = 1 + next(40);
        let text: String = (0..len)
            .map(|_| {
                let pool = pools[next(pools.len())];
                pool[next(pool.len())]
            })
            .collect();
        for lang in [Lang::AllJa, Lang::Ja, Lang::Auto] {
            match phonemize(&text, lang) {
                Ok(p) => assert_eq!(p.ids.len(), p.segments.iter().map(|s| s.ids.len()).sum::<usize>()),
                Err(Error::InvalidArgument(_) | Error::UnsupportedLanguage { .. }) => {}
                Err(e) => panic!("{text:?} {lang}: {e}"),
            }
        }
    }
}
