//! `SynthesizerTrn`: the stage-2 SoVITS model of v1, v2, v2Pro and v2ProPlus, inference path only.

use std::path::Path;

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

use super::config::SovitsConfig;
use super::flow::ResidualCouplingBlock;
use super::generator::Generator;
use super::quantizer::ResidualVectorQuantizer;
use super::ref_encoder::MelStyleEncoder;
use super::text_encoder::{PriorStats, TextEncoder};
use crate::models::common::{Conv1d, ConvOptions, Linear};
use crate::rng::Rng;
use crate::weights::{self, HeaderTag, ModelVersion, TensorStore, Weights, WeightsLoader, keymap};
use crate::{Error, Result};

/// Where the Gaussian noise of `z_p = m_p + noise * exp(logs_p) * noise_scale` comes from.
#[derive(Debug, Clone)]
pub enum Noise<B: Backend> {
    /// Drawn on the host from [`Rng`] with this seed (the same on every backend).
    Seed(u64),
    /// Given (`[1, inter, T']`), e.g. to reproduce a reference run.
    Tensor(Tensor<B, 3>),
    /// Drawn per frame: frame `first + j` of the decode gets its `inter` values from its own
    /// [`Rng`] stream of `seed`, so decodes of overlapping windows (streaming) see the same
    /// noise on the frames they share.
    Frames {
        /// Seed of the call.
        seed: u64,
        /// Index of the decode's first frame in the whole utterance.
        first: usize,
    },
}

/// The window of one [`SynthesizerTrn::decode_streaming_with_timbre`] call (upstream's
/// `result_length` and `overlap_frames`).
#[derive(Debug, Clone)]
pub struct StreamWindow<B: Backend> {
    /// Decode only the last `result_length` tokens (`2 * result_length` latent frames); `None`:
    /// all of them (the first chunk).
    pub result_length: Option<usize>,
    /// The previous call's latent tail `[1, hidden, F]` that the first `F` frames are
    /// cross-faded into.
    pub overlap_frames: Option<Tensor<B, 3>>,
}

/// Intermediate tensors of one [`SynthesizerTrn::decode_traced`] call.
#[derive(Debug, Clone)]
pub struct DecodeTrace<B: Backend> {
    /// Timbre vector `[1, gin, 1]` (mean over the references) that the flow and the decoder get.
    pub ge: Tensor<B, 3>,
    /// The timbre the text encoder's MRTE gets: `ge` itself, or `ge_to512(ge)` for v2Pro
    /// `[1, mrte.hidden_size, 1]`.
    pub ge_text: Tensor<B, 3>,
    /// Codebook vectors upsampled to 50 Hz `[1, ssl_dim, 2T]`.
    pub quantized: Tensor<B, 3>,
    /// Text-encoder outputs.
    pub prior: PriorStats<B>,
    /// Flow input `[1, inter, T']`.
    pub z_p: Tensor<B, 3>,
    /// Flow output / decoder input `[1, inter, T']`.
    pub z: Tensor<B, 3>,
    /// Waveform `[1, 1, hop * T']`.
    pub audio: Tensor<B, 3>,
}

/// The SoVITS synthesizer (`SynthesizerTrn`): semantic tokens + phones + reference
/// spectrogram(s) -> waveform. Immutable after loading; share it between threads.
#[derive(Debug, Clone)]
pub struct SynthesizerTrn<B: Backend> {
    /// Prior text encoder.
    pub enc_p: TextEncoder<B>,
    /// HiFi-GAN decoder.
    pub dec: Generator<B>,
    /// Normalising flow.
    pub flow: ResidualCouplingBlock<B>,
    /// Reference (style) encoder.
    pub ref_enc: MelStyleEncoder<B>,
    /// SSL projection to 25 Hz (kernel 2, stride 2).
    pub ssl_proj: Conv1d<B>,
    /// Codebook.
    pub quantizer: ResidualVectorQuantizer<B>,
    /// v2Pro/v2ProPlus: how the speaker-verification embedding joins the timbre.
    pub speaker: Option<SpeakerConditioning<B>>,
    config: SovitsConfig,
    device: B::Device,
}

