//! Mandarin (`text/chinese2.py`, v2).

mod g2p;
pub(crate) mod normalize;
mod numbers;
mod pinyin;
mod posseg;

/// `jieba.posseg.lcut` as upstream uses it (for inspection and tests).
pub fn posseg_lcut(sentence: &str) -> Vec<(String, String)> {
    posseg::lcut(g2p::jieba(), sentence)
}
mod sandhi;

pub use g2p::{UserReadings, g2p, g2p_with};
pub use normalize::{replace_punctuation, text_normalize};
pub use pinyin::{initials_finals, parse_syllable};
