//! `english.en_G2p.__call__` and `qryword`: tokens, tags for homographs, dictionary lookups,
//! letter spelling, `'s`, compound splits and the neural fallback, then upstream's
//! post-filter (`g2p`).

use super::data::{cmudict, homographs, namedict};
use super::{neural, tagger, tokenize, wordsegment};
use crate::text::SymbolTable;

fn has_lower_letter(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_lowercase())
}

fn split_phones(s: &'static str) -> Vec<String> {
    s.split(' ').map(str::to_string).collect()
}

/// The dictionary reading of one letter (`cmu[letter][0]`).
fn letter(c: char) -> Vec<String> {
    let mut buf = [0u8; 4];
    match cmudict().get(&*c.encode_utf8(&mut buf)) {
        Some(p) => split_phones(p),
        None => vec![c.to_string()],
    }
}

/// Python's `str.istitle()`.
fn istitle(s: &str) -> bool {
    let mut cased = false;
    let mut prev_cased = false;
    for c in s.chars() {
        if c.is_uppercase() {
            if prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else if c.is_lowercase() {
            if !prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else {
            prev_cased = false;
        }
    }
    cased
}

/// Readings already worked out during one [`g2p`] call (`qryword` is a pure function of the
/// word and the user dictionary; repeated out-of-vocabulary words, or the pieces of a long
/// letter run, would otherwise each run the segmenter and the neural model again).
type Memo = std::cell::RefCell<std::collections::HashMap<String, Vec<String>>>;

/// `qryword`, memoised in `memo`.
fn qryword(o_word: &str, user: &dyn Fn(&str) -> Option<Vec<String>>, memo: &Memo) -> Vec<String> {
    if let Some(p) = memo.borrow().get(o_word) {
        return p.clone();
    }
    let p = qryword_uncached(o_word, user, memo);
    memo.borrow_mut().insert(o_word.to_string(), p.clone());
    p
}

fn qryword_uncached(o_word: &str, user: &dyn Fn(&str) -> Option<Vec<String>>, memo: &Memo) -> Vec<String> {
    let word = o_word.to_lowercase();
    let n = word.chars().count();
    if let Some(p) = user(&word) {
        return p;
    }
    if n > 1
        && let Some(p) = cmudict().get(word.as_str())
    {
        return split_phones(p);
    }
    if istitle(o_word)
        && let Some(p) = namedict().get(word.as_str())
    {
        return split_phones(p);
    }
    if n <= 3 {
        let mut phones = Vec::new();
        for c in word.chars() {
            if c == 'a' {
                phones.push("EY1".to_string());
            } else if !c.is_alphabetic() {
                phones.push(c.to_string());
            } else {
                phones.extend(letter(c));
            }
        }
        return phones;
    }
    if let Some(stem) = word.strip_suffix("'s")
        && !stem.is_empty()
        && stem.bytes().all(|b| b.is_ascii_lowercase())
    {
        let mut phones = qryword(stem, user, memo);
        let last = phones.last().map(String::as_str).unwrap_or("");
        match last {
            "P" | "T" | "K" | "F" | "TH" | "HH" => phones.push("S".into()),
            "S" | "Z" | "SH" | "ZH" | "CH" | "JH" => phones.extend(["AH0".into(), "Z".into()]),
            _ => phones.push("Z".into()),
        }
        return phones;
    }
    let comps = wordsegment::segment(&word);
    if comps.len() <= 1 {
        return neural::predict(&word).into_iter().map(str::to_string).collect();
    }
    comps.iter().flat_map(|c| qryword(c, user, memo)).collect()
}

/// Phones for normalised English text (upstream `english.g2p`), before the short-segment comma.
/// `user` is consulted first for every dictionary lookup (lower-case word).
pub fn g2p(text: &str, user: &dyn Fn(&str) -> Option<Vec<String>>) -> Vec<String> {
    let tokens = tokenize::tokenize(text);
    // Tags only decide homographs, so the tagger runs only when the text has one.
    let homo = homographs();
    let needs_tags = tokens.iter().any(|t| t.chars().count() > 1 && homo.contains_key(&t.to_lowercase()));
    let tags = if needs_tags { tagger::pos_tag(&tokens) } else { vec![""; tokens.len()] };
    let mut prons: Vec<String> = Vec::new();
    let memo = Memo::default();
    for (o_word, pos) in tokens.iter().zip(tags) {
        let word = o_word.to_lowercase();
        let pron: Vec<String> = if !has_lower_letter(&word) {
            vec![word]
        } else if word.chars().count() == 1 {
            if o_word == "A" { vec!["EY1".into()] } else { letter(word.chars().next().unwrap_or('a')) }
        } else if let Some(h) = homo.get(&word).filter(|_| user(&word).is_none()) {
            let pron = if pos.starts_with(h.pos) || (pos.len() < h.pos.len() && h.pos.starts_with(pos)) {
                &h.pron1
            } else {
                &h.pron2
            };
            pron.iter().map(|s| s.to_string()).collect()
        } else {
            qryword(o_word, user, &memo)
        };
        prons.extend(pron);
    }
    let table = SymbolTable::v2();
    prons
        .into_iter()
        .filter(|p| !matches!(p.as_str(), " " | "<pad>" | "UW" | "</s>" | "<s>"))
        .map(|p| if p == "<unk>" { "UNK".to_string() } else { p })
        .filter_map(|p| {
            if table.contains(&p) {
                Some(p)
            } else if p == "'" {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istitle_like_python() {
        assert!(istitle("Hello"));
        assert!(istitle("O'Neil"));
        assert!(!istitle("McDonald"));
        assert!(!istitle("hello"));
        assert!(!istitle("'"));
    }
}
