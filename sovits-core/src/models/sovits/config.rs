//! SoVITS (`SynthesizerTrn`) hyper-parameters.

use serde::Deserialize;
use serde_json::Value as Json;

use crate::limits::{self, MAX_FFT, MAX_HEADS, MAX_KERNEL, MAX_LAYERS, MAX_VOCAB, MAX_WIDTH, check, check_list};
use crate::models::common::from_json;
use crate::weights::{ModelVersion, TensorStore};
use crate::{Error, Result};

/// The speaker-verification embedding size upstream hard-codes (`nn.Linear(20480, gin)`).
pub const DEFAULT_SV_EMB_DIM: usize = 20480;

/// MRTE (multi-reference timbre encoder) widths; upstream hard-codes them in the constructor.
#[derive(Debug, Clone, PartialEq)]
pub struct MrteConfig {
    /// Input/content channels (= `hidden_channels` officially).
    pub content_enc_channels: usize,
    /// Attention width (= `gin_channels` officially).
    pub hidden_size: usize,
    /// Output channels (= `hidden_channels`).
    pub out_channels: usize,
    /// Attention heads.
    pub n_heads: usize,
}

/// Everything needed to build a [`super::SynthesizerTrn`].
///
/// Field names are upstream's (`s2.json` `model` section plus the constants the classes
/// hard-code). [`SovitsConfig::v2`] gives the official v2 sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct SovitsConfig {
    /// v1 or v2 (decides the symbol table size and the reference-encoder bins).
    pub version: ModelVersion,
    /// Latent channels of the flow / decoder input.
    pub inter_channels: usize,
    /// Text encoder width.
    pub hidden_channels: usize,
    /// FFN width in the attention encoders.
    pub filter_channels: usize,
    /// Attention heads in the encoders.
    pub n_heads: usize,
    /// Layers of `encoder_text` (`encoder_ssl` and `encoder2` get half).
    pub n_layers: usize,
    /// FFN kernel size.
    pub kernel_size: usize,
    /// `"1"` or `"2"`.
    pub resblock: String,
    /// HiFi-GAN resblock kernels.
    pub resblock_kernel_sizes: Vec<usize>,
    /// HiFi-GAN resblock dilations.
    pub resblock_dilation_sizes: Vec<Vec<usize>>,
    /// HiFi-GAN upsampling factors (product = hop length).
    pub upsample_rates: Vec<usize>,
    /// HiFi-GAN first width.
    pub upsample_initial_channel: usize,
    /// HiFi-GAN upsampling kernels.
    pub upsample_kernel_sizes: Vec<usize>,
    /// Width of the timbre vector `ge`.
    pub gin_channels: usize,
    /// SSL (HuBERT) feature width: `ssl_proj`, the codebook and `enc_p.ssl_proj` input.
    pub ssl_dim: usize,
    /// Codebook entries.
    pub codebook_size: usize,
    /// Phone symbols (`enc_p.text_embedding` rows): 732 for v2, 322 for v1.
    pub text_vocab: usize,
    /// Spectrogram bins the reference encoder reads (704 for v2, 1025 for v1).
    pub ref_enc_in_channels: usize,
    /// MelStyleEncoder hidden width.
    pub style_hidden: usize,
    /// MelStyleEncoder conv kernel.
    pub style_kernel_size: usize,
    /// MelStyleEncoder attention heads.
    pub style_head: usize,
    /// MRTE sizes.
    pub mrte: MrteConfig,
    /// Coupling layers in the flow.
    pub n_flows: usize,
    /// WN kernel size in the flow.
    pub wn_kernel: usize,
    /// WN dilation rate in the flow.
    pub wn_dilation_rate: usize,
    /// WN layers per coupling layer.
    pub wn_layers: usize,
    /// Relative attention window.
    pub attn_window: usize,
    /// Output sample rate.
    pub sampling_rate: u32,
    /// STFT size of the reference spectrogram.
    pub filter_length: usize,
    /// STFT hop (= samples per latent frame).
    pub hop_length: usize,
    /// STFT window.
    pub win_length: usize,
    /// v2Pro/v2ProPlus: in-features of `sv_emb`, the speaker-verification embedding size
    /// (20480, hard-coded upstream); `None` for v1/v2.
    pub sv_emb_dim: Option<usize>,
}

