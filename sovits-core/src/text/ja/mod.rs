//! Japanese (upstream `text/japanese.py`): pyopenjtalk's analysis (OpenJTalk 1.11 with its
//! naist-jdic dictionary) turned into phonemes with prosody marks.
//!
//! - [`openjtalk`]: the OpenJTalk frontend. The morphological analysis is this crate's
//!   MeCab-compatible lattice ([`crate::text::mecab`]) over the shipped dictionary; the NJD
//!   rules (pronunciation, numbers, accent phrases and types, unvoicing) and the full-context
//!   labels come from the `jpreprocess` crate, a Rust rewrite of OpenJTalk's frontend.
//! - [`g2p`]: upstream's `preprocess_jap` + `pyopenjtalk_g2p_prosody` + `post_replace_ph`.
//!
//! BERT features of Japanese segments are zeros, as upstream's.

pub mod openjtalk;

use std::sync::OnceLock;

use fancy_regex::Regex;
use unicode_categories::UnicodeCategories;

use crate::Result;

pub use openjtalk::UserDictionary;

/// `text_normalize` of `japanese.py`: only `replace_consecutive_punctuation`.
pub fn text_normalize(text: &str) -> String {
    crate::text::split::replace_consecutive_punctuation(text)
}

/// `_japanese_characters`: what pyopenjtalk reads (ASCII letters, decimal digits, kana, CJK
/// ideographs, full-width digits 1-9 and letters, half-width katakana). Everything else is a
/// mark between sentences.
fn is_japanese_char(c: char) -> bool {
    c.is_ascii_alphabetic()
        || c.is_number_decimal_digit()
        || matches!(c,
            '\u{3005}' | '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff11}'..='\u{ff19}'
            | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' | '\u{ff66}'..='\u{ff9d}')
}

/// `post_replace_ph`: full-width punctuation to the v2 marks.
fn post_replace_ph(ph: &str) -> &str {
    match ph {
        "：" | "；" | "，" | "·" | "、" => ",",
        "。" | "\n" => ".",
        "！" => "!",
        "？" => "?",
        "..." => "…",
        other => other,
    }
}

/// `g2p(norm_text)` of `japanese.py`: phones with prosody marks, before the `UNK` mapping.
///
/// `％` becomes パーセント, the text is lowercased, and it is cut at every character that is
/// not Japanese ([`is_japanese_char`]); each run goes through OpenJTalk
/// ([`openjtalk::g2p_prosody`], its `^`/`$`/`?` ends dropped) and each cut character is kept as
/// a phone of its own (a space is dropped).
pub fn g2p(norm_text: &str, user: &UserDictionary) -> Result<Vec<String>> {
    let text = norm_text.replace('％', "パーセント").to_lowercase();
    let mut phones = Vec::new();
    let mut run_start = 0;
    let flush = |run: &str, phones: &mut Vec<String>| -> Result<()> {
        if run.chars().next().is_some_and(is_japanese_char) {
            let p = openjtalk::g2p_prosody(run, user)?;
            if p.len() >= 2 {
                phones.extend(p[1..p.len() - 1].iter().cloned());
            }
        }
        Ok(())
    };
    for (i, c) in text.char_indices() {
        if is_japanese_char(c) {
            continue;
        }
        flush(&text[run_start..i], &mut phones)?;
        run_start = i + c.len_utf8();
        if c != ' ' {
            phones.push(post_replace_ph(&c.to_string()).to_string());
        }
    }
    flush(&text[run_start..], &mut phones)?;
    Ok(phones)
}

/// The regexes of `pyopenjtalk_g2p_prosody` over a full-context label.
struct LabelRegex {
    p3: Regex,
    a1: Regex,
    a2: Regex,
    a3: Regex,
    f1: Regex,
    e3: Regex,
}

fn label_regex() -> &'static LabelRegex {
    static R: OnceLock<LabelRegex> = OnceLock::new();
    R.get_or_init(|| {
        let r = |p: &str| Regex::new(p).expect("static regex");
        LabelRegex {
            p3: r(r"\-(.*?)\+"),
            a1: r(r"/A:([0-9\-]+)\+"),
            a2: r(r"\+(\d+)\+"),
            a3: r(r"\+(\d+)/"),
            f1: r(r"/F:(\d+)_"),
            e3: r(r"!(\d+)_"),
        }
    })
}

/// `_numeric_feature_by_regex`: the first group as an integer, -50 when there is no match.
fn numeric(re: &Regex, s: &str) -> i64 {
    re.captures(s).ok().flatten().and_then(|c| c.get(1)).and_then(|m| m.as_str().parse().ok()).unwrap_or(-50)
}

/// `pyopenjtalk_g2p_prosody` over the labels of one sentence: phonemes (unvoiced vowels
/// lowercased) with `^` (start), `$`/`?` (end, statement/question), `_` (pause), `#`
/// (accent-phrase boundary), `[` (pitch rise), `]` (pitch fall).
pub fn prosody_from_labels(labels: &[String]) -> Vec<String> {
    let re = label_regex();
    let n = labels.len();
    let mut phones = Vec::new();
    for (i, lab) in labels.iter().enumerate() {
        let mut p3 = re
            .p3
            .captures(lab)
            .ok()
            .flatten()
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        // Python's `p3 in "AEIOU"` is a substring test.
        if "AEIOU".contains(p3.as_str()) {
            p3 = p3.to_lowercase();
        }
        if p3 == "sil" {
            if i == 0 {
                phones.push("^".to_string());
            } else if i == n - 1 {
                match numeric(&re.e3, lab) {
                    0 => phones.push("$".to_string()),
                    1 => phones.push("?".to_string()),
                    _ => {}
                }
            }
            continue;
        } else if p3 == "pau" {
            phones.push("_".to_string());
            continue;
        }
        phones.push(p3.clone());
        let a1 = numeric(&re.a1, lab);
        let a2 = numeric(&re.a2, lab);
        let a3 = numeric(&re.a3, lab);
        let f1 = numeric(&re.f1, lab);
        // Upstream indexes labels[n + 1]; a phoneme is never last (a sil closes the labels).
        let a2_next = labels.get(i + 1).map_or(-50, |l| numeric(&re.a2, l));
        if a3 == 1 && a2_next == 1 && "aeiouAEIOUNcl".contains(p3.as_str()) {
            phones.push("#".to_string());
        } else if a1 == 0 && a2_next == a2 + 1 && a2 != f1 {
            phones.push("]".to_string());
        } else if a2 == 1 && a2_next == 2 {
            phones.push("[".to_string());
        }
    }
    phones
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn konnichiwa_from_the_espnet_docstring() {
        let p = openjtalk::g2p_prosody("こんにちは。", &UserDictionary::default()).unwrap();
        assert_eq!(p, ["^", "k", "o", "[", "N", "n", "i", "ch", "i", "w", "a", "$"]);
    }

    #[test]
    fn marks_between_runs_are_phones() {
        let p = g2p("はい、そうです！ＯＫ？", &UserDictionary::default()).unwrap();
        assert!(p.contains(&",".to_string()) && p.contains(&"!".to_string()), "{p:?}");
        assert_eq!(p.last().map(String::as_str), Some("?"));
    }
}
