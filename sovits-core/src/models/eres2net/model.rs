//! `ERes2NetV2` (upstream `GPT_SoVITS/eres2net/ERes2NetV2.py`, from 3D-Speaker), inference
//! path `forward3` only: the fused last-stage map averaged over time, which v2Pro/v2ProPlus
//! feed to SoVITS as `sv_emb`. Every BatchNorm is folded into the convolution before it at load.

use std::path::Path;

use burn::tensor::activation::{relu, silu};
use burn::tensor::module::conv2d;
use burn::tensor::ops::PaddedConvOptions;
use burn::tensor::{Tensor, TensorData, backend::Backend};

use super::config::SvConfig;
use super::kaldi::{Fbank, FbankOptions};
use crate::weights::{self, TensorStore, Weights, WeightsLoader, keymap};
use crate::{Error, Result};

/// BatchNorm's epsilon (PyTorch's default).
const BN_EPS: f64 = 1e-5;
/// The blocks' activation: upstream's class named `ReLU` is `Hardtanh(0, 20)`.
const CLAMP_MAX: f64 = 20.0;

/// A 2-D convolution with the BatchNorm after it folded in (`w * s`, `(b - mean) * s + beta`,
/// `s = gamma / sqrt(var + eps)`), or a plain one.
///
/// # Shapes
/// `[B, in, F, T]` -> `[B, out, F', T']`; weight `[out, in, k, k]`.
#[derive(Debug, Clone)]
pub struct Conv2dBn<B: Backend> {
    /// `[out, in, k, k]` (BatchNorm folded).
    pub weight: Tensor<B, 4>,
    /// `[out]`.
    pub bias: Option<Tensor<B, 1>>,
    stride: usize,
    padding: usize,
}

impl<B: Backend> Conv2dBn<B> {
    /// Loads convolution `conv` (with a bias when `bias`) and, if given, the BatchNorm `bn`.
    fn load(
        conv: &Weights<B>,
        bn: Option<&Weights<B>>,
        (inp, out, k): (usize, usize, usize),
        (stride, padding): (usize, usize),
        bias: bool,
    ) -> Result<Self> {
        let mut w: Vec<f64> = conv.host_f32("weight", &[out, inp, k, k])?.into_iter().map(f64::from).collect();
        let mut b: Option<Vec<f64>> =
            if bias { Some(conv.host_f32("bias", &[out])?.into_iter().map(f64::from).collect()) } else { None };
        if let Some(bn) = bn {
            let get = |n: &str| bn.host_f32(n, &[out]);
            let (gamma, beta, mean, var) = (get("weight")?, get("bias")?, get("running_mean")?, get("running_var")?);
            let per = inp * k * k;
            let mut folded = vec![0f64; out];
            for o in 0..out {
                let s = gamma[o] as f64 / (var[o] as f64 + BN_EPS).sqrt();
                w[o * per..(o + 1) * per].iter_mut().for_each(|v| *v *= s);
                let b0 = b.as_ref().map_or(0.0, |b| b[o]);
                folded[o] = (b0 - mean[o] as f64) * s + beta[o] as f64;
            }
            b = Some(folded);
        }
        let dev = conv.device();
        let weight = Tensor::from_data(TensorData::new(w.iter().map(|&v| v as f32).collect(), [out, inp, k, k]), dev);
        let bias = b.map(|b| Tensor::from_data(TensorData::new(b.iter().map(|&v| v as f32).collect(), [out]), dev));
        Ok(Conv2dBn { weight, bias, stride, padding })
    }

    /// Applies the convolution.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let (s, p) = (self.stride, self.padding);
        conv2d(
            x,
            self.weight.clone(),
            self.bias.clone(),
            PaddedConvOptions::asymmetric([s, s], [p, p], [p, p], [1, 1], 1),
        )
    }
}

/// Attentional feature fusion (`fusion.AFF`): `x * w + y * (2 - w)` with
/// `w = 1 + tanh(BN(conv(SiLU(BN(conv(cat(x, y)))))))`.
#[derive(Debug, Clone)]
pub struct Aff<B: Backend> {
    /// `local_att.0` + `.1`: `2C -> C / r`.
    pub squeeze: Conv2dBn<B>,
    /// `local_att.3` + `.4`: `C / r -> C`.
    pub excite: Conv2dBn<B>,
}

