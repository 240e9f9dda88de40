//! Inference layers built from checkpoint tensors (no random initialisation, no autodiff).
//!
//! Field names follow PyTorch (`weight`, `bias`) and loaders take the PyTorch shapes, so the
//! key mapping stays obvious.

use burn::tensor::module::{conv_transpose1d, conv1d, embedding, linear};
use burn::tensor::ops::{ConvTransposeOptions, PaddedConvOptions};
use burn::tensor::{Int, Tensor, backend::Backend};

use crate::Result;
use crate::weights::Weights;

/// The options of a [`Conv1d`] besides its sizes (`torch.nn.Conv1d`'s keyword arguments);
/// the default is PyTorch's: stride 1, no padding, dilation 1, one group, a bias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvOptions {
    /// Stride.
    pub stride: usize,
    /// Zeros added (left, right).
    pub padding: (usize, usize),
    /// Dilation.
    pub dilation: usize,
    /// Groups.
    pub groups: usize,
    /// Whether the layer has a bias (`bias=False` upstream: `false`).
    pub bias: bool,
}

impl Default for ConvOptions {
    fn default() -> Self {
        ConvOptions { stride: 1, padding: (0, 0), dilation: 1, groups: 1, bias: true }
    }
}

/// `torch.nn.Conv1d` (optionally weight-normed in the checkpoint; folded at load).
///
/// # Shapes
/// input `[B, in, T]` -> output `[B, out, T']`; weight `[out, in/groups, k]`.
#[derive(Debug, Clone)]
pub struct Conv1d<B: Backend> {
    /// `[out, in/groups, k]`.
    pub weight: Tensor<B, 3>,
    /// `[out]`.
    pub bias: Option<Tensor<B, 1>>,
    stride: usize,
    pad_left: usize,
    pad_right: usize,
    dilation: usize,
    groups: usize,
}

impl<B: Backend> Conv1d<B> {
    /// Loads `{w}.weight` (or its weight-norm pair) and `{w}.bias`, symmetric `padding`.
    pub fn load(w: &Weights<B>, in_ch: usize, out_ch: usize, kernel: usize, padding: usize) -> Result<Self> {
        Self::load_with(w, in_ch, out_ch, kernel, ConvOptions { padding: (padding, padding), ..Default::default() })
    }

    /// Loads with the options of `opts` (stride, padding, dilation, groups, bias).
    pub fn load_with(w: &Weights<B>, in_ch: usize, out_ch: usize, kernel: usize, opts: ConvOptions) -> Result<Self> {
        let ConvOptions { stride, padding, dilation, groups, bias } = opts;
        let weight = w.weight_norm("weight", [out_ch, in_ch / groups.max(1), kernel], 0)?;
        let bias = if bias { Some(w.tensor("bias", [out_ch])?) } else { None };
        Ok(Conv1d { weight, bias, stride, pad_left: padding.0, pad_right: padding.1, dilation, groups })
    }

    /// A convolution from an already folded weight `[out, in/groups, k]`.
    pub fn new(
        weight: Tensor<B, 3>,
        bias: Option<Tensor<B, 1>>,
        stride: usize,
        padding: (usize, usize),
        dilation: usize,
        groups: usize,
    ) -> Self {
        Conv1d { weight, bias, stride, pad_left: padding.0, pad_right: padding.1, dilation, groups }
    }

    /// Applies the convolution.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let opts = PaddedConvOptions::asymmetric(
            [self.stride],
            [self.pad_left],
            [self.pad_right],
            [self.dilation],
            self.groups,
        );
        conv1d(x, self.weight.clone(), self.bias.clone(), opts)
    }
}

/// `torch.nn.ConvTranspose1d` (weight-normed over dim 0 = input channels in the checkpoint).
///
/// # Shapes
/// input `[B, in, T]` -> output `[B, out, (T-1)*stride - 2*padding + k]`; weight `[in, out, k]`.
#[derive(Debug, Clone)]
pub struct ConvTranspose1d<B: Backend> {
    /// `[in, out, k]`.
    pub weight: Tensor<B, 3>,
    /// `[out]`.
    pub bias: Option<Tensor<B, 1>>,
    stride: usize,
    padding: usize,
}

