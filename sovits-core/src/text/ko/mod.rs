//! Korean (upstream `text/korean.py`): Latin letters read as their Hangul names, g2pk2's
//! pronunciation rules over MeCab-ko's tags ([`g2pk2`]), the syllables split into
//! compatibility jamo with compound vowels as two letters, upstream's fix of a g2pk2 error,
//! and each character one phone (`空` for a space, `停` for anything without a symbol).
//!
//! The morphological analysis is this crate's MeCab lattice ([`crate::text::mecab`]) with
//! MeCab-ko's left-space penalty over mecab-ko-dic 2.1.1 (Apache-2.0) as the PyPI wheel
//! `python-mecab-ko-dic` 2.1.1.post2 compiles it, shipped compressed in
//! `data/ko/mecab-ko-dic.svdic.zst` and unpacked on first use (`docs/text-frontend.md`).
//! There is no text normalisation (upstream has none for Korean); BERT features are zeros.

pub mod g2pk2;
pub mod jamo;

use std::sync::OnceLock;

use crate::text::mecab::{Tagger, UserLexicon};
use crate::text::symbols::SymbolTable;
use crate::{Error, Result};

static DICT: &[u8] = include_bytes!("../../../data/ko/mecab-ko-dic.svdic.zst");

/// The tagger over the shipped dictionary, built on first use.
pub(crate) fn tagger() -> Result<&'static Tagger> {
    static T: OnceLock<std::result::Result<Tagger, String>> = OnceLock::new();
    T.get_or_init(|| Tagger::from_zstd(DICT))
        .as_ref()
        .map_err(|e| Error::Config(format!("the built-in Korean dictionary could not be loaded: {e}")))
}

/// Loads the dictionary now (it is otherwise loaded by the first Korean text) and returns the
/// bytes it holds in memory (see `docs/performance.md`).
pub fn load_dictionary() -> Result<usize> {
    Ok(tagger()?.lexicon.heap_bytes())
}

/// MeCab-ko's analysis as python-mecab-ko's `MeCab().pos` gives it: `(surface, tag)` per
/// morpheme, the tag being mecab-ko-dic's part of speech (`NNG`, `VV+EP`, ...).
pub fn pos(text: &str) -> Result<Vec<(String, String)>> {
    let t = tagger()?;
    Ok(t.parse_with(text, &UserLexicon::default())
        .into_iter()
        .map(|m| {
            let tag = m.feature.split(',').next().unwrap_or("").to_string();
            (m.surface, tag)
        })
        .collect())
}

/// `latin_to_hangul`: each Latin letter (any case, with the letters Python's case-insensitive
/// match also takes: `İ ı K ſ`) as its Hangul name.
pub fn latin_to_hangul(text: &str) -> String {
    const NAMES: [&str; 26] = [
        "에이",
        "비",
        "시",
        "디",
        "이",
        "에프",
        "지",
        "에이치",
        "아이",
        "제이",
        "케이",
        "엘",
        "엠",
        "엔",
        "오",
        "피",
        "큐",
        "아르",
        "에스",
        "티",
        "유",
        "브이",
        "더블유",
        "엑스",
        "와이",
        "제트",
    ];
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        let letter = match c {
            'a'..='z' => Some(c as usize - 'a' as usize),
            'A'..='Z' => Some(c as usize - 'A' as usize),
            '\u{130}' | '\u{131}' => Some(8),
            '\u{212A}' => Some(10),
            '\u{17F}' => Some(18),
            _ => None,
        };
        match letter {
            Some(i) => out.push_str(NAMES[i]),
            None => out.push(c),
        }
    }
    out
}

