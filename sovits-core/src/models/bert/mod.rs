//! Chinese RoBERTa (`chinese-roberta-wwm-ext-large`, transformers `BertForMaskedLM`): text
//! features for Chinese, `hidden_states[-3]` expanded to phone level with `word2ph`.
//! Upstream: `get_bert_feature` in `GPT_SoVITS/inference_webui.py` / `TTS_infer_pack`.

mod config;
mod model;
mod tokenizer;

pub use config::BertConfig;
pub use model::{BertModel, phone_level_features};
pub use tokenizer::BertTokenizer;