impl SovitsConfig {
    /// The official v2 sizes (`configs/s2.json` plus the constants upstream hard-codes).
    pub fn v2() -> Self {
        SovitsConfig {
            version: ModelVersion::V2,
            inter_channels: 192,
            hidden_channels: 192,
            filter_channels: 768,
            n_heads: 2,
            n_layers: 6,
            kernel_size: 3,
            resblock: "1".into(),
            resblock_kernel_sizes: vec![3, 7, 11],
            resblock_dilation_sizes: vec![vec![1, 3, 5], vec![1, 3, 5], vec![1, 3, 5]],
            upsample_rates: vec![10, 8, 2, 2, 2],
            upsample_initial_channel: 512,
            upsample_kernel_sizes: vec![16, 16, 8, 2, 2],
            gin_channels: 512,
            ssl_dim: 768,
            codebook_size: 1024,
            text_vocab: 732,
            ref_enc_in_channels: 704,
            style_hidden: 128,
            style_kernel_size: 5,
            style_head: 2,
            mrte: MrteConfig { content_enc_channels: 192, hidden_size: 512, out_channels: 192, n_heads: 4 },
            n_flows: 4,
            wn_kernel: 5,
            wn_dilation_rate: 1,
            wn_layers: 4,
            attn_window: 4,
            sampling_rate: 32000,
            filter_length: 2048,
            hop_length: 640,
            win_length: 2048,
            sv_emb_dim: None,
        }
    }

    /// The official v2Pro sizes (`configs/s2v2Pro.json`: gin 1024; `sv_emb` from 20480, MRTE
    /// at its constructor defaults, hidden 512).
    pub fn v2pro() -> Self {
        let v2 = Self::v2();
        SovitsConfig {
            version: ModelVersion::V2Pro,
            gin_channels: 1024,
            sv_emb_dim: Some(DEFAULT_SV_EMB_DIM),
            mrte: MrteConfig { hidden_size: 512, ..v2.mrte.clone() },
            ..v2
        }
    }

    /// The official v2ProPlus sizes (v2Pro with a HiFi-GAN starting at 768 channels and a
    /// first upsampling kernel of 20).
    pub fn v2proplus() -> Self {
        SovitsConfig {
            version: ModelVersion::V2ProPlus,
            upsample_initial_channel: 768,
            upsample_kernel_sizes: vec![20, 16, 8, 2, 2],
            ..Self::v2pro()
        }
    }

    /// The official preset of a version (v2 for the ones this model code does not build).
    pub fn preset(version: ModelVersion) -> Self {
        match version {
            ModelVersion::V1 => Self::v1(),
            ModelVersion::V2Pro => Self::v2pro(),
            ModelVersion::V2ProPlus => Self::v2proplus(),
            v => Self { version: v, ..Self::v2() },
        }
    }

    /// Sets the version, adding (or dropping) the speaker-embedding input it implies; the
    /// exact size is then best taken from the weights ([`SovitsConfig::infer_from_weights`]).
    pub fn set_version(&mut self, version: ModelVersion) {
        self.version = version;
        if version.spec().speaker_model {
            self.sv_emb_dim.get_or_insert(DEFAULT_SV_EMB_DIM);
        } else {
            self.sv_emb_dim = None;
        }
    }

    /// The official v1 sizes (v2 with the 322-symbol table and a full-band reference encoder).
    pub fn v1() -> Self {
        SovitsConfig { version: ModelVersion::V1, text_vocab: 322, ref_enc_in_channels: 1025, ..Self::v2() }
    }

    /// Spectrogram bins (`filter_length / 2 + 1`).
    pub fn spec_channels(&self) -> usize {
        self.filter_length / 2 + 1
    }

