//! The text frontend (upstream `GPT_SoVITS/text/` and `TTS_infer_pack/`): symbol tables,
//! sentence splitting and Mandarin (normalisation, segmentation, G2P) so far; English and the
//! language segmenter follow (see `docs/text-frontend.md`).

pub mod en;
pub mod langseg;
mod regex_util;
pub mod split;
mod symbols;
pub mod zh;

pub use symbols::{SymbolTable, cleaned_text_to_sequence};

use crate::{Error, Result};

/// One language segment of a text and what the frontend made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// `zh`, `en`, ...
    pub lang: String,
    /// The segment's text.
    pub text: String,
    /// Its normalised text.
    pub norm_text: String,
    /// Phone symbols.
    pub phones: Vec<String>,
    /// v2 phone ids.
    pub ids: Vec<u32>,
    /// Phones per character of `norm_text` (`zh`/`yue` only).
    pub word2ph: Option<Vec<usize>>,
}

/// What [`phonemize`] returns: the segments and their concatenation.
#[derive(Debug, Clone, PartialEq)]
pub struct Phonemes {
    /// Segments in order.
    pub segments: Vec<Segment>,
    /// All phone ids.
    pub ids: Vec<u32>,
    /// The normalised text of all segments.
    pub norm_text: String,
}

impl Phonemes {
    /// Number of phones.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no phones.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Text to v2 phone ids, like upstream's `get_phones_and_bert` (without the BERT part).
///
/// Languages: `en` (the whole text is one English segment), `all_zh` (Chinese, with English
/// pieces for Latin words), `zh` (Chinese-English mixing: everything that is not English is
/// read as Chinese) and `auto` (where every piece is Chinese or English; Japanese and Korean
/// pieces answer [`Error::UnsupportedLanguage`] until those frontends land).
pub fn phonemize(text: &str, lang: &str) -> Result<Phonemes> {
    match lang {
        "all_zh" | "en" | "zh" | "auto" => {}
        "all_ja" | "ja" | "all_ko" | "ko" | "all_yue" | "yue" | "auto_yue" => {
            return Err(Error::UnsupportedLanguage { lang: lang.to_string(), supported: SUPPORTED.into() });
        }
        other => {
            return Err(Error::InvalidArgument(format!(
                "unknown language {other:?}; use one of all_zh, zh, en, auto (ja, ko, yue come later)"
            )));
        }
    }
    let collapsed = collapse_spaces(text);
    let first = phonemize_pass(&collapsed, lang)?;
    if first.len() < 6 {
        // Upstream reruns the whole call on "." + text when fewer than 6 phones came out.
        return phonemize_pass(&format!(".{collapsed}"), lang);
    }
    Ok(first)
}

const SUPPORTED: &str = "all_zh, zh, en, and auto for Chinese-English text";

/// One pass of `get_phones_and_bert`: the language segments, each through `clean_text`.
fn phonemize_pass(text: &str, lang: &str) -> Result<Phonemes> {
    let pieces: Vec<(String, String)> = match lang {
        "en" => vec![("en".into(), text.to_string())],
        "all_zh" => langseg::get_texts(text, "zh").into_iter().map(|p| (p.lang, p.text)).collect(),
        "zh" => {
            // Consecutive non-English pieces become one piece in the argument's language.
            let mut out: Vec<(String, String)> = Vec::new();
            for p in langseg::get_texts(text, "") {
                let lang = if p.lang == "en" { "en" } else { "zh" };
                match out.last_mut() {
                    Some(last) if last.0 == lang => last.1.push_str(&p.text),
                    _ => out.push((lang.into(), p.text)),
                }
            }
            out
        }
        _ => {
            let pieces: Vec<(String, String)> =
                langseg::get_texts(text, "").into_iter().map(|p| (p.lang, p.text)).collect();
            if let Some((l, t)) = pieces.iter().find(|(l, _)| l != "zh" && l != "en") {
                return Err(Error::UnsupportedLanguage {
                    lang: format!("{lang} (a {l} piece: {t:?})"),
                    supported: SUPPORTED.into(),
                });
            }
            pieces
        }
    };
    if pieces.is_empty() {
        return Err(Error::InvalidArgument("the text is empty (nothing but whitespace)".into()));
    }
    let segments = pieces.into_iter().map(|(l, t)| clean_text(&l, t)).collect::<Result<Vec<_>>>()?;
    let ids = segments.iter().flat_map(|s| s.ids.iter().copied()).collect();
    let norm_text = segments.iter().map(|s| s.norm_text.as_str()).collect();
    Ok(Phonemes { segments, ids, norm_text })
}

/// `clean_text(text, lang, "v2")` then `cleaned_text_to_sequence`: one segment.
fn clean_text(lang: &str, text: String) -> Result<Segment> {
    let (norm_text, mut phones, word2ph) = match lang {
        "en" => {
            let norm_text = en::text_normalize(&text);
            let mut phones = en::g2p(&norm_text);
            if phones.len() < 4 {
                phones.insert(0, ",".to_string());
            }
            (norm_text, phones, None)
        }
        _ => {
            let (n, p, w) = clean_zh(&text)?;
            (n, p, Some(w))
        }
    };
    let table = SymbolTable::v2();
    for p in phones.iter_mut() {
        if !table.contains(p) {
            *p = "UNK".into();
        }
    }
    let ids = cleaned_text_to_sequence(&phones, table)?;
    Ok(Segment { lang: lang.to_string(), text, norm_text, phones, ids, word2ph })
}

/// The Mandarin `clean_text`, with `clean_special` for `￥` and `^`.
fn clean_zh(seg_text: &str) -> Result<(String, Vec<String>, Vec<usize>)> {
    // `clean_special`: a `￥` (then `^`) in a Mandarin segment becomes `,`, and every `,` phone
    // of the segment becomes `SP2` (`SP3`), ordinary commas included.
    let special = [('￥', "SP2"), ('^', "SP3")].into_iter().find(|(c, _)| seg_text.contains(*c));
    let text_for_norm = match special {
        Some((c, _)) => seg_text.replace(c, ","),
        None => seg_text.to_string(),
    };
    let norm_text = zh::text_normalize(&text_for_norm);
    let (mut phones, word2ph) = zh::g2p(&norm_text)?;
    if let Some((_, sym)) = special {
        for p in phones.iter_mut().filter(|p| *p == ",") {
            *p = sym.to_string();
        }
    }
    Ok((norm_text, phones, word2ph))
}

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut spaces = 0;
    for c in text.chars() {
        if c == ' ' {
            spaces += 1;
            if spaces == 1 {
                out.push(c);
            }
        } else {
            spaces = 0;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mandarin_example_from_the_spec() {
        // `你好。` -> `n i2 h ao3 .` (third-tone sandhi), word2ph [2, 2, 1].
        let p = phonemize("你好。", "all_zh").unwrap();
        let phones: Vec<&str> = p.segments[0].phones.iter().map(String::as_str).collect();
        // Fewer than 6 phones: upstream reruns on "." + text, which adds a leading ".".
        assert_eq!(phones, vec![".", "n", "i2", "h", "ao3", "."]);
        assert_eq!(p.norm_text, ".你好.");
        assert_eq!(p.segments[0].word2ph, Some(vec![1, 2, 2, 1]));
        let p = phonemize("今天天气真不错，我们出去走走吧。", "all_zh").unwrap();
        assert_eq!(p.norm_text, "今天天气真不错,我们出去走走吧.");
        assert_eq!(
            p.ids,
            vec![
                221, 196, 252, 176, 252, 176, 247, 169, 320, 140, 122, 259, 124, 293, 1, 316, 232, 225, 144, 125, 255,
                247, 300, 319, 242, 319, 244, 122, 101, 3
            ]
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(phonemize("", "all_zh"), Err(Error::InvalidArgument(_))));
        assert!(matches!(phonemize("   ", "all_zh"), Err(Error::InvalidArgument(_))));
        assert!(matches!(phonemize("你好", "xx"), Err(Error::InvalidArgument(_))));
        assert!(matches!(phonemize("hello", "ja"), Err(Error::UnsupportedLanguage { .. })));
        // Emoji and control characters are dropped by the character filter, not a panic.
        let p = phonemize("你好😀\u{7}世界。", "all_zh").unwrap();
        assert_eq!(p.norm_text, "你好世界.");
        // 100 kB of text runs.
        let long: String = "今天天气很好，".repeat(5000);
        assert_eq!(phonemize(&long, "all_zh").unwrap().len(), 5000 * 13);
    }
}