impl<B: Backend> Aff<B> {
    fn load(w: &Weights<B>, channels: usize) -> Result<Self> {
        let inter = channels / 4;
        let a = w.pp("local_att");
        Ok(Aff {
            squeeze: Conv2dBn::load(&a.pp("0"), Some(&a.pp("1")), (2 * channels, inter, 1), (1, 0), true)?,
            excite: Conv2dBn::load(&a.pp("3"), Some(&a.pp("4")), (inter, channels, 1), (1, 0), true)?,
        })
    }

    /// # Shapes
    /// `x`, `y` `[B, C, F, T]` -> `[B, C, F, T]`.
    pub fn forward(&self, x: Tensor<B, 4>, y: Tensor<B, 4>) -> Tensor<B, 4> {
        let a = self.excite.forward(silu(self.squeeze.forward(Tensor::cat(vec![x.clone(), y.clone()], 1))));
        let w = a.tanh() + 1.0;
        x * w.clone() + y * (w.neg() + 2.0)
    }
}

/// `BasicBlockERes2NetV2` (layers 1-2, groups combined by addition) or
/// `BasicBlockERes2NetV2AFF` (layers 3-4, combined by [`Aff`]).
#[derive(Debug, Clone)]
pub struct Block<B: Backend> {
    /// 1x1 (with the block's stride) + `bn1`.
    pub conv1: Conv2dBn<B>,
    /// Per group: 3x3 + `bns.i`.
    pub convs: Vec<Conv2dBn<B>>,
    /// Between groups (AFF blocks only): `fuse_models.i`.
    pub fuse_models: Vec<Aff<B>>,
    /// 1x1 + `bn3`.
    pub conv3: Conv2dBn<B>,
    /// 1x1 (stride) + BN when the shape changes; identity otherwise.
    pub shortcut: Option<Conv2dBn<B>>,
    width: usize,
}

impl<B: Backend> Block<B> {
    fn load(w: &Weights<B>, c: &SvConfig, stage: usize, in_planes: usize, stride: usize) -> Result<Self> {
        let (planes, width, scale) = (c.planes(stage), c.width(stage), c.scale);
        let out = planes * c.expansion;
        let mut convs = Vec::with_capacity(scale);
        for i in 0..scale {
            convs.push(Conv2dBn::load(
                &w.pp(format!("convs.{i}")),
                Some(&w.pp(format!("bns.{i}"))),
                (width, width, 3),
                (1, 1),
                false,
            )?);
        }
        let fuse_models = if stage >= 2 {
            (0..scale - 1).map(|j| Aff::load(&w.pp(format!("fuse_models.{j}")), width)).collect::<Result<_>>()?
        } else {
            Vec::new()
        };
        let shortcut = if stride != 1 || in_planes != out {
            let s = w.pp("shortcut");
            Some(Conv2dBn::load(&s.pp("0"), Some(&s.pp("1")), (in_planes, out, 1), (stride, 0), false)?)
        } else {
            None
        };
        Ok(Block {
            conv1: Conv2dBn::load(
                &w.pp("conv1"),
                Some(&w.pp("bn1")),
                (in_planes, width * scale, 1),
                (stride, 0),
                false,
            )?,
            convs,
            fuse_models,
            conv3: Conv2dBn::load(&w.pp("conv3"), Some(&w.pp("bn3")), (width * scale, out, 1), (1, 0), false)?,
            shortcut,
            width,
        })
    }

    /// # Shapes
    /// `[B, in, F, T]` -> `[B, planes * expansion, ceil(F / s), ceil(T / s)]`.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let out = self.conv1.forward(x.clone()).clamp(0.0, CLAMP_MAX);
        let groups = out.split(self.width, 1);
        let mut done: Vec<Tensor<B, 4>> = Vec::with_capacity(groups.len());
        for (i, g) in groups.into_iter().enumerate() {
            let sp = match done.last() {
                None => g,
                Some(prev) if self.fuse_models.is_empty() => prev.clone() + g,
                Some(prev) => self.fuse_models[i - 1].forward(prev.clone(), g),
            };
            done.push(self.convs[i].forward(sp).clamp(0.0, CLAMP_MAX));
        }
        let out = self.conv3.forward(Tensor::cat(done, 1));
        let residual = match &self.shortcut {
            Some(s) => s.forward(x),
            None => x,
        };
        (out + residual).clamp(0.0, CLAMP_MAX)
    }
}

