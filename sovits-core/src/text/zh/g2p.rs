//! Mandarin G2P (`text/chinese2.py::g2p` on the pypinyin path, g2pW off): jieba words with
//! part of speech, the sandhi pre-merges, pypinyin initials/finals, tone sandhi, erhua, and
//! the opencpop-strict mapping into the v2 symbols, with `word2ph`.

use std::collections::HashMap;
use std::sync::OnceLock;

use jieba_rs::Jieba;

use super::normalize::PUNCTUATION;
use super::{pinyin, sandhi};
use crate::{Error, Result};

pub(super) fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(Jieba::new)
}

fn opencpop() -> &'static HashMap<String, (String, String)> {
    static M: OnceLock<HashMap<String, (String, String)>> = OnceLock::new();
    M.get_or_init(|| {
        include_str!("../../../data/zh/opencpop-strict.txt")
            .lines()
            .filter_map(|l| {
                let (py, ph) = l.trim_end().split_once('\t')?;
                let (c, v) = ph.split_once(' ')?;
                Some((py.to_string(), (c.to_string(), v.to_string())))
            })
            .collect()
    })
}

const MUST_ERHUA: &[&str] = &["小院儿", "胡同儿", "范儿", "老汉儿", "撒欢儿", "寻老礼儿", "妥妥儿", "媳妇儿"];
const NOT_ERHUA: &[&str] = &[
    "虐儿",
    "为儿",
    "护儿",
    "瞒儿",
    "救儿",
    "替儿",
    "有儿",
    "一儿",
    "我儿",
    "俺儿",
    "妻儿",
    "拐儿",
    "聋儿",
    "乞儿",
    "患儿",
    "幼儿",
    "孤儿",
    "婴儿",
    "婴幼儿",
    "连体儿",
    "脑瘫儿",
    "流浪儿",
    "体弱儿",
    "混血儿",
    "蜜雪儿",
    "舫儿",
    "祖儿",
    "美儿",
    "应采儿",
    "可儿",
    "侄儿",
    "孙儿",
    "侄孙儿",
    "女儿",
    "男儿",
    "红孩儿",
    "花儿",
    "虫儿",
    "马儿",
    "鸟儿",
    "猪儿",
    "猫儿",
    "狗儿",
    "少儿",
];

/// `_merge_erhua`.
fn merge_erhua(initials: Vec<String>, mut finals: Vec<String>, word: &str, pos: &str) -> (Vec<String>, Vec<String>) {
    let chars: Vec<char> = word.chars().collect();
    let n = finals.len();
    if n > 0 && chars.get(n - 1) == Some(&'儿') && finals[n - 1] == "er1" {
        finals[n - 1] = "er2".into();
    }
    if !MUST_ERHUA.contains(&word) && (NOT_ERHUA.contains(&word) || matches!(pos, "a" | "j" | "nr")) {
        return (initials, finals);
    }
    if finals.len() != chars.len() {
        return (initials, finals);
    }
    let last2: String = chars[chars.len().saturating_sub(2)..].iter().collect();
    let mut new_finals: Vec<String> = Vec::with_capacity(n);
    for (i, phn) in finals.into_iter().enumerate() {
        let phn = if i == n - 1
            && chars[i] == '儿'
            && (phn == "er2" || phn == "er5")
            && !NOT_ERHUA.contains(&last2.as_str())
            && !new_finals.is_empty()
        {
            let prev_tone = new_finals.last().and_then(|f| f.chars().last()).unwrap_or('5');
            format!("er{prev_tone}")
        } else {
            phn
        };
        new_finals.push(phn);
    }
    (initials, new_finals)
}

/// `_map_initial_final_to_phones`.
fn map_to_phones(c: &str, v: &str) -> Result<Vec<String>> {
    if c == v {
        return Ok(vec![c.to_string()]);
    }
    let tone = v
        .chars()
        .last()
        .filter(|t| ('1'..='5').contains(t))
        .ok_or_else(|| Error::InvalidArgument(format!("no tone on pinyin final {v:?}")))?;
    let pinyin = pinyin::spelled(c, &v[..v.len() - 1]);
    let (nc, nv) = opencpop()
        .get(&pinyin)
        .ok_or_else(|| Error::InvalidArgument(format!("pinyin {pinyin:?} has no opencpop-strict mapping")))?;
    Ok(vec![nc.clone(), format!("{nv}{tone}")])
}

fn cut_for_search(word: &str) -> Vec<String> {
    jieba().cut_for_search(word, true).into_iter().map(|t| t.word.to_string()).collect()
}

/// User readings for Mandarin words: word -> (initial, final with tone) per character.
pub type UserReadings = HashMap<String, Vec<(String, String)>>;

/// G2P of normalised Mandarin text: phone symbols and `word2ph` (one entry per character).
pub fn g2p(norm_text: &str) -> Result<(Vec<String>, Vec<usize>)> {
    g2p_with(norm_text, &HashMap::new())
}

/// The readings the user dictionary gives the characters of `seg` (longest match first), by
/// character index.
fn user_overrides(seg: &str, user: &UserReadings) -> HashMap<usize, (String, String)> {
    let mut out = HashMap::new();
    if user.is_empty() {
        return out;
    }
    let chars: Vec<char> = seg.chars().collect();
    let longest = user.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    let mut i = 0;
    while i < chars.len() {
        let mut matched = 0;
        for n in (1..=longest.min(chars.len() - i)).rev() {
            let w: String = chars[i..i + n].iter().collect();
            if let Some(r) = user.get(&w) {
                for (k, reading) in r.iter().enumerate() {
                    out.insert(i + k, reading.clone());
                }
                matched = n;
                break;
            }
        }
        i += matched.max(1);
    }
    out
}

/// [`g2p`] with user readings, which replace pypinyin's before tone sandhi.
pub fn g2p_with(norm_text: &str, user: &UserReadings) -> Result<(Vec<String>, Vec<usize>)> {
    // Split after each punctuation mark (upstream: `(?<=[punct])\s*`), dropping blank pieces.
    let mut sentences = Vec::new();
    let mut cur = String::new();
    for c in norm_text.chars() {
        cur.push(c);
        if PUNCTUATION.contains(&c) {
            sentences.push(std::mem::take(&mut cur));
        }
    }
    sentences.push(cur);
    let mut phones = Vec::new();
    let mut word2ph = Vec::new();
    for s in sentences.iter().map(|s| s.trim_start()).filter(|s| !s.trim().is_empty()) {
        let seg: String = s.chars().filter(|c| !c.is_ascii_alphabetic()).collect();
        let overrides = user_overrides(&seg, user);
        let tagged: sandhi::Seg = super::posseg::lcut(jieba(), &seg);
        let mut offset = 0;
        for (word, pos) in sandhi::pre_merge_for_modify(tagged) {
            let start = offset;
            offset += word.chars().count();
            if pos == "eng" {
                continue;
            }
            let (mut ini, mut fin) = pinyin::initials_finals(&word);
            if !overrides.is_empty() && ini.len() == word.chars().count() {
                for k in 0..ini.len() {
                    if let Some((c, v)) = overrides.get(&(start + k)) {
                        ini[k] = c.clone();
                        fin[k] = v.clone();
                    }
                }
            }
            let fin = sandhi::modified_tone(&word, &pos, fin, &cut_for_search);
            let (ini, fin) = merge_erhua(ini, fin, &word, &pos);
            for (c, v) in ini.iter().zip(&fin) {
                let p = map_to_phones(c, v)?;
                word2ph.push(p.len());
                phones.extend(p);
            }
        }
    }
    Ok((phones, word2ph))
}
