//! The text frontend (upstream `GPT_SoVITS/text/` and `TTS_infer_pack/`): the call languages
//! ([`Lang`]), sentence splitting ([`split`]), the language segmenter ([`langseg`]), Mandarin
//! ([`zh`]: normalisation, segmentation, G2P), English ([`en`]), Japanese (`ja`, feature
//! `ja`), Korean (`ko`, feature `ko`) and Cantonese ([`yue`]), the symbol table, and
//! [`phonemize`], which puts them together (see `docs/text-frontend.md`).

mod budoux;
pub mod en;
#[cfg_attr(not(feature = "lid176"), allow(dead_code))]
mod fasttext;
#[cfg(feature = "ja")]
pub mod ja;
#[cfg(feature = "ko")]
pub mod ko;
mod lang;
pub mod langseg;
#[cfg(any(feature = "ja", feature = "ko"))]
pub(crate) mod mecab;
mod regex_util;
pub mod split;
mod symbols;
pub mod yue;
pub mod zh;

pub use lang::{Lang, SegmentLang};
pub use symbols::{SymbolTable, cleaned_text_to_sequence};

use crate::{Error, Result};

/// One language segment of a text and what the frontend made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Its language.
    pub lang: SegmentLang,
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
/// Languages: [`Lang::En`] (the whole text is one English segment); `all_zh`, `all_ja`,
/// `all_ko`, `all_yue` (that language, with English pieces for Latin words); `zh`, `ja`,
/// `ko`, `yue` (mixing with English: everything that is not English is read in that
/// language); [`Lang::Auto`] and [`Lang::AutoYue`] (each piece in its detected language).
/// Japanese and Korean need the `ja` and `ko` features (on by default); without them those
/// languages, and such pieces of `auto` text, answer [`Error::UnsupportedLanguage`].
pub fn phonemize(text: &str, lang: Lang) -> Result<Phonemes> {
    phonemize_with(text, lang, &FrontendOptions::default())
}

/// Options of the text frontend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontendOptions {
    /// Decide Mandarin polyphones with the g2pW model, as upstream does by default. Not
    /// available yet (its weights are not on the package registries): `true` is an error; the
    /// pypinyin path (phrase tables) is used, as the reference outputs were made.
    pub g2pw: bool,
    /// Pronunciations that take precedence over the built-in dictionaries.
    pub user_dict: UserDict,
}

/// User pronunciations for Mandarin and English words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserDict {
    zh: zh::UserReadings,
    en: std::collections::HashMap<String, Vec<String>>,
    #[cfg(feature = "ja")]
    ja: ja::UserDictionary,
}

impl UserDict {
    /// A Mandarin word and its pinyin with tone digits, one syllable per character:
    /// `add_zh("重庆", "chong2 qing4")`. The readings replace pypinyin's before tone sandhi.
    pub fn add_zh(&mut self, word: &str, pinyin: &str) -> Result<()> {
        let syllables: Vec<&str> = pinyin.split_whitespace().collect();
        if word.chars().count() != syllables.len() || syllables.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "user dictionary: {word:?} has {} characters but {pinyin:?} has {} syllables; give one per character",
                word.chars().count(),
                syllables.len()
            )));
        }
        let readings = syllables
            .iter()
            .map(|s| {
                zh::parse_syllable(s).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "user dictionary: {s:?} is not a pinyin syllable with a tone digit 1-5 (like zhong4)"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.zh.insert(word.to_string(), readings);
        Ok(())
    }

    /// An English word (any case) and its ARPAbet phones with stress digits:
    /// `add_en("conda", "K AA1 N D AH0")`. Every phone must be a v2 symbol.
    pub fn add_en(&mut self, word: &str, arpabet: &str) -> Result<()> {
        let phones: Vec<String> = arpabet.split_whitespace().map(str::to_string).collect();
        let table = SymbolTable::v2();
        if let Some(bad) = phones.iter().find(|p| !table.contains(p)) {
            return Err(Error::InvalidArgument(format!(
                "user dictionary: {bad:?} in the pronunciation of {word:?} is not an ARPAbet phone (like AA1, K, ZH)"
            )));
        }
        if phones.is_empty() || word.trim().is_empty() {
            return Err(Error::InvalidArgument("user dictionary: empty word or pronunciation".into()));
        }
        self.en.insert(word.trim().to_lowercase(), phones);
        Ok(())
    }

    /// A Japanese word read `pron` (katakana as spoken, like `トーキョー`) with its accent
    /// nucleus on mora `accent` (0: flat), as a proper noun: `add_ja("鬼滅", "キメツ", 0)`.
    /// It is a candidate of the morphological analysis beside the dictionary's words, as
    /// upstream's `ja_userdic` entries are.
    #[cfg(feature = "ja")]
    pub fn add_ja(&mut self, word: &str, pron: &str, accent: u8) -> Result<()> {
        self.ja.add(word, pron, accent)
    }

    /// A Japanese entry in MeCab/OpenJTalk CSV form, as upstream's `ja_userdic/userdict.csv`
    /// holds them (`surface,left_id,right_id,cost,pos,...,pron,acc/mora,chain_rule`).
    #[cfg(feature = "ja")]
    pub fn add_ja_mecab_line(&mut self, line: &str) -> Result<()> {
        self.ja.add_mecab_line(line)
    }

    /// Whether no entries were added.
    pub fn is_empty(&self) -> bool {
        #[cfg(feature = "ja")]
        if !self.ja.is_empty() {
            return false;
        }
        self.zh.is_empty() && self.en.is_empty()
    }
}