    /// Reads a config: an upstream `s2.json` (sections `model`, `data`), the pickled
    /// `config` of a `.pth` as JSON, or the parity fixtures' `sovits.json` (which adds `mrte`
    /// and `derived` blocks for the sizes upstream hard-codes). Missing fields take the
    /// official v2 values (v1's table and bins for `version: "v1"`); the hard-coded sizes are
    /// best refined from the weights with [`SovitsConfig::infer_from_weights`].
    pub fn from_json(j: &Json) -> Result<Self> {
        let file: S2File = from_json(j, "SoVITS config")?;
        // The model fields sit in `model`, or at the top level of a bare dict.
        let m = match &file.model {
            Some(m) => m.clone(),
            None => from_json::<S2Model>(j, "SoVITS config")?,
        };
        let version: ModelVersion = match &m.version {
            Some(v) => v.parse().map_err(|_| Error::Config(format!("unknown model.version {v:?}")))?,
            None => ModelVersion::V2,
        };
        if let Some(fr) = &m.semantic_frame_rate
            && fr != "25hz"
        {
            return Err(Error::Config(format!(
                "semantic_frame_rate {fr:?} is not supported (GPT-SoVITS v1/v2 models use \"25hz\")"
            )));
        }
        let base = Self::preset(version);
        let (data, derived) = (file.data.unwrap_or_default(), file.derived.unwrap_or_default());
        let (ref_enc, flow) = (derived.ref_enc.unwrap_or_default(), derived.flow.unwrap_or_default());
        let hidden_channels = m.hidden_channels.unwrap_or(base.hidden_channels);
        let gin_channels = m.gin_channels.unwrap_or(base.gin_channels);
        // Official configs leave MRTE at its constructor defaults (192, 512, 192), which for v2
        // coincide with (hidden_channels, gin_channels, hidden_channels); v2Pro's gin of 1024
        // reaches MRTE through `ge_to512`, so its width stays 512.
        let mrte = file.mrte.unwrap_or_default();
        let speaker = version.spec().speaker_model;
        let mrte_hidden = if speaker { base.mrte.hidden_size } else { gin_channels };
        let c = SovitsConfig {
            version,
            inter_channels: m.inter_channels.unwrap_or(base.inter_channels),
            hidden_channels,
            filter_channels: m.filter_channels.unwrap_or(base.filter_channels),
            n_heads: m.n_heads.unwrap_or(base.n_heads),
            n_layers: m.n_layers.unwrap_or(base.n_layers),
            kernel_size: m.kernel_size.unwrap_or(base.kernel_size),
            resblock: m.resblock.map_or(base.resblock, |r| r.0),
            resblock_kernel_sizes: m.resblock_kernel_sizes.unwrap_or(base.resblock_kernel_sizes),
            resblock_dilation_sizes: m.resblock_dilation_sizes.unwrap_or(base.resblock_dilation_sizes),
            upsample_rates: m.upsample_rates.unwrap_or(base.upsample_rates),
            upsample_initial_channel: m.upsample_initial_channel.unwrap_or(base.upsample_initial_channel),
            upsample_kernel_sizes: m.upsample_kernel_sizes.unwrap_or(base.upsample_kernel_sizes),
            gin_channels,
            ssl_dim: derived.ssl_dim.unwrap_or(base.ssl_dim),
            codebook_size: derived.codebook_size.unwrap_or(base.codebook_size),
            text_vocab: derived.text_vocab.unwrap_or(base.text_vocab),
            ref_enc_in_channels: derived.ref_enc_in_channels.unwrap_or(base.ref_enc_in_channels),
            style_hidden: ref_enc.style_hidden.unwrap_or(base.style_hidden),
            style_kernel_size: ref_enc.style_kernel_size.unwrap_or(base.style_kernel_size),
            style_head: ref_enc.style_head.unwrap_or(base.style_head),
            mrte: MrteConfig {
                content_enc_channels: mrte.content_enc_channels.unwrap_or(hidden_channels),
                hidden_size: mrte.hidden_size.unwrap_or(mrte_hidden),
                out_channels: mrte.out_channels.unwrap_or(hidden_channels),
                n_heads: mrte.n_heads.unwrap_or(base.mrte.n_heads),
            },
            n_flows: flow.n_flows.unwrap_or(base.n_flows),
            wn_kernel: flow.wn_kernel.unwrap_or(base.wn_kernel),
            wn_dilation_rate: flow.wn_dilation_rate.unwrap_or(base.wn_dilation_rate),
            wn_layers: flow.wn_layers.unwrap_or(base.wn_layers),
            attn_window: derived.attn_window_size.unwrap_or(base.attn_window),
            sampling_rate: data.sampling_rate.unwrap_or(base.sampling_rate),
            filter_length: data.filter_length.unwrap_or(base.filter_length),
            hop_length: data.hop_length.unwrap_or(base.hop_length),
            win_length: data.win_length.unwrap_or(base.win_length),
            sv_emb_dim: if speaker { Some(derived.sv_emb_in_features.unwrap_or(DEFAULT_SV_EMB_DIM)) } else { None },
        };
        c.validate()?;
        Ok(c)
    }