impl<B: Backend> ConvTranspose1d<B> {
    /// Loads `{w}.weight` (or `weight_g`/`weight_v`) and `{w}.bias`.
    pub fn load(
        w: &Weights<B>,
        in_ch: usize,
        out_ch: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
    ) -> Result<Self> {
        let weight = w.weight_norm("weight", [in_ch, out_ch, kernel], 0)?;
        let bias = Some(w.tensor("bias", [out_ch])?);
        Ok(ConvTranspose1d { weight, bias, stride, padding })
    }

    /// Applies the transposed convolution.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let opts = ConvTransposeOptions::new([self.stride], [self.padding], [0], [1], 1);
        conv_transpose1d(x, self.weight.clone(), self.bias.clone(), opts)
    }
}

/// `torch.nn.Linear`, stored in burn's `[in, out]` layout.
///
/// # Shapes
/// input `[..., in]` -> output `[..., out]`.
#[derive(Debug, Clone)]
pub struct Linear<B: Backend> {
    /// `[in, out]` (transposed from PyTorch's `[out, in]` at load).
    pub weight: Tensor<B, 2>,
    /// `[out]`.
    pub bias: Option<Tensor<B, 1>>,
}

impl<B: Backend> Linear<B> {
    /// Loads `{w}.weight` `[out, in]` and, if `bias`, `{w}.bias`.
    pub fn load(w: &Weights<B>, in_features: usize, out_features: usize, bias: bool) -> Result<Self> {
        Ok(Linear {
            weight: w.linear_weight("weight", out_features, in_features)?,
            bias: if bias { Some(w.tensor("bias", [out_features])?) } else { None },
        })
    }

    /// Applies `x @ W + b`.
    pub fn forward<const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        linear(x, self.weight.clone(), self.bias.clone())
    }
}

/// LayerNorm over one axis with `gamma`/`beta` (VITS' channel-first `modules.LayerNorm` uses
/// axis 1 of `[B, C, T]`; transformer LayerNorms use the last axis).
#[derive(Debug, Clone)]
pub struct LayerNorm<B: Backend> {
    /// Scale `[C]`.
    pub gamma: Tensor<B, 1>,
    /// Shift `[C]`.
    pub beta: Tensor<B, 1>,
    eps: f64,
}

impl<B: Backend> LayerNorm<B> {
    /// Loads `{w}.{gamma_name}` and `{w}.{beta_name}` (`gamma`/`beta` in VITS, `weight`/`bias`
    /// in `torch.nn.LayerNorm`).
    pub fn load(w: &Weights<B>, channels: usize, gamma_name: &str, beta_name: &str, eps: f64) -> Result<Self> {
        Ok(LayerNorm { gamma: w.tensor(gamma_name, [channels])?, beta: w.tensor(beta_name, [channels])?, eps })
    }

    /// Normalises `x` over `dim`.
    pub fn forward<const D: usize>(&self, x: Tensor<B, D>, dim: usize) -> Tensor<B, D> {
        super::layer_norm_dim(x, dim, &self.gamma, &self.beta, self.eps)
    }
}

/// `torch.nn.Embedding`.
///
/// # Shapes
/// ids `[B, T]` -> `[B, T, D]`; weight `[V, D]`.
#[derive(Debug, Clone)]
pub struct Embedding<B: Backend> {
    /// `[V, D]`.
    pub weight: Tensor<B, 2>,
}

impl<B: Backend> Embedding<B> {
    /// Loads `{w}.weight`.
    pub fn load(w: &Weights<B>, vocab: usize, dim: usize) -> Result<Self> {
        Ok(Embedding { weight: w.tensor("weight", [vocab, dim])? })
    }

    /// Number of rows.
    pub fn vocab(&self) -> usize {
        self.weight.dims()[0]
    }

    /// Looks the ids up.
    pub fn forward(&self, ids: Tensor<B, 2, Int>) -> Tensor<B, 3> {
        embedding(self.weight.clone(), ids)
    }
}
