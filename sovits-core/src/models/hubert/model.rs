//! transformers `HubertModel` (feature extractor with group norm, feature projection,
//! weight-normed positional conv, post-LN encoder).

use std::path::Path;

use burn::tensor::{Tensor, TensorData, backend::Backend};

use super::config::HubertConfig;
use crate::models::common::attention::multi_head_attention;
use crate::models::common::hf::HfFolder;
use crate::models::common::host_conv::{HostConv1d, PreAct};
use crate::models::common::{Conv1d, ConvOptions, LayerNorm, Linear, gelu, gelu_in_place, to_vec_f32};
use crate::weights::{KeyMap, TensorStore, Weights, WeightsLoader};
use crate::{Error, Result};

/// HuBERT keys (`HubertModel`, no prefix); `masked_spec_embed` is training only. A
/// `HubertForCTC`-style `hubert.` prefix is stripped.
pub const HUBERT_KEYS: KeyMap = KeyMap {
    model: "HuBERT",
    strip_prefix: Some("hubert."),
    renames: &[],
    ignore: &["masked_spec_embed", "lm_head.*"],
};

/// One post-LN encoder layer.
#[derive(Debug, Clone)]
pub struct HubertLayer<B: Backend> {
    /// `attention.q_proj`.
    pub q_proj: Linear<B>,
    /// `attention.k_proj`.
    pub k_proj: Linear<B>,
    /// `attention.v_proj`.
    pub v_proj: Linear<B>,
    /// `attention.out_proj`.
    pub out_proj: Linear<B>,
    /// `layer_norm` (after attention).
    pub layer_norm: LayerNorm<B>,
    /// `feed_forward.intermediate_dense`.
    pub intermediate_dense: Linear<B>,
    /// `feed_forward.output_dense`.
    pub output_dense: Linear<B>,
    /// `final_layer_norm`.
    pub final_layer_norm: LayerNorm<B>,
    heads: usize,
}

/// Outputs of [`HubertModel::forward`].
#[derive(Debug, Clone)]
pub struct HubertOutput<B: Backend> {
    /// Feature-extractor output `[1, conv_dim, T]`.
    pub extract_features: Tensor<B, 3>,
    /// `hidden_states[0..=layers]` `[1, T, H]` each (embedding output, then every layer).
    pub hidden_states: Vec<Tensor<B, 3>>,
}

impl<B: Backend> HubertOutput<B> {
    /// `last_hidden_state` `[1, T, H]`.
    pub fn last_hidden_state(&self) -> Tensor<B, 3> {
        self.hidden_states.last().expect("at least the embedding output").clone()
    }
}

/// CN-HuBERT. Immutable after loading.
#[derive(Debug, Clone)]
pub struct HubertModel<B: Backend> {
    /// `feature_extractor.conv_layers.*.conv`.
    pub conv_layers: Vec<Conv1d<B>>,
    /// `feature_extractor.conv_layers.0.layer_norm`: GroupNorm with one group per channel.
    pub conv0_norm: (Tensor<B, 1>, Tensor<B, 1>),
    /// `feature_projection.layer_norm`.
    pub projection_norm: Option<LayerNorm<B>>,
    /// `feature_projection.projection`.
    pub projection: Linear<B>,
    /// `encoder.pos_conv_embed.conv` (weight norm over dim 2 folded).
    pub pos_conv: Conv1d<B>,
    /// `encoder.layer_norm`.
    pub layer_norm: LayerNorm<B>,
    /// `encoder.layers`.
    pub layers: Vec<HubertLayer<B>>,
    config: HubertConfig,
    device: B::Device,
}

