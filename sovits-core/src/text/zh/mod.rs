//! Mandarin (`text/chinese2.py`, v2).

mod g2p;
mod normalize;
mod pinyin;
mod sandhi;

pub use g2p::g2p;
pub use normalize::{replace_punctuation, text_normalize};
pub use pinyin::initials_finals;
