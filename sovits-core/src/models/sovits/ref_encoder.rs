//! `ref_enc`: the `MelStyleEncoder` (`module/modules.py`) that turns the reference linear
//! spectrogram into the timbre vector `ge`.

use burn::tensor::activation::{mish, sigmoid};
use burn::tensor::{Tensor, backend::Backend};

use super::config::SovitsConfig;
use crate::Result;
use crate::models::common::attention::{merge_heads, sdpa, split_heads};
use crate::models::common::{Conv1d, Linear};
use crate::weights::Weights;

/// `Conv1dGLU`: conv to 2C, gated linear unit, residual.
#[derive(Debug, Clone)]
pub struct Conv1dGlu<B: Backend> {
    /// `conv1.conv`.
    pub conv1: Conv1d<B>,
    channels: usize,
}

impl<B: Backend> Conv1dGlu<B> {
    fn load(w: &Weights<B>, channels: usize, kernel: usize) -> Result<Self> {
        Ok(Conv1dGlu {
            conv1: Conv1d::load(&w.pp("conv1.conv"), channels, 2 * channels, kernel, (kernel - 1) / 2)?,
            channels,
        })
    }

    fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let h = self.conv1.forward(x.clone());
        let a = h.clone().narrow(1, 0, self.channels);
        let g = h.narrow(1, self.channels, self.channels);
        x + a * sigmoid(g)
    }
}

/// The style encoder's own multi-head self-attention (temperature `sqrt(d_model)`).
#[derive(Debug, Clone)]
pub struct StyleAttention<B: Backend> {
    /// Query projection.
    pub w_qs: Linear<B>,
    /// Key projection.
    pub w_ks: Linear<B>,
    /// Value projection.
    pub w_vs: Linear<B>,
    /// Output projection.
    pub fc: Linear<B>,
    n_head: usize,
    d_model: usize,
}

impl<B: Backend> StyleAttention<B> {
    fn load(w: &Weights<B>, d_model: usize, n_head: usize) -> Result<Self> {
        Ok(StyleAttention {
            w_qs: Linear::load(&w.pp("w_qs"), d_model, d_model, true)?,
            w_ks: Linear::load(&w.pp("w_ks"), d_model, d_model, true)?,
            w_vs: Linear::load(&w.pp("w_vs"), d_model, d_model, true)?,
            fc: Linear::load(&w.pp("fc"), d_model, d_model, true)?,
            n_head,
            d_model,
        })
    }

    /// # Shapes
    /// `[B, T, C]` -> `[B, T, C]` (residual included).
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let h = self.n_head;
        let q = split_heads(self.w_qs.forward(x.clone()), h);
        let k = split_heads(self.w_ks.forward(x.clone()), h);
        let v = split_heads(self.w_vs.forward(x.clone()), h);
        // Upstream scales by the model width, not the head width.
        let out = merge_heads(sdpa(q, k, v, (self.d_model as f64).sqrt(), None));
        self.fc.forward(out) + x
    }
}

/// `MelStyleEncoder`.
#[derive(Debug, Clone)]
pub struct MelStyleEncoder<B: Backend> {
    /// `spectral.0.fc` (bins -> hidden).
    pub spectral_0: Linear<B>,
    /// `spectral.3.fc` (hidden -> hidden).
    pub spectral_3: Linear<B>,
    /// `temporal.0`, `temporal.1`.
    pub temporal: Vec<Conv1dGlu<B>>,
    /// `slf_attn`.
    pub slf_attn: StyleAttention<B>,
    /// `fc.fc` (hidden -> gin).
    pub fc: Linear<B>,
    in_channels: usize,
}

impl<B: Backend> MelStyleEncoder<B> {
    /// Loads `ref_enc`.
    pub fn load(w: &Weights<B>, c: &SovitsConfig) -> Result<Self> {
        let hid = c.style_hidden;
        Ok(MelStyleEncoder {
            spectral_0: Linear::load(&w.pp("spectral.0.fc"), c.ref_enc_in_channels, hid, true)?,
            spectral_3: Linear::load(&w.pp("spectral.3.fc"), hid, hid, true)?,
            temporal: (0..2)
                .map(|i| Conv1dGlu::load(&w.pp(format!("temporal.{i}")), hid, c.style_kernel_size))
                .collect::<Result<_>>()?,
            slf_attn: StyleAttention::load(&w.pp("slf_attn"), hid, c.style_head)?,
            fc: Linear::load(&w.pp("fc.fc"), hid, c.gin_channels, true)?,
            in_channels: c.ref_enc_in_channels,
        })
    }

    /// Number of spectrogram bins read.
    pub fn in_channels(&self) -> usize {
        self.in_channels
    }

    /// Timbre vector of a spectrogram `[1, >=bins, T]` (only the first `in_channels` bins are
    /// used) -> `[1, gin, 1]`.
    pub fn forward(&self, spec: Tensor<B, 3>) -> Tensor<B, 3> {
        let x = spec.narrow(1, 0, self.in_channels).swap_dims(1, 2); // [B, T, bins]
        let x = mish(self.spectral_0.forward(x));
        let x = mish(self.spectral_3.forward(x));
        let mut x = x.swap_dims(1, 2);
        for t in &self.temporal {
            x = t.forward(x);
        }
        let x = self.slf_attn.forward(x.swap_dims(1, 2));
        let x = self.fc.forward(x); // [B, T, gin]
        // Upstream's masked temporal average: x / len, then a sum over time.
        let t = x.dims()[1];
        let w = x.div_scalar(t as f64).sum_dim(1); // [B, 1, gin]
        w.swap_dims(1, 2)
    }
}