/// Intermediates of [`ERes2NetV2::forward3_traced`].
#[derive(Debug, Clone)]
pub struct SvTrace<B: Backend> {
    /// Stem before its ReLU (`bn1` output) `[B, m, F, T]`.
    pub stem: Tensor<B, 4>,
    /// Each stage's output.
    pub layers: [Tensor<B, 4>; 4],
    /// `layer3_ds` output.
    pub layer3_ds: Tensor<B, 4>,
    /// `fuse34` output.
    pub fuse34: Tensor<B, 4>,
    /// The embedding `[B, embedding_dim]`.
    pub embedding: Tensor<B, 2>,
}

/// The speaker-verification model of v2Pro/v2ProPlus: 80-bin Kaldi fbank frames -> a
/// speaker embedding (`forward3`). Immutable after loading; share it between threads.
#[derive(Debug, Clone)]
pub struct ERes2NetV2<B: Backend> {
    /// Stem: 3x3 `conv1` + `bn1`, then a plain ReLU.
    pub stem: Conv2dBn<B>,
    /// `layer1` .. `layer4`.
    pub layers: [Vec<Block<B>>; 4],
    /// 3x3 stride-2 convolution on layer 3's output (no BatchNorm).
    pub layer3_ds: Conv2dBn<B>,
    /// Fusion of layer 4 with the down-sampled layer 3.
    pub fuse34: Aff<B>,
    config: SvConfig,
    fbank: Fbank,
}

impl<B: Backend> ERes2NetV2<B> {
    /// Builds the model from a state dict (every key and shape checked; `seg_1`, which
    /// `forward3` does not use, and the BatchNorms' `num_batches_tracked` are accepted).
    pub fn load(store: &TensorStore, config: &SvConfig, device: &B::Device) -> Result<Self> {
        config.validate()?;
        let loader = WeightsLoader::<B>::new(keymap::SV.model, store, device);
        let model = Self::build(&loader.root(), config)?;
        loader.finish(keymap::SV.ignore)?;
        Ok(model)
    }

    fn build(w: &Weights<B>, c: &SvConfig) -> Result<Self> {
        let m = c.m_channels;
        let stem = Conv2dBn::load(&w.pp("conv1"), Some(&w.pp("bn1")), (1, m, 3), (1, 1), false)?;
        let mut in_planes = m;
        let mut layers: [Vec<Block<B>>; 4] = Default::default();
        for (s, layer) in layers.iter_mut().enumerate() {
            let lw = w.pp(format!("layer{}", s + 1));
            for i in 0..c.num_blocks[s] {
                let stride = if i == 0 && s > 0 { 2 } else { 1 };
                layer.push(Block::load(&lw.pp(i.to_string()), c, s, in_planes, stride)?);
                in_planes = c.planes(s) * c.expansion;
            }
        }
        let (c3, c4) = (c.planes(2) * c.expansion, c.planes(3) * c.expansion);
        let layer3_ds = Conv2dBn::load(&w.pp("layer3_ds"), None, (c3, c4, 3), (2, 1), false)?;
        let fuse34 = Aff::load(&w.pp("fuse34"), c4)?;
        // `seg_1` is read (and checked) only so that a file of the wrong size fails here.
        let stats = (c.feat_dim / 8) * m * 8 * c.expansion * 2;
        w.pp("seg_1").host_f32("weight", &[c.embedding_size, stats])?;
        w.pp("seg_1").host_f32("bias", &[c.embedding_size])?;
        let fbank = Fbank::new(FbankOptions { num_mel_bins: c.feat_dim, ..Default::default() })?;
        Ok(ERes2NetV2 { stem, layers, layer3_ds, fuse34, config: c.clone(), fbank })
    }

    /// The tensors a model of this config reads.
    pub fn expected_tensors(config: &SvConfig) -> Result<Vec<(String, Vec<usize>)>> {
        weights::expected_tensors::<B>(|l, _| Self::build(&l.root(), config).map(drop))
    }

