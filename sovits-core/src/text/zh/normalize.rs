//! Mandarin text normalisation (`text/zh_normalization/text_normlization.py::TextNormalizer`
//! from PaddleSpeech, then `chinese2.replace_punctuation`).
//!
//! Sentence splitting, traditional -> simplified, full-width -> half-width, the number / date /
//! time / unit / phone verbalisers (`numbers.rs`), the symbol and Greek-letter verbalisation of
//! `_post_replace`, the punctuation map, the character filter and punctuation collapsing.

use std::collections::HashMap;
use std::sync::OnceLock;

fn t2s() -> &'static HashMap<char, char> {
    static T: OnceLock<HashMap<char, char>> = OnceLock::new();
    T.get_or_init(|| {
        include_str!("../../../data/zh/traditional_to_simplified.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (a, b) = l.split_once('\t')?;
                Some((a.chars().next()?, b.chars().next()?))
            })
            .collect()
    })
}

/// `TextNormalizer._split`: drop spaces and `——《》【】<>{}()（）#&@“”^_|\`, then cut after
/// `：、，；。？！,;?!` (with a following `”’`).
pub(crate) fn split_sentences(text: &str) -> Vec<String> {
    const DROP: &str = "—《》【】<>{}()（）#&@“”^_|\\";
    let cleaned: String = text.chars().filter(|&c| c != ' ' && !DROP.contains(c)).collect();
    let chars: Vec<char> = cleaned.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        if "：、，；。？！,;?!".contains(c) {
            if i + 1 < chars.len() && "”’".contains(chars[i + 1]) {
                out.push(chars[i + 1]);
                i += 1;
            }
            out.push('\n');
        }
        i += 1;
    }
    out.trim().split('\n').filter(|s| !s.is_empty()).map(|s| s.trim().to_string()).collect()
}

const GREEK: &[(&str, &str)] = &[
    ("α", "阿尔法"),
    ("β", "贝塔"),
    ("γ", "伽玛"),
    ("Γ", "伽玛"),
    ("δ", "德尔塔"),
    ("Δ", "德尔塔"),
    ("ε", "艾普西龙"),
    ("ζ", "捷塔"),
    ("η", "依塔"),
    ("θ", "西塔"),
    ("Θ", "西塔"),
    ("ι", "艾欧塔"),
    ("κ", "喀帕"),
    ("λ", "拉姆达"),
    ("Λ", "拉姆达"),
    ("μ", "缪"),
    ("ν", "拗"),
    ("ξ", "克西"),
    ("Ξ", "克西"),
    ("ο", "欧米克伦"),
    ("π", "派"),
    ("Π", "派"),
    ("ρ", "肉"),
    ("ς", "西格玛"),
    ("Σ", "西格玛"),
    ("σ", "西格玛"),
    ("τ", "套"),
    ("υ", "宇普西龙"),
    ("φ", "服艾"),
    ("Φ", "服艾"),
    ("χ", "器"),
    ("ψ", "普赛"),
    ("Ψ", "普赛"),
    ("ω", "欧米伽"),
    ("Ω", "欧米伽"),
];

fn post_replace(s: &str) -> String {
    let mut s = s.replace('/', "每");
    for (i, c) in "①②③④⑤⑥⑦⑧⑨⑩".chars().enumerate() {
        s = s.replace(c, &"一二三四五六七八九十".chars().nth(i).unwrap().to_string());
    }
    for (a, b) in GREEK {
        s = s.replace(a, b);
    }
    for (a, b) in [("+", "加"), ("-", "减"), ("×", "乘"), ("÷", "除"), ("=", "等")] {
        s = s.replace(a, b);
    }
    s.chars().filter(|&c| !"-—《》【】<=>{}()（）#&@“”^_|\\".contains(c)).collect()
}

pub(crate) fn normalize_sentence(s: &str) -> String {
    let t = t2s();
    let s: String = s
        .chars()
        .map(|c| {
            let c = *t.get(&c).unwrap_or(&c);
            match c as u32 {
                // full-width ASCII letters and digits -> half-width
                0xFF21..=0xFF3A | 0xFF41..=0xFF5A | 0xFF10..=0xFF19 => char::from_u32(c as u32 - 65248).unwrap_or(c),
                0x3000 => ' ',
                _ => c,
            }
        })
        .collect();
    post_replace(&super::numbers::verbalize(&s))
}

/// Upstream's `punctuation` list (`text/symbols.py`).
pub const PUNCTUATION: &[char] = &['!', '?', '…', ',', '.', '-'];

/// `replace_punctuation`: 嗯 -> 恩, 呣 -> 母, the punctuation map, then every character outside
/// U+4E00-U+9FA5 and `! ? … , . -` is deleted.
pub fn replace_punctuation(text: &str) -> String {
    let t = text.replace('嗯', "恩").replace('呣', "母").replace("...", "…");
    let mapped: String = t
        .chars()
        .map(|c| match c {
            '：' | '；' | '，' | '·' | '、' | '/' => ',',
            '。' | '\n' | '$' => '.',
            '！' => '!',
            '？' => '?',
            '—' => '-',
            '~' | '～' => '…',
            c => c,
        })
        .collect();
    mapped.chars().filter(|&c| ('\u{4e00}'..='\u{9fa5}').contains(&c) || PUNCTUATION.contains(&c)).collect()
}

/// `chinese2.text_normalize`.
pub fn text_normalize(text: &str) -> String {
    let mut out = String::new();
    for s in split_sentences(text) {
        out.push_str(&replace_punctuation(&normalize_sentence(&s)));
    }
    crate::text::split::replace_consecutive_punctuation(&out)
}
