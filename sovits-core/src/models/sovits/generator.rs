//! `dec`: the HiFi-GAN `Generator` (`module/models.py`) with `ResBlock1`/`ResBlock2`
//! (`module/modules.py`).

use burn::tensor::activation::tanh;
use burn::tensor::{Tensor, TensorData, backend::Backend};

use super::config::SovitsConfig;
use crate::Result;
use crate::models::common::host_conv::{HostConv1d, PreAct};
use crate::models::common::{Conv1d, ConvOptions, ConvTranspose1d, leaky_relu, to_vec_f32};
use crate::weights::Weights;

const LRELU_SLOPE: f64 = 0.1;

/// `ResBlock1` (pairs of dilated + plain convs) or `ResBlock2` (dilated convs only).
#[derive(Debug, Clone)]
pub struct ResBlock<B: Backend> {
    /// Dilated convs.
    pub convs1: Vec<Conv1d<B>>,
    /// Plain convs (empty for `ResBlock2`).
    pub convs2: Vec<Conv1d<B>>,
}

impl<B: Backend> ResBlock<B> {
    fn load(w: &Weights<B>, kind: &str, ch: usize, k: usize, dilations: &[usize]) -> Result<Self> {
        let pad = |d: usize| (k * d - d) / 2;
        let conv = |name: String, d: usize| {
            Conv1d::load_with(
                &w.pp(name),
                ch,
                ch,
                k,
                ConvOptions { padding: (pad(d), pad(d)), dilation: d, ..Default::default() },
            )
        };
        // Resblock "1" has a second conv (dilation 1) after each dilated one; "2" has one list.
        let (first, second) = if kind == "1" { ("convs1", Some("convs2")) } else { ("convs", None) };
        let convs1 =
            dilations.iter().enumerate().map(|(i, &d)| conv(format!("{first}.{i}"), d)).collect::<Result<_>>()?;
        let convs2 = match second {
            Some(name) => (0..dilations.len()).map(|i| conv(format!("{name}.{i}"), 1)).collect::<Result<_>>()?,
            None => Vec::new(),
        };
        Ok(ResBlock { convs1, convs2 })
    }

    /// [`ResBlock::forward`] in place on one item `[C, T]` with the host kernels; `false` (and
    /// `x` untouched) when a layer is not on them.
    fn forward_host(&self, x: &mut [f32], t: usize, tmp: &mut Vec<f32>) -> bool {
        let act = PreAct::LeakyRelu(LRELU_SLOPE as f32);
        let c1: Option<Vec<&HostConv1d>> = self.convs1.iter().map(Conv1d::host).collect();
        let c2: Option<Vec<&HostConv1d>> = self.convs2.iter().map(Conv1d::host).collect();
        let (Some(c1), Some(c2)) = (c1, c2) else { return false };
        tmp.resize(x.len(), 0.0);
        for (i, c1) in c1.iter().enumerate() {
            match c2.get(i) {
                Some(c2) => {
                    c1.forward_into(x, t, act, tmp, false);
                    c2.forward_into(tmp, t, act, x, true);
                }
                None => {
                    // x + conv(x): the convolution reads x while writing, so into a copy.
                    tmp.copy_from_slice(x);
                    c1.forward_into(x, t, act, tmp, true);
                    x.copy_from_slice(tmp);
                }
            }
        }
        true
    }

    /// # Shapes
    /// `[B, C, T]` -> `[B, C, T]`.
    pub fn forward(&self, mut x: Tensor<B, 3>) -> Tensor<B, 3> {
        for (i, c1) in self.convs1.iter().enumerate() {
            let mut t = c1.forward(leaky_relu(x.clone(), LRELU_SLOPE));
            if let Some(c2) = self.convs2.get(i) {
                t = c2.forward(leaky_relu(t, LRELU_SLOPE));
            }
            x = t + x;
        }
        x
    }
}

/// HiFi-GAN `Generator`.
#[derive(Debug, Clone)]
pub struct Generator<B: Backend> {
    /// Input conv (k7), not weight-normed.
    pub conv_pre: Conv1d<B>,
    /// Timbre conditioning (1x1).
    pub cond: Conv1d<B>,
    /// Upsampling transposed convs.
    pub ups: Vec<ConvTranspose1d<B>>,
    /// Resblocks, `resblocks[i * n_kernels + j]`.
    pub resblocks: Vec<ResBlock<B>>,
    /// Output conv (k7, no bias).
    pub conv_post: Conv1d<B>,
    n_kernels: usize,
}

