//! Mandarin tone sandhi (`text/tone_sandhi.py`, from PaddleSpeech): the pre-merges of jieba
//! words and the per-word tone changes for 不, 一, neutral tones and third-tone chains.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::pinyin;

struct Words {
    must_neural: HashSet<String>,
    must_not_neural: HashSet<String>,
}

fn words() -> &'static Words {
    static W: OnceLock<Words> = OnceLock::new();
    W.get_or_init(|| {
        let mut must_neural = HashSet::new();
        let mut must_not_neural = HashSet::new();
        for l in include_str!("../../../data/zh/tone_sandhi_words.tsv").lines() {
            match l.split_once('\t') {
                Some(("N", w)) => {
                    must_neural.insert(w.to_string());
                }
                Some(("X", w)) => {
                    must_not_neural.insert(w.to_string());
                }
                _ => {}
            }
        }
        Words { must_neural, must_not_neural }
    })
}

const PUNC: &str = "：，；。？！“”‘’':,;.?!";

fn set_tone(f: &mut String, tone: char) {
    f.pop();
    f.push(tone);
}

fn tone(f: &str) -> char {
    f.chars().last().unwrap_or(' ')
}

fn all_tone_three(finals: &[String]) -> bool {
    finals.iter().all(|f| tone(f) == '3')
}

/// Han characters with a Unicode numeric value (Python's `str.isnumeric` is true for them,
/// Rust's `char::is_numeric` is not): generated from Python 3.11's `unicodedata`.
const HAN_NUMERIC: &str = "〇㐅㒃㠪㭍一七万三九二五亖亿什仟仨伍佰億兆兩八六十千卄卅卌叁参參叄四壱壹幺廾廿弌弍弎弐拾捌柒漆玖百肆萬貮貳贰阡陆陌陸零參拾兩零六陸什𠀁𠁤𠃢𠄡𠤪𠦃𠦌𠦜𠫪𠫽𠬙𢎐𢦘𣬛𦉭廾";

/// Python's `str.isnumeric` for one character.
pub(crate) fn is_numeric(c: char) -> bool {
    c.is_numeric() || HAN_NUMERIC.contains(c)
}

/// A jieba word with its part-of-speech tag.
pub type Seg = Vec<(String, String)>;

/// `jieba.cut_for_search` based split of a word into two parts (`_split_word`).
fn split_word(word: &str, cut_for_search: &dyn Fn(&str) -> Vec<String>) -> (String, String) {
    let mut list = cut_for_search(word);
    list.sort_by_key(|w| w.chars().count()); // stable, like Python's sorted
    let first = list.first().cloned().unwrap_or_default();
    if word.starts_with(&first) {
        (first.clone(), word[first.len()..].to_string())
    } else {
        let cut = word.len() - first.len();
        (word[..cut].to_string(), first)
    }
}

fn neural_sandhi(word: &str, pos: &str, mut finals: Vec<String>, cut: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    let w = words();
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let p0 = pos.chars().next().unwrap_or(' ');
    for j in 1..n {
        if chars[j] == chars[j - 1] && matches!(p0, 'n' | 'v' | 'a') && !w.must_not_neural.contains(word) {
            set_tone(&mut finals[j], '5');
        }
    }
    let ge_idx = chars.iter().position(|&c| c == '个');
    let last = chars.last().copied().unwrap_or(' ');
    let last2: String = chars[n.saturating_sub(2)..].iter().collect();
    // Upstream's elif chain: the first six cases all make the last syllable neutral.
    let neutral_last = (n >= 1 && "吧呢哈啊呐噻嘛吖嗨呐哦哒额滴哩哟喽啰耶喔诶的地得".contains(last))
        || (n == 1 && "了着过".contains(word) && matches!(pos, "ul" | "uz" | "ug"))
        || (n > 1 && "们子".contains(last) && matches!(pos, "r" | "n") && !w.must_not_neural.contains(word))
        || (n > 1 && "上下里".contains(last) && matches!(pos, "s" | "l" | "f"))
        || (n > 1 && "来去".contains(last) && "上下进出回过起开".contains(chars[n - 2]));
    let ge = ge_idx.filter(|&g| {
        (g >= 1 && (is_numeric(chars[g - 1]) || "几有两半多各整每做是".contains(chars[g - 1]))) || word == "个"
    });
    if neutral_last {
        set_tone(finals.last_mut().unwrap(), '5');
    } else if let Some(g) = ge {
        set_tone(&mut finals[g], '5');
    } else if w.must_neural.contains(word) || w.must_neural.contains(&last2) {
        set_tone(finals.last_mut().unwrap(), '5');
    }

    let (a, b) = split_word(word, cut);
    let la = a.chars().count().min(finals.len());
    let mut parts = [finals[..la].to_vec(), finals[la..].to_vec()];
    for (i, sub) in [a, b].iter().enumerate() {
        let sc: Vec<char> = sub.chars().collect();
        let s2: String = sc[sc.len().saturating_sub(2)..].iter().collect();
        if (w.must_neural.contains(sub.as_str()) || w.must_neural.contains(&s2))
            && let Some(f) = parts[i].last_mut()
        {
            set_tone(f, '5');
        }
    }
    parts.concat()
}

