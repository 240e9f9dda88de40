//! Hangul syllables and jamo: what the `jamo` package (0.4.1) does for upstream's Korean
//! frontend (`h2j`, `j2hcj`, `j2h`) and g2pk2's `compose`.
//!
//! Three kinds of letters appear: precomposed syllables (U+AC00-D7A3), conjoining jamo
//! (leads U+1100-, vowels U+1161-, tails U+11A8-) and compatibility jamo (U+3131-318E, the
//! letters the phone symbols are written in).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::regex_util::{g, re, sub};

const SYLLABLE_BASE: u32 = 0xAC00;
const SYLLABLE_LAST: u32 = 0xD7A3;

/// `jamo.j2hcj`'s mapping of the conjoining jamo that have a compatibility letter
/// (`data/ko/jamo_hcj.tsv`, written by `scripts/gen_ko_jamo.py` from the package).
static HCJ_TSV: &str = include_str!("../../../data/ko/jamo_hcj.tsv");

/// A precomposed Hangul syllable.
pub fn is_syllable(c: char) -> bool {
    (SYLLABLE_BASE..=SYLLABLE_LAST).contains(&(c as u32))
}

/// `h2j`: every precomposed syllable split into its lead, vowel and (if any) tail jamo; all
/// else unchanged.
pub fn h2j(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for c in s.chars() {
        push_jamo(&mut out, c);
    }
    out
}

/// The jamo of one character (`h2j(char)`), pushed onto `out`.
pub fn push_jamo(out: &mut String, c: char) {
    if !is_syllable(c) {
        out.push(c);
        return;
    }
    let rem = c as u32 - SYLLABLE_BASE;
    let (lead, vowel, tail) = (rem / 588, (rem % 588) / 28, rem % 28);
    // In range by construction: lead < 19, vowel < 21, tail < 28.
    out.push(char::from_u32(0x1100 + lead).unwrap_or(c));
    out.push(char::from_u32(0x1161 + vowel).unwrap_or(c));
    if tail != 0 {
        out.push(char::from_u32(0x11A7 + tail).unwrap_or(c));
    }
}

/// The last jamo of a character's `h2j` (the character itself when it is not a syllable).
pub fn last_jamo(c: char) -> char {
    let mut s = String::new();
    push_jamo(&mut s, c);
    s.chars().last().unwrap_or(c)
}

fn hcj_table() -> &'static HashMap<char, char> {
    static T: OnceLock<HashMap<char, char>> = OnceLock::new();
    T.get_or_init(|| {
        HCJ_TSV
            .lines()
            .filter_map(|l| {
                let (a, b) = l.split_once('\t')?;
                let c = |h: &str| u32::from_str_radix(h.trim(), 16).ok().and_then(char::from_u32);
                Some((c(a)?, c(b)?))
            })
            .collect()
    })
}

/// `j2hcj`: conjoining jamo to compatibility jamo where one exists; all else unchanged.
///
/// Upstream raises `InvalidJamoError` on the old-Hangul jamo of the Extended-A/B blocks
/// (U+A960-A97C, U+D7B0-D7FB), failing the whole text; here they pass through unchanged and
/// become the `停` phone like any other character without a symbol.
pub fn j2hcj(s: &str) -> String {
    let t = hcj_table();
    s.chars().map(|c| t.get(&c).copied().unwrap_or(c)).collect()
}

fn is_lead(c: char) -> bool {
    ('\u{1100}'..='\u{1112}').contains(&c)
}

fn is_vowel(c: char) -> bool {
    ('\u{1161}'..='\u{1175}').contains(&c)
}

fn is_tail(c: char) -> bool {
    ('\u{11A8}'..='\u{11C2}').contains(&c)
}

/// `j2h` of modern jamo: lead + vowel (+ tail) as one syllable.
fn j2h(lead: char, vowel: char, tail: Option<char>) -> char {
    let l = lead as u32 - 0x1100;
    let v = vowel as u32 - 0x1161;
    let t = tail.map_or(0, |t| t as u32 - 0x11A7);
    char::from_u32(SYLLABLE_BASE + l * 588 + v * 28 + t).unwrap_or(lead)
}

re!(orphan_vowel, "(^|[^\u{1100}-\u{1112}])([\u{1161}-\u{1175}])");

/// g2pk2's `compose`: an `ᄋ` placeholder before each vowel that no lead precedes (its regex
/// pass, which skips the second of two such vowels in a row, as upstream does), then every
/// lead + vowel + tail and lead + vowel assembled into syllables.
pub fn compose(letters: &str) -> String {
    let placed = sub(orphan_vowel(), letters, |c| format!("{}\u{110B}{}", g(c, 1), g(c, 2)));
    let chars: Vec<char> = placed.chars().collect();
    let mut out = String::with_capacity(placed.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_lead(c) && chars.get(i + 1).is_some_and(|&v| is_vowel(v)) {
            let tail = chars.get(i + 2).copied().filter(|&t| is_tail(t));
            out.push(j2h(c, chars[i + 1], tail));
            i += 2 + tail.is_some() as usize;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposes_and_composes() {
        assert_eq!(h2j("각a"), "\u{1100}\u{1161}\u{11A8}a");
        assert_eq!(compose(&h2j("한국어 abc")), "한국어 abc");
        assert_eq!(j2hcj(&h2j("값")), "ㄱㅏㅄ");
        // A vowel alone gets the placeholder; the second of two in a row does not.
        assert_eq!(compose("\u{1161}"), "아");
        assert_eq!(compose("\u{1161}\u{1161}"), "아\u{1161}");
        assert_eq!(compose("\u{1161}\u{1161}\u{1161}"), "아\u{1161}아");
        // Old-Hangul extended jamo pass through (upstream raises on them).
        assert_eq!(j2hcj("\u{A960}"), "\u{A960}");
        assert_eq!(last_jamo('의'), '\u{1174}');
        assert_eq!(last_jamo('x'), 'x');
    }
}
