//! Cantonese (upstream `text/cantonese.py`): the Mandarin text normaliser, Cantonese punctuation
//! and character filter, ToJyutping 3.2.0's readings (greedy longest match over its word trie),
//! and the split of each jyutping syllable into `Y`-prefixed initial and final + tone.
//!
//! BERT features of Cantonese segments are zeros, as upstream's.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::{Error, Result};

/// ToJyutping's trie as `key -> syllables` (the first reading of every key that has one), and
/// the longest key.
struct Readings {
    map: HashMap<String, Vec<String>>,
    max_chars: usize,
}

fn readings() -> &'static Readings {
    static R: OnceLock<Readings> = OnceLock::new();
    R.get_or_init(|| {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&include_bytes!("../../../data/yue/jyutping.tsv.gz")[..]),
            &mut text,
        )
        .expect("embedded jyutping data is valid gzip UTF-8");
        let mut map = HashMap::new();
        let mut max_chars = 1;
        for line in text.lines() {
            if let Some((k, v)) = line.split_once('\t') {
                max_chars = max_chars.max(k.chars().count());
                map.insert(k.to_string(), v.split(' ').map(str::to_string).collect());
            }
        }
        Readings { map, max_chars }
    })
}

/// `ToJyutping.get_jyutping_list`: one `(character, syllable)` per character; a run of
/// characters that is a trie word takes the word's syllables (the longest such run from each
/// position, left to right); `None` where a character has no reading.
pub fn get_jyutping_list(text: &str) -> Vec<(char, Option<String>)> {
    let r = readings();
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        // The longest key from i; keys are prefix-closed in a trie walk only as far as nodes
        // exist, and every key of the map is a node, so the walk stops at the longest reading.
        let mut best: Option<(usize, &Vec<String>)> = None;
        let mut key = String::new();
        for (j, &c) in chars.iter().enumerate().skip(i).take(r.max_chars) {
            key.push(c);
            if let Some(v) = r.map.get(&key) {
                best = Some((j, v));
            }
        }
        match best {
            Some((k, v)) if k > i && v.len() == k - i + 1 => {
                for (n, c) in chars[i..=k].iter().enumerate() {
                    out.push((*c, Some(v[n].clone())));
                }
                i = k + 1;
            }
            // A character's own reading may be several syllables (粁: cin1 mai5), kept as one
            // string as ToJyutping gives it.
            Some((k, v)) if k == i => {
                out.push((chars[i], Some(v.join(" "))));
                i += 1;
            }
            _ => {
                let single = r.map.get(&chars[i].to_string()).map(|v| v.join(" "));
                out.push((chars[i], single));
                i += 1;
            }
        }
    }
    out
}

/// upstream's `punctuation`.
const PUNCTUATION: &[char] = crate::text::zh::normalize::PUNCTUATION;

/// `replace_punctuation` of `cantonese.py`: its map (quotes and brackets become `'`, which the
/// filter then drops, as upstream's does), then only U+4E00-9FA5 and `! ? … , . -` are kept.
fn replace_punctuation(text: &str) -> String {
    let t = text.replace("...", "…");
    t.chars()
        .map(|c| match c {
            '：' | '；' | '，' | '·' | '、' => ',',
            '。' | '\n' | '$' => '.',
            '！' => '!',
            '？' => '?',
            '“' | '”' | '"' | '‘' | '’' | '（' | '）' | '(' | ')' | '《' | '》' | '【' | '】' | '[' | ']' | '「'
            | '」' => '\'',
            '—' | '～' | '~' => '-',
            c => c,
        })
        .filter(|&c| ('\u{4e00}'..='\u{9fa5}').contains(&c) || PUNCTUATION.contains(&c))
        .collect()
}

/// `text_normalize` of `cantonese.py`: the Mandarin `TextNormalizer` sentence by sentence, then
/// the Cantonese punctuation (no collapsing of repeated marks, unlike Mandarin).
pub fn text_normalize(text: &str) -> String {
    crate::text::zh::normalize::split_sentences(text)
        .iter()
        .map(|s| replace_punctuation(&crate::text::zh::normalize::normalize_sentence(s)))
        .collect()
}