fn bu_sandhi(word: &str, mut finals: Vec<String>) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() == 3 && chars[1] == '不' {
        set_tone(&mut finals[1], '5');
    } else {
        for i in 0..chars.len() {
            if chars[i] == '不' && i + 1 < chars.len() && tone(&finals[i + 1]) == '4' {
                set_tone(&mut finals[i], '2');
            }
        }
    }
    finals
}

fn yi_sandhi(word: &str, mut finals: Vec<String>) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.contains(&'一') && chars.iter().filter(|&&c| c != '一').all(|&c| is_numeric(c)) {
        return finals;
    }
    if chars.len() == 3 && chars[1] == '一' && chars[0] == chars[2] {
        set_tone(&mut finals[1], '5');
    } else if word.starts_with("第一") {
        set_tone(&mut finals[1], '1');
    } else {
        for i in 0..chars.len() {
            if chars[i] == '一' && i + 1 < chars.len() {
                if tone(&finals[i + 1]) == '4' {
                    set_tone(&mut finals[i], '2');
                } else if !PUNC.contains(chars[i + 1]) {
                    set_tone(&mut finals[i], '4');
                }
            }
        }
    }
    finals
}

fn three_sandhi(word: &str, mut finals: Vec<String>, cut: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    let n = word.chars().count();
    if n == 2 && all_tone_three(&finals) {
        set_tone(&mut finals[0], '2');
    } else if n == 3 {
        let (a, _) = split_word(word, cut);
        let la = a.chars().count();
        if all_tone_three(&finals) {
            if la == 2 {
                set_tone(&mut finals[0], '2');
                set_tone(&mut finals[1], '2');
            } else if la == 1 {
                set_tone(&mut finals[1], '2');
            }
        } else {
            let la = la.min(finals.len());
            let mut parts = [finals[..la].to_vec(), finals[la..].to_vec()];
            for i in 0..2 {
                let sub = parts[i].clone();
                if all_tone_three(&sub) && sub.len() == 2 {
                    set_tone(&mut parts[i][0], '2');
                } else if i == 1
                    && !all_tone_three(&sub)
                    && sub.first().map(|f| tone(f)) == Some('3')
                    && parts[0].last().map(|f| tone(f)) == Some('3')
                {
                    let l = parts[0].len() - 1;
                    set_tone(&mut parts[0][l], '2');
                }
            }
            finals = parts.concat();
        }
    } else if n == 4 {
        let mut out = Vec::new();
        for mut sub in [finals[..2].to_vec(), finals[2..].to_vec()] {
            if all_tone_three(&sub) {
                set_tone(&mut sub[0], '2');
            }
            out.extend(sub);
        }
        finals = out;
    }
    finals
}