impl<B: Backend> HubertModel<B> {
    fn build(w: &Weights<B>, c: &HubertConfig) -> Result<Self> {
        let mut conv_layers = Vec::new();
        let mut in_ch = 1;
        for (i, ((&out, &k), &s)) in c.conv_dim.iter().zip(&c.conv_kernel).zip(&c.conv_stride).enumerate() {
            let cw = w.pp(format!("feature_extractor.conv_layers.{i}.conv"));
            conv_layers.push(Conv1d::load_with(
                &cw,
                in_ch,
                out,
                k,
                ConvOptions { stride: s, bias: c.conv_bias, ..Default::default() },
            )?);
            in_ch = out;
        }
        let n0 = w.pp("feature_extractor.conv_layers.0.layer_norm");
        let conv0_norm = (n0.tensor("weight", [c.conv_dim[0]])?, n0.tensor("bias", [c.conv_dim[0]])?);
        let fp = w.pp("feature_projection");
        let last = *c.conv_dim.last().ok_or_else(|| Error::Config("HuBERT config: conv_dim is empty".into()))?;
        let h = c.hidden_size;
        let k = c.num_conv_pos_embeddings;
        let g = c.num_conv_pos_embedding_groups;
        let pw = w.pp("encoder.pos_conv_embed.conv");
        let pos_conv = Conv1d::new(
            pw.weight_norm("weight", [h, h / g, k], 2)?,
            Some(pw.tensor("bias", [h])?),
            1,
            (k / 2, k / 2),
            1,
            g,
        );
        let layers = (0..c.num_hidden_layers)
            .map(|i| {
                let l = w.pp(format!("encoder.layers.{i}"));
                let a = l.pp("attention");
                Ok(HubertLayer {
                    q_proj: Linear::load(&a.pp("q_proj"), h, h, true)?,
                    k_proj: Linear::load(&a.pp("k_proj"), h, h, true)?,
                    v_proj: Linear::load(&a.pp("v_proj"), h, h, true)?,
                    out_proj: Linear::load(&a.pp("out_proj"), h, h, true)?,
                    layer_norm: LayerNorm::load(&l.pp("layer_norm"), h, "weight", "bias", c.layer_norm_eps)?,
                    intermediate_dense: Linear::load(
                        &l.pp("feed_forward.intermediate_dense"),
                        h,
                        c.intermediate_size,
                        true,
                    )?,
                    output_dense: Linear::load(&l.pp("feed_forward.output_dense"), c.intermediate_size, h, true)?,
                    final_layer_norm: LayerNorm::load(
                        &l.pp("final_layer_norm"),
                        h,
                        "weight",
                        "bias",
                        c.layer_norm_eps,
                    )?,
                    heads: c.num_attention_heads,
                })
            })
            .collect::<Result<_>>()?;
        Ok(HubertModel {
            conv_layers,
            conv0_norm,
            projection_norm: match c.feat_proj_layer_norm {
                true => Some(LayerNorm::load(&fp.pp("layer_norm"), last, "weight", "bias", c.layer_norm_eps)?),
                false => None,
            },
            projection: Linear::load(&fp.pp("projection"), last, h, true)?,
            pos_conv,
            layer_norm: LayerNorm::load(&w.pp("encoder.layer_norm"), h, "weight", "bias", c.layer_norm_eps)?,
            layers,
            config: c.clone(),
            device: w.device().clone(),
        })
    }

    /// Builds the model from a state dict, checking every key and shape.
    pub fn load(store: &TensorStore, config: &HubertConfig, device: &B::Device) -> Result<Self> {
        config.validate()?;
        let store = HUBERT_KEYS.apply(store.clone());
        let loader = WeightsLoader::<B>::new(HUBERT_KEYS.model, &store, device);
        let model = Self::build(&loader.root(), config)?;
        loader.finish(HUBERT_KEYS.ignore)?;
        Ok(model)
    }

    /// Loads a Hugging Face folder (`config.json` + `model.safetensors` or `pytorch_model.bin`),
    /// e.g. GPT-SoVITS' `pretrained_models/chinese-hubert-base`.
    pub fn from_folder(dir: impl AsRef<Path>, device: &B::Device) -> Result<Self> {
        let f = HfFolder::open(dir, "hubert")?;
        let config = HubertConfig::from_json(&f.config).map_err(|e| e.in_file(&f.dir.join("config.json")))?;
        Self::load(&f.tensors()?, &config, device)
    }

    /// The tensors a model of this config reads (for random-weight models).
    pub fn expected_tensors(config: &HubertConfig) -> Result<Vec<(String, Vec<usize>)>> {
        crate::weights::expected_tensors::<B>(|l, _| Self::build(&l.root(), config).map(drop))
    }

    /// A model with random weights (seeded), for benchmarks at real sizes.
    pub fn random(config: &HubertConfig, seed: u64, device: &B::Device) -> Result<Self> {
        let store = TensorStore::random(&Self::expected_tensors(config)?, 0.02, seed);
        Self::load(&store, config, device)
    }

    /// The configuration.
    pub fn config(&self) -> &HubertConfig {
        &self.config
    }

    /// Runs the model on raw 16 kHz samples (no normalisation, like GPT-SoVITS).
    ///
    /// # Shapes
    /// `wav` `[N]` -> hidden states `[1, T, H]` with `T` = [`HubertConfig::frames_for`]`(N)`.
    pub fn forward(&self, wav: &[f32]) -> Result<HubertOutput<B>> {
        let t = self.config.frames_for(wav.len());
        if t == 0 {
            return Err(Error::InvalidArgument(format!(
                "audio too short for HuBERT: {} samples give no frame",
                wav.len()
            )));
        }
        let x = Tensor::<B, 3>::from_data(TensorData::new(wav.to_vec(), [1, 1, wav.len()]), &self.device);
        Ok(self.forward_tensor(x))
    }

