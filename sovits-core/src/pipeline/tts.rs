//! Zero-shot synthesis end to end (upstream `inference_webui.get_tts_wav`, batch 1): a
//! [`Voice`] made once from a reference clip (+ its transcript), then any text ->
//! sentences -> phones + BERT -> GPT semantic tokens -> SoVITS waveform, with the original's
//! parameters and defaults.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use burn::tensor::{Tensor, TensorData, backend::Backend};

use super::reference::{ReferenceOptions, prompt_semantic, reference_spectrogram};
use crate::audio::{Audio, SpectrogramConfig, read_wav};
use crate::models::bert::{BertModel, BertTokenizer, phone_level_features};
use crate::models::gpt::{KvCache, SamplingParams, Text2SemanticDecoder};
use crate::models::hubert::HubertModel;
use crate::models::sovits::{Noise, SynthesizerTrn};
use crate::text::split::{CutMethod, sentences};
use crate::text::{FrontendOptions, Phonemes, phonemize_with};
use crate::{Error, Result};

/// Where the four model parts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    /// GPT checkpoint (`s1bert25hz-*.ckpt`, `GPT_weights_v2/*.ckpt`, or safetensors).
    pub gpt: PathBuf,
    /// SoVITS checkpoint (`s2G2333k.pth`, `SoVITS_weights_v2/*.pth`, or safetensors).
    pub sovits: PathBuf,
    /// `chinese-hubert-base` folder (config.json + model.safetensors or pytorch_model.bin).
    pub hubert: PathBuf,
    /// `chinese-roberta-wwm-ext-large` folder (config.json, weights, tokenizer.json/vocab.txt).
    pub bert: PathBuf,
}

impl ModelPaths {
    /// Finds the parts in one directory laid out like upstream's `pretrained_models/`: one
    /// `*.ckpt` (GPT), one `*.pth` (SoVITS; `s2G*.pth` preferred when there are several),
    /// and the `chinese-hubert-base` and `chinese-roberta-wwm-ext-large` folders.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        Self::from_dir_with(dir, ModelOverrides::default())
    }

    /// [`ModelPaths::from_dir`] where the parts given in `over` are taken as they are (and not
    /// searched for), e.g. to pick one of several `.pth` files.
    pub fn from_dir_with(dir: impl AsRef<Path>, over: ModelOverrides) -> Result<Self> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let (mut ckpt, mut pth) = (Vec::new(), Vec::new());
        for e in entries.flatten() {
            let p = e.path();
            match p.extension().and_then(|x| x.to_str()) {
                Some("ckpt") => ckpt.push(p),
                Some("pth") => pth.push(p),
                _ => {}
            }
        }
        ckpt.sort();
        pth.sort();
        let pick = |mut v: Vec<PathBuf>, what: &str, prefer: &str| -> Result<PathBuf> {
            if v.len() > 1 {
                let preferred: Vec<PathBuf> = v
                    .iter()
                    .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefer)))
                    .cloned()
                    .collect();
                if preferred.len() == 1 {
                    return Ok(preferred[0].clone());
                }
                let names: Vec<String> = v.iter().map(|p| p.display().to_string()).collect();
                return Err(Error::Config(format!(
                    "{} holds several {what} files ({}); name the one to use explicitly",
                    dir.display(),
                    names.join(", ")
                )));
            }
            v.pop().ok_or_else(|| {
                Error::not_found(dir, format!("no {what} file in this folder; see docs/usage.md for the model files"))
            })
        };
        let folder = |name: &str| -> Result<PathBuf> {
            let p = dir.join(name);
            if p.is_dir() {
                Ok(p)
            } else {
                Err(Error::not_found(
                    &p,
                    format!("the {name} folder is missing; see docs/usage.md for the model files"),
                ))
            }
        };
        Ok(ModelPaths {
            gpt: match over.gpt {
                Some(p) => p,
                None => pick(ckpt, "GPT .ckpt", "s1")?,
            },
            sovits: match over.sovits {
                Some(p) => p,
                None => pick(pth, "SoVITS .pth", "s2G")?,
            },
            hubert: match over.hubert {
                Some(p) => p,
                None => folder("chinese-hubert-base")?,
            },
            bert: match over.bert {
                Some(p) => p,
                None => folder("chinese-roberta-wwm-ext-large")?,
            },
        })
    }
}