/// One reference as [`SynthesizerTrn::timbre`] takes it: its spectrogram and, for
/// v2Pro/v2ProPlus models, its speaker-verification embedding.
#[derive(Debug, Clone)]
pub struct ReferenceInput<B: Backend> {
    /// Linear spectrogram `[1, spec_bins, T]`.
    pub spec: Tensor<B, 3>,
    /// `sv_emb` `[1, sv_dim]` (v2Pro/v2ProPlus only).
    pub sv_emb: Option<Tensor<B, 2>>,
}

impl<B: Backend> ReferenceInput<B> {
    /// A reference for a v1/v2 model.
    pub fn new(spec: Tensor<B, 3>) -> Self {
        ReferenceInput { spec, sv_emb: None }
    }

    /// A reference with its speaker embedding (v2Pro/v2ProPlus).
    pub fn with_sv_emb(spec: Tensor<B, 3>, sv_emb: Tensor<B, 2>) -> Self {
        ReferenceInput { spec, sv_emb: Some(sv_emb) }
    }
}

/// The v2Pro/v2ProPlus modules (`sv_emb`, `prelu`, `ge_to512`): per reference,
/// `ge = prelu(ref_enc(refer) + sv_emb(sv))`; the text encoder gets `ge_to512(ge)`.
#[derive(Debug, Clone)]
pub struct SpeakerConditioning<B: Backend> {
    /// `Linear(sv_dim, gin)`.
    pub sv_emb: Linear<B>,
    /// PReLU slopes, one per channel `[gin]`.
    pub prelu: Tensor<B, 1>,
    /// `Linear(gin, mrte.hidden_size)`.
    pub ge_to512: Linear<B>,
}

impl<B: Backend> SpeakerConditioning<B> {
    fn load(w: &Weights<B>, c: &SovitsConfig, sv_dim: usize) -> Result<Self> {
        Ok(SpeakerConditioning {
            sv_emb: Linear::load(&w.pp("sv_emb"), sv_dim, c.gin_channels, true)?,
            prelu: w.pp("prelu").tensor("weight", [c.gin_channels])?,
            ge_to512: Linear::load(&w.pp("ge_to512"), c.gin_channels, c.mrte.hidden_size, true)?,
        })
    }

    /// `prelu(ge + sv_emb(sv)[..., None])`.
    ///
    /// # Shapes
    /// `ge` `[1, gin, 1]`, `sv` `[1, sv_dim]` -> `[1, gin, 1]`.
    pub fn join(&self, ge: Tensor<B, 3>, sv: Tensor<B, 2>) -> Tensor<B, 3> {
        let x = ge + self.sv_emb.forward(sv).unsqueeze_dim::<3>(2);
        let gin = self.prelu.dims()[0];
        x.clone().clamp_min(0.0) + x.clamp_max(0.0) * self.prelu.clone().reshape([1, gin, 1])
    }

    /// `ge_to512(ge.transpose(2, 1)).transpose(2, 1)`.
    ///
    /// # Shapes
    /// `[1, gin, 1]` -> `[1, mrte.hidden_size, 1]`.
    pub fn to_text(&self, ge: Tensor<B, 3>) -> Tensor<B, 3> {
        self.ge_to512.forward(ge.swap_dims(1, 2)).swap_dims(1, 2)
    }
}

/// What [`SynthesizerTrn::from_file`] found in the file.
#[derive(Debug, Clone)]
pub struct SovitsFileInfo {
    /// The version tag in the first two bytes, if the file had one instead of `PK`.
    pub header_tag: Option<HeaderTag>,
    /// The version detected from the tensors (what is actually loaded).
    pub version: ModelVersion,
    /// The config used.
    pub config: SovitsConfig,
}