/// [`phonemize`] with options (user dictionary, polyphone model switch).
pub fn phonemize_with(text: &str, lang: Lang, opts: &FrontendOptions) -> Result<Phonemes> {
    if opts.g2pw {
        return Err(Error::InvalidArgument(
            "the g2pW polyphone model is not available yet; set FrontendOptions::g2pw to false".into(),
        ));
    }
    if !lang.is_supported() {
        return Err(Error::UnsupportedLanguage { lang: lang.to_string(), supported: supported() });
    }
    let chars = text.chars().count();
    if chars > crate::limits::MAX_PHONEMIZE_CHARS {
        return Err(Error::InvalidArgument(format!(
            "the text has {chars} characters; phonemize takes at most {} at a time (split it into sentences \
             first, e.g. with text::split::sentences)",
            crate::limits::MAX_PHONEMIZE_CHARS
        )));
    }
    let collapsed = collapse_spaces(text);
    let first = phonemize_pass(&collapsed, lang, opts)?;
    if first.len() < 6 {
        // Upstream reruns the whole call on "." + text when fewer than 6 phones came out.
        return phonemize_pass(&format!(".{collapsed}"), lang, opts);
    }
    Ok(first)
}

/// What the frontend reads, for [`Error::UnsupportedLanguage`].
fn supported() -> String {
    let mut auto = vec!["Chinese", "English", "Cantonese (auto_yue)"];
    if cfg!(feature = "ja") {
        auto.push("Japanese");
    }
    if cfg!(feature = "ko") {
        auto.push("Korean");
    }
    format!("{} (auto reads {} pieces)", Lang::supported_list(), auto.join(", "))
}

/// One pass of `get_phones_and_bert`: the language segments, each through `clean_text`.
fn phonemize_pass(text: &str, lang: Lang, opts: &FrontendOptions) -> Result<Phonemes> {
    let pieces: Vec<(SegmentLang, String)> = match lang {
        Lang::En => vec![(SegmentLang::En, text.to_string())],
        // `get_texts` with a default language labels every piece `zh` or `en`.
        Lang::AllZh => langseg::get_texts(text, Some(SegmentLang::Zh))
            .into_iter()
            .map(|p| (p.lang.lang().unwrap_or(SegmentLang::Zh), p.text))
            .collect(),
        // `all_yue`: segmented as `all_zh`, the Chinese pieces read as Cantonese.
        Lang::AllYue => langseg::get_texts(text, Some(SegmentLang::Zh))
            .into_iter()
            .map(|p| match p.lang.lang().unwrap_or(SegmentLang::Zh) {
                SegmentLang::Zh => (SegmentLang::Yue, p.text),
                l => (l, p.text),
            })
            .collect(),
        Lang::AllJa => langseg::get_texts(text, Some(SegmentLang::Ja))
            .into_iter()
            .map(|p| (p.lang.lang().unwrap_or(SegmentLang::Ja), p.text))
            .collect(),
        Lang::AllKo => langseg::get_texts(text, Some(SegmentLang::Ko))
            .into_iter()
            .map(|p| (p.lang.lang().unwrap_or(SegmentLang::Ko), p.text))
            .collect(),
        Lang::Zh | Lang::Ja | Lang::Yue | Lang::Ko => {
            // Consecutive non-English pieces become one piece in the argument's language.
            let main = match lang {
                Lang::Ja => SegmentLang::Ja,
                Lang::Yue => SegmentLang::Yue,
                Lang::Ko => SegmentLang::Ko,
                _ => SegmentLang::Zh,
            };
            let mut out: Vec<(SegmentLang, String)> = Vec::new();
            for p in langseg::get_texts(text, None) {
                let lang = if p.lang.lang() == Some(SegmentLang::En) { SegmentLang::En } else { main };
                match out.last_mut() {
                    Some(last) if last.0 == lang => last.1.push_str(&p.text),
                    _ => out.push((lang, p.text)),
                }
            }
            out
        }
        _ => {
            let mut pieces = Vec::new();
            for p in langseg::get_texts(text, None) {
                match p.lang.lang() {
                    // `auto_yue` reads the Chinese pieces as Cantonese.
                    Some(SegmentLang::Zh) if lang == Lang::AutoYue => pieces.push((SegmentLang::Yue, p.text)),
                    Some(l @ (SegmentLang::Zh | SegmentLang::En | SegmentLang::Yue)) => pieces.push((l, p.text)),
                    #[cfg(feature = "ja")]
                    Some(SegmentLang::Ja) => pieces.push((SegmentLang::Ja, p.text)),
                    #[cfg(feature = "ko")]
                    Some(SegmentLang::Ko) => pieces.push((SegmentLang::Ko, p.text)),
                    _ => return Err(unsupported_piece(lang, p.lang.code(), &p.text)),
                }
            }
            pieces
        }
    };
    if pieces.is_empty() {
        return Err(Error::InvalidArgument(
            "nothing in the text can be read aloud: it is empty, or holds only whitespace, emoji or symbols \
             the frontend drops"
                .into(),
        ));
    }
    let segments = pieces.into_iter().map(|(l, t)| clean_text(l, t, &opts.user_dict)).collect::<Result<Vec<_>>>()?;
    let ids = segments.iter().flat_map(|s| s.ids.iter().copied()).collect();
    let norm_text = segments.iter().map(|s| s.norm_text.as_str()).collect();
    Ok(Phonemes { segments, ids, norm_text })
}

