//! `jieba.posseg` segmentation with part-of-speech tags (what upstream calls through
//! `jieba_fast.posseg.lcut`): the dictionary route of `jieba.cut(HMM=False)`, with runs of
//! single characters that are not dictionary words re-cut by the part-of-speech HMM
//! (`posseg.__cut_DAG` / `__cut_detail` / `viterbi`). The HMM tables are jieba's (MIT),
//! in the text form `jieba-rs` ships (`data/zh/jieba_posseg.txt`).

use std::collections::HashMap;
use std::sync::OnceLock;

use jieba_rs::Jieba;

const MIN_FLOAT: f64 = -3.14e100;

/// A state: position (`B`, `E`, `M`, `S` as 0..3 in *Python tuple order*) and tag index.
type State = (u8, u16);

struct Model {
    tags: Vec<String>,
    start: HashMap<State, f64>,
    trans: HashMap<State, Vec<(State, f64)>>,
    emit: HashMap<State, HashMap<char, f64>>,
    char_state: HashMap<char, Vec<State>>,
    all_states: Vec<State>,
}

/// The file numbers positions B=0 M=1 E=2 S=3; Python compares the letters, so B < E < M < S.
fn pos_from_file(p: u8) -> u8 {
    match p {
        0 => 0, // B
        1 => 2, // M
        2 => 1, // E
        _ => 3, // S
    }
}

const POS_B: u8 = 0;
const POS_E: u8 = 1;
const POS_S: u8 = 3;

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let mut m = Model {
            tags: Vec::new(),
            start: HashMap::new(),
            trans: HashMap::new(),
            emit: HashMap::new(),
            char_state: HashMap::new(),
            all_states: Vec::new(),
        };
        let state = |s: &str| -> Option<State> {
            let (p, t) = s.split_once(',')?;
            Some((pos_from_file(p.trim().parse().ok()?), t.trim().parse().ok()?))
        };
        let mut section = "";
        for line in include_str!("../../../data/zh/jieba_posseg.txt").lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(s) = line.strip_prefix('@') {
                section = match s {
                    "TAGS" => "tags",
                    "START" => "start",
                    "TRANS" => "trans",
                    "EMIT" => "emit",
                    "CHAR_STATE" => "char_state",
                    _ => "",
                };
                continue;
            }
            match section {
                "tags" => m.tags = line.split(',').map(str::to_owned).collect(),
                "start" => {
                    let mut f = line.rsplitn(2, ',');
                    let (Some(p), Some(s)) = (f.next(), f.next()) else { continue };
                    if let (Some(st), Ok(p)) = (state(s), p.parse()) {
                        m.start.insert(st, p);
                    }
                }
                "trans" => {
                    let mut parts = line.split('|');
                    let Some(from) = parts.next().and_then(state) else { continue };
                    let mut to = Vec::new();
                    for seg in parts {
                        let mut f = seg.rsplitn(2, ',');
                        let (Some(p), Some(s)) = (f.next(), f.next()) else { continue };
                        if let (Some(st), Ok(p)) = (state(s), p.parse()) {
                            to.push((st, p));
                        }
                    }
                    m.trans.insert(from, to);
                }
                "emit" => {
                    let mut parts = line.split('|');
                    let Some(st) = parts.next().and_then(state) else { continue };
                    let e = m.emit.entry(st).or_default();
                    for seg in parts {
                        let mut f = seg.rsplitn(2, ',');
                        let (Some(p), Some(c)) = (f.next(), f.next()) else { continue };
                        if let (Some(c), Ok(p)) = (c.chars().next(), p.parse()) {
                            e.insert(c, p);
                        }
                    }
                }
                "char_state" => {
                    let mut parts = line.split('|');
                    let Some(c) = parts.next().and_then(|s| s.chars().next()) else { continue };
                    let states: Vec<State> = parts.filter_map(state).collect();
                    if !states.is_empty() {
                        m.char_state.insert(c, states);
                    }
                }
                _ => {}
            }
        }
        m.all_states = m.trans.keys().copied().collect();
        m.all_states.sort_unstable();
        m
    })
}