    /// Reads a JSON config file (see [`SovitsConfig::from_json`]).
    pub fn from_json_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = crate::weights::files::read_to_string(path)?;
        let j: Json = serde_json::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        Self::from_json(&j)
    }

    /// Fills the sizes upstream hard-codes (and that official configs therefore omit) from
    /// the tensor shapes: `ssl_dim`, codebook size, phone vocabulary, reference-encoder bins
    /// and MRTE widths. Shapes that are absent are left alone (the load reports them).
    pub fn infer_from_weights(&mut self, store: &TensorStore) {
        // Only 2-D and 3-D weights are read here; tensors of another rank are left to the load,
        // which reports them as mis-shaped.
        let dims = |k: &str| match store.get(k).map(|t| t.shape.as_slice()) {
            Some([a, b]) | Some([a, b, _]) => Some((*a, *b)),
            _ => None,
        };
        if let Some((out, _)) = dims("ssl_proj.weight") {
            self.ssl_dim = out;
        }
        if let Some((rows, width)) = dims("quantizer.vq.layers.0._codebook.embed") {
            self.codebook_size = rows;
            self.ssl_dim = width;
        }
        if let Some((rows, _)) = dims("enc_p.text_embedding.weight") {
            self.text_vocab = rows;
        }
        if let Some((out, inp)) = dims("ref_enc.spectral.0.fc.weight") {
            self.ref_enc_in_channels = inp;
            self.style_hidden = out;
        }
        if let Some((out, inp)) = dims("enc_p.mrte.c_pre.weight") {
            self.mrte.hidden_size = out;
            self.mrte.content_enc_channels = inp;
        }
        if let Some((out, _)) = dims("enc_p.mrte.c_post.weight") {
            self.mrte.out_channels = out;
        }
        if let Some((_, inp)) = dims("dec.cond.weight") {
            self.gin_channels = inp;
        }
        if let Some((out, _)) = dims("dec.conv_pre.weight") {
            self.upsample_initial_channel = out;
        }
        // The HiFi-GAN kernels (v2ProPlus starts with 20 where v2 has 16), from whichever
        // spelling of the (weight-normed) upsampling weights the file uses.
        for (i, k) in self.upsample_kernel_sizes.iter_mut().enumerate() {
            if let Some(kernel) = crate::weights::upsample_kernel(store, i) {
                *k = kernel;
            }
        }
        if self.sv_emb_dim.is_some()
            && let Some((_, inp)) = dims("sv_emb.weight")
        {
            self.sv_emb_dim = Some(inp);
        }
    }

    /// Checks the sizes are consistent.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Config(m));
        // Bounds first, so that no arithmetic below (or in the model) can overflow.
        let w = "SoVITS config";
        for (field, v) in [
            ("inter_channels", self.inter_channels),
            ("hidden_channels", self.hidden_channels),
            ("filter_channels", self.filter_channels),
            ("upsample_initial_channel", self.upsample_initial_channel),
            ("gin_channels", self.gin_channels),
            ("ssl_dim", self.ssl_dim),
            ("ref_enc_in_channels", self.ref_enc_in_channels),
            ("style_hidden", self.style_hidden),
            ("mrte.content_enc_channels", self.mrte.content_enc_channels),
            ("mrte.hidden_size", self.mrte.hidden_size),
            ("mrte.out_channels", self.mrte.out_channels),
        ] {
            check(w, field, v, 1, MAX_WIDTH)?;
        }
        for (field, v) in
            [("n_heads", self.n_heads), ("style_head", self.style_head), ("mrte.n_heads", self.mrte.n_heads)]
        {
            check(w, field, v, 1, MAX_HEADS)?;
        }
        check(w, "n_layers", self.n_layers, 0, MAX_LAYERS)?;
        check(w, "n_flows", self.n_flows, 0, MAX_LAYERS)?;
        check(w, "wn_layers", self.wn_layers, 1, 64)?;
        check(w, "wn_dilation_rate", self.wn_dilation_rate, 1, 64)?;
        check(w, "kernel_size", self.kernel_size, 1, MAX_KERNEL)?;
        check(w, "wn_kernel", self.wn_kernel, 1, MAX_KERNEL)?;
        check(w, "style_kernel_size", self.style_kernel_size, 1, MAX_KERNEL)?;
        check(w, "attn_window", self.attn_window, 0, MAX_KERNEL)?;
        check(w, "codebook_size", self.codebook_size, 1, MAX_VOCAB)?;
        check(w, "text_vocab", self.text_vocab, 1, MAX_VOCAB)?;
        check(w, "filter_length", self.filter_length, 2, MAX_FFT)?;
        check(w, "win_length", self.win_length, 1, self.filter_length)?;
        check(w, "hop_length", self.hop_length, 1, self.filter_length)?;
        let (lo, hi) = limits::SAMPLE_RATE_RANGE;
        check(w, "sampling_rate", self.sampling_rate as usize, lo as usize, hi as usize)?;
        check_list(w, "upsample_rates", &self.upsample_rates, 1, 64)?;
        check(w, "upsample_rates (length)", self.upsample_rates.len(), 1, 16)?;
        check_list(w, "upsample_kernel_sizes", &self.upsample_kernel_sizes, 1, MAX_KERNEL)?;
        check_list(w, "resblock_kernel_sizes", &self.resblock_kernel_sizes, 1, MAX_KERNEL)?;
        check(w, "resblock_dilation_sizes (length)", self.resblock_dilation_sizes.len(), 1, 64)?;
        for d in &self.resblock_dilation_sizes {
            check_list(w, "resblock_dilation_sizes", d, 1, MAX_KERNEL)?;
        }
        if self.upsample_rates.iter().zip(&self.upsample_kernel_sizes).any(|(u, k)| k < u) {
            return bad("every upsample kernel must be at least as long as its upsampling rate".into());
        }
        // The widest WN dilation is rate^(layers-1); its padding must stay small.
        let widest = self.wn_dilation_rate.checked_pow(self.wn_layers as u32 - 1);
        if widest.is_none_or(|d| d.saturating_mul(self.wn_kernel) > MAX_FFT) {
            return bad("wn_dilation_rate ^ (wn_layers - 1) * wn_kernel is too large".into());
        }
        limits::bounded_product(w, "upsample_rates", &self.upsample_rates, MAX_FFT)?;
        if self.n_heads == 0 || !self.hidden_channels.is_multiple_of(self.n_heads) {
            return bad(format!("hidden_channels {} not divisible by n_heads {}", self.hidden_channels, self.n_heads));
        }
        if self.mrte.n_heads == 0 || !self.mrte.hidden_size.is_multiple_of(self.mrte.n_heads) {
            return bad("MRTE hidden_size not divisible by its heads".into());
        }
        if self.style_head == 0 || !self.style_hidden.is_multiple_of(self.style_head) {
            return bad("style_hidden not divisible by style_head".into());
        }
        if self.upsample_rates.len() != self.upsample_kernel_sizes.len() || self.upsample_rates.is_empty() {
            return bad("upsample_rates and upsample_kernel_sizes must be non-empty and of equal length".into());
        }
        if self.upsample_rates.iter().product::<usize>() != self.hop_length {
            return bad(format!(
                "the product of upsample_rates ({}) must equal hop_length ({})",
                self.upsample_rates.iter().product::<usize>(),
                self.hop_length
            ));
        }
        if self.resblock_kernel_sizes.len() != self.resblock_dilation_sizes.len() {
            return bad("resblock_kernel_sizes and resblock_dilation_sizes differ in length".into());
        }
        if self.resblock != "1" && self.resblock != "2" {
            return bad(format!("resblock must be \"1\" or \"2\", found {:?}", self.resblock));
        }
        if self.upsample_initial_channel >> self.upsample_rates.len() == 0 {
            return bad("upsample_initial_channel too small for the number of upsampling layers".into());
        }
        if !self.inter_channels.is_multiple_of(2) {
            return bad("inter_channels must be even (the flow splits it in halves)".into());
        }
        if self.wn_layers == 0 || self.wn_kernel.is_multiple_of(2) || self.style_kernel_size.is_multiple_of(2) {
            return bad("wn_layers must be >= 1 and wn_kernel / style_kernel_size odd".into());
        }
        if self.resblock_kernel_sizes.is_empty() || self.resblock_dilation_sizes.iter().any(|d| d.is_empty()) {
            return bad("resblock_kernel_sizes / resblock_dilation_sizes must not be empty".into());
        }
        if self.kernel_size == 0 || self.codebook_size == 0 || self.ssl_dim == 0 || self.text_vocab == 0 {
            return bad("kernel_size, codebook_size, ssl_dim and text_vocab must be positive".into());
        }
        if self.ref_enc_in_channels > self.spec_channels() {
            return bad("ref_enc_in_channels exceeds the spectrogram bins".into());
        }
        match self.sv_emb_dim {
            Some(d) if !self.version.spec().speaker_model => {
                return bad(format!("a {} model has no speaker embedding, but sv_emb_dim is {d}", self.version));
            }
            None if self.version.spec().speaker_model => {
                return bad(format!("a {} model needs sv_emb_dim (20480 officially)", self.version));
            }
            Some(d) => check(w, "sv_emb_dim", d, 1, limits::MAX_WIDTH * 4)?,
            None => {}
        }
        Ok(())
    }
}