/// Parts named explicitly, for [`ModelPaths::from_dir_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelOverrides {
    /// The GPT checkpoint.
    pub gpt: Option<PathBuf>,
    /// The SoVITS checkpoint.
    pub sovits: Option<PathBuf>,
    /// The HuBERT folder.
    pub hubert: Option<PathBuf>,
    /// The BERT folder.
    pub bert: Option<PathBuf>,
}

/// How models are loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct TtsOptions {
    /// Run the GPT's cached decode steps as host mat-vecs (fast on CPUs, see
    /// docs/performance.md); turn off on GPU backends.
    pub host_gpt_decode: bool,
}

impl Default for TtsOptions {
    fn default() -> Self {
        TtsOptions { host_gpt_decode: true }
    }
}

/// The loaded models: GPT, SoVITS, CN-HuBERT, Chinese RoBERTa (+ tokenizer). Immutable after
/// loading, `Send + Sync`: share one `Tts` (e.g. in an `Arc`) between threads and run
/// syntheses with different voices concurrently.
pub struct Tts<B: Backend> {
    gpt: Text2SemanticDecoder<B>,
    sovits: SynthesizerTrn<B>,
    hubert: HubertModel<B>,
    bert: BertModel<B>,
    tokenizer: BertTokenizer,
    device: B::Device,
}

/// A cloned voice: the reference's prompt semantic tokens, the prompt phones and their BERT
/// features, and the reference spectrogram(s). Made by [`Tts::voice`]; saved and loaded with
/// [`Voice::save`] / [`Voice::load`] so apps ship voices without recomputing them.
#[derive(Debug, Clone, PartialEq)]
pub struct Voice {
    /// Prompt semantic tokens (25 Hz); empty in reference-free mode.
    pub prompt_tokens: Vec<u32>,
    /// v2 phone ids of the reference transcript; empty in reference-free mode.
    pub prompt_phones: Vec<u32>,
    /// BERT features of the prompt phones, `[bert_dim, prompt_phones.len()]` row-major.
    pub prompt_bert: Vec<f32>,
    /// Reference spectrograms `[bins, frames]` (row-major) with their frame counts; the timbre
    /// is the mean over them.
    pub refers: Vec<(Vec<f32>, usize)>,
    /// Spectrogram bins (1025).
    pub bins: usize,
    /// BERT feature size (1024).
    pub bert_dim: usize,
    /// The transcript and its language, when given.
    pub prompt_text: Option<(String, String)>,
}

/// Synthesis settings; the defaults are the WebUI's.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthesisParams {
    /// Top-k (15).
    pub top_k: usize,
    /// Top-p (1.0 = off).
    pub top_p: f32,
    /// Temperature (1.0).
    pub temperature: f32,
    /// Repetition penalty (1.35).
    pub repetition_penalty: f32,
    /// Speaking rate (1.0; upstream's slider spans 0.6-1.65).
    pub speed: f32,
    /// How the text is cut into sentences (`cut1`, four clauses).
    pub split: CutMethod,
    /// Silence after every sentence, seconds (0.3).
    pub pause_seconds: f32,
    /// Seed of the sampler and the SoVITS noise (sentence `i` uses `seed + i`).
    pub seed: u64,
    /// SoVITS noise scale (0.5; 0 = deterministic).
    pub noise_scale: f32,
    /// Most semantic tokens per sentence (1500 = 60 s; upstream's cap).
    pub max_tokens: usize,
    /// Text frontend options (user dictionary).
    pub frontend: FrontendOptions,
    /// Longest text (in characters) one synthesis call accepts
    /// ([`crate::limits::DEFAULT_MAX_TEXT_CHARS`] = 50 000, about an hour of speech); longer
    /// text is an [`Error::InvalidArgument`] before any work is done. Raise it for longer
    /// documents, or better, stream them in parts.
    pub max_text_chars: usize,
}