fn better(a: (f64, (u8, &str)), b: (f64, (u8, &str))) -> bool {
    // Python's tuple comparison: probability, then position letter, then tag string.
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

/// jieba's posseg `viterbi`: one (position, tag) state per character.
fn viterbi(obs: &[char]) -> Vec<State> {
    let m = model();
    let tag = |s: State| m.tags.get(s.1 as usize).map(String::as_str).unwrap_or("");
    let emit = |s: State, c: char| m.emit.get(&s).and_then(|e| e.get(&c)).copied().unwrap_or(MIN_FLOAT);
    let mut v: Vec<HashMap<State, f64>> = Vec::with_capacity(obs.len());
    let mut path: Vec<HashMap<State, State>> = Vec::with_capacity(obs.len());
    let first = m.char_state.get(&obs[0]).cloned().unwrap_or_else(|| m.all_states.clone());
    let mut v0 = HashMap::new();
    let mut p0 = HashMap::new();
    for y in first {
        v0.insert(y, m.start.get(&y).copied().unwrap_or(MIN_FLOAT) + emit(y, obs[0]));
        p0.insert(y, y);
    }
    v.push(v0);
    path.push(p0);
    for t in 1..obs.len() {
        let prev: Vec<State> =
            path[t - 1].keys().copied().filter(|x| m.trans.get(x).is_some_and(|tr| !tr.is_empty())).collect();
        let mut expect: Vec<State> = prev.iter().flat_map(|x| m.trans[x].iter().map(|(y, _)| *y)).collect();
        expect.sort_unstable();
        expect.dedup();
        let cands: Vec<State> = match m.char_state.get(&obs[t]) {
            Some(s) => s.iter().copied().filter(|y| expect.binary_search(y).is_ok()).collect(),
            None => expect.clone(),
        };
        let obs_states = if !cands.is_empty() {
            cands
        } else if !expect.is_empty() {
            expect
        } else {
            m.all_states.clone()
        };
        let mut vt = HashMap::new();
        let mut pt = HashMap::new();
        for y in obs_states {
            let em = emit(y, obs[t]);
            let mut best: Option<(f64, State)> = None;
            for &y0 in &prev {
                let tr = m.trans[&y0].iter().find(|(s, _)| *s == y).map(|(_, p)| *p).unwrap_or(f64::NEG_INFINITY);
                let p = v[t - 1][&y0] + tr + em;
                let cand = (p, y0);
                if best.is_none_or(|b| better((cand.0, (cand.1.0, tag(cand.1))), (b.0, (b.1.0, tag(b.1))))) {
                    best = Some(cand);
                }
            }
            if let Some((p, s)) = best {
                vt.insert(y, p);
                pt.insert(y, s);
            }
        }
        v.push(vt);
        path.push(pt);
    }
    let last = v.last().expect("at least one character");
    let mut best: Option<(f64, State)> = None;
    for (&y, &p) in last {
        if best.is_none_or(|b| better((p, (y.0, tag(y))), (b.0, (b.1.0, tag(b.1))))) {
            best = Some((p, y));
        }
    }
    let mut state = best.map(|b| b.1).unwrap_or((POS_S, 0));
    let mut route = vec![state; obs.len()];
    for i in (0..obs.len()).rev() {
        route[i] = state;
        if i > 0 {
            state = path[i][&state];
        }
    }
    route
}

/// `posseg.__cut`: HMM words of a run of Han characters.
fn hmm_cut(s: &[char], out: &mut Vec<(String, String)>) {
    if s.is_empty() {
        return;
    }
    let m = model();
    let route = viterbi(s);
    let tag = |st: State| m.tags.get(st.1 as usize).cloned().unwrap_or_else(|| "x".into());
    let (mut begin, mut next) = (0, 0);
    for (i, &st) in route.iter().enumerate() {
        match st.0 {
            POS_B => begin = i,
            POS_E => {
                out.push((s[begin..=i].iter().collect(), tag(st)));
                next = i + 1;
            }
            POS_S => {
                out.push((s[i].to_string(), tag(st)));
                next = i + 1;
            }
            _ => {}
        }
    }
    if next < s.len() {
        out.push((s[next..].iter().collect(), tag(route[next])));
    }
}

fn is_han_detail(c: char) -> bool {
    ('\u{4E00}'..='\u{9FD5}').contains(&c)
}

/// `posseg.__cut_detail` for a buffer that is not a dictionary word.
fn cut_detail(buf: &[char], out: &mut Vec<(String, String)>) {
    let mut i = 0;
    while i < buf.len() {
        let han = is_han_detail(buf[i]);
        let mut j = i;
        while j < buf.len() && is_han_detail(buf[j]) == han {
            j += 1;
        }
        if han {
            hmm_cut(&buf[i..j], out);
        } else {
            // re_skip_detail = ([\.0-9]+|[a-zA-Z0-9]+): numbers -> m, letters -> eng, rest x.
            let mut k = i;
            while k < j {
                let c = buf[k];
                let mut e = k + 1;
                if c == '.' || c.is_ascii_digit() {
                    while e < j && (buf[e] == '.' || buf[e].is_ascii_digit()) {
                        e += 1;
                    }
                    out.push((buf[k..e].iter().collect(), "m".into()));
                } else if c.is_ascii_alphanumeric() {
                    while e < j && buf[e].is_ascii_alphanumeric() {
                        e += 1;
                    }
                    out.push((buf[k..e].iter().collect(), "eng".into()));
                } else {
                    // Text between matches is one piece.
                    while e < j && !(buf[e] == '.' || buf[e].is_ascii_alphanumeric()) {
                        e += 1;
                    }
                    out.push((buf[k..e].iter().collect(), "x".into()));
                }
                k = e;
            }
        }
        i = j;
    }
}

fn word_tag(j: &Jieba, w: &str) -> String {
    if j.has_word(w) {
        let t = j.tag(w, false);
        if t.len() == 1 {
            return t[0].tag.to_string();
        }
    }
    "x".into()
}

/// `posseg.__cut_DAG` on a block of Han/alphanumeric text.
fn cut_dag(j: &Jieba, block: &str, out: &mut Vec<(String, String)>) {
    let mut buf: Vec<char> = Vec::new();
    let flush = |buf: &mut Vec<char>, out: &mut Vec<(String, String)>| {
        if buf.is_empty() {
            return;
        }
        let s: String = buf.iter().collect();
        if buf.len() == 1 {
            out.push((s.clone(), word_tag(j, &s)));
        } else if !j.has_word(&s) {
            cut_detail(buf, out);
        } else {
            for c in buf.iter() {
                let cs = c.to_string();
                out.push((cs.clone(), word_tag(j, &cs)));
            }
        }
        buf.clear();
    };
    for tok in j.cut(block, false) {
        if tok.word.chars().count() == 1 {
            buf.extend(tok.word.chars());
        } else {
            flush(&mut buf, out);
            out.push((tok.word.to_string(), word_tag(j, tok.word)));
        }
    }
    flush(&mut buf, out);
}

fn is_han_internal(c: char) -> bool {
    ('\u{4E00}'..='\u{9FD5}').contains(&c) || c.is_ascii_alphanumeric() || "+#&._".contains(c)
}

/// `jieba.posseg.lcut(sentence)` (HMM on): words with their part-of-speech tags.
pub fn lcut(j: &Jieba, sentence: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = sentence.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let han = is_han_internal(chars[i]);
        let mut e = i;
        while e < chars.len() && is_han_internal(chars[e]) == han {
            e += 1;
        }
        let block: String = chars[i..e].iter().collect();
        if han {
            cut_dag(j, &block, &mut out);
        } else {
            // re_skip_internal = (\r\n|\s): whitespace pieces are `x`; other characters one by
            // one: digits `m`, a Latin block `eng`, else `x`.
            for c in block.chars() {
                let tag = if c.is_whitespace() {
                    "x"
                } else if c.is_ascii_digit() || c == '.' {
                    "m"
                } else if c.is_ascii_alphanumeric() {
                    "eng"
                } else {
                    "x"
                };
                out.push((c.to_string(), tag.into()));
            }
        }
        i = e;
    }
    out
}
