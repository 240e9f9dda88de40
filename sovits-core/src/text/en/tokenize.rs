//! NLTK's `TweetTokenizer().tokenize` (nltk 3.10.4, `preserve_case=True`) for the text the
//! English normaliser leaves: ASCII letters, spaces and `' . , ? ! -`. On that alphabet only
//! these of its patterns can match, tried in this order: naked domains (`hello.world`), words
//! with inner apostrophes or dashes, plain words, spaced ellipses, any other non-space.

use crate::text::regex_util::re;

re!(
    re_word,
    r"(?xi)
    (?: (?<!@) [a-z0-9]+ (?:[.\-][a-z0-9]+){0,126} [.] (?:[a-z]{2,13}) \b /? (?!@) )
    | (?-i: (?:[^\W\d_](?:[^\W\d_]|['\-_])+[^\W\d_]) )
    | (?:[\w_]+)
    | (?:\.(?:[^\S\r\n]*\.){1,})
    | (?:\S)
    "
);

/// Runs of 4+ equal characters that are neither letters nor digits become 3 (`HANG_RE`).
fn shorten_hanging(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    let mut run = 0;
    for c in text.chars() {
        if Some(c) == prev {
            run += 1;
        } else {
            prev = Some(c);
            run = 1;
        }
        if run <= 3 || c.is_alphanumeric() {
            out.push(c);
        }
    }
    out
}

/// The tokens, in order.
pub fn tokenize(text: &str) -> Vec<String> {
    let safe = shorten_hanging(text);
    re_word().find_iter(&safe).filter_map(|m| m.ok()).map(|m| m.as_str().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tweet_tokenizer_cases() {
        assert_eq!(tokenize("I don't know, hello.world!"), ["I", "don't", "know", ",", "hello.world", "!"]);
        assert_eq!(tokenize("a.m. well-known -x ''''"), ["a", ".", "m", ".", "well-known", "-", "x", "'", "'", "'"]);
        assert_eq!(tokenize("wait . . go"), ["wait", ". .", "go"]);
    }
}
