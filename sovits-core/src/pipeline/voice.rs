//! [`Voice`]: what a reference clip and its transcript become (prompt tokens, prompt phones
//! and their BERT features, reference [`Spectrogram`]s and, for v2Pro/v2ProPlus, their
//! speaker embeddings), and its file format (a small safetensors file, `format=sovits-voice`,
//! `version=2`; version 1 files, written before v2Pro support, still load).

use std::path::Path;

use burn::tensor::{Tensor, TensorData, backend::Backend};

use crate::text::Lang;
use crate::{Error, Result};

/// A linear spectrogram of a reference clip, `[bins, frames]` row-major (the SoVITS
/// reference encoder's input; 1025 bins at 32 kHz for v2).
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrogram {
    /// `bins * frames` magnitudes, row-major.
    pub data: Vec<f32>,
    /// Frequency bins (`n_fft / 2 + 1`).
    pub bins: usize,
    /// Frames (hop 640 at 32 kHz: 50 per second).
    pub frames: usize,
}

impl Spectrogram {
    /// The spectrogram on a device.
    ///
    /// # Shapes
    /// -> `[1, bins, frames]`.
    pub fn to_tensor<B: Backend>(&self, device: &B::Device) -> Tensor<B, 3> {
        Tensor::from_data(TensorData::new(self.data.clone(), [1, self.bins, self.frames]), device)
    }
}

/// What the reference clip says, in which language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// The words, as given (a final full stop is added when the text lacks one).
    pub text: String,
    /// Their language.
    pub lang: Lang,
}

impl Transcript {
    /// A transcript.
    pub fn new(text: impl Into<String>, lang: Lang) -> Self {
        Transcript { text: text.into(), lang }
    }
}

/// A cloned voice: the reference's prompt semantic tokens, the prompt phones and their BERT
/// features, and the reference spectrogram(s). Made by
/// [`Tts::voice`](crate::pipeline::Tts::voice); saved and loaded with [`Voice::save`] /
/// [`Voice::load`] so apps ship voices without recomputing them.
#[derive(Debug, Clone, PartialEq)]
pub struct Voice {
    /// Prompt semantic tokens (25 Hz); empty in reference-free mode.
    pub prompt_tokens: Vec<u32>,
    /// v2 phone ids of the reference transcript; empty in reference-free mode.
    pub prompt_phones: Vec<u32>,
    /// BERT features of the prompt phones, `[bert_dim, prompt_phones.len()]` row-major.
    pub prompt_bert: Vec<f32>,
    /// BERT feature size (1024).
    pub bert_dim: usize,
    /// Reference spectrograms, all with the same bins; the timbre is the mean over them.
    pub refers: Vec<Spectrogram>,
    /// The transcript, when one was given (reference-free voices have none).
    pub transcript: Option<Transcript>,
    /// v2Pro/v2ProPlus: the speaker-verification embedding (`sv_emb`, 20480 values
    /// officially) of each reference, parallel to `refers`; empty for voices of v1/v2 models.
    pub sv_embs: Vec<Vec<f32>>,
}

impl Voice {
    const FORMAT: &'static str = "sovits-voice";
    const VERSION: &'static str = "2";
    /// Versions [`Voice::from_bytes`] reads: 1 (v1/v2 voices, no speaker embeddings) and 2.
    const READS: [&'static str; 2] = ["1", "2"];

    /// Spectrogram bins of the references (0 for a voice without any, which is invalid).
    pub fn bins(&self) -> usize {
        self.refers.first().map_or(0, |r| r.bins)
    }

    /// The size of its speaker embeddings (v2Pro/v2ProPlus voices), `None` for v1/v2 voices.
    pub fn sv_emb_dim(&self) -> Option<usize> {
        self.sv_embs.first().map(Vec::len)
    }

    /// Whether the voice has no prompt (upstream's reference-free mode: timbre only).
    pub fn is_reference_free(&self) -> bool {
        self.prompt_tokens.is_empty()
    }

    /// Saves the voice as a small safetensors file (tokens, phones, BERT features,
    /// spectrograms, and the transcript in the metadata).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()?).map_err(|e| Error::io_write(path, e))
    }