impl Default for SynthesisParams {
    fn default() -> Self {
        SynthesisParams {
            top_k: 15,
            top_p: 1.0,
            temperature: 1.0,
            repetition_penalty: 1.35,
            speed: 1.0,
            split: CutMethod::Cut1,
            pause_seconds: 0.3,
            seed: 0,
            noise_scale: 0.5,
            max_tokens: 1500,
            frontend: FrontendOptions::default(),
            max_text_chars: crate::limits::DEFAULT_MAX_TEXT_CHARS,
        }
    }
}

impl SynthesisParams {
    /// Checks every value; the message says which one is wrong and what is allowed.
    pub fn validate(&self) -> Result<()> {
        self.sampling(0).validate()?;
        let bad = |m: String| Err(Error::InvalidArgument(m));
        if !(self.speed.is_finite() && self.speed > 0.0 && self.speed <= 4.0) {
            return bad(format!("speed must be in (0, 4], got {}", self.speed));
        }
        if !(self.pause_seconds.is_finite() && (0.0..=10.0).contains(&self.pause_seconds)) {
            return bad(format!("pause_seconds must be in [0, 10], got {}", self.pause_seconds));
        }
        if !(self.noise_scale.is_finite() && self.noise_scale >= 0.0) {
            return bad(format!("noise_scale must be >= 0, got {}", self.noise_scale));
        }
        if self.max_text_chars == 0 {
            return bad("max_text_chars must be at least 1".into());
        }
        Ok(())
    }

    fn sampling(&self, sentence: u64) -> SamplingParams {
        SamplingParams {
            top_k: self.top_k,
            top_p: self.top_p,
            temperature: self.temperature,
            repetition_penalty: self.repetition_penalty,
            early_stop_num: 2700,
            max_steps: self.max_tokens,
            seed: self.seed.wrapping_add(sentence),
        }
    }
}

/// A flag another thread can set to stop a synthesis; checked before every GPT step and
/// between sentences (the call then returns [`Error::Cancelled`]).
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks the synthesis to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Clears a cancel request (for reusing a token between calls).
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// One synthesised sentence, as the streaming call hands it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Index of the sentence.
    pub index: usize,
    /// Number of sentences in the text.
    pub count: usize,
    /// The sentence.
    pub text: String,
    /// Its audio at [`Tts::sample_rate`] followed by the pause.
    pub samples: Vec<f32>,
    /// Semantic tokens the GPT generated for it.
    pub tokens: Vec<u32>,
}

impl<B: Backend> Tts<B> {
    /// Loads the four parts (every tensor checked; the errors name missing files and keys).
    pub fn load(paths: &ModelPaths, opts: &TtsOptions, device: &B::Device) -> Result<Self> {
        let mut gpt = Text2SemanticDecoder::from_file(&paths.gpt, None, device)?;
        if opts.host_gpt_decode {
            gpt = gpt.with_host_decode();
        }
        let (sovits, _) = SynthesizerTrn::from_file(&paths.sovits, None, device)?;
        let hubert = HubertModel::from_folder(&paths.hubert, device)?;
        let bert = BertModel::from_folder(&paths.bert, None, device)?;
        let tokenizer = BertTokenizer::from_folder(&paths.bert)?;
        Ok(Tts { gpt, sovits, hubert, bert, tokenizer, device: device.clone() })
    }

    /// A `Tts` from models loaded some other way (e.g. from safetensors exports).
    pub fn from_parts(
        gpt: Text2SemanticDecoder<B>,
        sovits: SynthesizerTrn<B>,
        hubert: HubertModel<B>,
        bert: BertModel<B>,
        tokenizer: BertTokenizer,
        device: &B::Device,
    ) -> Self {
        Tts { gpt, sovits, hubert, bert, tokenizer, device: device.clone() }
    }

    /// [`Tts::load`] from a directory ([`ModelPaths::from_dir`]).
    pub fn from_dir(dir: impl AsRef<Path>, opts: &TtsOptions, device: &B::Device) -> Result<Self> {
        Self::load(&ModelPaths::from_dir(dir)?, opts, device)
    }

