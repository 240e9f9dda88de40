//! `wordsegment.segment` (wordsegment 1.3.1): the most probable split of a lower-case string
//! into words under its unigram/bigram model, with its scoring, 24-letter word limit and
//! 250-letter chunking.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::data::{NGrams, ngrams};

const TOTAL: f64 = 1024908267229.0;
const LIMIT: usize = 24;

/// `10 ** n` as Python converts the exact integer to a float.
fn pow10(n: usize) -> f64 {
    format!("1e{n}").parse().unwrap_or(f64::INFINITY)
}

fn score(m: &NGrams, word: &str, previous: Option<&str>) -> f64 {
    if let Some(prev) = previous {
        let bigram = format!("{prev} {word}");
        if let (Some(b), true) = (m.bigrams.get(bigram.as_str()), m.unigrams.contains_key(prev)) {
            return b / TOTAL / score(m, prev, None);
        }
        return score(m, word, None);
    }
    match m.unigrams.get(word) {
        Some(u) => u / TOTAL,
        None => 10.0 / (TOTAL * pow10(word.chars().count())),
    }
}

/// Python's tuple comparison of `(score, words)`.
fn better(a: &(f64, Vec<String>), b: &(f64, Vec<String>)) -> bool {
    match a.0.partial_cmp(&b.0) {
        Some(Ordering::Greater) => true,
        Some(Ordering::Less) => false,
        _ => a.1 > b.1,
    }
}

struct Search<'a> {
    m: &'a NGrams,
    text: Vec<char>,
    memo: HashMap<(usize, String), (f64, Vec<String>)>,
}

impl Search<'_> {
    /// Best split of `text[start..]` after the word `previous`.
    fn search(&mut self, start: usize, previous: &str) -> (f64, Vec<String>) {
        if start == self.text.len() {
            return (0.0, Vec::new());
        }
        let mut best: Option<(f64, Vec<String>)> = None;
        let max = (self.text.len() - start).min(LIMIT);
        for pos in 1..=max {
            let prefix: String = self.text[start..start + pos].iter().collect();
            let prefix_score = score(self.m, &prefix, Some(previous)).log10();
            let key = (start + pos, prefix.clone());
            if !self.memo.contains_key(&key) {
                let r = self.search(start + pos, &prefix);
                self.memo.insert(key.clone(), r);
            }
            let (suffix_score, suffix_words) = &self.memo[&key];
            let mut words = Vec::with_capacity(suffix_words.len() + 1);
            words.push(prefix);
            words.extend(suffix_words.iter().cloned());
            let cand = (prefix_score + suffix_score, words);
            if best.as_ref().is_none_or(|b| better(&cand, b)) {
                best = Some(cand);
            }
        }
        best.unwrap_or((0.0, Vec::new()))
    }
}

fn search(m: &NGrams, text: &str) -> Vec<String> {
    let mut s = Search { m, text: text.chars().collect(), memo: HashMap::new() };
    s.search(0, "<s>").1
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