/// The error for a piece `auto` found in a language this build does not read.
fn unsupported_piece(lang: Lang, label: &str, t: &str) -> Error {
    // Quote only the start of the piece: the message may end up in a log or a UI.
    let mut quoted: String = t.chars().take(40).collect();
    if quoted.len() < t.len() {
        quoted.push('…');
    }
    Error::UnsupportedLanguage { lang: format!("{lang} (a {label} piece: {quoted:?})"), supported: supported() }
}

/// `clean_text(text, lang, "v2")` then `cleaned_text_to_sequence`: one segment.
fn clean_text(lang: SegmentLang, text: String, user: &UserDict) -> Result<Segment> {
    let (norm_text, mut phones, word2ph) = match lang {
        SegmentLang::En => {
            let norm_text = en::text_normalize(&text);
            let mut phones = en::g2p_with(&norm_text, &|w| user.en.get(w).cloned());
            if phones.len() < 4 {
                phones.insert(0, ",".to_string());
            }
            (norm_text, phones, None)
        }
        SegmentLang::Yue => {
            let norm_text = yue::text_normalize(&text);
            let (phones, word2ph) = yue::g2p(&norm_text)?;
            (norm_text, phones, Some(word2ph))
        }
        #[cfg(feature = "ja")]
        SegmentLang::Ja => {
            let norm_text = ja::text_normalize(&text);
            let phones = ja::g2p(&norm_text, &user.ja)?;
            (norm_text, phones, None)
        }
        // No normalisation for Korean upstream: the text is its own normalised text.
        #[cfg(feature = "ko")]
        SegmentLang::Ko => (text.clone(), ko::g2p(&text)?, None),
        _ => {
            let (n, p, w) = clean_zh(&text, &user.zh)?;
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
    Ok(Segment { lang, text, norm_text, phones, ids, word2ph })
}

/// The Mandarin `clean_text`, with `clean_special` for `￥` and `^`.
fn clean_zh(seg_text: &str, user: &zh::UserReadings) -> Result<(String, Vec<String>, Vec<usize>)> {
    // `clean_special`: a `￥` (then `^`) in a Mandarin segment becomes `,`, and every `,` phone
    // of the segment becomes `SP2` (`SP3`), ordinary commas included.
    let special = [('￥', "SP2"), ('^', "SP3")].into_iter().find(|(c, _)| seg_text.contains(*c));
    let text_for_norm = match special {
        Some((c, _)) => seg_text.replace(c, ","),
        None => seg_text.to_string(),
    };
    let norm_text = zh::text_normalize(&text_for_norm);
    let (mut phones, word2ph) = zh::g2p_with(&norm_text, user)?;
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
        let p = phonemize("你好。", Lang::AllZh).unwrap();
        let phones: Vec<&str> = p.segments[0].phones.iter().map(String::as_str).collect();
        // Fewer than 6 phones: upstream reruns on "." + text, which adds a leading ".".
        assert_eq!(phones, vec![".", "n", "i2", "h", "ao3", "."]);
        assert_eq!(p.norm_text, ".你好.");
        assert_eq!(p.segments[0].word2ph, Some(vec![1, 2, 2, 1]));
        let p = phonemize("今天天气真不错，我们出去走走吧。", Lang::AllZh).unwrap();
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
    fn bad_input_is_an_error_or_sane_output() {
        for lang in [Lang::AllZh, Lang::Zh, Lang::Auto] {
            // Upstream crashes on these (IndexError in split_lang); here they are errors.
            assert!(matches!(phonemize("", lang), Err(Error::InvalidArgument(_))), "{lang}");
            assert!(matches!(phonemize(" \n\t ", lang), Err(Error::InvalidArgument(_))), "{lang}");
        }
        // English survives empty text upstream (the "." retry) and so does this port.
        assert_eq!(phonemize("", Lang::En).unwrap().ids.len(), 2);
        assert!(matches!("xx".parse::<Lang>(), Err(Error::InvalidArgument(_))));
        #[cfg(not(feature = "ko"))]
        assert!(matches!(phonemize("안녕하세요", Lang::Ko), Err(Error::UnsupportedLanguage { .. })));
        // Emoji and control characters are dropped by the character filters, not a panic.
        let p = phonemize("你好😀\u{7}世界。", Lang::AllZh).unwrap();
        assert_eq!(p.norm_text, "你好世界.");
        for lang in [Lang::En, Lang::Zh, Lang::Auto, Lang::AllZh] {
            for text in ["😀😀😀", "\u{0}\u{1b}[31m", "\u{202e}abc", "́", "﷽", "𝕳𝖊𝖑𝖑𝖔"] {
                let r = phonemize(text, lang);
                assert!(
                    r.is_ok() || matches!(r, Err(Error::InvalidArgument(_)) | Err(Error::UnsupportedLanguage { .. }))
                );
            }
        }
        // Text up to the per-call limit runs (about 60 kB); beyond it is an error at once.
        let long: String = "今天天气很好，".repeat(2800);
        assert_eq!(phonemize(&long, Lang::AllZh).unwrap().len(), 2800 * 13);
        let long: String = "The quick brown fox jumps over 13 lazy dogs. ".repeat(440);
        assert!(phonemize(&long, Lang::En).unwrap().len() > 440 * 30);
        let long: String = "我用ChatGPT写了123行代码。".repeat(1100);
        assert_eq!(phonemize(&long, Lang::Zh).unwrap().len(), 1100 * 30);
        let too_long: String = "今天天气很好，".repeat(5000);
        assert!(matches!(phonemize(&too_long, Lang::AllZh), Err(Error::InvalidArgument(m)) if m.contains("at most")));
    }

    #[test]
    fn user_dictionary_and_options() {
        let phones = |p: &Phonemes| p.segments.iter().flat_map(|s| s.phones.clone()).collect::<Vec<_>>().join(" ");
        let base = phonemize("我在银行工作，喜欢吃番茄。", Lang::AllZh).unwrap();
        assert!(phones(&base).contains("y in2 h ang2"));
        let mut opts = FrontendOptions::default();
        opts.user_dict.add_zh("银行", "yin2 xing2").unwrap();
        let p = phonemize_with("我在银行工作，喜欢吃番茄。", Lang::AllZh, &opts).unwrap();
        assert!(phones(&p).contains("y in2 x ing2"), "{}", phones(&p));
        assert_eq!(p.segments[0].word2ph, base.segments[0].word2ph);

        let base = phonemize("I like tomato soup.", Lang::En).unwrap();
        assert!(phones(&base).contains("T AH0 M EY1 T OW2"));
        opts.user_dict.add_en("Tomato", "T AH0 M AA1 T OW2").unwrap();
        let p = phonemize_with("I like tomato soup.", Lang::En, &opts).unwrap();
        assert!(phones(&p).contains("T AH0 M AA1 T OW2"), "{}", phones(&p));
        // English words inside Chinese use it too.
        let p = phonemize_with("我喜欢tomato。", Lang::Zh, &opts).unwrap();
        assert!(phones(&p).contains("T AH0 M AA1 T OW2"), "{}", phones(&p));

        let mut d = UserDict::default();
        assert!(d.add_zh("银行", "yin2").is_err());
        assert!(d.add_zh("行", "xyz9").is_err());
        assert!(d.add_en("word", "W ER1 QQ").is_err());
        assert!(d.add_en("", "W").is_err());
        assert!(d.is_empty());
        assert!(d.add_zh("绿", "lü4").is_ok() && d.add_zh("去", "qu4").is_ok());
        let g2pw = FrontendOptions { g2pw: true, ..Default::default() };
        assert!(matches!(phonemize_with("你好", Lang::Zh, &g2pw), Err(Error::InvalidArgument(_))));
    }
}