    /// A model with random weights (seeded; BatchNorm variances made positive), for
    /// benchmarks at real sizes.
    pub fn random(config: &SvConfig, seed: u64, device: &B::Device) -> Result<Self> {
        let mut store = TensorStore::random(&Self::expected_tensors(config)?, 0.02, seed);
        let vars: Vec<String> = store.keys().filter(|k| k.ends_with("running_var")).map(str::to_owned).collect();
        for k in vars {
            let t = store.get(&k).expect("listed key");
            let v: Vec<f32> = t.to_f32().iter().map(|x| 1.0 + x.abs()).collect();
            let shape = t.shape.clone();
            store.insert(k, weights::HostTensor::from_f32(shape, &v));
        }
        Self::load(&store, config, device)
    }

    /// Loads `pretrained_eres2netv2w24s4ep4.ckpt` (a plain `torch.save`d state dict, float32 or
    /// float16 storages) or a safetensors export of it; the sizes come from `config` or the
    /// official ones, refined from the tensor shapes.
    pub fn from_file(path: impl AsRef<Path>, config: Option<&SvConfig>, device: &B::Device) -> Result<Self> {
        let path = path.as_ref();
        let loaded = weights::load_state_dict(path, None)?;
        let mut c = config.cloned().unwrap_or_else(SvConfig::official);
        c.infer_from_weights(&loaded.tensors);
        Self::load(&loaded.tensors, &c, device).map_err(|e| match e {
            Error::WeightsMismatch { .. } | Error::Config(_) => Error::Format {
                path: path.to_path_buf(),
                format: "speaker-verification (ERes2NetV2) checkpoint",
                reason: format!(
                    "{e}\nGPT-SoVITS v2Pro/v2ProPlus use pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt"
                ),
            },
            e => e,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SvConfig {
        &self.config
    }

    /// Size of the embedding (20480 officially).
    pub fn embedding_dim(&self) -> usize {
        self.config.embedding_dim()
    }

    /// `forward3`: fbank frames -> embedding.
    ///
    /// # Shapes
    /// `feat` `[B, T, feat_dim]` -> `[B, embedding_dim]`.
    pub fn forward3(&self, feat: Tensor<B, 3>) -> Tensor<B, 2> {
        self.forward3_traced(feat).embedding
    }

    /// [`ERes2NetV2::forward3`] with its intermediates.
    pub fn forward3_traced(&self, feat: Tensor<B, 3>) -> SvTrace<B> {
        let x = feat.swap_dims(1, 2).unsqueeze_dim::<4>(1);
        let stem = self.stem.forward(x);
        let mut out = relu(stem.clone());
        let mut outs: Vec<Tensor<B, 4>> = Vec::with_capacity(4);
        for layer in &self.layers {
            for b in layer {
                out = b.forward(out);
            }
            outs.push(out.clone());
        }
        let layer3_ds = self.layer3_ds.forward(outs[2].clone());
        let fuse34 = self.fuse34.forward(outs[3].clone(), layer3_ds.clone());
        let [b, c, f, t] = fuse34.dims();
        let embedding = fuse34.clone().reshape([b, c * f, t]).mean_dim(2).reshape([b, c * f]);
        let layers: [Tensor<B, 4>; 4] = outs.try_into().expect("four stages");
        SvTrace { stem, layers, layer3_ds, fuse34, embedding }
    }

    /// The fbank front end of this model (80 bins at 16 kHz).
    pub fn fbank(&self) -> &Fbank {
        &self.fbank
    }

    /// `sv.SV.compute_embedding3` for one clip: Kaldi fbank of the 16 kHz samples, then
    /// [`ERes2NetV2::forward3`]. Needs at least 400 samples (one 25 ms frame).
    ///
    /// # Shapes
    /// `wav_16k` `[N]` -> `[embedding_dim]` on the host.
    pub fn embedding(&self, wav_16k: &[f32]) -> Result<Vec<f32>> {
        let (feat, frames) = self.fbank.compute(wav_16k)?;
        let dev = self.stem.weight.device();
        let x = Tensor::<B, 3>::from_data(TensorData::new(feat, [1, frames, self.config.feat_dim]), &dev);
        self.forward3(x).into_data().convert::<f32>().into_vec::<f32>().map_err(|e| Error::Audio(format!("{e:?}")))
    }
}
