//! English (`text/english.py`, `text/en_normalization/expend.py`): normalisation with
//! inflect's number words, NLTK's tweet tokenizer and perceptron tagger for homographs,
//! upstream's CMU + hot + name dictionaries, letter spelling, `'s`, wordsegment splits and
//! g2p_en's neural G2P. The data is embedded (`sovits-core/data/en/`) and loaded on first use.

mod data;
mod g2p;
pub mod inflect;
mod neural;
mod normalize;
mod tagger;
mod tokenize;
mod wordsegment;

pub use normalize::text_normalize;
pub use tokenize::tokenize;

/// `english.g2p` on normalised text: the phones (`UNK` for unknown graphemes), before
/// `clean_text` prepends `,` to results shorter than 4.
pub fn g2p(norm_text: &str) -> Vec<String> {
    g2p::g2p(norm_text, &|_| None)
}

/// [`g2p`] with a user dictionary consulted first (lower-case word -> ARPAbet phones).
pub fn g2p_with(norm_text: &str, user: &dyn Fn(&str) -> Option<Vec<String>>) -> Vec<String> {
    g2p::g2p(norm_text, user)
}

/// NLTK `pos_tag` tags for tokens (exposed for inspection and tests).
pub fn pos_tag(tokens: &[String]) -> Vec<&'static str> {
    tagger::pos_tag(tokens)
}

/// `wordsegment.segment` (exposed for inspection and tests).
pub fn segment_words(text: &str) -> Vec<String> {
    wordsegment::segment(text)
}

/// g2p_en's neural prediction for one lower-case word (exposed for inspection and tests).
pub fn predict_oov(word: &str) -> Vec<&'static str> {
    neural::predict(word)
}
