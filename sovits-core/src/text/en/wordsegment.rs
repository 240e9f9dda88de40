//! `wordsegment.segment` (wordsegment 1.3.1): the most probable split of a lower-case string
//! into words under its unigram/bigram model, with its scoring, 24-letter word limit and
//! 250-letter chunking.

use std::cmp::Ordering;
use std::rc::Rc;

use super::data::{NGrams, ngrams};

const TOTAL: f64 = 1024908267229.0;
const LIMIT: usize = 24;

/// `10 ** n` as Python converts the exact integer to a float (parsing `1e{n}` rounds the same
/// way), for the lengths the search scores; computed once.
fn pow10(n: usize) -> f64 {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    let parse = |n: usize| format!("1e{n}").parse().unwrap_or(f64::INFINITY);
    let table = TABLE.get_or_init(|| (0..=LIMIT).map(parse).collect());
    table.get(n).copied().unwrap_or_else(|| parse(n))
}

fn score(m: &NGrams, word: &str, previous: Option<&str>) -> f64 {
    if let Some(prev) = previous {
        // The bigram only counts when `prev` is a known word: test that first (cheap) and build
        // the bigram key only then.
        if m.unigrams.contains_key(prev)
            && let Some(b) = m.bigrams.get(format!("{prev} {word}").as_str())
        {
            return b / TOTAL / score(m, prev, None);
        }
        return score(m, word, None);
    }
    match m.unigrams.get(word) {
        Some(u) => u / TOTAL,
        None => 10.0 / (TOTAL * pow10(word.chars().count())),
    }
}

/// A split as a shared linked list of words, so that extending the best split of a suffix by
/// one word costs O(1) instead of copying it (the search builds 24 candidates per position).
struct Words {
    word: String,
    rest: Option<Rc<Words>>,
}

type Split = (f64, Option<Rc<Words>>);

fn iter(mut w: &Option<Rc<Words>>) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        let node = w.as_ref()?;
        w = &node.rest;
        Some(node.word.as_str())
    })
}

/// Python's tuple comparison of `(score, words)`: scores first, then the word lists
/// lexicographically.
fn better(a: &Split, b: &Split) -> bool {
    match a.0.partial_cmp(&b.0) {
        Some(Ordering::Greater) => true,
        Some(Ordering::Less) => false,
        _ => iter(&a.1).cmp(iter(&b.1)) == Ordering::Greater,
    }
}

/// The search over one chunk. The text holds ASCII letters and digits only, so a word is a
/// byte range; the memo is keyed by the previous word's range (its end and length), and the
/// unigram lookups of every range are made once.
struct Search<'a> {
    m: &'a NGrams,
    text: &'a str,
    /// `memo[end * (LIMIT + 1) + len]`: the best split of `text[end..]` after the word
    /// `text[end - len..end]`.
    memo: Vec<Option<Split>>,
    /// `unigram[start * (LIMIT + 1) + len]` for the word `text[start..start + len]`.
    unigram: Vec<Option<f64>>,
}

impl<'a> Search<'a> {
    fn new(m: &'a NGrams, text: &'a str) -> Self {
        let n = text.len();
        let mut unigram = vec![None; (n + 1) * (LIMIT + 1)];
        for start in 0..n {
            for len in 1..=(n - start).min(LIMIT) {
                unigram[start * (LIMIT + 1) + len] = m.unigrams.get(&text[start..start + len]).copied();
            }
        }
        Search { m, text, memo: vec![None; (n + 1) * (LIMIT + 1)], unigram }
    }

    /// `score(word)` without a previous word.
    fn unigram_score(&self, start: usize, len: usize) -> f64 {
        match self.unigram[start * (LIMIT + 1) + len] {
            Some(u) => u / TOTAL,
            None => 10.0 / (TOTAL * pow10(len)),
        }
    }

    /// `score(word, previous)` for `word = text[start..start + len]` and the previous word
    /// `text[start - plen..start]` (`plen == 0`: `<s>`).
    fn score(&self, start: usize, len: usize, plen: usize) -> f64 {
        let word = &self.text[start..start + len];
        let prev_known = if plen == 0 {
            self.m.unigrams.contains_key("<s>")
        } else {
            self.unigram[(start - plen) * (LIMIT + 1) + plen].is_some()
        };
        if prev_known {
            let prev = if plen == 0 { "<s>" } else { &self.text[start - plen..start] };
            if let Some(b) = self.m.bigrams.get(format!("{prev} {word}").as_str()) {
                return b / TOTAL / score(self.m, prev, None);
            }
        }
        self.unigram_score(start, len)
    }

    /// Best split of `text[start..]` after the word of length `plen` ending at `start`.
    fn search(&mut self, start: usize, plen: usize) -> Split {
        if start == self.text.len() {
            return (0.0, None);
        }
        let mut best: Option<Split> = None;
        let max = (self.text.len() - start).min(LIMIT);
        for pos in 1..=max {
            let prefix_score = self.score(start, pos, plen).log10();
            let key = (start + pos) * (LIMIT + 1) + pos;
            if self.memo[key].is_none() {
                let r = self.search(start + pos, pos);
                self.memo[key] = Some(r);
            }
            let (suffix_score, suffix_words) = self.memo[key].as_ref().expect("just filled");
            let word = self.text[start..start + pos].to_string();
            let cand = (prefix_score + suffix_score, Some(Rc::new(Words { word, rest: suffix_words.clone() })));
            if best.as_ref().is_none_or(|b| better(&cand, b)) {
                best = Some(cand);
            }
        }
        best.unwrap_or((0.0, None))
    }
}

fn search(m: &NGrams, text: &str) -> Vec<String> {
    let mut s = Search::new(m, text);
    let (_, words) = s.search(0, 0);
    iter(&words).map(str::to_string).collect()
}

/// The words of `text` (lower-cased, letters and digits only).
pub fn segment(text: &str) -> Vec<String> {
    let clean: Vec<char> =
        text.to_lowercase().chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit()).collect();
    let m = ngrams();
    let mut out = Vec::new();
    let mut prefix = String::new();
    for chunk in clean.chunks(250) {
        let chunk: String = chunk.iter().collect();
        let mut words = search(m, &format!("{prefix}{chunk}"));
        let keep = words.len().saturating_sub(5);
        prefix = words[keep..].concat();
        words.truncate(keep);
        out.extend(words);
    }
    out.extend(search(m, &prefix));
    out
}
