//! VITS attention blocks (`module/attentions.py`): multi-head attention with optional
//! relative-position embeddings, the conv FFN, and the post-norm `Encoder`.

use burn::tensor::activation::relu;
use burn::tensor::ops::PadMode;
use burn::tensor::{Tensor, backend::Backend};

use crate::Result;
use crate::models::common::{Conv1d, ConvOptions, LayerNorm};
use crate::weights::Weights;

/// `attentions.MultiHeadAttention` (1x1-conv projections; relative keys/values when
/// `window` is set, shared by all heads). Masks are not needed at batch size 1.
///
/// # Shapes
/// `x` `[B, C, Tq]`, `c` `[B, C, Tk]` -> `[B, C_out, Tq]`.
#[derive(Debug, Clone)]
pub struct MultiHeadAttention<B: Backend> {
    /// Query projection.
    pub conv_q: Conv1d<B>,
    /// Key projection.
    pub conv_k: Conv1d<B>,
    /// Value projection.
    pub conv_v: Conv1d<B>,
    /// Output projection.
    pub conv_o: Conv1d<B>,
    /// Relative key embeddings `[2W+1, d]` (heads share them).
    pub emb_rel_k: Option<Tensor<B, 2>>,
    /// Relative value embeddings `[2W+1, d]`.
    pub emb_rel_v: Option<Tensor<B, 2>>,
    n_heads: usize,
    window: usize,
}

impl<B: Backend> MultiHeadAttention<B> {
    /// Loads one attention block; `window = Some(W)` for relative-position attention.
    pub fn load(
        w: &Weights<B>,
        channels: usize,
        out_channels: usize,
        n_heads: usize,
        window: Option<usize>,
    ) -> Result<Self> {
        let d = channels / n_heads;
        let (emb_rel_k, emb_rel_v) = match window {
            Some(win) => {
                let n = 2 * win + 1;
                (
                    Some(w.tensor::<3>("emb_rel_k", [1, n, d])?.reshape([n, d])),
                    Some(w.tensor::<3>("emb_rel_v", [1, n, d])?.reshape([n, d])),
                )
            }
            None => (None, None),
        };
        Ok(MultiHeadAttention {
            conv_q: Conv1d::load(&w.pp("conv_q"), channels, channels, 1, 0)?,
            conv_k: Conv1d::load(&w.pp("conv_k"), channels, channels, 1, 0)?,
            conv_v: Conv1d::load(&w.pp("conv_v"), channels, channels, 1, 0)?,
            conv_o: Conv1d::load(&w.pp("conv_o"), channels, out_channels, 1, 0)?,
            emb_rel_k,
            emb_rel_v,
            n_heads,
            window: window.unwrap_or(0),
        })
    }

    /// Attends from `x` (queries) to `c` (keys and values).
    pub fn forward(&self, x: Tensor<B, 3>, c: Tensor<B, 3>) -> Tensor<B, 3> {
        let q = self.conv_q.forward(x);
        let k = self.conv_k.forward(c.clone());
        let v = self.conv_v.forward(c);
        let [b, ch, tq] = q.dims();
        let tk = k.dims()[2];
        let h = self.n_heads;
        let d = ch / h;
        let heads = |t: Tensor<B, 3>, len: usize| t.reshape([b, h, d, len]).swap_dims(2, 3);
        let q = heads(q, tq).div_scalar((d as f64).sqrt());
        let k = heads(k, tk);
        let v = heads(v, tk);

        let mut scores = q.clone().matmul(k.swap_dims(2, 3));
        if let Some(ek) = &self.emb_rel_k {
            let n = ek.dims()[0];
            let rel = q.matmul(ek.clone().transpose().reshape([1, 1, d, n]).expand([b, h, d, n]));
            scores = scores + relative_to_absolute(rel, self.window);
        }
        let p = crate::models::common::softmax_last(scores);
        let mut out = p.clone().matmul(v);
        if let Some(ev) = &self.emb_rel_v {
            let n = ev.dims()[0];
            let rel_p = absolute_to_relative(p, self.window);
            out = out + rel_p.matmul(ev.clone().reshape([1, 1, n, d]).expand([b, h, n, d]));
        }
        let out = out.swap_dims(2, 3).reshape([b, ch, tq]);
        self.conv_o.forward(out)
    }
}

/// Places band logits `rel[.., i, r]` (relative offset `r - W`) at `[.., i, i + r - W]` of a
/// `[.., T, T]` matrix, zero elsewhere. A skew by reshape, like upstream's
/// `_relative_position_to_absolute_position`, but over the `2W+1` band only.
fn relative_to_absolute<B: Backend>(rel: Tensor<B, 4>, window: usize) -> Tensor<B, 4> {
    let [b, h, t, n] = rel.dims();
    debug_assert_eq!(n, 2 * window + 1);
    let width = t + n; // = t + 2W + 1
    let x = rel.pad([(0, 0), (0, 0), (0, 0), (0, t)], PadMode::Constant(0.0));
    let x = x.reshape([b, h, t * width]).narrow(2, 0, t * (width - 1));
    x.reshape([b, h, t, width - 1]).narrow(3, window, t)
}

