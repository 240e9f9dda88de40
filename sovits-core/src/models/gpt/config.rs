//! GPT (`Text2SemanticDecoder`) hyper-parameters.

use serde::Deserialize;
use serde_json::Value as Json;

use crate::limits::{MAX_HEADS, MAX_LAYERS, MAX_VOCAB, MAX_WIDTH, check};
use crate::models::common::from_json;
use crate::{Error, Result};

/// Sizes of the stage-1 GPT. Field names follow the `model` section of upstream's
/// `s1longer-v2.yaml` (also stored in every `.ckpt` as `config`); missing fields take the v2
/// values ([`GptConfig::v2`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct GptConfig {
    /// Semantic vocabulary including EOS (1025).
    pub vocab_size: usize,
    /// Phone symbols (732 for v2; 512 in v1 checkpoints, of which 322 are used).
    pub phoneme_vocab_size: usize,
    /// Embedding width (= `hidden_dim`).
    pub embedding_dim: usize,
    /// Transformer width.
    pub hidden_dim: usize,
    /// Attention heads.
    pub head: usize,
    /// Transformer layers.
    pub n_layer: usize,
    /// End-of-sequence token (upstream `EOS`; `vocab_size - 1` when absent).
    #[serde(rename = "EOS")]
    pub eos: u32,
    /// Width of the BERT features fed to `bert_proj` (1024, hard-coded upstream).
    #[serde(skip)]
    pub bert_dim: usize,
    /// Upstream `data.max_sec`; its `early_stop_num` is `50 * max_sec`.
    #[serde(skip)]
    pub max_sec: usize,
}

impl Default for GptConfig {
    fn default() -> Self {
        Self::v2()
    }
}

/// The `data` section of a GPT config (what this port reads of it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DataSection {
    max_sec: Option<usize>,
}

impl GptConfig {
    /// The official v2 sizes: 24 layers, 512 wide, 16 heads, FFN 2048.
    pub fn v2() -> Self {
        GptConfig {
            vocab_size: 1025,
            phoneme_vocab_size: 732,
            embedding_dim: 512,
            hidden_dim: 512,
            head: 16,
            n_layer: 24,
            eos: 1024,
            bert_dim: 1024,
            max_sec: 54,
        }
    }

    /// FFN width (upstream hard-codes `4 * hidden_dim`; `linear_units` in the yaml is unused).
    pub fn ffn_dim(&self) -> usize {
        4 * self.hidden_dim
    }

    /// Upstream's `early_stop_num` for this model (`50 * max_sec`).
    pub fn early_stop_num(&self) -> i64 {
        50 * self.max_sec as i64
    }

    /// Reads the `config` dict of a `.ckpt` or an `s1*.yaml` converted to JSON (sections
    /// `model` and `data`, or the model fields at the top level); missing fields keep the v2
    /// values.
    pub fn from_json(j: &Json) -> Result<Self> {
        let model = j.get("model").unwrap_or(j);
        let mut c: GptConfig = from_json(model, "GPT config (model)")?;
        if model.get("EOS").is_none() {
            c.eos = u32::try_from(c.vocab_size.saturating_sub(1)).unwrap_or(u32::MAX);
        }
        if let Some(d) = j.get("data") {
            c.max_sec = from_json::<DataSection>(d, "GPT config (data)")?.max_sec.unwrap_or(c.max_sec);
        }
        c.validate()?;
        Ok(c)
    }

    /// Checks the sizes are consistent.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Config(m));
        let w = "GPT config";
        check(w, "vocab_size", self.vocab_size, 2, MAX_VOCAB)?;
        check(w, "phoneme_vocab_size", self.phoneme_vocab_size, 1, MAX_VOCAB)?;
        check(w, "hidden_dim", self.hidden_dim, 1, MAX_WIDTH)?;
        check(w, "embedding_dim", self.embedding_dim, 1, MAX_WIDTH)?;
        check(w, "bert_dim", self.bert_dim, 1, MAX_WIDTH)?;
        check(w, "head", self.head, 1, MAX_HEADS)?;
        check(w, "n_layer", self.n_layer, 1, MAX_LAYERS)?;
        check(w, "max_sec", self.max_sec, 0, 3600)?;
        if self.head == 0 || !self.hidden_dim.is_multiple_of(self.head) {
            return bad(format!("hidden_dim {} not divisible by head {}", self.hidden_dim, self.head));
        }
        if self.embedding_dim != self.hidden_dim {
            return bad("embedding_dim must equal hidden_dim".into());
        }
        if self.vocab_size < 2 || self.eos as usize != self.vocab_size - 1 {
            return bad(format!("EOS ({}) must be vocab_size - 1 ({})", self.eos, self.vocab_size as i64 - 1));
        }
        if self.n_layer == 0 || self.phoneme_vocab_size == 0 || self.bert_dim == 0 {
            return bad("n_layer, phoneme_vocab_size and bert_dim must be positive".into());
        }
        Ok(())
    }
}
