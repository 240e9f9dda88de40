//! `HubertConfig` (the architecture fields of transformers' `config.json`).

use serde::Deserialize;
use serde_json::Value as Json;

use crate::limits::{MAX_FFT, MAX_HEADS, MAX_KERNEL, MAX_LAYERS, MAX_WIDTH, bounded_product, check, check_list};
use crate::models::common::from_json;
use crate::models::common::hf::HfArchitecture;
use crate::{Error, Result};

/// The HuBERT sizes this port runs (post-LN encoder, group-norm feature extractor, GELU):
/// the architecture fields of transformers' `config.json`, by their names there.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HubertConfig {
    /// Transformer width.
    pub hidden_size: usize,
    /// Transformer layers.
    pub num_hidden_layers: usize,
    /// Attention heads.
    pub num_attention_heads: usize,
    /// FFN width.
    pub intermediate_size: usize,
    /// LayerNorm epsilon (1e-5).
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    /// Feature-extractor conv channels per layer.
    pub conv_dim: Vec<usize>,
    /// Feature-extractor kernels.
    pub conv_kernel: Vec<usize>,
    /// Feature-extractor strides.
    pub conv_stride: Vec<usize>,
    /// Whether the feature-extractor convs have biases (false).
    #[serde(default)]
    pub conv_bias: bool,
    /// Positional conv kernel.
    pub num_conv_pos_embeddings: usize,
    /// Positional conv groups.
    pub num_conv_pos_embedding_groups: usize,
    /// LayerNorm before the feature projection (true).
    #[serde(default = "yes")]
    pub feat_proj_layer_norm: bool,
}

fn default_eps() -> f64 {
    1e-5
}

fn yes() -> bool {
    true
}

impl HubertConfig {
    /// The released `chinese-hubert-base` sizes.
    pub fn base() -> Self {
        HubertConfig {
            hidden_size: 768,
            num_hidden_layers: 12,
            num_attention_heads: 12,
            intermediate_size: 3072,
            layer_norm_eps: 1e-5,
            conv_dim: vec![512; 7],
            conv_kernel: vec![10, 3, 3, 3, 3, 2, 2],
            conv_stride: vec![5, 2, 2, 2, 2, 2, 2],
            conv_bias: false,
            num_conv_pos_embeddings: 128,
            num_conv_pos_embedding_groups: 16,
            feat_proj_layer_norm: true,
        }
    }

    /// Reads a transformers `config.json` (`model_type` must be `hubert`); variants this port
    /// does not implement (layer-norm feature extractor, stable layer norm, other activations)
    /// are a clear error.
    pub fn from_json(j: &Json) -> Result<Self> {
        let a = HfArchitecture::read(j)?;
        if a.model_type != "hubert" {
            return Err(Error::Config(format!("not a HuBERT config (model_type {:?})", a.model_type)));
        }
        for (k, v, want) in [
            ("feat_extract_norm", &a.feat_extract_norm, "group"),
            ("hidden_act", &a.hidden_act, "gelu"),
            ("feat_extract_activation", &a.feat_extract_activation, "gelu"),
        ] {
            if v != want {
                return Err(Error::Config(format!("HuBERT with {k} = {v:?} is not supported (need {want:?})")));
            }
        }
        if a.do_stable_layer_norm {
            return Err(Error::Config("HuBERT with do_stable_layer_norm = true is not supported".into()));
        }
        let c: HubertConfig = from_json(j, "HuBERT config")?;
        c.validate()?;
        Ok(c)
    }

    /// Checks the sizes are consistent.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(format!("HuBERT config: {m}")));
        let w = "HuBERT config";
        check(w, "hidden_size", self.hidden_size, 1, MAX_WIDTH)?;
        check(w, "intermediate_size", self.intermediate_size, 1, MAX_WIDTH)?;
        check(w, "num_hidden_layers", self.num_hidden_layers, 1, MAX_LAYERS)?;
        check(w, "num_attention_heads", self.num_attention_heads, 1, MAX_HEADS)?;
        check(w, "num_conv_pos_embeddings", self.num_conv_pos_embeddings, 1, MAX_KERNEL)?;
        check(w, "num_conv_pos_embedding_groups", self.num_conv_pos_embedding_groups, 1, MAX_HEADS)?;
        check_list(w, "conv_dim", &self.conv_dim, 1, MAX_WIDTH)?;
        check_list(w, "conv_kernel", &self.conv_kernel, 1, MAX_KERNEL)?;
        check_list(w, "conv_stride", &self.conv_stride, 1, MAX_KERNEL)?;
        bounded_product(w, "conv_stride", &self.conv_stride, MAX_FFT)?;
        if !(self.layer_norm_eps.is_finite() && self.layer_norm_eps >= 0.0) {
            return bad("layer_norm_eps must be a finite number >= 0");
        }
        let n = self.conv_dim.len();
        if n == 0 || self.conv_kernel.len() != n || self.conv_stride.len() != n {
            return bad("conv_dim, conv_kernel and conv_stride must be non-empty and of equal length");
        }
        if self.conv_kernel.contains(&0) || self.conv_stride.contains(&0) {
            return bad("conv kernels and strides must be positive");
        }
        if self.num_attention_heads == 0 || !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return bad("hidden_size must be divisible by num_attention_heads");
        }
        let g = self.num_conv_pos_embedding_groups;
        if g == 0 || !self.hidden_size.is_multiple_of(g) || self.num_conv_pos_embeddings == 0 {
            return bad("hidden_size must be divisible by num_conv_pos_embedding_groups");
        }
        Ok(())
    }

    /// Samples consumed per output frame (the product of the strides; 320 = 20 ms at 16 kHz).
    pub fn hop(&self) -> usize {
        self.conv_stride.iter().product()
    }

    /// Frames produced for `n` input samples (0 when too short).
    pub fn frames_for(&self, n: usize) -> usize {
        let mut t = n;
        for (&k, &s) in self.conv_kernel.iter().zip(&self.conv_stride) {
            if t < k {
                return 0;
            }
            t = (t - k) / s + 1;
        }
        t
    }
}