/// The inverse skew: `out[.., i, r] = p[.., i, i + r - W]` (zero outside `0..T`), like
/// upstream's `_absolute_position_to_relative_position` restricted to the band.
fn absolute_to_relative<B: Backend>(p: Tensor<B, 4>, window: usize) -> Tensor<B, 4> {
    let [b, h, t, _] = p.dims();
    let n = 2 * window + 1;
    let width = t + n;
    let x = p.pad([(0, 0), (0, 0), (0, 0), (window, window + 1)], PadMode::Constant(0.0));
    let x = x.reshape([b, h, t * width]).pad([(0, 0), (0, 0), (0, t)], PadMode::Constant(0.0));
    x.reshape([b, h, t, width + 1]).narrow(3, 0, n)
}

/// `attentions.FFN`: conv -> ReLU -> conv with "same" zero padding.
#[derive(Debug, Clone)]
pub struct Ffn<B: Backend> {
    /// First conv (channels -> filter).
    pub conv_1: Conv1d<B>,
    /// Second conv (filter -> channels).
    pub conv_2: Conv1d<B>,
}

impl<B: Backend> Ffn<B> {
    /// Loads `conv_1`/`conv_2`.
    pub fn load(w: &Weights<B>, channels: usize, filter: usize, kernel: usize) -> Result<Self> {
        let pad = ((kernel - 1) / 2, kernel / 2);
        Ok(Ffn {
            conv_1: Conv1d::load_with(
                &w.pp("conv_1"),
                channels,
                filter,
                kernel,
                ConvOptions { padding: pad, ..Default::default() },
            )?,
            conv_2: Conv1d::load_with(
                &w.pp("conv_2"),
                filter,
                channels,
                kernel,
                ConvOptions { padding: pad, ..Default::default() },
            )?,
        })
    }

    /// # Shapes
    /// `[B, C, T]` -> `[B, C, T]`.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        self.conv_2.forward(relu(self.conv_1.forward(x)))
    }
}

/// `attentions.Encoder`: post-norm transformer layers with relative attention (window 4).
#[derive(Debug, Clone)]
pub struct Encoder<B: Backend> {
    /// Self-attention per layer.
    pub attn_layers: Vec<MultiHeadAttention<B>>,
    /// LayerNorm after attention.
    pub norm_layers_1: Vec<LayerNorm<B>>,
    /// FFN per layer.
    pub ffn_layers: Vec<Ffn<B>>,
    /// LayerNorm after the FFN.
    pub norm_layers_2: Vec<LayerNorm<B>>,
}

/// Sizes of an [`Encoder`].
#[derive(Debug, Clone, Copy)]
pub struct EncoderDims {
    /// Model width.
    pub hidden: usize,
    /// FFN width.
    pub filter: usize,
    /// Attention heads.
    pub heads: usize,
    /// Layers.
    pub layers: usize,
    /// FFN kernel size.
    pub kernel: usize,
    /// Relative attention window.
    pub window: usize,
}

impl<B: Backend> Encoder<B> {
    /// Loads every layer.
    pub fn load(w: &Weights<B>, d: EncoderDims) -> Result<Self> {
        let mut e = Encoder { attn_layers: vec![], norm_layers_1: vec![], ffn_layers: vec![], norm_layers_2: vec![] };
        for i in 0..d.layers {
            e.attn_layers.push(MultiHeadAttention::load(
                &w.pp(format!("attn_layers.{i}")),
                d.hidden,
                d.hidden,
                d.heads,
                Some(d.window),
            )?);
            let norm = |list: &str| LayerNorm::load(&w.pp(format!("{list}.{i}")), d.hidden, "gamma", "beta", 1e-5);
            e.norm_layers_1.push(norm("norm_layers_1")?);
            e.ffn_layers.push(Ffn::load(&w.pp(format!("ffn_layers.{i}")), d.hidden, d.filter, d.kernel)?);
            e.norm_layers_2.push(norm("norm_layers_2")?);
        }
        Ok(e)
    }

    /// # Shapes
    /// `[B, C, T]` -> `[B, C, T]`.
    pub fn forward(&self, mut x: Tensor<B, 3>) -> Tensor<B, 3> {
        for i in 0..self.attn_layers.len() {
            let y = self.attn_layers[i].forward(x.clone(), x.clone());
            x = self.norm_layers_1[i].forward(x + y, 1);
            let y = self.ffn_layers[i].forward(x.clone());
            x = self.norm_layers_2[i].forward(x + y, 1);
        }
        x
    }
}