    /// Output sample rate (32 kHz for v2).
    pub fn sample_rate(&self) -> u32 {
        self.sovits.config().sampling_rate
    }

    /// The GPT, SoVITS, HuBERT and BERT models (for lower-level use).
    pub fn models(&self) -> (&Text2SemanticDecoder<B>, &SynthesizerTrn<B>, &HubertModel<B>, &BertModel<B>) {
        (&self.gpt, &self.sovits, &self.hubert, &self.bert)
    }

    fn spectrogram_config(&self) -> SpectrogramConfig {
        let c = self.sovits.config();
        SpectrogramConfig { n_fft: c.filter_length, hop: c.hop_length, win: c.win_length, ..Default::default() }
    }

    /// The reference spectrogram of a clip, `[bins, frames]` row-major, and `frames`.
    pub fn reference_spectrogram(&self, audio: &Audio) -> Result<(Vec<f32>, usize)> {
        let t = reference_spectrogram::<B>(audio, self.sample_rate(), &self.spectrogram_config(), &self.device)?;
        let frames = t.dims()[2];
        let data = t.into_data().into_vec::<f32>().map_err(|e| Error::Audio(format!("{e:?}")))?;
        Ok((data, frames))
    }

    /// A voice from a reference clip (3-10 s) and its transcript `(text, language)`;
    /// `None` is upstream's reference-free mode (no prompt: timbre only, weaker likeness).
    pub fn voice(
        &self,
        reference: &Audio,
        transcript: Option<(&str, &str)>,
        frontend: &FrontendOptions,
    ) -> Result<Voice> {
        let refer = self.reference_spectrogram(reference)?;
        let bert_dim = self.gpt.config().bert_dim;
        let bins = self.sovits.config().spec_channels();
        let mut voice = Voice {
            prompt_tokens: Vec::new(),
            prompt_phones: Vec::new(),
            prompt_bert: Vec::new(),
            refers: vec![refer],
            bins,
            bert_dim,
            prompt_text: None,
        };
        if let Some((text, lang)) = transcript {
            let mut text = text.replace('\n', "");
            if text.trim().is_empty() {
                return Err(Error::InvalidArgument(
                    "the reference transcript is empty; pass None for reference-free mode".into(),
                ));
            }
            // Upstream ends the prompt text with a full stop when it lacks a split mark.
            if !text.chars().last().is_some_and(|c| "，。？！,.?!~:：—…".contains(c)) {
                text.push_str(if lang == "en" { "." } else { "。" });
            }
            let p = phonemize_with(&text, lang, frontend)?;
            check_sentence_phones(p.ids.len(), &text)?;
            voice.prompt_bert = self.bert_features(&p)?;
            voice.prompt_phones = p.ids;
            voice.prompt_tokens = prompt_semantic(&self.hubert, &self.sovits, reference, &ReferenceOptions::default())?;
            voice.prompt_text = Some((text, lang.to_string()));
        }
        Ok(voice)
    }

    /// [`Tts::voice`] from a WAV file.
    pub fn voice_from_wav(
        &self,
        path: impl AsRef<Path>,
        transcript: Option<(&str, &str)>,
        frontend: &FrontendOptions,
    ) -> Result<Voice> {
        self.voice(&read_wav(path)?, transcript, frontend)
    }

    /// Adds another reference clip to a voice (upstream's `inp_refs`): the timbre becomes the
    /// mean over all references.
    pub fn add_reference(&self, voice: &mut Voice, reference: &Audio) -> Result<()> {
        let r = self.reference_spectrogram(reference)?;
        voice.refers.push(r);
        Ok(())
    }