    /// [`HubertModel::forward`] on a `[1, 1, N]` tensor.
    pub fn forward_tensor(&self, wav: Tensor<B, 3>) -> HubertOutput<B> {
        let x = match self.feature_extractor_host(&wav) {
            Some(x) => x,
            None => self.feature_extractor(wav),
        };
        let extract_features = x.clone();
        let mut h = x.swap_dims(1, 2); // [1, T, C]
        if let Some(n) = &self.projection_norm {
            h = n.forward(h, 2);
        }
        let h = self.projection.forward(h); // [1, T, H]
        let t = h.dims()[1];
        let pos = self.pos_conv.forward(h.clone().swap_dims(1, 2)).narrow(2, 0, t);
        let h = h + gelu(pos).swap_dims(1, 2);
        let mut h = self.layer_norm.forward(h, 2);
        let mut hidden_states = vec![h.clone()];
        for layer in &self.layers {
            h = layer.forward(h);
            hidden_states.push(h.clone());
        }
        HubertOutput { extract_features, hidden_states }
    }
}

impl<B: Backend> HubertModel<B> {
    /// The 7 strided convolutions, group norm and GELUs with burn's tensor operations.
    fn feature_extractor(&self, wav: Tensor<B, 3>) -> Tensor<B, 3> {
        let mut x = wav;
        for (i, conv) in self.conv_layers.iter().enumerate() {
            x = conv.forward(x);
            if i == 0 {
                x = group_norm_per_channel(x, &self.conv0_norm.0, &self.conv0_norm.1, 1e-5);
            }
            x = gelu(x);
        }
        x
    }

    /// [`HubertModel::feature_extractor`] on the host kernels (the CPU backends), one item at a
    /// time; `None` when the layers are not on them.
    fn feature_extractor_host(&self, wav: &Tensor<B, 3>) -> Option<Tensor<B, 3>> {
        let convs: Option<Vec<&HostConv1d>> = self.conv_layers.iter().map(Conv1d::host).collect();
        let convs = convs?;
        let [b, c, n] = wav.dims();
        let values = to_vec_f32(wav.clone());
        let gamma = to_vec_f32(self.conv0_norm.0.clone());
        let beta = to_vec_f32(self.conv0_norm.1.clone());
        let mut out = Vec::new();
        let (mut c_out, mut t_out) = (0, 0);
        for i in 0..b {
            let (mut x, mut t) = (values[i * c * n..(i + 1) * c * n].to_vec(), n);
            for (l, conv) in convs.iter().enumerate() {
                (x, t) = conv.forward(&x, t, PreAct::None);
                if l == 0 {
                    group_norm_per_channel_host(&mut x, t, &gamma, &beta, 1e-5);
                }
                gelu_in_place(&mut x);
            }
            c_out = x.len() / t.max(1);
            t_out = t;
            out.extend(x);
        }
        Some(Tensor::from_data(TensorData::new(out, [b, c_out, t_out]), &self.device))
    }
}

/// [`group_norm_per_channel`] in place on one item `[C, T]` (statistics accumulated in f64).
fn group_norm_per_channel_host(x: &mut [f32], t: usize, gamma: &[f32], beta: &[f32], eps: f64) {
    use rayon::prelude::*;
    if t == 0 {
        return;
    }
    x.par_chunks_mut(t).zip(gamma.par_iter().zip(beta)).for_each(|(row, (&g, &b))| {
        let mean = row.iter().map(|&v| v as f64).sum::<f64>() / t as f64;
        let mean32 = mean as f32;
        let var = row.iter().map(|&v| ((v - mean32) as f64).powi(2)).sum::<f64>() / t as f64;
        let sd = (var as f32 + eps as f32).sqrt();
        for v in row.iter_mut() {
            *v = (*v - mean32) / sd * g + b;
        }
    });
}

impl<B: Backend> HubertLayer<B> {
    fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let [_, _, h] = x.dims();
        let nh = self.heads;
        // transformers' HubertAttention scales the queries, not the scores.
        let q = self.q_proj.forward(x.clone()).mul_scalar(((h / nh) as f64).powf(-0.5));
        let k = self.k_proj.forward(x.clone());
        let v = self.v_proj.forward(x.clone());
        let a = multi_head_attention(q, k, v, nh, 1.0);
        let x = self.layer_norm.forward(x + self.out_proj.forward(a), 2);
        let f = self.output_dense.forward(gelu(self.intermediate_dense.forward(x.clone())));
        self.final_layer_norm.forward(x + f, 2)
    }
}

/// `GroupNorm(num_groups = C)`: each channel normalised over time, then per-channel affine.
fn group_norm_per_channel<B: Backend>(
    x: Tensor<B, 3>,
    gamma: &Tensor<B, 1>,
    beta: &Tensor<B, 1>,
    eps: f64,
) -> Tensor<B, 3> {
    let c = gamma.dims()[0];
    let mean = x.clone().mean_dim(2);
    let xc = x - mean;
    let var = xc.clone().powf_scalar(2.0).mean_dim(2);
    // Division, not `recip()`: ndarray's SIMD reciprocal is approximate (3e-5 relative).
    let y = xc / (var + eps).sqrt();
    y * gamma.clone().reshape([1, c, 1]) + beta.clone().reshape([1, c, 1])
}
