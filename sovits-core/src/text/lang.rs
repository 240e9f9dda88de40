//! [`Lang`]: the text languages of a synthesis call (upstream's `text_language` /
//! `prompt_language` values), parsed once at the API edges, and [`SegmentLang`]: the language
//! of one segment after splitting.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// How the text of a call is read (upstream's language options; v2 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// `all_zh`: Chinese, with English pieces for Latin words.
    AllZh,
    /// `zh`: Chinese-English mixing (everything that is not English is read as Chinese).
    Zh,
    /// `en`: the whole text is English.
    En,
    /// `auto`: every piece in the language it is detected as.
    Auto,
    /// `all_ja`: Japanese only.
    AllJa,
    /// `ja`: Japanese-English mixing.
    Ja,
    /// `all_ko`: Korean only.
    AllKo,
    /// `ko`: Korean-English mixing.
    Ko,
    /// `all_yue`: Cantonese only.
    AllYue,
    /// `yue`: Cantonese-English mixing.
    Yue,
    /// `auto_yue`: detected, with Chinese read as Cantonese.
    AutoYue,
}

impl Lang {
    /// Every language, in upstream's order.
    pub const ALL: [Lang; 11] = [
        Lang::AllZh,
        Lang::Zh,
        Lang::En,
        Lang::Auto,
        Lang::AllJa,
        Lang::Ja,
        Lang::AllKo,
        Lang::Ko,
        Lang::AllYue,
        Lang::Yue,
        Lang::AutoYue,
    ];

    /// The code upstream uses (`"all_zh"`, `"en"`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Lang::AllZh => "all_zh",
            Lang::Zh => "zh",
            Lang::En => "en",
            Lang::Auto => "auto",
            Lang::AllJa => "all_ja",
            Lang::Ja => "ja",
            Lang::AllKo => "all_ko",
            Lang::Ko => "ko",
            Lang::AllYue => "all_yue",
            Lang::Yue => "yue",
            Lang::AutoYue => "auto_yue",
        }
    }

    /// Whether this build's text frontend reads it (the others answer
    /// [`Error::UnsupportedLanguage`]).
    pub fn is_supported(self) -> bool {
        matches!(self, Lang::AllZh | Lang::Zh | Lang::En | Lang::Auto | Lang::AllYue | Lang::Yue | Lang::AutoYue)
            || (cfg!(feature = "ja") && matches!(self, Lang::AllJa | Lang::Ja))
            || (cfg!(feature = "ko") && matches!(self, Lang::AllKo | Lang::Ko))
    }

    /// The languages this build reads, as a list for messages (`"all_zh, zh, en, auto"`).
    pub fn supported_list() -> String {
        Self::ALL.iter().filter(|l| l.is_supported()).map(|l| l.code()).collect::<Vec<_>>().join(", ")
    }

    /// The full stop upstream adds to a sentence (or transcript) that lacks a split mark:
    /// `.` for English, `。` otherwise.
    pub fn full_stop(self) -> char {
        if self == Lang::En { '.' } else { '。' }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = Error;

    /// Parses a code, ignoring case and surrounding spaces (`"EN"`, `" all_zh "`).
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == t).ok_or_else(|| {
            let shown: String = s.chars().take(20).collect();
            Error::InvalidArgument(format!(
                "unknown language {shown:?}; use one of {} (later: {})",
                Self::supported_list(),
                Self::ALL.iter().filter(|l| !l.is_supported()).map(|l| l.code()).collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

/// The language of one segment of a text, after language splitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentLang {
    /// Mandarin Chinese.
    Zh,
    /// English.
    En,
    /// Japanese.
    Ja,
    /// Korean.
    Ko,
    /// Cantonese.
    Yue,
}

impl SegmentLang {
    /// The code upstream uses.
    pub fn code(self) -> &'static str {
        match self {
            SegmentLang::Zh => "zh",
            SegmentLang::En => "en",
            SegmentLang::Ja => "ja",
            SegmentLang::Ko => "ko",
            SegmentLang::Yue => "yue",
        }
    }
}

impl fmt::Display for SegmentLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_and_lists_the_languages_on_error() {
        assert_eq!("EN".parse::<Lang>().unwrap(), Lang::En);
        assert_eq!(" All_Zh ".parse::<Lang>().unwrap(), Lang::AllZh);
        for l in Lang::ALL {
            assert_eq!(l.code().parse::<Lang>().unwrap(), l);
        }
        let e = "xx".parse::<Lang>().unwrap_err().to_string();
        assert!(e.contains("all_zh, zh, en, auto") && e.contains("\"xx\""), "{e}");
    }
}
