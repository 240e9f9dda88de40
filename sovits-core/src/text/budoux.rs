//! BudouX 0.10.1's phrase splitter (`budoux.Parser.parse`) with its default Japanese and
//! Simplified-Chinese models (Apache-2.0, `data/langseg/{ja,zh-hans}.json`): split-lang cuts
//! Chinese/Japanese runs into the phrases the language detector then labels.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A loaded model: feature group (`UW1`..`TW4`) -> substring -> score.
pub struct Parser {
    groups: HashMap<String, HashMap<String, i64>>,
    base: f64,
}

impl Parser {
    fn from_json(json: &str) -> Self {
        let groups: HashMap<String, HashMap<String, i64>> =
            serde_json::from_str(json).expect("embedded BudouX model is valid JSON");
        let total: i64 = groups.values().flat_map(|g| g.values()).sum();
        Self { groups, base: -(total as f64) * 0.5 }
    }

    fn score(&self, group: &str, key: &[char]) -> f64 {
        let key: String = key.iter().collect();
        self.groups.get(group).and_then(|g| g.get(&key)).copied().unwrap_or(0) as f64
    }

    /// The phrases of `sentence`, in order (their concatenation is `sentence`).
    pub fn parse(&self, sentence: &str) -> Vec<String> {
        let s: Vec<char> = sentence.chars().collect();
        let Some(&first) = s.first() else { return Vec::new() };
        let mut chunks = vec![first.to_string()];
        let n = s.len();
        for i in 1..n {
            let mut score = self.base;
            if i > 2 {
                score += self.score("UW1", &s[i - 3..i - 2]);
            }
            if i > 1 {
                score += self.score("UW2", &s[i - 2..i - 1]);
            }
            score += self.score("UW3", &s[i - 1..i]);
            score += self.score("UW4", &s[i..i + 1]);
            if i + 1 < n {
                score += self.score("UW5", &s[i + 1..i + 2]);
            }
            if i + 2 < n {
                score += self.score("UW6", &s[i + 2..i + 3]);
            }
            if i > 1 {
                score += self.score("BW1", &s[i - 2..i]);
            }
            score += self.score("BW2", &s[i - 1..i + 1]);
            if i + 1 < n {
                score += self.score("BW3", &s[i..i + 2]);
            }
            if i > 2 {
                score += self.score("TW1", &s[i - 3..i]);
            }
            if i > 1 {
                score += self.score("TW2", &s[i - 2..i + 1]);
            }
            if i + 1 < n {
                score += self.score("TW3", &s[i - 1..i + 2]);
            }
            if i + 2 < n {
                score += self.score("TW4", &s[i..i + 3]);
            }
            if score > 0.0 {
                chunks.push(s[i].to_string());
            } else if let Some(last) = chunks.last_mut() {
                last.push(s[i]);
            }
        }
        chunks
    }
}

/// `budoux.load_default_japanese_parser()`.
pub fn japanese() -> &'static Parser {
    static P: OnceLock<Parser> = OnceLock::new();
    P.get_or_init(|| Parser::from_json(include_str!("../../data/langseg/ja.json")))
}

/// `budoux.load_default_simplified_chinese_parser()`.
pub fn chinese() -> &'static Parser {
    static P: OnceLock<Parser> = OnceLock::new();
    P.get_or_init(|| Parser::from_json(include_str!("../../data/langseg/zh-hans.json")))
}
