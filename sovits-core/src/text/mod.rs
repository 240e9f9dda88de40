//! The text frontend (upstream `GPT_SoVITS/text/` and `TTS_infer_pack/`): symbol tables and
//! sentence splitting so far; language segmentation, normalisation and G2P follow.

pub mod split;
mod symbols;

pub use symbols::{SymbolTable, cleaned_text_to_sequence};