impl<B: Backend> SynthesizerTrn<B> {
    /// Builds the model from a state dict, checking every key and shape.
    pub fn load(store: &TensorStore, config: &SovitsConfig, device: &B::Device) -> Result<Self> {
        config.validate()?;
        let version = weights::detect_sovits_version(store, Some(config.version));
        if !version.is_supported() {
            return Err(Error::Unsupported { what: store.source().to_string(), version: version.to_string() });
        }
        if version != config.version {
            return Err(Error::Config(format!(
                "{}: the config is for a {} model, the tensors are a {version} model; use the config that \
                 belongs to these weights",
                store.source(),
                config.version
            )));
        }
        let loader = WeightsLoader::<B>::new(keymap::SOVITS.model, store, device);
        let model = Self::build(&loader, config, device)?;
        loader.finish(keymap::SOVITS.ignore)?;
        Ok(model)
    }

    fn build(loader: &WeightsLoader<'_, B>, c: &SovitsConfig, device: &B::Device) -> Result<Self> {
        let w = loader.root();
        Ok(SynthesizerTrn {
            enc_p: TextEncoder::load(&w.pp("enc_p"), c)?,
            dec: Generator::load(&w.pp("dec"), c)?,
            flow: ResidualCouplingBlock::load(&w.pp("flow"), c)?,
            ref_enc: MelStyleEncoder::load(&w.pp("ref_enc"), c)?,
            ssl_proj: Conv1d::load_with(
                &w.pp("ssl_proj"),
                c.ssl_dim,
                c.ssl_dim,
                2,
                ConvOptions { stride: 2, ..Default::default() },
            )?,
            quantizer: ResidualVectorQuantizer::load(&w.pp("quantizer"), c.codebook_size, c.ssl_dim)?,
            speaker: match c.sv_emb_dim {
                Some(d) => Some(SpeakerConditioning::load(&w, c, d)?),
                None => None,
            },
            config: c.clone(),
            device: device.clone(),
        })
    }

    /// The tensors (keys and shapes, weight norm folded) a model of this config reads.
    pub fn expected_tensors(config: &SovitsConfig) -> Result<Vec<(String, Vec<usize>)>> {
        crate::weights::expected_tensors::<B>(|l, device| Self::build(l, config, device).map(drop))
    }

    /// A model with random weights (`N(0, 0.02^2)`, seeded): for benchmarks at real sizes.
    pub fn random(config: &SovitsConfig, seed: u64, device: &B::Device) -> Result<Self> {
        let store = TensorStore::random(&Self::expected_tensors(config)?, 0.02, seed);
        Self::load(&store, config, device)
    }

    /// Loads an official SoVITS checkpoint (`s2G2333k.pth`, a fine-tuned `.pth`, with or
    /// without the version tag) or a safetensors export of its `weight` dict.
    ///
    /// The config comes from `config` if given, else from the file's pickled `config`, else
    /// the v2 preset; sizes that upstream hard-codes are then taken from the tensor shapes.
    pub fn from_file(
        path: impl AsRef<Path>,
        config: Option<&SovitsConfig>,
        device: &B::Device,
    ) -> Result<(Self, SovitsFileInfo)> {
        let path = path.as_ref();
        let mut loaded = weights::load_state_dict(path, Some("weight"))?;
        loaded.tensors = keymap::SOVITS.apply(loaded.tensors);
        let header_tag = loaded.header_tag;
        let version = weights::checkpoint_version(&loaded.tensors, header_tag).map_err(|e| e.in_file(path))?;
        if !version.is_supported() {
            return Err(Error::Unsupported { what: path.display().to_string(), version: version.to_string() });
        }
        let mut config = match (config, &loaded.config) {
            (Some(c), _) => c.clone(),
            (None, Some(j)) => SovitsConfig::from_json(j).map_err(|e| e.in_file(path))?,
            (None, None) => SovitsConfig::v2(),
        };
        config.set_version(version);
        config.infer_from_weights(&loaded.tensors);
        let model = Self::load(&loaded.tensors, &config, device).map_err(|e| e.in_file(path))?;
        Ok((model, SovitsFileInfo { header_tag, version, config }))
    }