/// `modified_tone`: 不, 一, neutral-tone and third-tone sandhi of one word's finals.
pub fn modified_tone(word: &str, pos: &str, finals: Vec<String>, cut: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    if finals.len() != word.chars().count() || finals.iter().any(|f| f.is_empty()) {
        return finals;
    }
    let finals = bu_sandhi(word, finals);
    let finals = yi_sandhi(word, finals);
    let finals = neural_sandhi(word, pos, finals, cut);
    three_sandhi(word, finals, cut)
}

fn merge_bu(seg: Seg) -> Seg {
    let mut out = Vec::new();
    let mut last = String::new();
    for (mut word, pos) in seg {
        if last == "不" {
            word = format!("{last}{word}");
        }
        if word != "不" {
            out.push((word.clone(), pos));
        }
        last = word;
    }
    if last == "不" {
        out.push((last, "d".into()));
    }
    out
}

fn merge_yi(seg: Seg) -> Seg {
    let mut out: Seg = Vec::new();
    let mut i = 0;
    while i < seg.len() {
        let (word, pos) = &seg[i];
        let mut merged = false;
        if i >= 1 && word == "一" && i + 1 < seg.len() {
            let last = out.last().cloned().unwrap_or_else(|| seg[i - 1].clone());
            if last.0 == seg[i + 1].0 && last.1 == "v" && seg[i + 1].1 == "v" {
                let combined = format!("{}一{}", last.0, seg[i + 1].0);
                if let Some(l) = out.last_mut() {
                    *l = (combined, last.1.clone());
                }
                i += 2;
                merged = true;
            }
        }
        if !merged {
            out.push((word.clone(), pos.clone()));
            i += 1;
        }
    }
    let mut out2: Seg = Vec::new();
    for (word, pos) in out {
        match out2.last_mut() {
            Some(l) if l.0 == "一" => l.0.push_str(&word),
            _ => out2.push((word, pos)),
        }
    }
    out2
}

fn merge_reduplication(seg: Seg) -> Seg {
    let mut out: Seg = Vec::new();
    for (word, pos) in seg {
        match out.last_mut() {
            Some(l) if l.0 == word => l.0.push_str(&word),
            _ => out.push((word, pos)),
        }
    }
    out
}

fn is_reduplication(w: &str) -> bool {
    let c: Vec<char> = w.chars().collect();
    c.len() == 2 && c[0] == c[1]
}

fn merge_three_tones(seg: Seg, second_variant: bool) -> Seg {
    let finals: Vec<Vec<String>> = seg.iter().map(|(w, _)| pinyin::finals(w)).collect();
    let mut out: Seg = Vec::new();
    let mut merge_last = vec![false; seg.len()];
    for (i, (word, pos)) in seg.iter().enumerate() {
        let cond = i >= 1
            && !merge_last[i - 1]
            && if second_variant {
                finals[i - 1].last().map(|f| tone(f)) == Some('3') && finals[i].first().map(|f| tone(f)) == Some('3')
            } else {
                all_tone_three(&finals[i - 1]) && all_tone_three(&finals[i])
            };
        if cond && !is_reduplication(&seg[i - 1].0) && seg[i - 1].0.chars().count() + word.chars().count() <= 3 {
            if let Some(l) = out.last_mut() {
                l.0.push_str(word);
            }
            merge_last[i] = true;
        } else {
            out.push((word.clone(), pos.clone()));
        }
    }
    out
}

fn merge_er(seg: Seg) -> Seg {
    let mut out: Seg = Vec::new();
    for (i, (word, pos)) in seg.iter().enumerate() {
        if i >= 1 && word == "儿" && seg[i - 1].0 != "#" {
            if let Some(l) = out.last_mut() {
                l.0.push_str(word);
            }
        } else {
            out.push((word.clone(), pos.clone()));
        }
    }
    out
}

/// `pre_merge_for_modify`: merge 不 and 一 with their neighbours, reduplications, short
/// third-tone chains (two variants) and 儿.
pub fn pre_merge_for_modify(seg: Seg) -> Seg {
    let seg = merge_bu(seg);
    let seg = merge_yi(seg);
    let seg = merge_reduplication(seg);
    let seg = merge_three_tones(seg, false);
    let seg = merge_three_tones(seg, true);
    merge_er(seg)
}
