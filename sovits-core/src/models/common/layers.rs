//! Inference layers built from checkpoint tensors (no random initialisation, no autodiff).
//!
//! Field names follow PyTorch (`weight`, `bias`) and loaders take the PyTorch shapes, so the
//! key mapping stays obvious.

use burn::tensor::module::{conv_transpose1d, conv1d, embedding, linear};
use burn::tensor::ops::{ConvTransposeOptions, PaddedConvOptions};
use burn::tensor::{Int, Tensor, TensorData, backend::Backend};
use std::sync::Arc;

use super::host_conv::{ConvGeometry, HostConv1d, HostConvTranspose1d, PreAct};
use super::to_vec_f32;

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
/// On the CPU backends ([`crate::backend::host_kernels`]) the weight is packed once for the
/// host convolution kernel ([`HostConv1d`]) and no backend tensor is kept; elsewhere (CUDA) it
/// is a backend tensor and the convolution is burn's.
///
/// # Shapes
/// input `[B, in, T]` -> output `[B, out, T']`; weight `[out, in/groups, k]`.
#[derive(Debug, Clone)]
pub struct Conv1d<B: Backend> {
    kernel: ConvKernel<B>,
    stride: usize,
    pad_left: usize,
    pad_right: usize,
    dilation: usize,
    groups: usize,
}

/// How a [`Conv1d`] keeps its weight.
#[derive(Debug, Clone)]
enum ConvKernel<B: Backend> {
    /// A backend tensor `[out, in/groups, k]` and bias, run by burn.
    Tensor { weight: Tensor<B, 3>, bias: Option<Tensor<B, 1>> },
    /// Packed for the host kernel; tensors are converted at the call.
    Host { conv: Arc<HostConv1d>, device: B::Device },
}

impl<B: Backend> Conv1d<B> {
    /// Loads `{w}.weight` (or its weight-norm pair) and `{w}.bias`, symmetric `padding`.
    pub fn load(w: &Weights<B>, in_ch: usize, out_ch: usize, kernel: usize, padding: usize) -> Result<Self> {
        Self::load_with(w, in_ch, out_ch, kernel, ConvOptions { padding: (padding, padding), ..Default::default() })
    }

    /// Loads with the options of `opts` (stride, padding, dilation, groups, bias).
    pub fn load_with(w: &Weights<B>, in_ch: usize, out_ch: usize, kernel: usize, opts: ConvOptions) -> Result<Self> {
        let shape = [out_ch, in_ch / opts.groups.max(1), kernel];
        let weight = w.weight_norm_host("weight", &shape, 0)?;
        let bias = if opts.bias { Some(w.host_f32("bias", &[out_ch])?) } else { None };
        Ok(Self::from_values(weight, bias, shape, opts, w.device(), crate::backend::host_kernels::<B>()))
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
        let shape = weight.dims();
        let device = weight.device();
        let opts = ConvOptions { stride, padding, dilation, groups, bias: bias.is_some() };
        let host = crate::backend::host_kernels::<B>();
        Self::from_values(to_vec_f32(weight), bias.map(to_vec_f32), shape, opts, &device, host)
    }

    /// The layer from host values, packed for the host kernel when `host`.
    fn from_values(
        weight: Vec<f32>,
        bias: Option<Vec<f32>>,
        shape: [usize; 3],
        opts: ConvOptions,
        device: &B::Device,
        host: bool,
    ) -> Self {
        let ConvOptions { stride, padding, dilation, groups, .. } = opts;
        let [out_ch, in_g, k] = shape;
        let kernel = if host {
            let geometry =
                ConvGeometry { c_in: in_g * groups.max(1), c_out: out_ch, k, stride, pad: padding, dilation, groups };
            let conv = HostConv1d::new(&weight, bias.as_deref(), geometry);
            ConvKernel::Host { conv: Arc::new(conv), device: device.clone() }
        } else {
            ConvKernel::Tensor {
                weight: Tensor::from_data(TensorData::new(weight, shape), device),
                bias: bias.map(|b| Tensor::from_data(TensorData::new(b, [out_ch]), device)),
            }
        };
        Conv1d { kernel, stride, pad_left: padding.0, pad_right: padding.1, dilation, groups }
    }

