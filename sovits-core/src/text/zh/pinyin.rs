//! pypinyin's `lazy_pinyin(word, style=INITIALS / FINALS_TONE3, strict=True,
//! neutral_tone_with_five=True)` over its own phrase and character tables (pypinyin 0.55.0,
//! MIT; converted by `scripts/convert_pypinyin.py`), including its forward-maximum-matching
//! re-segmentation (`pypinyin.seg.mmseg`, `no_non_phrases=True`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

struct Tables {
    syllables: Vec<(String, String)>,
    chars: HashMap<char, u16>,
    phrases: HashMap<String, Vec<u16>>,
    prefixes: HashSet<String>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let syllables = include_str!("../../../data/zh/pinyin_syllables.tsv")
            .lines()
            .map(|l| {
                let mut f = l.split('\t');
                let _id = f.next();
                (f.next().unwrap_or("").to_string(), f.next().unwrap_or("").to_string())
            })
            .collect();
        let chars = include_str!("../../../data/zh/pinyin_chars.tsv")
            .lines()
            .filter_map(|l| {
                let (c, id) = l.split_once('\t')?;
                Some((c.chars().next()?, id.parse().ok()?))
            })
            .collect();
        let mut phrases = HashMap::new();
        let mut prefixes = HashSet::new();
        for l in include_str!("../../../data/zh/pinyin_phrases.tsv").lines() {
            let Some((p, ids)) = l.split_once('\t') else { continue };
            let ids: Vec<u16> = ids.split(' ').filter_map(|s| s.parse().ok()).collect();
            let mut prefix = String::new();
            for c in p.chars() {
                prefix.push(c);
                prefixes.insert(prefix.clone());
            }
            phrases.insert(p.to_string(), ids);
        }
        Tables { syllables, chars, phrases, prefixes }
    })
}

/// pypinyin's `RE_HANS` character class (the ranges its dictionary covers).
pub fn is_hans(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0xE815..=0xE864 | 0xFA18 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF |
        0x20000..=0x2A6DF | 0x2A703..=0x2B73F | 0x2B740..=0x2B81D | 0x2B825..=0x2BF6E |
        0x2C029..=0x2CE93 | 0x2D016 | 0x2D11B | 0x2E9F5 | 0x2F80A..=0x2FA1F | 0x300F7..=0x31263 |
        0x3134A..=0x3134F)
}

/// `mmseg.seg.cut` with `no_non_phrases=True`.
fn mmseg(text: &[char], t: &Tables) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut last_valid: Option<usize> = None;
        let mut all_prefix = true;
        let mut word = String::new();
        for (i, &c) in rest.iter().enumerate() {
            word.push(c);
            if t.prefixes.contains(&word) {
                if t.phrases.contains_key(&word) {
                    last_valid = Some(i + 1);
                }
            } else {
                all_prefix = false;
                break;
            }
        }
        match (last_valid, all_prefix) {
            (Some(n), _) => {
                out.push(rest[..n].iter().collect());
                rest = &rest[n..];
            }
            (None, false) => {
                out.push(rest[0].to_string());
                rest = &rest[1..];
            }
            (None, true) => {
                // The whole remainder is a prefix but not a phrase: single characters.
                out.extend(rest.iter().map(|c| c.to_string()));
                rest = &[];
            }
        }
    }
    out
}

/// `(initials, finals)` of `word`, one entry per character: pypinyin's strict initials (empty
/// for zero-initial syllables) and finals with the tone digit (neutral = 5). Characters
/// without a reading (punctuation) come back as themselves in both lists.
pub fn initials_finals(word: &str) -> (Vec<String>, Vec<String>) {
    let t = tables();
    let mut ini = Vec::new();
    let mut fin = Vec::new();
    // pypinyin's simple_seg: runs of Hans / non-Hans characters.
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let hans = is_hans(chars[i]);
        let mut j = i;
        while j < chars.len() && is_hans(chars[j]) == hans {
            j += 1;
        }
        let run = &chars[i..j];
        if hans {
            for piece in mmseg(run, t) {
                if let Some(ids) = t.phrases.get(&piece) {
                    for &id in ids {
                        let (a, b) = &t.syllables[id as usize];
                        ini.push(a.clone());
                        fin.push(b.clone());
                    }
                } else {
                    for c in piece.chars() {
                        match t.chars.get(&c) {
                            Some(&id) => {
                                let (a, b) = &t.syllables[id as usize];
                                ini.push(a.clone());
                                fin.push(b.clone());
                            }
                            None => {
                                ini.push(c.to_string());
                                fin.push(c.to_string());
                            }
                        }
                    }
                }
            }
        } else {
            // errors='default': the non-Hans run is kept whole, as one item.
            let s: String = run.iter().collect();
            ini.push(s.clone());
            fin.push(s);
        }
        i = j;
    }
    (ini, fin)
}