// The sections of an upstream `s2.json` / a `.pth`'s pickled `config`, by upstream's names;
// absent (or null) fields are `None` and take the preset's value in `SovitsConfig::from_json`.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct S2File {
    model: Option<S2Model>,
    data: Option<S2Data>,
    /// Only in the parity fixtures' configs: the MRTE widths.
    mrte: Option<S2Mrte>,
    /// Only in the parity fixtures' configs: the sizes upstream hard-codes.
    derived: Option<S2Derived>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct S2Model {
    version: Option<String>,
    inter_channels: Option<usize>,
    hidden_channels: Option<usize>,
    filter_channels: Option<usize>,
    n_heads: Option<usize>,
    n_layers: Option<usize>,
    kernel_size: Option<usize>,
    resblock: Option<Resblock>,
    resblock_kernel_sizes: Option<Vec<usize>>,
    resblock_dilation_sizes: Option<Vec<Vec<usize>>>,
    upsample_rates: Option<Vec<usize>>,
    upsample_initial_channel: Option<usize>,
    upsample_kernel_sizes: Option<Vec<usize>>,
    gin_channels: Option<usize>,
    semantic_frame_rate: Option<String>,
}

/// `resblock`: `"1"`/`"2"`, or the number (some configs write `1`).
#[derive(Debug, Clone)]
struct Resblock(String);

impl<'de> Deserialize<'de> for Resblock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            N(u64),
        }
        Ok(Resblock(match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::N(n) => n.to_string(),
        }))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct S2Data {
    sampling_rate: Option<u32>,
    filter_length: Option<usize>,
    hop_length: Option<usize>,
    win_length: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct S2Mrte {
    content_enc_channels: Option<usize>,
    hidden_size: Option<usize>,
    out_channels: Option<usize>,
    n_heads: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct S2Derived {
    ssl_dim: Option<usize>,
    codebook_size: Option<usize>,
    ref_enc_in_channels: Option<usize>,
    text_vocab: Option<usize>,
    attn_window_size: Option<usize>,
    sv_emb_in_features: Option<usize>,
    ref_enc: Option<S2RefEnc>,
    flow: Option<S2Flow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct S2RefEnc {
    style_hidden: Option<usize>,
    style_kernel_size: Option<usize>,
    style_head: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct S2Flow {
    n_flows: Option<usize>,
    wn_kernel: Option<usize>,
    wn_dilation_rate: Option<usize>,
    wn_layers: Option<usize>,
}