    /// The bytes [`Voice::save`] writes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        use safetensors::tensor::{Dtype, TensorView};
        self.validate()?;
        let u32_bytes = |v: &[u32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let f32_bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let mut blobs: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = vec![
            ("prompt_tokens".into(), Dtype::U32, vec![self.prompt_tokens.len()], u32_bytes(&self.prompt_tokens)),
            ("prompt_phones".into(), Dtype::U32, vec![self.prompt_phones.len()], u32_bytes(&self.prompt_phones)),
            (
                "prompt_bert".into(),
                Dtype::F32,
                vec![self.bert_dim, self.prompt_phones.len()],
                f32_bytes(&self.prompt_bert),
            ),
        ];
        for (i, r) in self.refers.iter().enumerate() {
            blobs.push((format!("refer.{i}"), Dtype::F32, vec![r.bins, r.frames], f32_bytes(&r.data)));
        }
        for (i, e) in self.sv_embs.iter().enumerate() {
            blobs.push((format!("sv_emb.{i}"), Dtype::F32, vec![e.len()], f32_bytes(e)));
        }
        let views = blobs
            .iter()
            .map(|(n, dt, shape, b)| {
                TensorView::new(*dt, shape.clone(), b)
                    .map(|v| (n.clone(), v))
                    .map_err(|e| Error::InvalidArgument(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut meta = std::collections::HashMap::new();
        meta.insert("format".to_string(), Self::FORMAT.to_string());
        meta.insert("version".to_string(), Self::VERSION.to_string());
        if let Some(t) = &self.transcript {
            meta.insert("prompt_text".to_string(), t.text.clone());
            meta.insert("prompt_lang".to_string(), t.lang.to_string());
        }
        safetensors::serialize(views, Some(meta)).map_err(|e| Error::InvalidArgument(e.to_string()))
    }

    /// Loads a voice written by [`Voice::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            Error::Format { format, reason, .. } => Error::format(path, format, reason),
            e => e,
        })
    }

    /// Parses the bytes of a voice file. Every tensor's dtype, rank and size is checked, and so
    /// is the consistency of the whole ([`Voice::validate`]): a voice that loads also saves and
    /// can be passed to any synthesis call (which then checks it against its model).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        use safetensors::Dtype;
        let bad = |r: String| Error::format("<voice>", "sovits voice", r);
        let (_, meta) = safetensors::SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
        let meta = meta.metadata().clone().unwrap_or_default();
        if meta.get("format").map(String::as_str) != Some(Self::FORMAT) {
            return Err(bad("not a voice saved by sovits (no format=sovits-voice metadata)".into()));
        }
        let version = meta.get("version").map(String::as_str).unwrap_or("");
        if !Self::READS.contains(&version) {
            return Err(bad(format!(
                "voice file version {version:?} is not supported (this build reads {}); it was written by a newer \
                 sovits",
                Self::READS.join(", ")
            )));
        }
        let st = safetensors::SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
        let get = |name: &str, dtype: Dtype, rank: usize| {
            let t = st.tensor(name).map_err(|_| bad(format!("missing tensor {name}")))?;
            if t.dtype() != dtype || t.shape().len() != rank {
                return Err(bad(format!(
                    "{name} is {:?} {:?}, expected a {rank}-D {dtype:?} tensor",
                    t.dtype(),
                    t.shape()
                )));
            }
            Ok(t)
        };
        let u32s = |name: &str| -> Result<Vec<u32>> {
            let t = get(name, Dtype::U32, 1)?;
            Ok(t.data().chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
        };
        let f32s = |name: &str| -> Result<(Vec<f32>, Vec<usize>)> {
            let t = get(name, Dtype::F32, 2)?;
            let d = t.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            Ok((d, t.shape().to_vec()))
        };
        let prompt_tokens = u32s("prompt_tokens")?;
        let prompt_phones = u32s("prompt_phones")?;
        let (prompt_bert, bshape) = f32s("prompt_bert")?;
        let bert_dim = bshape[0];
        if bshape[1] != prompt_phones.len() {
            return Err(bad("prompt_bert does not match prompt_phones".into()));
        }
        let n_refers = st.names().iter().filter(|n| n.starts_with("refer.")).count();
        let mut refers = Vec::with_capacity(n_refers);
        for i in 0..n_refers {
            let (data, shape) = f32s(&format!("refer.{i}"))?;
            refers.push(Spectrogram { data, bins: shape[0], frames: shape[1] });
        }
        let n_sv = st.names().iter().filter(|n| n.starts_with("sv_emb.")).count();
        if n_sv > 0 && version == "1" {
            return Err(bad("a version 1 voice file cannot hold speaker embeddings".into()));
        }
        let mut sv_embs = Vec::with_capacity(n_sv);
        for i in 0..n_sv {
            let t = get(&format!("sv_emb.{i}"), Dtype::F32, 1)?;
            sv_embs.push(t.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect());
        }
        if let Some(other) = st.names().into_iter().find(|n| {
            !matches!(&**n, "prompt_tokens" | "prompt_phones" | "prompt_bert")
                && !n.starts_with("refer.")
                && !n.starts_with("sv_emb.")
        }) {
            return Err(bad(format!("unexpected tensor {other}")));
        }
        let transcript = match (meta.get("prompt_text"), meta.get("prompt_lang")) {
            (Some(t), Some(l)) => {
                let lang = l.parse().map_err(|_| bad(format!("unknown transcript language {l:?}")))?;
                Some(Transcript::new(t.clone(), lang))
            }
            _ => None,
        };
        let voice = Voice { prompt_tokens, prompt_phones, prompt_bert, bert_dim, refers, transcript, sv_embs };
        voice.validate().map_err(|e| match e {
            Error::InvalidArgument(m) => bad(m),
            e => e,
        })?;
        Ok(voice)
    }

    /// Checks that the parts of the voice fit together: at least one reference spectrogram,
    /// all `[bins, frames]` with the same bins and `frames >= 1`, BERT features
    /// `[bert_dim, phones]`, and prompt tokens and phones either both present or both empty
    /// (reference-free), and speaker embeddings either absent or one per reference, all of one
    /// size. Sizes are bounded by [`crate::limits`]; values must be finite.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidArgument(format!("voice: {m}")));
        if self.refers.is_empty() {
            return bad("no reference spectrogram".into());
        }
        let bins = self.bins();
        if !(1..=crate::limits::MAX_FFT).contains(&bins) {
            return bad(format!("{bins} spectrogram bins"));
        }
        if !(1..=crate::limits::MAX_WIDTH).contains(&self.bert_dim) {
            return bad(format!("BERT features of size {}", self.bert_dim));
        }
        for (i, r) in self.refers.iter().enumerate() {
            if r.bins != bins {
                return bad(format!("reference {i} has {} bins, reference 0 has {bins}", r.bins));
            }
            if r.frames == 0 || r.bins.checked_mul(r.frames) != Some(r.data.len()) {
                return bad(format!(
                    "reference {i} holds {} values, not {} bins x {} frames",
                    r.data.len(),
                    r.bins,
                    r.frames
                ));
            }
            if r.data.iter().any(|v| !v.is_finite()) {
                return bad(format!("reference {i} holds NaN or infinite values"));
            }
        }
        if self.bert_dim.checked_mul(self.prompt_phones.len()) != Some(self.prompt_bert.len()) {
            return bad("the prompt's BERT features do not match its phones".into());
        }
        if self.prompt_bert.iter().any(|v| !v.is_finite()) {
            return bad("the prompt's BERT features hold NaN or infinite values".into());
        }
        if !self.sv_embs.is_empty() {
            if self.sv_embs.len() != self.refers.len() {
                return bad(format!(
                    "{} speaker embeddings for {} references (want one per reference)",
                    self.sv_embs.len(),
                    self.refers.len()
                ));
            }
            let dim = self.sv_embs[0].len();
            if !(1..=crate::limits::MAX_WIDTH * 4).contains(&dim) || self.sv_embs.iter().any(|e| e.len() != dim) {
                return bad("speaker embeddings of different or impossible sizes".into());
            }
            if self.sv_embs.iter().flatten().any(|v| !v.is_finite()) {
                return bad("a speaker embedding holds NaN or infinite values".into());
            }
        }
        if self.prompt_tokens.is_empty() != self.prompt_phones.is_empty() {
            return bad("prompt tokens and prompt phones must be both present or both empty (reference-free)".into());
        }
        Ok(())
    }
}