/// Finals only (`lazy_pinyin(..., FINALS_TONE3)`), as the tone-sandhi merges use them.
pub fn finals(word: &str) -> Vec<String> {
    initials_finals(word).1
}

/// A pinyin syllable with a tone digit (`zhong4`, `lv3`/`lü3`, `de5`) as pypinyin's strict
/// initial and tone-3 final (`("zh", "ong4")`); `None` for a syllable pypinyin does not know.
pub fn parse_syllable(syllable: &str) -> Option<(String, String)> {
    static M: OnceLock<HashMap<String, (String, String)>> = OnceLock::new();
    let map = M.get_or_init(|| {
        let mut m = HashMap::new();
        for (c, v) in &tables().syllables {
            let Some(tone) = v.chars().last().filter(|t| t.is_ascii_digit()) else { continue };
            let v0 = &v[..v.len() - 1];
            m.insert(format!("{}{tone}", spelled(c, v0)), (c.clone(), v.clone()));
            // Neutral tone 5 is also written without a digit elsewhere; tones 1-4 for every
            // syllable seen with any tone.
            for t in '1'..='5' {
                m.entry(format!("{}{t}", spelled(c, v0))).or_insert_with(|| (c.clone(), format!("{v0}{t}")));
            }
        }
        m
    });
    let mut s = syllable.trim().to_lowercase().replace('ü', "v").replace("u:", "v");
    // ju, qu, xu, yu are written with u but read with ü.
    if s.len() > 1 && s.starts_with(['j', 'q', 'x']) && s[1..].starts_with('u') {
        s.replace_range(1..2, "v");
    }
    map.get(&s).cloned()
}

/// The pinyin spelling of a strict initial and a toneless final (`zh`+`ong` -> `zhong`,
/// ``+`iou` -> `you`), as `_map_initial_final_to_phones` rebuilds it.
pub(super) fn spelled(c: &str, v0: &str) -> String {
    if !c.is_empty() {
        let v1 = match v0 {
            "uei" => "ui",
            "iou" => "iu",
            "uen" => "un",
            o => o,
        };
        format!("{c}{v1}")
    } else {
        match v0 {
            "ing" => "ying".to_string(),
            "i" => "yi".to_string(),
            "in" => "yin".to_string(),
            "u" => "wu".to_string(),
            _ => {
                let mut it = v0.chars();
                match it.next() {
                    Some('v') => format!("yu{}", it.as_str()),
                    Some('e') => v0.to_string(),
                    Some('i') => format!("y{}", it.as_str()),
                    Some('u') => format!("w{}", it.as_str()),
                    _ => v0.to_string(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pypinyin_on_samples() {
        // Values printed by scripts/convert_pypinyin.py from pypinyin 0.55.0 itself.
        assert_eq!(initials_finals("你好"), (vec!["n".into(), "h".into()], vec!["i3".into(), "ao3".into()]));
        assert_eq!(initials_finals("重庆").1, vec!["ong2", "ing4"]);
        assert_eq!(initials_finals("银行"), (vec!["".into(), "h".into()], vec!["in2".into(), "ang2".into()]));
        assert_eq!(initials_finals("朋友们").1, vec!["eng2", "iou3", "en5"]);
        assert_eq!(initials_finals("长城").0, vec!["ch", "ch"]);
        assert_eq!(initials_finals(","), (vec![",".into()], vec![",".into()]));
    }
}
