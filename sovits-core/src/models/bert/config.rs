//! `BertConfig` (the architecture fields of transformers' `config.json`).

use serde::Deserialize;
use serde_json::Value as Json;

use crate::limits::{MAX_FFT, MAX_HEADS, MAX_KERNEL, MAX_LAYERS, MAX_VOCAB, MAX_WIDTH, check};
use crate::models::common::from_json;
use crate::models::common::hf::HfArchitecture;
use crate::{Error, Result};

/// BERT sizes: the architecture fields of transformers' `config.json`, by their names there.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BertConfig {
    /// Vocabulary size (21128).
    pub vocab_size: usize,
    /// Width.
    pub hidden_size: usize,
    /// Layers.
    pub num_hidden_layers: usize,
    /// Attention heads.
    pub num_attention_heads: usize,
    /// FFN width.
    pub intermediate_size: usize,
    /// Positions (512).
    pub max_position_embeddings: usize,
    /// Token types (2).
    pub type_vocab_size: usize,
    /// LayerNorm epsilon (1e-12).
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
}

fn default_eps() -> f64 {
    1e-12
}

impl BertConfig {
    /// The released `chinese-roberta-wwm-ext-large` sizes.
    pub fn large() -> Self {
        BertConfig {
            vocab_size: 21128,
            hidden_size: 1024,
            num_hidden_layers: 24,
            num_attention_heads: 16,
            intermediate_size: 4096,
            max_position_embeddings: 512,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
        }
    }

    /// Reads a transformers `config.json` (`model_type` must be `bert`, GELU, absolute
    /// positions).
    pub fn from_json(j: &Json) -> Result<Self> {
        let a = HfArchitecture::read(j)?;
        if a.model_type != "bert" {
            return Err(Error::Config(format!("not a BERT config (model_type {:?})", a.model_type)));
        }
        if a.hidden_act != "gelu" {
            return Err(Error::Config(format!("BERT with hidden_act {:?} is not supported", a.hidden_act)));
        }
        if !matches!(a.position_embedding_type.as_str(), "" | "absolute") {
            return Err(Error::Config("only absolute position embeddings are supported".into()));
        }
        let c: BertConfig = from_json(j, "BERT config")?;
        c.validate()?;
        Ok(c)
    }

    /// Checks the sizes are consistent.
    pub fn validate(&self) -> Result<()> {
        let w = "BERT config";
        check(w, "vocab_size", self.vocab_size, 1, MAX_VOCAB)?;
        check(w, "hidden_size", self.hidden_size, 1, MAX_WIDTH)?;
        check(w, "intermediate_size", self.intermediate_size, 1, MAX_WIDTH)?;
        check(w, "num_hidden_layers", self.num_hidden_layers, 0, MAX_LAYERS)?;
        check(w, "num_attention_heads", self.num_attention_heads, 1, MAX_HEADS)?;
        check(w, "max_position_embeddings", self.max_position_embeddings, 0, MAX_FFT)?;
        check(w, "type_vocab_size", self.type_vocab_size, 0, MAX_KERNEL)?;
        if !(self.layer_norm_eps.is_finite() && self.layer_norm_eps >= 0.0) {
            return Err(Error::Config("BERT config: layer_norm_eps must be a finite number >= 0".into()));
        }
        if self.num_attention_heads == 0 || !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(Error::Config("BERT hidden_size must be divisible by num_attention_heads".into()));
        }
        if self.num_hidden_layers < 2 {
            return Err(Error::Config("GPT-SoVITS uses hidden_states[-3]: BERT needs at least 2 layers".into()));
        }
        if self.type_vocab_size == 0 || self.max_position_embeddings < 3 {
            return Err(Error::Config("BERT needs token types and at least 3 positions".into()));
        }
        Ok(())
    }

    /// Layers GPT-SoVITS needs: `hidden_states[-3]` is the output of layer `n - 2`.
    pub fn feature_layers(&self) -> usize {
        self.num_hidden_layers.saturating_sub(2)
    }
}
