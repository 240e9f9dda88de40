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
    weight: LinearWeight<B>,
    /// `[out]`.
    pub bias: Option<Tensor<B, 1>>,
}

/// How a [`Linear`] keeps its weight.
#[derive(Debug, Clone)]
enum LinearWeight<B: Backend> {
    /// A backend tensor `[in, out]`.
    Dense(Tensor<B, 2>),
    /// The checkpoint's fp16 values in burn's `[in, out]` layout on the host, widened to an f32
    /// tensor (exactly) for each call: half the memory at rest, the same arithmetic; shared
    /// with the GPT's host decoder.
    Half { values: std::sync::Arc<Vec<half::f16>>, dims: [usize; 2], device: B::Device },
}

impl<B: Backend> Linear<B> {
    /// Loads `{w}.weight` `[out, in]` and, if `bias`, `{w}.bias`. Inside
    /// [`crate::weights::with_f16_at_rest`] on a CPU backend
    /// ([`crate::backend::keeps_f16_weights`]), a weight stored in fp16 (the official
    /// checkpoints) stays fp16 at rest.
    pub fn load(w: &Weights<B>, in_features: usize, out_features: usize, bias: bool) -> Result<Self> {
        Self::load_with(w, "weight", bias.then_some("bias"), [in_features, out_features])
    }

    /// [`Linear::load`] from other key names (`in_proj_weight` / `in_proj_bias` of
    /// `nn.MultiheadAttention`).
    pub fn load_keys(
        w: &Weights<B>,
        weight: &str,
        bias: Option<&str>,
        in_features: usize,
        out_features: usize,
    ) -> Result<Self> {
        Self::load_with(w, weight, bias, [in_features, out_features])
    }

    fn load_with(w: &Weights<B>, weight: &str, bias: Option<&str>, dims: [usize; 2]) -> Result<Self> {
        let [in_features, out_features] = dims;
        let half = crate::backend::keeps_f16_weights::<B>() && crate::weights::f16_at_rest();
        let weight = match half.then(|| w.linear_weight_f16(weight, out_features, in_features)).flatten() {
            Some(values) => {
                LinearWeight::Half { values: std::sync::Arc::new(values), dims, device: w.device().clone() }
            }
            None => LinearWeight::Dense(w.linear_weight(weight, out_features, in_features)?),
        };
        let bias = match bias {
            Some(b) => Some(w.tensor(b, [out_features])?),
            None => None,
        };
        Ok(Linear { weight, bias })
    }

    /// A layer from a weight `[in, out]` and an optional bias `[out]`.
    pub fn new(weight: Tensor<B, 2>, bias: Option<Tensor<B, 1>>) -> Self {
        Linear { weight: LinearWeight::Dense(weight), bias }
    }

    /// The weight `[in, out]` as a backend tensor (widened from fp16 when kept so).
    pub fn weight(&self) -> Tensor<B, 2> {
        match &self.weight {
            LinearWeight::Dense(t) => t.clone(),
            LinearWeight::Half { values, dims, device } => {
                Tensor::from_data(burn::tensor::TensorData::new(widen(values), *dims), device)
            }
        }
    }

    /// The fp16 weight in burn's `[in, out]` layout, when it is kept so at rest.
    pub fn f16_weight(&self) -> Option<&std::sync::Arc<Vec<half::f16>>> {
        match &self.weight {
            LinearWeight::Half { values, .. } => Some(values),
            LinearWeight::Dense(_) => None,
        }
    }

    /// `[in, out]`.
    pub fn weight_dims(&self) -> [usize; 2] {
        match &self.weight {
            LinearWeight::Dense(t) => t.dims(),
            LinearWeight::Half { dims, .. } => *dims,
        }
    }

    /// Whether the weight is kept in fp16 at rest.
    pub fn is_f16_at_rest(&self) -> bool {
        matches!(self.weight, LinearWeight::Half { .. })
    }

    /// Bytes the weight takes at rest.
    pub fn weight_bytes(&self) -> usize {
        match &self.weight {
            LinearWeight::Dense(t) => t.shape().num_elements() * 4,
            LinearWeight::Half { values, .. } => values.len() * 2,
        }
    }

    /// Applies `x @ W + b`.
    pub fn forward<const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        linear(x, self.weight(), self.bias.clone())
    }
}

/// fp16 -> f32, exactly, in parallel (F16C where the CPU has it).
fn widen(v: &[half::f16]) -> Vec<f32> {
    use half::slice::HalfFloatSliceExt;
    use rayon::prelude::*;
    let mut out = vec![0f32; v.len()];
    out.par_chunks_mut(1 << 16).zip(v.par_chunks(1 << 16)).for_each(|(d, s)| s.convert_to_f32_slice(d));
    out
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

#[cfg(test)]
mod half_tests {
    use super::*;
    use crate::backend::CpuBackend;
    use crate::weights::TensorStore;

    /// An fp16 checkpoint weight kept fp16 at rest computes exactly what the f32 copy does.
    #[test]
    fn f16_at_rest_equals_the_f32_weight() {
        let shapes = vec![("l.weight".to_string(), vec![37, 21]), ("l.bias".to_string(), vec![37])];
        let store = TensorStore::random(&shapes, 0.5, 9);
        let dev = Default::default();
        let loader = crate::weights::WeightsLoader::<CpuBackend>::new("test", &store, &dev);
        let w = loader.root();
        let half = crate::weights::with_f16_at_rest(true, || Linear::load(&w.pp("l"), 21, 37, true)).unwrap();
        let outside = Linear::load(&w.pp("l"), 21, 37, true).unwrap();
        assert!(!outside.is_f16_at_rest(), "f16 at rest only inside with_f16_at_rest");
        let dense = Linear::new(
            w.pp("l").linear_weight("weight", 37, 21).unwrap(),
            Some(w.pp("l").tensor("bias", [37]).unwrap()),
        );
        assert!(half.is_f16_at_rest() && !dense.is_f16_at_rest());
        assert!(half.f16_weight().is_some() && dense.f16_weight().is_none());
        assert_eq!(half.weight_bytes() * 2, dense.weight_bytes());
        assert_eq!(half.weight_dims(), [21, 37]);
        let a = crate::models::common::to_vec_f32(half.weight());
        let b = crate::models::common::to_vec_f32(dense.weight());
        assert_eq!(a, b);
        let x = Tensor::<CpuBackend, 2>::random([5, 21], burn::tensor::Distribution::Normal(0.0, 1.0), &dev);
        assert_eq!(
            crate::models::common::to_vec_f32(half.forward(x.clone())),
            crate::models::common::to_vec_f32(dense.forward(x))
        );
    }
}