/// `divide_hangul`: syllables to compatibility jamo, compound vowels as two letters.
pub fn divide_hangul(text: &str) -> String {
    let hcj = jamo::j2hcj(&jamo::h2j(text));
    let mut out = String::with_capacity(hcj.len() * 2);
    for c in hcj.chars() {
        let split = match c {
            'ㅘ' => "ㅗㅏ",
            'ㅙ' => "ㅗㅐ",
            'ㅚ' => "ㅗㅣ",
            'ㅝ' => "ㅜㅓ",
            'ㅞ' => "ㅜㅔ",
            'ㅟ' => "ㅜㅣ",
            'ㅢ' => "ㅡㅣ",
            'ㅑ' => "ㅣㅏ",
            'ㅒ' => "ㅣㅐ",
            'ㅕ' => "ㅣㅓ",
            'ㅖ' => "ㅣㅔ",
            'ㅛ' => "ㅣㅗ",
            'ㅠ' => "ㅣㅜ",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(split);
    }
    out
}

/// `fix_g2pk2_error`: `ㅇㅡㄹ ㄹ` / `ㄹㅡㄹ ㄹ` read with `ㄴ` after the space.
fn fix_g2pk2_error(text: &str) -> String {
    let t: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i + 4 < t.len() {
        if (t[i..i + 3] == ['ㅇ', 'ㅡ', 'ㄹ'] || t[i..i + 3] == ['ㄹ', 'ㅡ', 'ㄹ'])
            && t[i + 3] == ' '
            && t[i + 4] == 'ㄹ'
        {
            out.extend(&t[i..i + 3]);
            out.push_str(" ㄴ");
            i += 5;
        } else {
            out.push(t[i]);
            i += 1;
        }
    }
    out.extend(&t[i..]);
    out
}

/// `post_replace_ph`: one character as a phone.
fn post_replace_ph(c: char, table: &SymbolTable) -> String {
    let ph = match c {
        '：' | '；' | '，' | '·' | '、' => ",",
        '。' | '\n' => ".",
        '！' => "!",
        '？' => "?",
        ' ' => "空",
        _ => return if table.contains(c.encode_utf8(&mut [0; 4])) { c.to_string() } else { "停".into() },
    };
    ph.to_string()
}

/// `korean.g2p`: the phones of a Korean text, one per character of the jamo string.
pub fn g2p(text: &str) -> Result<Vec<String>> {
    let text = latin_to_hangul(text);
    let text = g2pk2::g2p(tagger()?, &text)?;
    let text = divide_hangul(&text);
    let mut text = fix_g2pk2_error(&text);
    // `re.sub(r"([\u3131-\u3163])$", r"\1.", text)`: a final letter (before an optional final
    // newline, as Python's `$` allows) gets a full stop.
    let (body, nl) = match text.strip_suffix('\n') {
        Some(b) => (b.to_string(), "\n"),
        None => (text.clone(), ""),
    };
    if body.chars().last().is_some_and(|c| ('\u{3131}'..='\u{3163}').contains(&c)) {
        text = format!("{body}.{nl}");
    }
    let table = SymbolTable::v2();
    Ok(text.chars().map(|c| post_replace_ph(c, table)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_fixes() {
        assert_eq!(latin_to_hangul("AI k\u{212A}"), "에이아이 케이케이");
        assert_eq!(divide_hangul("과"), "ㄱㅗㅏ");
        assert_eq!(fix_g2pk2_error("ㅇㅡㄹ ㄹㅏ"), "ㅇㅡㄹ ㄴㅏ");
        assert_eq!(fix_g2pk2_error("ㅇㅡㄹ ㄹ"), "ㅇㅡㄹ ㄴ");
        assert_eq!(fix_g2pk2_error("ㅇㅡㄹㄹㅏ"), "ㅇㅡㄹㄹㅏ");
    }

    #[test]
    fn a_sentence() {
        let p = g2p("안녕하세요, 만나서 반갑습니다.").unwrap();
        assert_eq!(p.concat(), "ㅇㅏㄴㄴㅣㅓㅇㅎㅏㅅㅔㅇㅣㅗ,空ㅁㅏㄴㄴㅏㅅㅓ空ㅂㅏㄴㄱㅏㅂㅆㅡㅁㄴㅣㄷㅏ.");
    }
}