    /// The host kernel, when the layer runs on it (the CPU backends).
    pub fn host(&self) -> Option<&HostConv1d> {
        match &self.kernel {
            ConvKernel::Host { conv, .. } => Some(conv),
            ConvKernel::Tensor { .. } => None,
        }
    }

    /// Applies the convolution.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        match &self.kernel {
            ConvKernel::Tensor { weight, bias } => {
                let opts = PaddedConvOptions::asymmetric(
                    [self.stride],
                    [self.pad_left],
                    [self.pad_right],
                    [self.dilation],
                    self.groups,
                );
                conv1d(x, weight.clone(), bias.clone(), opts)
            }
            ConvKernel::Host { conv, device } => {
                let [b, c, t] = x.dims();
                let values = to_vec_f32(x);
                let t_out = conv.out_len(t);
                let n_out = conv.out_channels() * t_out;
                let mut out = vec![0.0f32; b * n_out];
                for (i, o) in out.chunks_exact_mut(n_out.max(1)).enumerate().take(b) {
                    conv.forward_into(&values[i * c * t..(i + 1) * c * t], t, PreAct::None, o, false);
                }
                Tensor::from_data(TensorData::new(out, [b, conv.out_channels(), t_out]), device)
            }
        }
    }
}

/// `torch.nn.ConvTranspose1d` (weight-normed over dim 0 = input channels in the checkpoint);
/// on the CPU backends run by [`HostConvTranspose1d`], as [`Conv1d`].
///
/// # Shapes
/// input `[B, in, T]` -> output `[B, out, (T-1)*stride - 2*padding + k]`; weight `[in, out, k]`.
#[derive(Debug, Clone)]
pub struct ConvTranspose1d<B: Backend> {
    kernel: ConvTransposeKernel<B>,
    stride: usize,
    padding: usize,
}

/// How a [`ConvTranspose1d`] keeps its weight.
#[derive(Debug, Clone)]
enum ConvTransposeKernel<B: Backend> {
    /// `[in, out, k]` and bias, run by burn.
    Tensor { weight: Tensor<B, 3>, bias: Option<Tensor<B, 1>> },
    /// Packed for the host kernel.
    Host { conv: Arc<HostConvTranspose1d>, device: B::Device },
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
        let weight = w.weight_norm_host("weight", &[in_ch, out_ch, kernel], 0)?;
        let bias = w.host_f32("bias", &[out_ch])?;
        let host = crate::backend::host_kernels::<B>();
        Ok(Self::from_values(weight, bias, [in_ch, out_ch, kernel], stride, padding, w.device(), host))
    }

    fn from_values(
        weight: Vec<f32>,
        bias: Vec<f32>,
        shape: [usize; 3],
        stride: usize,
        padding: usize,
        device: &B::Device,
        host: bool,
    ) -> Self {
        let [in_ch, out_ch, k] = shape;
        let kernel = if host {
            let conv = HostConvTranspose1d::new(&weight, Some(&bias), in_ch, out_ch, k, stride, padding);
            ConvTransposeKernel::Host { conv: Arc::new(conv), device: device.clone() }
        } else {
            ConvTransposeKernel::Tensor {
                weight: Tensor::from_data(TensorData::new(weight, shape), device),
                bias: Some(Tensor::from_data(TensorData::new(bias, [out_ch]), device)),
            }
        };
        ConvTranspose1d { kernel, stride, padding }
    }

    /// The host kernel, when the layer runs on it (the CPU backends).
    pub fn host(&self) -> Option<&HostConvTranspose1d> {
        match &self.kernel {
            ConvTransposeKernel::Host { conv, .. } => Some(conv),
            ConvTransposeKernel::Tensor { .. } => None,
        }
    }

    /// Applies the transposed convolution.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        match &self.kernel {
            ConvTransposeKernel::Tensor { weight, bias } => {
                let opts = ConvTransposeOptions::new([self.stride], [self.padding], [0], [1], 1);
                conv_transpose1d(x, weight.clone(), bias.clone(), opts)
            }
            ConvTransposeKernel::Host { conv, device } => {
                let [b, c, t] = x.dims();
                let values = to_vec_f32(x);
                let t_out = conv.out_len(t);
                let mut out = Vec::with_capacity(b * conv.out_channels() * t_out);
                for i in 0..b {
                    out.extend(conv.forward(&values[i * c * t..(i + 1) * c * t], t, PreAct::None).0);
                }
                Tensor::from_data(TensorData::new(out, [b, conv.out_channels(), t_out]), device)
            }
        }
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

