//! CN-HuBERT (`chinese-hubert-base`, transformers `HubertModel`): 16 kHz waveform -> 768-d
//! frames at 50 Hz (`last_hidden_state`). Upstream: `GPT_SoVITS/feature_extractor/cnhubert.py`.

mod config;
mod model;

pub use config::HubertConfig;
pub use model::{HubertModel, HubertOutput};
