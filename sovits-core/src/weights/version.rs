//! Which GPT-SoVITS generation a SoVITS checkpoint belongs to.

use super::store::TensorStore;

/// GPT-SoVITS model generations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelVersion {
    /// v1: 322 phone symbols, reference encoder over all 1025 bins.
    V1,
    /// v2: 732 phone symbols, reference encoder over the first 704 bins.
    V2,
    /// v2Pro: v2 plus a speaker-verification embedding (`sv_emb`, gin 1024).
    V2Pro,
    /// v2ProPlus: v2Pro with a wider HiFi-GAN.
    V2ProPlus,
    /// v3: CFM/DiT decoder + BigVGAN (24 kHz).
    V3,
    /// v4: CFM/DiT decoder + own 48 kHz vocoder.
    V4,
}

impl ModelVersion {
    /// Every generation, oldest first.
    pub const ALL: [ModelVersion; 6] = [
        ModelVersion::V1,
        ModelVersion::V2,
        ModelVersion::V2Pro,
        ModelVersion::V2ProPlus,
        ModelVersion::V3,
        ModelVersion::V4,
    ];

    /// The name upstream uses (`"v2Pro"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ModelVersion::V1 => "v1",
            ModelVersion::V2 => "v2",
            ModelVersion::V2Pro => "v2Pro",
            ModelVersion::V2ProPlus => "v2ProPlus",
            ModelVersion::V3 => "v3",
            ModelVersion::V4 => "v4",
        }
    }

    /// What this generation is made of and needs: the one table the loaders and the pipeline
    /// read, so a new generation is a new row here (and its model code), not `if`s elsewhere.
    pub fn spec(self) -> VersionSpec {
        use SovitsVariant::*;
        let (sovits, speaker_model, sample_rate, phone_symbols, supported) = match self {
            ModelVersion::V1 => (Vits, false, 32_000, 322, true),
            ModelVersion::V2 => (Vits, false, 32_000, 732, true),
            ModelVersion::V2Pro => (VitsSpeaker, true, 32_000, 732, true),
            ModelVersion::V2ProPlus => (VitsSpeakerWide, true, 32_000, 732, true),
            ModelVersion::V3 => (Cfm, false, 24_000, 732, false),
            ModelVersion::V4 => (Cfm, false, 48_000, 732, false),
        };
        VersionSpec { version: self, sovits, speaker_model, sample_rate, phone_symbols, supported }
    }

    /// Whether this library can run the model.
    pub fn is_supported(self) -> bool {
        self.spec().supported
    }

    /// The generations this build runs, as a list for messages (`"v1, v2"`).
    pub fn supported_list() -> String {
        Self::ALL.iter().filter(|v| v.is_supported()).map(|v| v.name()).collect::<Vec<_>>().join(", ")
    }
}

/// The stage-2 model a generation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SovitsVariant {
    /// `SynthesizerTrn`: VITS with MRTE and a reference encoder (v1, v2).
    Vits,
    /// `SynthesizerTrn` with a speaker-verification embedding (`sv_emb`, v2Pro).
    VitsSpeaker,
    /// v2Pro's model with a wider HiFi-GAN (v2ProPlus).
    VitsSpeakerWide,
    /// `SynthesizerTrnV3`: a CFM/DiT decoder and a vocoder (v3, v4).
    Cfm,
}

/// What a model generation needs ([`ModelVersion::spec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionSpec {
    /// The generation.
    pub version: ModelVersion,
    /// Its stage-2 model.
    pub sovits: SovitsVariant,
    /// Whether it needs the speaker-verification model (`pretrained_eres2netv2w24s4ep4.ckpt`).
    pub speaker_model: bool,
    /// Output sample rate.
    pub sample_rate: u32,
    /// Rows of the phone table (`enc_p.text_embedding`).
    pub phone_symbols: usize,
    /// Whether this build runs it.
    pub supported: bool,
}

/// Which generation a SoVITS checkpoint is: its tensors decide ([`detect_sovits_version`]),
/// and the file's header tag, when it has one, must agree with them (it only breaks the tie
/// between v3 and v4, which share their keys). The one place that answers this for the
/// loaders.
///
/// # Errors
/// [`crate::Error::Format`] when the tag names another generation than the tensors hold
/// (e.g. a `05` v2Pro tag on a file without the `sv_emb` layer): upstream would build the
/// tag's model and fill the missing layers with random weights.
pub fn checkpoint_version(store: &TensorStore, header_tag: Option<HeaderTag>) -> crate::Result<ModelVersion> {
    let tagged = header_tag.and_then(|h| h.version);
    let found = detect_sovits_version(store, tagged);
    match (header_tag, tagged) {
        (Some(tag), Some(v)) if v != found => Err(crate::Error::format(
            store.source(),
            "GPT-SoVITS checkpoint",
            format!(
                "its header tag {:?} says {v}, but its tensors are a {found} model ({}); the file was mislabelled \
                 or edited: re-export it with the GPT-SoVITS version that trained it",
                String::from_utf8_lossy(&tag.bytes),
                describe(store, found)
            ),
        )),
        _ => Ok(found),
    }
}

