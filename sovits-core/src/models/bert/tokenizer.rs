//! BERT WordPiece tokenisation as transformers/tokenizers do it for
//! `chinese-roberta-wwm-ext-large` (`BertNormalizer` with Chinese-character splitting and
//! lower-casing, `BertPreTokenizer`, `WordPiece`, `[CLS] ... [SEP]`), read from the model's own
//! `tokenizer.json` (or `vocab.txt`).

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value as Json;
use unicode_categories::UnicodeCategories;
use unicode_normalization::UnicodeNormalization;

use crate::{Error, Result};

/// Longest word tokenised piece by piece; longer words become `[UNK]` (transformers: 100).
const MAX_CHARS_PER_WORD: usize = 1000;

/// A WordPiece tokenizer.
#[derive(Debug, Clone)]
pub struct BertTokenizer {
    vocab: HashMap<String, u32>,
    unk: u32,
    cls: u32,
    sep: u32,
    prefix: String,
    max_chars_per_word: usize,
    /// Characters of the longest vocabulary entry: no longer piece can match.
    max_token_chars: usize,
    lowercase: bool,
    strip_accents: bool,
    chinese_chars: bool,
    clean_text: bool,
}

impl BertTokenizer {
    /// Reads a `tokenizer.json` (WordPiece model with a `BertNormalizer`).
    pub fn from_tokenizer_json(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = crate::weights::files::read_to_string(path)?;
        Self::from_tokenizer_json_str(&text, &path.display().to_string())
    }

    /// Reads the text of a `tokenizer.json`; `name` is used in error messages.
    pub fn from_tokenizer_json_str(text: &str, name: &str) -> Result<Self> {
        let j: Json = serde_json::from_str(text).map_err(|e| Error::Config(format!("{name}: {e}")))?;
        let bad = |m: &str| Error::Config(format!("{name}: {m}"));
        let model = j.get("model").ok_or_else(|| bad("no `model` section"))?;
        if model.get("type").and_then(Json::as_str) != Some("WordPiece") {
            return Err(bad("only WordPiece tokenizers are supported"));
        }
        let vocab: HashMap<String, u32> = model
            .get("vocab")
            .and_then(Json::as_object)
            .ok_or_else(|| bad("no WordPiece vocabulary"))?
            .iter()
            .map(|(k, v)| v.as_u64().map(|id| (k.clone(), id as u32)).ok_or_else(|| bad("non-integer token id")))
            .collect::<Result<_>>()?;
        let norm = j.get("normalizer").cloned().unwrap_or(Json::Null);
        let flag = |k: &str, d: bool| norm.get(k).and_then(Json::as_bool).unwrap_or(d);
        let lowercase = flag("lowercase", true);
        // `strip_accents: null` follows `lowercase`, as in transformers.
        let strip_accents = norm.get("strip_accents").and_then(Json::as_bool).unwrap_or(lowercase);
        let mut t = Self::with_vocab(vocab)?;
        t.unk = *t
            .vocab
            .get(model.get("unk_token").and_then(Json::as_str).unwrap_or("[UNK]"))
            .ok_or_else(|| bad("unknown-token missing from the vocabulary"))?;
        t.prefix = model.get("continuing_subword_prefix").and_then(Json::as_str).unwrap_or("##").to_string();
        // transformers' default is 100; larger values only make absurd "words" slower.
        t.max_chars_per_word =
            model.get("max_input_chars_per_word").and_then(Json::as_u64).unwrap_or(100).min(MAX_CHARS_PER_WORD as u64)
                as usize;
        t.lowercase = lowercase;
        t.strip_accents = strip_accents;
        t.chinese_chars = flag("handle_chinese_chars", true);
        t.clean_text = flag("clean_text", true);
        Ok(t)
    }

    /// Reads a `vocab.txt` (line i = token id i) with the BERT-Chinese defaults.
    pub fn from_vocab_txt(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = crate::weights::files::read_to_string(path)?;
        Self::from_vocab_txt_str(&text)
    }

    /// Reads the text of a `vocab.txt`.
    pub fn from_vocab_txt_str(text: &str) -> Result<Self> {
        let vocab = text.lines().enumerate().map(|(i, l)| (l.to_string(), i as u32)).collect();
        Self::with_vocab(vocab)
    }

    /// Loads the tokenizer of a model folder: `tokenizer.json`, else `vocab.txt`.
    pub fn from_folder(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        use crate::weights::files::is_file;
        if is_file(&dir.join("tokenizer.json")) {
            Self::from_tokenizer_json(dir.join("tokenizer.json"))
        } else if is_file(&dir.join("vocab.txt")) {
            Self::from_vocab_txt(dir.join("vocab.txt"))
        } else {
            Err(Error::Config(format!("{}: neither tokenizer.json nor vocab.txt is present", dir.display())))
        }
    }

    fn with_vocab(vocab: HashMap<String, u32>) -> Result<Self> {
        let id = |t: &str| {
            vocab.get(t).copied().ok_or_else(|| Error::Config(format!("special token {t} missing from the vocabulary")))
        };
        let max_token_chars = vocab.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Ok(BertTokenizer {
            max_token_chars,
            unk: id("[UNK]")?,
            cls: id("[CLS]")?,
            sep: id("[SEP]")?,
            vocab,
            prefix: "##".into(),
            max_chars_per_word: 100,
            lowercase: true,
            strip_accents: true,
            chinese_chars: true,
            clean_text: true,
        })
    }

    /// Vocabulary size.
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// Token ids of `text` without the special tokens.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for word in self.pre_tokenize(&self.normalize(text)) {
            self.word_piece(&word, &mut ids);
        }
        ids
    }

    /// `[CLS] tokens [SEP]`, what the model is run on.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![self.cls];
        ids.extend(self.tokenize(text));
        ids.push(self.sep);
        ids
    }

    fn normalize(&self, text: &str) -> String {
        let mut s = String::with_capacity(text.len());
        for c in text.chars() {
            if self.clean_text {
                if c == '\0' || c == '\u{fffd}' || is_control(c) {
                    continue;
                }
                if is_whitespace(c) {
                    s.push(' ');
                    continue;
                }
            }
            if self.chinese_chars && is_chinese_char(c) {
                s.push(' ');
                s.push(c);
                s.push(' ');
            } else {
                s.push(c);
            }
        }
        if self.strip_accents {
            s = s.nfd().filter(|c| !c.is_mark_nonspacing()).collect();
        }
        if self.lowercase {
            s = s.to_lowercase();
        }
        s
    }

    fn pre_tokenize(&self, s: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut cur = String::new();
        for c in s.chars() {
            if is_whitespace(c) {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            } else if is_punctuation(c) {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                words.push(c.to_string());
            } else {
                cur.push(c);
            }
        }
        if !cur.is_empty() {
            words.push(cur);
        }
        words
    }

    fn word_piece(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > self.max_chars_per_word {
            out.push(self.unk);
            return;
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            // Pieces longer than the longest vocabulary entry cannot match: start below that
            // (same result, linear instead of cubic in the word length).
            let mut end = chars.len().min(start + self.max_token_chars);
            let mut found = None;
            while start < end {
                let mut sub: String = chars[start..end].iter().collect();
                if start > 0 {
                    sub.insert_str(0, &self.prefix);
                }
                if let Some(&id) = self.vocab.get(&sub) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => {
                    pieces.push(id);
                    start = end;
                }
                None => {
                    out.push(self.unk);
                    return;
                }
            }
        }
        out.extend(pieces);
    }
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r') || c.is_whitespace()
}

fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.is_other()
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_punctuation()
}

fn is_chinese_char(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F |
        0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}