    /// The configuration the model was built with.
    pub fn config(&self) -> &SovitsConfig {
        &self.config
    }

    /// The device the weights live on.
    pub fn device(&self) -> &B::Device {
        &self.device
    }

    /// Turns HuBERT features into semantic codes (`extract_latent`).
    ///
    /// # Shapes
    /// `ssl` `[1, ssl_dim, T]` -> codes `[floor(T/2)]` (values `< codebook_size`).
    pub fn extract_latent(&self, ssl: Tensor<B, 3>) -> Result<Tensor<B, 1, Int>> {
        let [b, d, t] = ssl.dims();
        if b != 1 || d != self.config.ssl_dim {
            return Err(Error::InvalidArgument(format!(
                "SSL features must be [1, {}, T], got [{b}, {d}, {t}]",
                self.config.ssl_dim
            )));
        }
        if t < 2 {
            return Err(Error::InvalidArgument(format!("need at least 2 SSL frames, got {t}")));
        }
        Ok(self.quantizer.encode(self.ssl_proj.forward(ssl)))
    }

    /// Timbre vector of one reference spectrogram `[1, spec_bins, T]` -> `[1, gin, 1]`.
    pub fn ref_embedding(&self, refer: Tensor<B, 3>) -> Result<Tensor<B, 3>> {
        let [b, f, t] = refer.dims();
        if b != 1 || f < self.ref_enc.in_channels() || t == 0 {
            return Err(Error::InvalidArgument(format!(
                "reference spectrogram must be [1, {}, T>0], got [{b}, {f}, {t}]",
                self.config.spec_channels()
            )));
        }
        Ok(self.ref_enc.forward(refer))
    }

    /// The size of the speaker-verification embedding this model takes (`sv_emb`'s
    /// in-features, 20480 officially), `None` for v1/v2 models.
    pub fn sv_emb_dim(&self) -> Option<usize> {
        self.config.sv_emb_dim
    }

    /// The timbre vector `ge` of a voice: per reference `ref_enc(refer)` (v2Pro: joined with
    /// its speaker embedding, [`SpeakerConditioning::join`]), then the mean over references
    /// (upstream's `decode` with lists of refers and sv_embs).
    ///
    /// # Shapes
    /// each reference `[1, spec_bins, T_r]` (+ `[1, sv_dim]`) -> `[1, gin, 1]`.
    pub fn timbre(&self, refers: &[ReferenceInput<B>]) -> Result<Tensor<B, 3>> {
        if refers.is_empty() {
            return Err(Error::InvalidArgument("at least one reference spectrogram is needed".into()));
        }
        let mut ges = Vec::with_capacity(refers.len());
        for r in refers {
            let ge = self.ref_embedding(r.spec.clone())?;
            ges.push(match (&self.speaker, &r.sv_emb, self.config.sv_emb_dim) {
                (Some(s), Some(sv), Some(d)) if sv.dims() == [1, d] => s.join(ge, sv.clone()),
                (Some(_), Some(sv), Some(d)) => {
                    return Err(Error::InvalidArgument(format!(
                        "speaker embeddings must be [1, {d}] for this model, got {:?}",
                        sv.dims()
                    )));
                }
                (Some(_), None, _) => {
                    return Err(Error::InvalidArgument(format!(
                        "a {} model needs a speaker embedding with every reference",
                        self.config.version
                    )));
                }
                (None, Some(_), _) => {
                    return Err(Error::InvalidArgument(format!(
                        "a {} model takes no speaker embeddings (they belong to v2Pro/v2ProPlus models)",
                        self.config.version
                    )));
                }
                _ => ge,
            });
        }
        let n = ges.len();
        if n == 1 {
            return Ok(ges.remove(0));
        }
        Ok(Tensor::cat(ges, 0).sum_dim(0).div_scalar(n as f64))
    }

