//! Sentence splitting: the six cut methods (`TTS_infer_pack/text_segmentation_method.py`)
//! and the sentence list the TTS pipeline builds from them (`TextPreprocessor.pre_seg_text`).

use unicode_categories::UnicodeCategories;

use super::Lang;
use crate::{Error, Result};

/// Characters after which `split()` cuts (`splits`).
pub const SPLITS: &[char] = &['，', '。', '？', '！', ',', '.', '?', '!', '~', ':', '：', '—', '…'];

/// The cut methods' "only punctuation" set.
const PUNCTUATION: &[char] = &['!', '?', '…', ',', '.', '-', ' '];

/// The set `replace_consecutive_punctuation` collapses.
const CONSECUTIVE: &[char] = &['!', '?', '…', ',', '.', '-'];

/// cut5's marks.
const CUT5_MARKS: &[char] = &[',', '.', ';', '?', '!', '、', '，', '。', '？', '！', '：', '…'];

/// Longest sentence handed to BERT (`split_big_text`).
pub const MAX_SENTENCE_CHARS: usize = 510;

/// How the target text is cut into sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CutMethod {
    /// `cut0`, "不切": no cut.
    Cut0,
    /// `cut1`, "凑四句一切": groups of four clauses.
    Cut1,
    /// `cut2`, "凑50字一切": about 50 characters.
    Cut2,
    /// `cut3`, "按中文句号。切": at `。`.
    Cut3,
    /// `cut4`, "按英文句号.切": at `.` (not between digits).
    Cut4,
    /// `cut5`, "按标点符号切": after every punctuation mark.
    Cut5,
}

impl std::str::FromStr for CutMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "cut0" => CutMethod::Cut0,
            "cut1" => CutMethod::Cut1,
            "cut2" => CutMethod::Cut2,
            "cut3" => CutMethod::Cut3,
            "cut4" => CutMethod::Cut4,
            "cut5" => CutMethod::Cut5,
            other => return Err(Error::InvalidArgument(format!("unknown cut method {other:?} (use cut0..cut5)"))),
        })
    }
}

fn only_of(s: &str, set: &[char]) -> bool {
    s.chars().all(|c| set.contains(&c))
}

fn is_digit(c: char) -> bool {
    c.is_number_decimal_digit()
}

/// Python's `str.strip(chars)` for a set of characters.
fn strip_set<'a>(s: &'a str, set: &[char]) -> &'a str {
    s.trim_matches(|c| set.contains(&c))
}

/// `split()`: clauses ending in a split mark (`……` -> `。`, `——` -> `，`, a final `。` added).
/// Upstream raises on empty text.
pub fn split_clauses(text: &str) -> Result<Vec<String>> {
    let mut t = text.replace("……", "。").replace("——", "，");
    match t.chars().last() {
        None => return Err(Error::InvalidArgument("cannot split an empty text".into())),
        Some(c) if !SPLITS.contains(&c) => t.push('。'),
        _ => {}
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in t.chars() {
        cur.push(c);
        if SPLITS.contains(&c) {
            out.push(std::mem::take(&mut cur));
        }
    }
    Ok(out)
}

/// Applies a cut method; pieces are separated by `\n` like upstream's return value.
pub fn cut(text: &str, method: CutMethod) -> Result<String> {
    let keep = |v: Vec<String>| -> String {
        v.into_iter().filter(|p| !only_of(p, PUNCTUATION)).collect::<Vec<_>>().join("\n")
    };
    Ok(match method {
        CutMethod::Cut0 => {
            if only_of(text, PUNCTUATION) {
                "\n".to_string()
            } else {
                text.to_string()
            }
        }
        CutMethod::Cut1 => {
            let inp = strip_set(text, &['\n']);
            let clauses = split_clauses(inp)?;
            // Upstream: split_idx = range(0, n, 4) with its last entry replaced by the end, so
            // the final (partial) group of four merges into the one before it.
            let mut idx: Vec<usize> = (0..clauses.len()).step_by(4).collect();
            if let Some(last) = idx.last_mut() {
                *last = clauses.len();
            }
            if idx.len() > 1 {
                keep(idx.windows(2).map(|w| clauses[w[0]..w[1]].concat()).collect())
            } else {
                keep(vec![inp.to_string()])
            }
        }
        CutMethod::Cut2 => {
            let inp = strip_set(text, &['\n']);
            let clauses = split_clauses(inp)?;
            if clauses.len() < 2 {
                return Ok(inp.to_string());
            }
            let mut opts: Vec<String> = Vec::new();
            let (mut summ, mut tmp) = (0usize, String::new());
            for c in &clauses {
                summ += c.chars().count();
                tmp.push_str(c);
                if summ > 50 {
                    summ = 0;
                    opts.push(std::mem::take(&mut tmp));
                }
            }
            if !tmp.is_empty() {
                opts.push(tmp);
            }
            if opts.len() > 1 && opts.last().is_some_and(|l| l.chars().count() < 50) {
                let last = opts.pop().unwrap_or_default();
                if let Some(prev) = opts.last_mut() {
                    prev.push_str(&last);
                }
            }
            keep(opts)
        }
        CutMethod::Cut3 => {
            let inp = strip_set(strip_set(text, &['\n']), &['。']);
            keep(inp.split('。').map(str::to_owned).collect())
        }
        CutMethod::Cut4 => {
            let inp = strip_set(strip_set(text, &['\n']), &['.']);
            let chars: Vec<char> = inp.chars().collect();
            let mut parts = Vec::new();
            let mut cur = String::new();
            for (i, &c) in chars.iter().enumerate() {
                let prev_digit = i > 0 && is_digit(chars[i - 1]);
                let next_digit = i + 1 < chars.len() && is_digit(chars[i + 1]);
                if c == '.' && !prev_digit && !next_digit {
                    parts.push(std::mem::take(&mut cur));
                } else {
                    cur.push(c);
                }
            }
            parts.push(cur);
            keep(parts)
        }
        CutMethod::Cut5 => {
            let inp = strip_set(text, &['\n']);
            let chars: Vec<char> = inp.chars().collect();
            let mut items = Vec::new();
            let mut cur = String::new();
            for (i, &c) in chars.iter().enumerate() {
                cur.push(c);
                if CUT5_MARKS.contains(&c) {
                    let decimal =
                        c == '.' && i > 0 && i + 1 < chars.len() && is_digit(chars[i - 1]) && is_digit(chars[i + 1]);
                    if !decimal {
                        items.push(std::mem::take(&mut cur));
                    }
                }
            }
            if !cur.is_empty() {
                items.push(cur);
            }
            items.into_iter().filter(|p| !only_of(p, CUT5_MARKS)).collect::<Vec<_>>().join("\n")
        }
    })
}

/// `replace_consecutive_punctuation`: a run of `! ? … , . -` becomes its first mark.
pub fn replace_consecutive_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_punct = false;
    for c in text.chars() {
        let p = CONSECUTIVE.contains(&c);
        if !(p && prev_punct) {
            out.push(c);
        }
        prev_punct = p;
    }
    out
}