/// `INITIALS` of `cantonese.py`, in its order (the first that prefixes a syllable wins).
const INITIALS: &[&str] = &[
    "aa", "aai", "aak", "aap", "aat", "aau", "ai", "au", "ap", "at", "ak", "a", "p", "b", "e", "ts", "t", "dz", "d",
    "kw", "k", "gw", "g", "f", "h", "l", "m", "ng", "n", "s", "y", "w", "c", "z", "j", "ong", "on", "ou", "oi", "ok",
    "o", "uk", "ung", "sp", "spl", "spn", "sil",
];

/// `g2p` of `cantonese.py`: phones (`Y` + initial, `Y` + final + tone; punctuation as is) and
/// `word2ph` (2 per syllable, 1 per mark). A character without a reading is an error, as
/// upstream raises.
pub fn g2p(norm_text: &str) -> Result<(Vec<String>, Vec<usize>)> {
    let mut phones = Vec::new();
    let mut word2ph = Vec::new();
    for (c, syllable) in get_jyutping_list(norm_text) {
        if PUNCTUATION.contains(&c) {
            phones.push(c.to_string());
            word2ph.push(1);
            continue;
        }
        let s = syllable.filter(|s| is_jyutping(s)).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "Cantonese: {c:?} has no jyutping reading in ToJyutping's dictionary (upstream fails on it too); \
                 replace it or read the text as zh"
            ))
        })?;
        let (body, tone) = match s.chars().last().and_then(|t| t.to_digit(10)) {
            Some(t) => (&s[..s.len() - 1], t),
            None => (s.as_str(), 0),
        };
        let Some(initial) = INITIALS.iter().find(|i| body.starts_with(**i)) else {
            // Upstream appends nothing and then fails its length assertion.
            return Err(Error::InvalidArgument(format!("Cantonese: the syllable {s:?} of {c:?} has no known initial")));
        };
        let (ini, fin) = if body.starts_with("nga") {
            (&body[..2], if body.len() > 2 { &body[2..] } else { &body[body.len() - 1..] })
        } else {
            let fin = &body[initial.len()..];
            (*initial, if fin.is_empty() { &initial[initial.len() - 1..] } else { fin })
        };
        phones.push(format!("Y{ini}"));
        phones.push(if tone == 0 { format!("Y{fin}") } else { format!("Y{fin}{tone}") });
        word2ph.push(2);
    }
    Ok((phones, word2ph))
}

/// `^([a-z]+[1-6]+[ ]?)+$`: syllables (letters then tone digits), each followed by at most one
/// space.
fn is_jyutping(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.is_empty() {
        return false;
    }
    while i < b.len() {
        let l0 = i;
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        let d0 = i;
        while i < b.len() && (b'1'..=b'6').contains(&b[i]) {
            i += 1;
        }
        if d0 == l0 || i == d0 {
            return false;
        }
        if i < b.len() && b[i] == b' ' {
            i += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_and_phones() {
        let (p, w) = g2p(&text_normalize("你食咗飯未呀？")).unwrap();
        assert_eq!(p.join(" "), "Yn Yei5 Ys Yik6 Yz Yo2 Yf Yaan6 Ym Yei6 Yaa Ya3 ?");
        assert_eq!(w, [2, 2, 2, 2, 2, 2, 1]);
        // Quotes become ' and are then dropped.
        assert_eq!(replace_punctuation("「好」"), "好");
        assert!(is_jyutping("cin1 mai5") && is_jyutping("ngo5") && !is_jyutping("ngo") && !is_jyutping("5"));
        // A one-character word read as two syllables stays one string: upstream then splits
        // it as one syllable, and its final is not a symbol (UNK).
        assert_eq!(get_jyutping_list("粁"), [('粁', Some("cin1 mai5".to_string()))]);
    }
}