    /// Synthesises a waveform (see [`SynthesizerTrn::decode_traced`]); `sv_embs` as in
    /// [`SynthesizerTrn::timbre`].
    ///
    /// # Shapes
    /// `codes` `[T]` (25 Hz), `phones` `[L]`, each reference `[1, spec_bins, T_r]` ->
    /// `[1, 1, hop * T']` with `T' = 2T` at speed 1, else `int(2T / speed) + 1`.
    pub fn decode(
        &self,
        codes: &[u32],
        phones: &[u32],
        refers: &[ReferenceInput<B>],
        noise_scale: f32,
        speed: f32,
        noise: Noise<B>,
    ) -> Result<Tensor<B, 3>> {
        Ok(self.decode_traced(codes, phones, refers, noise_scale, speed, noise)?.audio)
    }

    /// `SynthesizerTrn.decode` with its intermediates: `ge` = [`SynthesizerTrn::timbre`];
    /// then [`SynthesizerTrn::decode_with_timbre`].
    pub fn decode_traced(
        &self,
        codes: &[u32],
        phones: &[u32],
        refers: &[ReferenceInput<B>],
        noise_scale: f32,
        speed: f32,
        noise: Noise<B>,
    ) -> Result<DecodeTrace<B>> {
        let ge = self.timbre(refers)?;
        self.decode_with_timbre(codes, phones, ge, noise_scale, speed, noise)
    }

    /// `SynthesizerTrn.decode` for a timbre computed once ([`SynthesizerTrn::timbre`]):
    /// codebook lookup, x2 nearest upsampling; `enc_p`; `z_p = m_p + noise * exp(logs_p) *
    /// noise_scale`; inverse flow; HiFi-GAN.
    ///
    /// # Shapes
    /// `codes` `[T]`, `phones` `[L]`, `ge` `[1, gin, 1]` -> trace with audio `[1, 1, hop * T']`.
    pub fn decode_with_timbre(
        &self,
        codes: &[u32],
        phones: &[u32],
        ge: Tensor<B, 3>,
        noise_scale: f32,
        speed: f32,
        noise: Noise<B>,
    ) -> Result<DecodeTrace<B>> {
        let window = StreamWindow { result_length: None, overlap_frames: None };
        self.decode_streaming_with_timbre(codes, phones, ge, noise_scale, speed, noise, window)
    }