#[cfg(test)]
mod conv_tests {
    use super::*;
    use crate::backend::CpuBackend;

    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut r = crate::rng::Rng::new(seed);
        (0..n).map(|_| r.normal() as f32).collect()
    }

    fn max_diff(a: Tensor<CpuBackend, 3>, b: Tensor<CpuBackend, 3>) -> f32 {
        assert_eq!(a.dims(), b.dims());
        let (a, b) = (to_vec_f32(a), to_vec_f32(b));
        a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    /// The host kernel and burn's convolution (the CUDA path) agree on the layer's options,
    /// batches included.
    #[test]
    fn host_and_burn_convolutions_agree() {
        let dev = Default::default();
        assert!(crate::backend::host_kernels::<CpuBackend>());
        // (in, out, k, stride, padding, dilation, groups, bias, T)
        let cases = [
            (8, 6, 5, 1, (2, 2), 3, 1, true, 40),
            (4, 8, 10, 5, (0, 0), 1, 1, false, 83),
            (12, 12, 7, 1, (3, 3), 1, 4, true, 29),
            (6, 6, 3, 2, (0, 1), 1, 1, true, 30),
        ];
        for (i, &(ci, co, k, s, pad, d, g, bias, t)) in cases.iter().enumerate() {
            let opts = ConvOptions { stride: s, padding: pad, dilation: d, groups: g, bias };
            let shape = [co, ci / g, k];
            let w = values(co * ci / g * k, i as u64);
            let b = bias.then(|| values(co, 50 + i as u64));
            let host = Conv1d::<CpuBackend>::from_values(w.clone(), b.clone(), shape, opts, &dev, true);
            let burn = Conv1d::<CpuBackend>::from_values(w, b, shape, opts, &dev, false);
            assert!(host.host().is_some() && burn.host().is_none());
            let x = Tensor::<CpuBackend, 3>::from_data(TensorData::new(values(2 * ci * t, 99), [2, ci, t]), &dev);
            let m = max_diff(host.forward(x.clone()), burn.forward(x));
            assert!(m < 1e-4, "case {i}: {m}");
        }
        // (in, out, k, stride, padding, T): HiFi-GAN's upsamplers.
        for (i, &(ci, co, k, s, p, t)) in
            [(8, 4, 16, 10, 3, 7), (6, 3, 16, 8, 4, 5), (4, 2, 4, 2, 1, 19)].iter().enumerate()
        {
            let w = values(ci * co * k, 200 + i as u64);
            let b = values(co, 300 + i as u64);
            let host = ConvTranspose1d::<CpuBackend>::from_values(w.clone(), b.clone(), [ci, co, k], s, p, &dev, true);
            let burn = ConvTranspose1d::<CpuBackend>::from_values(w, b, [ci, co, k], s, p, &dev, false);
            assert!(host.host().is_some() && burn.host().is_none());
            let x = Tensor::<CpuBackend, 3>::from_data(TensorData::new(values(2 * ci * t, 98), [2, ci, t]), &dev);
            let m = max_diff(host.forward(x.clone()), burn.forward(x));
            assert!(m < 1e-4, "transpose case {i}: {m}");
        }
    }
}