/// What in the tensors marks a generation, for messages.
fn describe(store: &TensorStore, v: ModelVersion) -> &'static str {
    let has_sv = store.keys().any(|k| k.starts_with("sv_emb."));
    match v {
        ModelVersion::V2ProPlus => "sv_emb.* and a first HiFi-GAN kernel of 20",
        ModelVersion::V2Pro => "sv_emb.* and a first HiFi-GAN kernel of 16",
        ModelVersion::V3 | ModelVersion::V4 => "cfm.* keys",
        _ if !has_sv => "no sv_emb.* keys",
        _ => "its phone table and reference encoder",
    }
}

impl std::str::FromStr for ModelVersion {
    type Err = crate::Error;

    /// Parses upstream's name (`"v2Pro"`, ...).
    fn from_str(s: &str) -> crate::Result<Self> {
        ModelVersion::ALL.into_iter().find(|v| v.name() == s).ok_or_else(|| {
            crate::Error::Config(format!(
                "unknown model version {s:?} (known: {})",
                ModelVersion::ALL.map(ModelVersion::name).join(", ")
            ))
        })
    }
}

impl std::fmt::Display for ModelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a GPT-SoVITS header tag (the two ASCII bytes written instead of `PK` by upstream's
/// `my_save2`) says, following upstream's `head2version` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderTag {
    /// The raw two bytes.
    pub bytes: [u8; 2],
    /// The generation the tag names, if known.
    pub version: Option<ModelVersion>,
    /// Whether the tag marks a LoRA file (`03`, `04`).
    pub lora: bool,
}

impl HeaderTag {
    /// The tag at the start of a file, if it has one: two ASCII digits where a zip file has
    /// `PK`, followed by the zip signature's `\x03\x04`.
    pub fn detect(head: &[u8]) -> Option<Self> {
        match head {
            [a, b, 3, 4, ..] if a.is_ascii_digit() && b.is_ascii_digit() => Some(Self::parse([*a, *b])),
            _ => None,
        }
    }

    /// Interprets two header bytes.
    pub fn parse(bytes: [u8; 2]) -> Self {
        let (version, lora) = match &bytes {
            b"00" => (Some(ModelVersion::V1), false),
            b"01" => (Some(ModelVersion::V2), false),
            b"02" => (Some(ModelVersion::V3), false),
            b"03" => (Some(ModelVersion::V3), true),
            b"04" => (Some(ModelVersion::V4), true),
            b"05" => (Some(ModelVersion::V2Pro), false),
            b"06" => (Some(ModelVersion::V2ProPlus), false),
            _ => (None, false),
        };
        HeaderTag { bytes, version, lora }
    }
}

/// Detects the generation of a SoVITS state dict from its keys and shapes.
///
/// * `cfm.*` keys: v3/v4 (`hint`, e.g. a header tag, tells them apart; v3 otherwise);
/// * `sv_emb.*`: v2Pro, or v2ProPlus when the first HiFi-GAN upsampling kernel is 20
///   (`s2v2ProPlus.json`; v2Pro has 16) or, for files without that tensor, the HiFi-GAN
///   starts at 768 channels;
/// * otherwise v1 when `enc_p.text_embedding.weight` has 322 rows or the reference encoder
///   reads all 1025 bins, else v2.
pub fn detect_sovits_version(store: &TensorStore, hint: Option<ModelVersion>) -> ModelVersion {
    let has_prefix = |p: &str| store.keys().any(|k| k.starts_with(p));
    if has_prefix("cfm.") {
        return match hint {
            Some(ModelVersion::V4) => ModelVersion::V4,
            _ => ModelVersion::V3,
        };
    }
    if has_prefix("sv_emb.") {
        let kernel = upsample_kernel(store, 0);
        let wide = match kernel {
            Some(k) => k == 20,
            None => store.get("dec.conv_pre.weight").is_some_and(|t| t.shape.first() == Some(&768)),
        };
        return if wide { ModelVersion::V2ProPlus } else { ModelVersion::V2Pro };
    }
    let rows_322 = store.get("enc_p.text_embedding.weight").map(|t| t.shape.first() == Some(&322)).unwrap_or(false);
    let full_bins = store.get("ref_enc.spectral.0.fc.weight").map(|t| t.shape.get(1) == Some(&1025)).unwrap_or(false);
    if rows_322 || full_bins { ModelVersion::V1 } else { ModelVersion::V2 }
}

/// The kernel size of HiFi-GAN upsampling layer `i` (`dec.ups.{i}`), from whichever spelling of
/// its weight-normed weight the file uses (plain, `weight_v`, or the parametrization API).
pub fn upsample_kernel(store: &TensorStore, i: usize) -> Option<usize> {
    ["weight", "weight_v", "parametrizations.weight.original1"]
        .iter()
        .find_map(|n| store.get(&format!("dec.ups.{i}.{n}")))
        .and_then(|t| t.shape.get(2).copied())
}