    /// `SynthesizerTrn.decode_streaming`: the whole context `codes` (all tokens so far) through
    /// the text encoder, then only the window's frames (`window.result_length` tokens, the
    /// first ones cross-faded into `window.overlap_frames`, see
    /// [`TextEncoder::forward_window`](super::text_encoder::TextEncoder::forward_window))
    /// through the flow and the vocoder. The trace's `prior.latent` is the next call's overlap
    /// source.
    ///
    /// # Shapes
    /// `codes` `[T]`, `phones` `[L]`, `ge` `[1, gin, 1]` -> audio `[1, 1, hop * T']` with
    /// `T' = 2 * min(result_length, T)` at speed 1.
    #[allow(clippy::too_many_arguments)]
    pub fn decode_streaming_with_timbre(
        &self,
        codes: &[u32],
        phones: &[u32],
        ge: Tensor<B, 3>,
        noise_scale: f32,
        speed: f32,
        noise: Noise<B>,
        window: StreamWindow<B>,
    ) -> Result<DecodeTrace<B>> {
        let c = &self.config;
        if window.result_length == Some(0) {
            return Err(Error::InvalidArgument("result_length must be at least 1 token".into()));
        }
        if let Some(o) = &window.overlap_frames {
            let [b, h, _] = o.dims();
            if b != 1 || h != c.hidden_channels {
                return Err(Error::InvalidArgument(format!(
                    "overlap_frames must be [1, {}, F], got {:?}",
                    c.hidden_channels,
                    o.dims()
                )));
            }
        }
        if codes.is_empty() {
            return Err(Error::InvalidArgument("no semantic tokens to decode".into()));
        }
        if let Some(&bad) = codes.iter().find(|&&v| v as usize >= c.codebook_size) {
            return Err(Error::InvalidArgument(format!("semantic token {bad} out of range 0..{}", c.codebook_size)));
        }
        if phones.is_empty() {
            return Err(Error::InvalidArgument("no phones given".into()));
        }
        if let Some(&bad) = phones.iter().find(|&&v| v as usize >= c.text_vocab) {
            return Err(Error::InvalidArgument(format!("phone id {bad} out of range 0..{}", c.text_vocab)));
        }
        if ge.dims() != [1, c.gin_channels, 1] {
            return Err(Error::InvalidArgument(format!(
                "the timbre vector must be [1, {}, 1], got {:?}",
                c.gin_channels,
                ge.dims()
            )));
        }
        if !(speed.is_finite() && speed > 0.0) {
            return Err(Error::InvalidArgument(format!("speed must be a positive number, got {speed}")));
        }
        if !(noise_scale.is_finite() && noise_scale >= 0.0) {
            return Err(Error::InvalidArgument(format!("noise_scale must be >= 0, got {noise_scale}")));
        }

        let dev = &self.device;
        let codes_t = Tensor::<B, 1, Int>::from_data(
            TensorData::new(codes.iter().map(|&v| v as i64).collect::<Vec<_>>(), [codes.len()]),
            dev,
        );
        let quantized = self.quantizer.decode_x2(codes_t);
        let phones_t = Tensor::<B, 2, Int>::from_data(
            TensorData::new(phones.iter().map(|&v| v as i64).collect::<Vec<_>>(), [1, phones.len()]),
            dev,
        );
        let ge_text = match &self.speaker {
            Some(s) => s.to_text(ge.clone()),
            None => ge.clone(),
        };
        let prior = self.enc_p.forward_window(
            quantized.clone(),
            phones_t,
            ge_text.clone(),
            speed,
            window.result_length.map(|r| 2 * r),
            window.overlap_frames,
        );
        let z_p = if noise_scale == 0.0 {
            prior.m_p.clone()
        } else {
            let shape = prior.m_p.dims();
            let eps = match noise {
                Noise::Tensor(t) => {
                    if t.dims() != shape {
                        return Err(Error::InvalidArgument(format!(
                            "noise tensor must have shape {shape:?}, got {:?}",
                            t.dims()
                        )));
                    }
                    t
                }
                Noise::Seed(seed) => {
                    let mut rng = Rng::new(seed);
                    let v: Vec<f32> = (0..shape.iter().product::<usize>()).map(|_| rng.normal() as f32).collect();
                    Tensor::from_data(TensorData::new(v, shape), dev)
                }
                Noise::Frames { seed, first } => {
                    let [_, ch, frames] = shape;
                    let mut v = vec![0f32; ch * frames];
                    for j in 0..frames {
                        let mut rng = Rng::new(frame_seed(seed, first + j));
                        for k in 0..ch {
                            v[k * frames + j] = rng.normal() as f32;
                        }
                    }
                    Tensor::from_data(TensorData::new(v, shape), dev)
                }
            };
            prior.m_p.clone() + eps * prior.logs_p.clone().exp() * noise_scale
        };
        let z = self.flow.reverse(z_p.clone(), ge.clone());
        let audio = self.dec.forward(z.clone(), ge.clone());
        Ok(DecodeTrace { ge, ge_text, quantized, prior, z_p, z, audio })
    }
}

/// The seed of frame `frame`'s noise stream under call seed `seed` (splitmix64 of both).
fn frame_seed(seed: u64, frame: usize) -> u64 {
    let mut z = seed ^ (frame as u64).wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
