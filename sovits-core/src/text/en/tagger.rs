//! NLTK's `pos_tag` (the averaged-perceptron tagger, nltk 3.10.4): upstream decides English
//! homographs by these tags.

use super::data::{TaggerModel, tagger};

/// `PerceptronTagger.normalize`.
fn normalize(word: &str) -> String {
    if word.contains('-') && !word.starts_with('-') {
        return "!HYPHEN".into();
    }
    let digits = !word.is_empty() && word.chars().all(|c| c.is_numeric());
    if digits && word.chars().count() == 4 {
        return "!YEAR".into();
    }
    if word.chars().next().is_some_and(|c| c.is_numeric()) {
        return "!DIGITS".into();
    }
    word.to_lowercase()
}

/// The last (up to) three characters, as Python's `s[-3:]`.
fn suffix3(s: &str) -> &str {
    let n = s.chars().count();
    match s.char_indices().nth(n.saturating_sub(3)) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// `AveragedPerceptron.predict`: the best class by score, ties to the larger tag name.
fn predict<'m>(model: &'m TaggerModel, features: &[String]) -> &'m str {
    let mut scores = vec![0f64; model.classes.len()];
    // Python's `defaultdict(int)` counts repeated features; the keys here never repeat, but keep
    // the counting so a repeat would weigh twice as it does there.
    let mut counted: Vec<(&str, f64)> = Vec::with_capacity(features.len());
    for f in features {
        match counted.iter_mut().find(|(k, _)| *k == f.as_str()) {
            Some((_, v)) => *v += 1.0,
            None => counted.push((f.as_str(), 1.0)),
        }
    }
    for (feat, value) in counted {
        if let Some(ws) = model.weights.get(feat) {
            for &(label, w) in ws {
                scores[label as usize] += value * w;
            }
        }
    }
    let mut best = 0;
    for i in 1..scores.len() {
        // classes are sorted, so a later index has the larger name
        if scores[i] >= scores[best] {
            best = i;
        }
    }
    model.classes[best]
}

/// `nltk.pos_tag(tokens)`: one tag per token.
pub fn pos_tag(tokens: &[String]) -> Vec<&'static str> {
    let model = tagger();
    let mut context: Vec<String> = vec!["-START-".into(), "-START2-".into()];
    context.extend(tokens.iter().map(|w| normalize(w)));
    context.extend(["-END-".into(), "-END2-".into()]);
    let (mut prev, mut prev2) = ("-START-", "-START2-");
    let mut out = Vec::with_capacity(tokens.len());
    for (i, word) in tokens.iter().enumerate() {
        let tag: &'static str = match model.tagdict.get(word.as_str()) {
            Some(t) => t,
            None => {
                let i = i + 2;
                let first = word.chars().next().map(String::from).unwrap_or_default();
                let features = vec![
                    "bias".to_string(),
                    format!("i suffix {}", suffix3(word)),
                    format!("i pref1 {first}"),
                    format!("i-1 tag {prev}"),
                    format!("i-2 tag {prev2}"),
                    format!("i tag+i-2 tag {prev} {prev2}"),
                    format!("i word {}", context[i]),
                    format!("i-1 tag+i word {prev} {}", context[i]),
                    format!("i-1 word {}", context[i - 1]),
                    format!("i-1 suffix {}", suffix3(&context[i - 1])),
                    format!("i-2 word {}", context[i - 2]),
                    format!("i+1 word {}", context[i + 1]),
                    format!("i+1 suffix {}", suffix3(&context[i + 1])),
                    format!("i+2 word {}", context[i + 2]),
                ];
                predict(model, &features)
            }
        };
        out.push(tag);
        prev2 = prev;
        prev = tag;
    }
    out
}
