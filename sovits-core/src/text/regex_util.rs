//! Python-`re`-style helpers over `fancy-regex` (backtracking, lookarounds), shared by the
//! normalisers.

use fancy_regex::{Captures, Regex};

/// Group `i` of a match, `""` when it did not take part (Python's `m.group(i) or ""`).
pub(crate) fn g<'a>(c: &'a Captures<'_, str>, i: usize) -> &'a str {
    c.get(i).map(|m| m.as_str()).unwrap_or("")
}

/// `fn $name() -> &'static Regex`, compiled once.
macro_rules! re {
    ($name:ident, $pat:expr) => {
        fn $name() -> &'static fancy_regex::Regex {
            static R: std::sync::OnceLock<fancy_regex::Regex> = std::sync::OnceLock::new();
            R.get_or_init(|| fancy_regex::Regex::new($pat).expect("valid normaliser regex"))
        }
    };
}
pub(crate) use re;

/// `re.sub(pattern, f, text)`: every non-overlapping match, left to right, replaced by `f`.
pub(crate) fn sub(re: &Regex, text: &str, f: impl Fn(&Captures<'_, str>) -> String) -> String {
    // A regex runtime error (backtrack limit) leaves the text unchanged, never a panic.
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in re.captures_iter(text) {
        let Ok(caps) = caps else { return text.to_string() };
        let m = caps.get(0).expect("group 0");
        out.push_str(&text[last..m.start()]);
        out.push_str(&f(&caps));
        last = m.end();
    }
    out.push_str(&text[last..]);
    out
}

/// Whether `re` matches somewhere in `text` (a runtime error counts as no match).
pub(crate) fn is_match(re: &Regex, text: &str) -> bool {
    re.is_match(text).unwrap_or(false)
}