    /// BERT features of phonemised text, `[bert_dim, n_phones]` row-major: Chinese segments
    /// get RoBERTa features repeated per phone, other segments zeros (as upstream).
    pub fn bert_features(&self, p: &Phonemes) -> Result<Vec<f32>> {
        let dim = self.gpt.config().bert_dim;
        let mut cols: Vec<Vec<f32>> = Vec::new(); // per segment [dim, n]
        let mut widths = Vec::new();
        for s in &p.segments {
            let n = s.ids.len();
            widths.push(n);
            match (&s.word2ph, s.lang.as_str()) {
                (Some(w2p), "zh") => {
                    let hidden = self.bert.config().hidden_size;
                    if hidden != dim {
                        return Err(Error::Config(format!(
                            "the BERT model's hidden size ({hidden}) differs from the GPT's bert_dim ({dim}); \
                             these models do not belong together"
                        )));
                    }
                    let ids = self.tokenizer.encode(&s.norm_text);
                    let f = self.bert.features(&ids)?;
                    if f.dims()[0] != w2p.len() {
                        return Err(Error::InvalidArgument(format!(
                            "BERT gave {} positions for {} characters of {:?}",
                            f.dims()[0],
                            w2p.len(),
                            s.norm_text
                        )));
                    }
                    let t = phone_level_features(f, w2p)?;
                    cols.push(t.into_data().into_vec::<f32>().map_err(|e| Error::InvalidArgument(format!("{e:?}")))?);
                }
                _ => cols.push(vec![0.0; dim * n]),
            }
        }
        let total: usize = widths.iter().sum();
        let mut out = vec![0.0; dim * total];
        let mut off = 0;
        for (c, &n) in cols.iter().zip(&widths) {
            for r in 0..dim {
                out[r * total + off..r * total + off + n].copy_from_slice(&c[r * n..(r + 1) * n]);
            }
            off += n;
        }
        Ok(out)
    }

    /// Checks a voice against these models: its own consistency ([`Voice::validate`]), the
    /// spectrogram bins and BERT width, and its prompt ids against the vocabularies.
    pub fn check_voice(&self, voice: &Voice) -> Result<()> {
        voice.validate()?;
        let bad = |m: String| Err(Error::InvalidArgument(format!("the voice does not fit this model: {m}")));
        let bins = self.sovits.config().spec_channels();
        if voice.bins != bins {
            return bad(format!("its spectrograms have {} bins, this SoVITS model reads {bins}", voice.bins));
        }
        let g = self.gpt.config();
        if voice.bert_dim != g.bert_dim {
            return bad(format!("BERT features of size {}, this GPT uses {}", voice.bert_dim, g.bert_dim));
        }
        if let Some(p) = voice.prompt_phones.iter().find(|&&p| p as usize >= g.phoneme_vocab_size) {
            return bad(format!("prompt phone {p} is outside this GPT's {} phones", g.phoneme_vocab_size));
        }
        if let Some(t) = voice.prompt_tokens.iter().find(|&&t| t >= g.eos) {
            return bad(format!("prompt token {t} is outside this GPT's {} semantic tokens", g.eos));
        }
        Ok(())
    }