/// `merge_short_text_in_array`: joins consecutive pieces until each has `threshold` chars.
pub fn merge_short_texts(texts: Vec<String>, threshold: usize) -> Vec<String> {
    if texts.len() < 2 {
        return texts;
    }
    let mut result: Vec<String> = Vec::new();
    let mut cur = String::new();
    for t in texts {
        cur.push_str(&t);
        if cur.chars().count() >= threshold {
            result.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        match result.last_mut() {
            Some(last) => last.push_str(&cur),
            None => result.push(cur),
        }
    }
    result
}

/// `split_big_text`: pieces of at most 510 characters, cut at split marks.
pub fn split_big_text(text: &str, max_len: usize) -> Vec<String> {
    let mut segments = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if SPLITS.contains(&c) {
            segments.push(std::mem::take(&mut cur));
            segments.push(c.to_string());
        } else {
            cur.push(c);
        }
    }
    segments.push(cur);
    let mut result = Vec::new();
    let mut current = String::new();
    for s in segments {
        if current.chars().count() + s.chars().count() > max_len {
            result.push(std::mem::replace(&mut current, s));
        } else {
            current.push_str(&s);
        }
    }
    if !current.is_empty() {
        result.push(current);
    }
    result
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The sentence list of the TTS pipeline (`TextPreprocessor.pre_seg_text` after
/// `replace_consecutive_punctuation`): a leading `。` (`.` for English) when the first clause
/// is shorter than 4 characters, the cut, `\n\n` collapsing, empty pieces dropped (an error
/// when nothing is left), pieces merged to at least 5 characters, symbol-only pieces dropped,
/// a final `。`/`.` added when a piece does not end in a split mark, and pieces longer than
/// 510 characters split.
pub fn sentences(text: &str, lang: Lang, method: CutMethod) -> Result<Vec<String>> {
    let text = replace_consecutive_punctuation(text);
    let mut text = strip_set(&text, &['\n']).to_string();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let first: String = text.split(|c| SPLITS.contains(&c)).next().unwrap_or("").trim().to_string();
    let starts_with_split = text.chars().next().is_some_and(|c| SPLITS.contains(&c));
    if !starts_with_split && first.chars().count() < 4 {
        text.insert(0, lang.full_stop());
    }
    let mut cut_text = cut(&text, method)?;
    while cut_text.contains("\n\n") {
        cut_text = cut_text.replace("\n\n", "\n");
    }
    let pieces: Vec<String> = cut_text.split('\n').map(str::to_owned).collect();
    if pieces.iter().all(|p| p.is_empty() || p == " " || p == "\n") {
        return Err(Error::InvalidArgument("the text has nothing to read (only spaces or punctuation)".into()));
    }
    let pieces: Vec<String> = pieces.into_iter().filter(|p| !(p.is_empty() || p == " ")).collect();
    let mut out = Vec::new();
    for mut p in merge_short_texts(pieces, 5) {
        if p.trim().is_empty() || !p.chars().any(is_word_char) {
            continue;
        }
        if p.chars().last().is_some_and(|c| !SPLITS.contains(&c)) {
            p.push(lang.full_stop());
        }
        if p.chars().count() > MAX_SENTENCE_CHARS {
            out.extend(split_big_text(&p, MAX_SENTENCE_CHARS));
        } else {
            out.push(p);
        }
    }
    Ok(out)
}