impl<B: Backend> Generator<B> {
    /// Loads `dec`.
    pub fn load(w: &Weights<B>, c: &SovitsConfig) -> Result<Self> {
        let ch0 = c.upsample_initial_channel;
        let mut ups = Vec::new();
        let mut resblocks = Vec::new();
        let mut ch = ch0;
        for (i, (&u, &k)) in c.upsample_rates.iter().zip(&c.upsample_kernel_sizes).enumerate() {
            let out = ch0 >> (i + 1);
            ups.push(ConvTranspose1d::load(&w.pp(format!("ups.{i}")), ch0 >> i, out, k, u, (k - u) / 2)?);
            ch = out;
            for (j, (&rk, rd)) in c.resblock_kernel_sizes.iter().zip(&c.resblock_dilation_sizes).enumerate() {
                let idx = i * c.resblock_kernel_sizes.len() + j;
                resblocks.push(ResBlock::load(&w.pp(format!("resblocks.{idx}")), &c.resblock, out, rk, rd)?);
            }
        }
        Ok(Generator {
            conv_pre: Conv1d::load(&w.pp("conv_pre"), c.inter_channels, ch0, 7, 3)?,
            cond: Conv1d::load(&w.pp("cond"), c.gin_channels, ch0, 1, 0)?,
            ups,
            resblocks,
            conv_post: Conv1d::load_with(
                &w.pp("conv_post"),
                ch,
                1,
                7,
                ConvOptions { padding: (3, 3), bias: false, ..Default::default() },
            )?,
            n_kernels: c.resblock_kernel_sizes.len(),
        })
    }

    /// # Shapes
    /// `z` `[B, inter, T]`, `g` `[B, gin, 1]` -> waveform `[B, 1, T * prod(upsample_rates)]`.
    pub fn forward(&self, z: Tensor<B, 3>, g: Tensor<B, 3>) -> Tensor<B, 3> {
        if self.conv_pre.host().is_some() {
            let [b, c, t] = z.dims();
            let gc = g.dims()[1];
            let device = z.device();
            let (zv, gv) = (to_vec_f32(z.clone()), to_vec_f32(g.clone()));
            let mut out = Vec::new();
            let mut n = 0;
            for i in 0..b {
                let gi = &gv[(i % g.dims()[0]) * gc..][..gc];
                match self.forward_host(&zv[i * c * t..(i + 1) * c * t], t, gi) {
                    Some(y) => {
                        n = y.len();
                        out.extend(y);
                    }
                    None => break,
                }
            }
            if out.len() == b * n {
                return Tensor::from_data(TensorData::new(out, [b, 1, n]), &device);
            }
        }
        self.forward_tensors(z, g)
    }

    /// One item with the host kernels: `z` `[inter, T]`, `g` `[gin]` -> the waveform, or `None`
    /// when a layer is not on the host kernels.
    fn forward_host(&self, z: &[f32], t: usize, g: &[f32]) -> Option<Vec<f32>> {
        let slope = PreAct::LeakyRelu(LRELU_SLOPE as f32);
        let pre = self.conv_pre.host()?;
        let (mut x, _) = pre.forward(z, t, PreAct::None);
        let (cond, _) = self.cond.host()?.forward(g, 1, PreAct::None);
        for (row, &cv) in x.chunks_exact_mut(t.max(1)).zip(&cond) {
            row.iter_mut().for_each(|v| *v += cv);
        }
        let mut t = t;
        let (mut r, mut tmp) = (Vec::new(), Vec::new());
        for (i, up) in self.ups.iter().enumerate() {
            let (mut y, ty) = up.host()?.forward(&x, t, slope);
            t = ty;
            let mut xs = vec![0.0f32; y.len()];
            for j in 0..self.n_kernels {
                // Each resblock works in place: the last one on `y` itself, the others on a copy.
                let buf = if j + 1 == self.n_kernels {
                    &mut y
                } else {
                    r.clear();
                    r.extend_from_slice(&y);
                    &mut r
                };
                if !self.resblocks[i * self.n_kernels + j].forward_host(buf, t, &mut tmp) {
                    return None;
                }
                xs.iter_mut().zip(buf.iter()).for_each(|(s, v)| *s += v);
            }
            let n = self.n_kernels as f32;
            xs.iter_mut().for_each(|v| *v /= n);
            x = xs;
        }
        // The last activation uses PyTorch's default slope (0.01), not 0.1.
        let (mut y, _) = self.conv_post.host()?.forward(&x, t, PreAct::LeakyRelu(0.01));
        y.iter_mut().for_each(|v| *v = v.tanh());
        Some(y)
    }

    /// [`Generator::forward`] with burn's tensor operations (the GPU backends).
    fn forward_tensors(&self, z: Tensor<B, 3>, g: Tensor<B, 3>) -> Tensor<B, 3> {
        let mut x = self.conv_pre.forward(z) + self.cond.forward(g);
        for (i, up) in self.ups.iter().enumerate() {
            x = up.forward(leaky_relu(x, LRELU_SLOPE));
            let mut xs: Option<Tensor<B, 3>> = None;
            for j in 0..self.n_kernels {
                let r = self.resblocks[i * self.n_kernels + j].forward(x.clone());
                xs = Some(match xs {
                    None => r,
                    Some(s) => s + r,
                });
            }
            x = xs.expect("at least one resblock kernel").div_scalar(self.n_kernels as f64);
        }
        // The last activation uses PyTorch's default slope (0.01), not 0.1.
        tanh(self.conv_post.forward(leaky_relu(x, 0.01)))
    }
}