    /// One sentence given as phones and BERT features (`[bert_dim, phones.len()]`): GPT then
    /// SoVITS. Returns the generated tokens and the raw waveform (no peak limiting, no pause).
    pub fn synthesize_phones(
        &self,
        voice: &Voice,
        phones: &[u32],
        bert: &[f32],
        params: &SynthesisParams,
        sentence: u64,
        cancel: &CancelToken,
    ) -> Result<(Vec<u32>, Vec<f32>)> {
        self.check_voice(voice)?;
        let dim = self.gpt.config().bert_dim;
        if bert.len() != dim * phones.len() || phones.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "bert must be [{dim}, {}] for {} phones, got {} values",
                phones.len(),
                phones.len(),
                bert.len()
            )));
        }
        let ref_free = voice.prompt_tokens.is_empty();
        let (all_phones, all_bert) = if ref_free {
            (phones.to_vec(), bert.to_vec())
        } else {
            let (a, b) = (voice.prompt_phones.len(), phones.len());
            let mut joined = vec![0.0; dim * (a + b)];
            for r in 0..dim {
                joined[r * (a + b)..r * (a + b) + a].copy_from_slice(&voice.prompt_bert[r * a..(r + 1) * a]);
                joined[r * (a + b) + a..(r + 1) * (a + b)].copy_from_slice(&bert[r * b..(r + 1) * b]);
            }
            ([voice.prompt_phones.as_slice(), phones].concat(), joined)
        };
        let l = all_phones.len();
        let bert_t = Tensor::<B, 2>::from_data(TensorData::new(all_bert, [dim, l]), &self.device);
        let prompt = (!ref_free).then_some(voice.prompt_tokens.as_slice());
        let mut cache = KvCache::new();
        let out = self.gpt.infer_with_cache(
            &all_phones,
            bert_t,
            prompt,
            &params.sampling(sentence),
            &mut cache,
            None,
            &|| cancel.is_cancelled(),
        )?;
        if out.pred_semantic.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let refers: Vec<Tensor<B, 3>> = voice
            .refers
            .iter()
            .map(|(d, frames)| Tensor::from_data(TensorData::new(d.clone(), [1, voice.bins, *frames]), &self.device))
            .collect();
        let audio = self.sovits.decode(
            &out.pred_semantic,
            phones,
            &refers,
            params.noise_scale,
            params.speed,
            Noise::Seed(params.seed.wrapping_add(sentence)),
        )?;
        let samples = audio.into_data().into_vec::<f32>().map_err(|e| Error::Audio(format!("{e:?}")))?;
        Ok((out.pred_semantic, samples))
    }

    /// Synthesises `text` in `lang` (`all_zh`, `zh`, `en`, `auto`) with a voice.
    pub fn synthesize(&self, voice: &Voice, text: &str, lang: &str, params: &SynthesisParams) -> Result<Audio> {
        let mut samples = Vec::new();
        self.synthesize_stream(voice, text, lang, params, &CancelToken::new(), |c| {
            samples.extend_from_slice(&c.samples);
            true
        })?;
        Ok(Audio { samples, sample_rate: self.sample_rate() })
    }

    /// Streaming form: hands out each sentence's audio (with its pause) as soon as it is made.
    /// `on_chunk` returning `false` stops early (not an error); a cancelled `cancel` stops with
    /// [`Error::Cancelled`]. Returns the number of sentences delivered.
    pub fn synthesize_stream(
        &self,
        voice: &Voice,
        text: &str,
        lang: &str,
        params: &SynthesisParams,
        cancel: &CancelToken,
        mut on_chunk: impl FnMut(Chunk) -> bool,
    ) -> Result<usize> {
        params.validate()?;
        self.check_voice(voice)?;
        let chars = text.chars().count();
        if chars > params.max_text_chars {
            return Err(Error::InvalidArgument(format!(
                "the text has {chars} characters, more than max_text_chars ({}); split it or raise the limit",
                params.max_text_chars
            )));
        }
        let sentences = sentences(text, lang == "en", params.split)?;
        if sentences.is_empty() || text.trim().is_empty() {
            return Err(Error::InvalidArgument("the text is empty; give something to say".into()));
        }
        // Phonemise everything first so bad text fails before any audio is made.
        let mut prepared = Vec::new();
        for s in &sentences {
            let p = phonemize_with(s, lang, &params.frontend)?;
            if p.norm_text.is_empty() || p.ids.is_empty() {
                continue;
            }
            check_sentence_phones(p.ids.len(), s)?;
            prepared.push((s.clone(), p));
        }
        let pause = vec![0.0f32; (self.sample_rate() as f32 * params.pause_seconds) as usize];
        let count = prepared.len();
        for (i, (s, p)) in prepared.into_iter().enumerate() {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let bert = self.bert_features(&p)?;
            let (tokens, mut audio) = self.synthesize_phones(voice, &p.ids, &bert, params, i as u64, cancel)?;
            let peak = audio.iter().fold(0f32, |a, &b| a.max(b.abs()));
            if peak > 1.0 {
                audio.iter_mut().for_each(|v| *v /= peak);
            }
            audio.extend_from_slice(&pause);
            if !on_chunk(Chunk { index: i, count, text: s, samples: audio, tokens }) {
                return Ok(i + 1);
            }
        }
        Ok(count)
    }
}

/// A sentence (or transcript) the GPT can take: at most [`crate::limits::MAX_SENTENCE_PHONES`].
fn check_sentence_phones(n: usize, text: &str) -> Result<()> {
    let max = crate::limits::MAX_SENTENCE_PHONES;
    if n <= max {
        return Ok(());
    }
    let start: String = text.chars().take(30).collect();
    Err(Error::InvalidArgument(format!(
        "the sentence starting {start:?} has {n} phones, more than one GPT pass takes ({max}); put sentence \
         punctuation into it or use a split method that cuts it (cut1-cut5)"
    )))
}

impl Voice {
    const FORMAT: &'static str = "sovits-voice";
    const VERSION: &'static str = "1";

    /// Saves the voice as a small safetensors file (tokens, phones, BERT features,
    /// spectrograms, and the transcript in the metadata).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()?).map_err(|e| Error::io(path, e))
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
        for (i, (d, frames)) in self.refers.iter().enumerate() {
            blobs.push((format!("refer.{i}"), Dtype::F32, vec![self.bins, *frames], f32_bytes(d)));
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
        if let Some((t, l)) = &self.prompt_text {
            meta.insert("prompt_text".to_string(), t.clone());
            meta.insert("prompt_lang".to_string(), l.clone());
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
            return Err(bad("not a sovits voice file (no format=sovits-voice metadata)".into()));
        }
        if meta.get("version").map(String::as_str) != Some(Self::VERSION) {
            return Err(bad(format!("voice file version {:?} is not supported (want 1)", meta.get("version"))));
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
        let mut bins = 0;
        for i in 0..n_refers {
            let name = format!("refer.{i}");
            let (d, shape) = f32s(&name)?;
            if bins != 0 && shape[0] != bins {
                return Err(bad(format!("{name} has {} bins, refer.0 has {bins}", shape[0])));
            }
            bins = shape[0];
            refers.push((d, shape[1]));
        }
        if let Some(other) = st
            .names()
            .into_iter()
            .find(|n| !matches!(&**n, "prompt_tokens" | "prompt_phones" | "prompt_bert") && !n.starts_with("refer."))
        {
            return Err(bad(format!("unexpected tensor {other}")));
        }
        let prompt_text = meta.get("prompt_text").cloned().zip(meta.get("prompt_lang").cloned());
        let voice = Voice { prompt_tokens, prompt_phones, prompt_bert, refers, bins, bert_dim, prompt_text };
        voice.validate().map_err(|e| match e {
            Error::InvalidArgument(m) => bad(m),
            e => e,
        })?;
        Ok(voice)
    }

    /// Checks that the parts of the voice fit together: at least one reference spectrogram,
    /// every one `[bins, frames]` with `frames >= 1`, BERT features `[bert_dim, phones]`, and
    /// prompt tokens and phones either both present or both empty (reference-free). Sizes are
    /// bounded by [`crate::limits`]; values must be finite.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidArgument(format!("voice: {m}")));
        if self.refers.is_empty() {
            return bad("no reference spectrogram".into());
        }
        if !(1..=crate::limits::MAX_FFT).contains(&self.bins) {
            return bad(format!("{} spectrogram bins", self.bins));
        }
        if !(1..=crate::limits::MAX_WIDTH).contains(&self.bert_dim) {
            return bad(format!("BERT features of size {}", self.bert_dim));
        }
        for (i, (d, frames)) in self.refers.iter().enumerate() {
            if *frames == 0 || self.bins.checked_mul(*frames) != Some(d.len()) {
                return bad(format!(
                    "reference {i} holds {} values, not {} bins x {frames} frames",
                    d.len(),
                    self.bins
                ));
            }
            if d.iter().any(|v| !v.is_finite()) {
                return bad(format!("reference {i} holds NaN or infinite values"));
            }
        }
        if self.bert_dim.checked_mul(self.prompt_phones.len()) != Some(self.prompt_bert.len()) {
            return bad("the prompt's BERT features do not match its phones".into());
        }
        if self.prompt_bert.iter().any(|v| !v.is_finite()) {
            return bad("the prompt's BERT features hold NaN or infinite values".into());
        }
        if self.prompt_tokens.is_empty() != self.prompt_phones.is_empty() {
            return bad("prompt tokens and prompt phones must be both present or both empty (reference-free)".into());
        }
        Ok(())
    }
}
