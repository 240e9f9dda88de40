//! Zero-shot synthesis end to end (upstream `inference_webui.get_tts_wav`, batch 1): a
//! [`Voice`] made once from a reference clip (+ its [`Transcript`]), then any text ->
//! sentences -> phones + BERT -> GPT semantic tokens -> SoVITS waveform, with the original's
//! parameters and defaults.

use std::path::Path;

use burn::tensor::{Tensor, backend::Backend};

use super::cancel::CancelToken;
use super::model_paths::ModelPaths;
use super::params::{StreamingMode, SynthesisParams};
use super::reference::{ReferenceOptions, check_reference_clip, prompt_semantic, reference_audio};
use super::stream::ChunkDecoder;
use super::voice::{Spectrogram, Transcript, Voice};
use crate::audio::{Audio, SincResampler, SpectrogramConfig, read_wav, spectrogram};
use crate::models::bert::{BertModel, BertTokenizer, phone_level_features};
use crate::models::eres2net::ERes2NetV2;
use crate::models::gpt::{
    GptInput, GptState, HostDecoder, MUTE_SPLIT_THRESHOLD, MUTE_TOKEN, StepDecoder, Text2SemanticDecoder,
    TokenChunking, mute_similarity,
};
use crate::models::hubert::HubertModel;
use crate::models::sovits::{Noise, ReferenceInput, SynthesizerTrn};
use crate::text::split::sentences;
use crate::text::{FrontendOptions, Lang, Phonemes, SegmentLang, phonemize_with};
use crate::{Error, Result};

/// How models are loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct TtsOptions {
    /// Run the GPT's cached decode steps as host mat-vecs (fast on CPUs, see
    /// docs/performance.md); turn off on GPU backends.
    pub host_gpt_decode: bool,
    /// On CPU backends, keep the fp16 weights of the official checkpoints in fp16 at rest
    /// (BERT, HuBERT and GPT linear layers; the GPT's host decoder reads the same copy) and
    /// widen each to f32 when it is used: the same arithmetic, about 1 GB less memory at the
    /// official sizes, and a conversion per call (docs/performance.md). No effect on GPU
    /// backends.
    pub f16_weights_at_rest: bool,
}

impl Default for TtsOptions {
    fn default() -> Self {
        TtsOptions { host_gpt_decode: true, f16_weights_at_rest: true }
    }
}

/// How a voice is made from a reference clip: the clip checks ([`ReferenceOptions`], e.g.
/// `allow_any_length`) and the text frontend of the transcript.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceOptions {
    /// Reference-clip options.
    pub reference: ReferenceOptions,
    /// Text frontend options (user dictionary) for the transcript.
    pub frontend: FrontendOptions,
}

/// The loaded models: GPT, SoVITS, CN-HuBERT, Chinese RoBERTa (+ tokenizer), and for
/// v2Pro/v2ProPlus the speaker-verification model. Immutable after loading, `Send + Sync`:
/// share one `Tts` (e.g. in an `Arc`) between threads and run syntheses with different voices
/// concurrently.
pub struct Tts<B: Backend> {
    gpt: Text2SemanticDecoder<B>,
    /// How the GPT's cached steps run (chosen at load from [`TtsOptions::host_gpt_decode`]).
    decoder: StepDecoder,
    sovits: SynthesizerTrn<B>,
    hubert: HubertModel<B>,
    bert: BertModel<B>,
    tokenizer: BertTokenizer,
    /// v2Pro/v2ProPlus: the speaker-verification model and upstream's resampler to its 16 kHz.
    speaker: Option<(ERes2NetV2<B>, SincResampler)>,
    /// The mute-token similarity of every semantic token (dynamic chunking), made once.
    mute_similarity: Vec<f32>,
    device: B::Device,
}

/// A piece of audio as the streaming call hands it out: a whole sentence
/// ([`StreamingMode::Sentence`]), or in token-chunk streaming one chunk of a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Index of the sentence.
    pub index: usize,
    /// Number of sentences in the text.
    pub count: usize,
    /// The sentence.
    pub text: String,
    /// The audio at [`Tts::sample_rate`]; the sentence's last piece is followed by the pause.
    pub samples: Vec<f32>,
    /// The semantic tokens decoded for this piece: the sentence's, or the token chunk's
    /// (a dynamic chunk starts with the tokens its predecessor ended on, as upstream's).
    pub tokens: Vec<u32>,
    /// Index of the piece within the sentence (0 in sentence mode).
    pub part: usize,
    /// Whether this is the sentence's last piece (always in sentence mode).
    pub last_part: bool,
}

/// The state of synthesis calls made one after another: the cancel token and the GPT state
/// the sentences run in (each sentence replaces it). One per thread (or C `sovits_session`);
/// a [`Tts`] serves any number of them at once.
#[derive(Debug)]
pub struct Session<B: Backend> {
    gpt: GptState<B>,
    cancel: CancelToken,
}

impl<B: Backend> Default for Session<B> {
    fn default() -> Self {
        Self::with_cancel(CancelToken::new())
    }
}

impl<B: Backend> Session<B> {
    /// A session with a fresh cancel token.
    pub fn new() -> Self {
        Self::default()
    }

    /// A session that stops when `cancel` is cancelled.
    pub fn with_cancel(cancel: CancelToken) -> Self {
        Session { gpt: GptState::new(), cancel }
    }

    /// The session's cancel token (clone it to cancel from another thread).
    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }
}

/// The settings of one call, as every sentence of it reads them.
#[derive(Clone, Copy)]
struct Call<'a> {
    params: &'a SynthesisParams,
    cancel: &'a CancelToken,
}

/// A voice on the device for one call: its timbre and prompt features, made once per call
/// and used by every sentence.
struct DeviceVoice<'v, B: Backend> {
    voice: &'v Voice,
    /// `[1, gin, 1]`.
    ge: Tensor<B, 3>,
    /// `[bert_dim, prompt phones]`, `None` in reference-free mode.
    prompt_bert: Option<Tensor<B, 2>>,
}

impl<B: Backend> DeviceVoice<'_, B> {
    /// The GPT's prompt tokens, `None` in reference-free mode.
    fn prompt_tokens(&self) -> Option<&[u32]> {
        (!self.voice.is_reference_free()).then_some(self.voice.prompt_tokens.as_slice())
    }
}

impl<B: Backend> Tts<B> {
    /// Loads the parts (every tensor checked; the errors name missing files and keys). The
    /// SoVITS file decides the version; v2Pro/v2ProPlus need `paths.sv` (the speaker model),
    /// which v1/v2 ignore.
    pub fn load(paths: &ModelPaths, opts: &TtsOptions, device: &B::Device) -> Result<Self> {
        crate::weights::with_f16_at_rest(opts.f16_weights_at_rest, || Self::load_parts(paths, opts, device))
    }

    fn load_parts(paths: &ModelPaths, opts: &TtsOptions, device: &B::Device) -> Result<Self> {
        // The largest model first: its file and its fp16 copy are both resident while it
        // loads, so loading it before the others keeps the peak near the steady size.
        let bert = BertModel::from_folder(&paths.bert, None, device)?;
        let tokenizer = BertTokenizer::from_folder(&paths.bert)?;
        let (sovits, info) = SynthesizerTrn::from_file(&paths.sovits, None, device)?;
        let speaker = if info.version.spec().speaker_model {
            let Some(sv) = &paths.sv else {
                return Err(missing_speaker_model(&paths.sovits, info.version));
            };
            Some(ERes2NetV2::from_file(sv, None, device)?)
        } else {
            None
        };
        let gpt = Text2SemanticDecoder::from_file(&paths.gpt, None, device)?;
        let hubert = HubertModel::from_folder(&paths.hubert, device)?;
        let tts = Self::from_parts(gpt, sovits, hubert, bert, tokenizer, opts, device);
        match speaker {
            Some(sv) => tts.with_speaker_model(sv),
            None => Ok(tts),
        }
    }

    /// A `Tts` from models loaded some other way (e.g. from safetensors exports). A
    /// v2Pro/v2ProPlus SoVITS model also needs [`Tts::with_speaker_model`].
    pub fn from_parts(
        gpt: Text2SemanticDecoder<B>,
        sovits: SynthesizerTrn<B>,
        hubert: HubertModel<B>,
        bert: BertModel<B>,
        tokenizer: BertTokenizer,
        opts: &TtsOptions,
        device: &B::Device,
    ) -> Self {
        let decoder = if opts.host_gpt_decode { StepDecoder::host(&gpt) } else { StepDecoder::Backend };
        let mute_similarity = mute_similarity(&gpt, MUTE_TOKEN);
        Tts { gpt, decoder, sovits, hubert, bert, tokenizer, speaker: None, mute_similarity, device: device.clone() }
    }

    /// Adds the speaker-verification model a v2Pro/v2ProPlus SoVITS model conditions on
    /// (`pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt`). Fails when the SoVITS
    /// model takes no speaker embedding or one of another size.
    pub fn with_speaker_model(mut self, sv: ERes2NetV2<B>) -> Result<Self> {
        let c = self.sovits.config();
        match c.sv_emb_dim {
            None => {
                return Err(Error::Config(format!(
                    "a {} SoVITS model takes no speaker-verification model (only v2Pro/v2ProPlus do)",
                    c.version
                )));
            }
            Some(d) if d != sv.embedding_dim() => {
                return Err(Error::Config(format!(
                    "the speaker-verification model gives {}-value embeddings, this {} SoVITS model takes {d}; \
                     these models do not belong together",
                    sv.embedding_dim(),
                    c.version
                )));
            }
            Some(_) => {}
        }
        let resampler = SincResampler::new(c.sampling_rate, SV_SAMPLE_RATE)?;
        self.speaker = Some((sv, resampler));
        Ok(self)
    }

    /// [`Tts::load`] from a directory ([`ModelPaths::from_dir`]).
    pub fn from_dir(dir: impl AsRef<Path>, opts: &TtsOptions, device: &B::Device) -> Result<Self> {
        Self::load(&ModelPaths::from_dir(dir)?, opts, device)
    }

    /// [`Tts::from_dir`] over model files held in memory, named by their paths inside the
    /// model folder (`s1v3.ckpt`, `s2G2333k.pth`, `chinese-hubert-base/config.json`, ...): the
    /// same folder rules, version detection and errors (which name `<memory>/...`). The
    /// buffers can be dropped once it returns.
    pub fn load_from_memory(
        files: crate::weights::files::MemoryFiles,
        opts: &TtsOptions,
        device: &B::Device,
    ) -> Result<Self> {
        if files.is_empty() {
            return Err(Error::InvalidArgument("no model files given (load_from_memory)".into()));
        }
        let root = crate::weights::files::MemoryFiles::ROOT;
        crate::weights::files::with_memory_files(std::sync::Arc::new(files), || Self::from_dir(root, opts, device))
    }

    /// Output sample rate (32 kHz for v2).
    pub fn sample_rate(&self) -> u32 {
        self.sovits.config().sampling_rate
    }

    /// The GPT, SoVITS, HuBERT and BERT models (for lower-level use).
    pub fn models(&self) -> (&Text2SemanticDecoder<B>, &SynthesizerTrn<B>, &HubertModel<B>, &BertModel<B>) {
        (&self.gpt, &self.sovits, &self.hubert, &self.bert)
    }

    /// The speaker-verification model (v2Pro/v2ProPlus), if loaded.
    pub fn speaker_model(&self) -> Option<&ERes2NetV2<B>> {
        self.speaker.as_ref().map(|(m, _)| m)
    }

    /// The generation of the loaded SoVITS model (`v2`, `v2Pro`, ...).
    pub fn version(&self) -> crate::weights::ModelVersion {
        self.sovits.config().version
    }

    fn spectrogram_config(&self) -> SpectrogramConfig {
        let c = self.sovits.config();
        SpectrogramConfig { n_fft: c.filter_length, hop: c.hop_length, win: c.win_length, ..Default::default() }
    }

    /// The reference spectrogram of a clip (no 3-10 s window: see [`check_reference_clip`]).
    pub fn reference_spectrogram(&self, audio: &Audio) -> Result<Spectrogram> {
        self.spectrogram_of(&reference_audio(audio, self.sample_rate())?)
    }

    fn spectrogram_of(&self, y: &[f32]) -> Result<Spectrogram> {
        let cfg = self.spectrogram_config();
        let (data, frames) = spectrogram(y, &cfg)?;
        Ok(Spectrogram { data, bins: cfg.n_fft / 2 + 1, frames })
    }

    /// What SoVITS takes from one reference clip: its spectrogram and, for v2Pro/v2ProPlus,
    /// its speaker embedding (upstream `get_spepc` + `sv.SV.compute_embedding3`: the 32 kHz
    /// samples after the limiter, resampled to 16 kHz with torchaudio's filter, Kaldi fbank,
    /// `ERes2NetV2.forward3`).
    pub fn reference_features(&self, audio: &Audio) -> Result<(Spectrogram, Option<Vec<f32>>)> {
        let y = reference_audio(audio, self.sample_rate())?;
        let spec = self.spectrogram_of(&y)?;
        let sv = match (&self.speaker, self.sovits.config().sv_emb_dim) {
            (Some((model, resampler)), Some(_)) => Some(model.embedding(&resampler.process(&y))?),
            (None, Some(_)) => {
                return Err(Error::Config(format!(
                    "this is a {} model, which needs the speaker-verification model; add it with \
                     Tts::with_speaker_model (pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt)",
                    self.version()
                )));
            }
            _ => None,
        };
        Ok((spec, sv))
    }

    /// A voice from a reference clip (3-10 s, unless `opts.reference.allow_any_length`) and
    /// its transcript; `None` is upstream's reference-free mode (no prompt: timbre only, weaker
    /// likeness), whose clip passes the same checks.
    pub fn voice(&self, reference: &Audio, transcript: Option<&Transcript>, opts: &VoiceOptions) -> Result<Voice> {
        check_reference_clip(reference, &opts.reference)?;
        let mut voice = Voice {
            prompt_tokens: Vec::new(),
            prompt_phones: Vec::new(),
            prompt_bert: Vec::new(),
            bert_dim: self.gpt.config().bert_dim,
            refers: Vec::new(),
            transcript: None,
            sv_embs: Vec::new(),
        };
        // The cheap checks first (the transcript's text), then the reference's own features (a
        // v2Pro model without its speaker model fails there), then the costly prompt.
        let text = match transcript {
            Some(t) => {
                let mut text = t.text.replace('\n', "");
                if text.trim().is_empty() {
                    return Err(Error::InvalidArgument(
                        "the reference transcript is empty; pass None for reference-free mode".into(),
                    ));
                }
                // Upstream ends the prompt text with a full stop when it lacks a split mark.
                if !text.chars().last().is_some_and(|c| "，。？！,.?!~:：—…".contains(c)) {
                    text.push(t.lang.full_stop());
                }
                let p = phonemize_with(&text, t.lang, &opts.frontend)?;
                check_sentence_phones(p.ids.len(), &text)?;
                Some((text, t.lang, p))
            }
            None => None,
        };
        let (spec, sv) = self.reference_features(reference)?;
        if let Some((text, lang, p)) = text {
            let bert = self.bert_features(&p)?;
            voice.prompt_bert =
                bert.into_data().into_vec::<f32>().map_err(|e| Error::InvalidArgument(format!("{e:?}")))?;
            voice.prompt_phones = p.ids;
            voice.prompt_tokens = prompt_semantic(&self.hubert, &self.sovits, reference, &opts.reference)?;
            voice.transcript = Some(Transcript { text, lang });
        }
        voice.refers.push(spec);
        voice.sv_embs.extend(sv);
        Ok(voice)
    }

    /// [`Tts::voice`] from a WAV file.
    pub fn voice_from_wav(
        &self,
        path: impl AsRef<Path>,
        transcript: Option<&Transcript>,
        opts: &VoiceOptions,
    ) -> Result<Voice> {
        self.voice(&read_wav(path)?, transcript, opts)
    }

    /// Adds another reference clip to a voice (upstream's `inp_refs`): the timbre becomes the
    /// mean over all references. The clip passes the same checks as the main one.
    pub fn add_reference(&self, voice: &mut Voice, reference: &Audio, opts: &ReferenceOptions) -> Result<()> {
        check_reference_clip(reference, opts)?;
        self.check_voice(voice)?;
        let (r, sv) = self.reference_features(reference)?;
        voice.refers.push(r);
        voice.sv_embs.extend(sv);
        Ok(())
    }

    /// BERT features of phonemised text: Chinese segments get RoBERTa features repeated per
    /// phone, other segments zeros (as upstream).
    ///
    /// # Shapes
    /// -> `[bert_dim, p.ids.len()]`.
    pub fn bert_features(&self, p: &Phonemes) -> Result<Tensor<B, 2>> {
        let dim = self.gpt.config().bert_dim;
        let mut parts: Vec<Tensor<B, 2>> = Vec::with_capacity(p.segments.len());
        for s in &p.segments {
            let n = s.ids.len();
            match (&s.word2ph, s.lang) {
                (Some(w2p), SegmentLang::Zh) => {
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
                    parts.push(phone_level_features(f, w2p)?);
                }
                _ if n > 0 => parts.push(Tensor::zeros([dim, n], &self.device)),
                _ => {}
            }
        }
        Ok(if parts.is_empty() { Tensor::zeros([dim, 0], &self.device) } else { Tensor::cat(parts, 1) })
    }

    /// Checks a voice against these models: its own consistency ([`Voice::validate`]), the
    /// spectrogram bins and BERT width, and its prompt ids against the vocabularies.
    pub fn check_voice(&self, voice: &Voice) -> Result<()> {
        voice.validate()?;
        let bad = |m: String| Err(Error::InvalidArgument(format!("the voice does not fit this model: {m}")));
        let bins = self.sovits.config().spec_channels();
        if voice.bins() != bins {
            return bad(format!("its spectrograms have {} bins, this SoVITS model reads {bins}", voice.bins()));
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
        let version = self.version();
        match (self.sovits.config().sv_emb_dim, voice.sv_emb_dim()) {
            (Some(_), None) => bad(format!(
                "it was made with a v1/v2 model and has no speaker embeddings, which this {version} model needs; \
                 make the voice again from its reference clip with this model"
            )),
            (None, Some(_)) => bad(format!(
                "it was made with a v2Pro/v2ProPlus model (it has speaker embeddings), this is a {version} model; \
                 make the voice again from its reference clip with this model"
            )),
            (Some(want), Some(got)) if want != got => {
                bad(format!("its speaker embeddings have {got} values, this {version} model takes {want}"))
            }
            _ => Ok(()),
        }
    }

    /// Puts a voice the caller has checked ([`Tts::check_voice`]) on the device: the timbre of
    /// its references and its prompt features, once per call.
    fn device_voice<'v>(&self, voice: &'v Voice) -> Result<DeviceVoice<'v, B>> {
        let refers: Vec<ReferenceInput<B>> = voice
            .refers
            .iter()
            .enumerate()
            .map(|(i, r)| ReferenceInput {
                spec: r.to_tensor(&self.device),
                sv_emb: voice
                    .sv_embs
                    .get(i)
                    .map(|e| Tensor::from_data(burn::tensor::TensorData::new(e.clone(), [1, e.len()]), &self.device)),
            })
            .collect();
        let ge = self.sovits.timbre(&refers)?;
        let prompt_bert = (!voice.is_reference_free()).then(|| {
            Tensor::from_data(
                burn::tensor::TensorData::new(voice.prompt_bert.clone(), [voice.bert_dim, voice.prompt_phones.len()]),
                &self.device,
            )
        });
        Ok(DeviceVoice { voice, ge, prompt_bert })
    }

    /// One sentence given as phones and their BERT features: GPT then SoVITS. Returns the
    /// generated tokens and the raw waveform (no peak limiting, no pause). A low-level call:
    /// unlike [`Tts::synthesize`] it leaves `cancel` as it finds it.
    ///
    /// # Shapes
    /// `phones` `[L]`, `bert` `[bert_dim, L]`.
    pub fn synthesize_phones(
        &self,
        voice: &Voice,
        phones: &[u32],
        bert: Tensor<B, 2>,
        params: &SynthesisParams,
        sentence: u64,
        cancel: &CancelToken,
    ) -> Result<(Vec<u32>, Vec<f32>)> {
        params.validate()?;
        self.check_voice(voice)?;
        let dv = self.device_voice(voice)?;
        self.sentence(&dv, phones, bert, &Call { params, cancel }, sentence, &mut GptState::new())
    }

    /// The GPT's phones and BERT features: the voice's prompt (if any) followed by the sentence.
    fn gpt_inputs(&self, dv: &DeviceVoice<'_, B>, phones: &[u32], bert: Tensor<B, 2>) -> (Vec<u32>, Tensor<B, 2>) {
        match &dv.prompt_bert {
            None => (phones.to_vec(), bert),
            Some(prompt) => {
                ([dv.voice.prompt_phones.as_slice(), phones].concat(), Tensor::cat(vec![prompt.clone(), bert], 1))
            }
        }
    }

    fn check_bert(&self, phones: &[u32], bert: &Tensor<B, 2>) -> Result<()> {
        let dim = self.gpt.config().bert_dim;
        if bert.dims() != [dim, phones.len()] || phones.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "bert must be [{dim}, {}] for {} phones, got {:?}",
                phones.len(),
                phones.len(),
                bert.dims()
            )));
        }
        Ok(())
    }

    /// One sentence in token-chunk streaming (upstream `TTS.run` with `streaming_mode`): the
    /// GPT hands out chunks as it decodes, each is decoded by SoVITS with the whole context
    /// and joined by SOLA ([`ChunkDecoder`]), and `on_piece` gets every piece of audio as
    /// soon as it is made (with the chunk's tokens and whether it is the last); it answering
    /// `false` stops the sentence. Returns whether the sentence ran to its end.
    #[allow(clippy::too_many_arguments)]
    fn sentence_chunks(
        &self,
        dv: &DeviceVoice<'_, B>,
        phones: &[u32],
        bert: Tensor<B, 2>,
        call: &Call<'_>,
        sentence: u64,
        state: &mut GptState<B>,
        on_piece: &mut dyn FnMut(Vec<f32>, Vec<u32>, bool) -> bool,
    ) -> Result<bool> {
        let Call { params, cancel } = *call;
        self.check_bert(phones, &bert)?;
        let chunking = match params.streaming {
            StreamingMode::FixedChunks => {
                TokenChunking::Fixed { length: params.chunk_length, first_length: params.first_chunk_length }
            }
            _ => TokenChunking::AtMute {
                length: params.chunk_length,
                first_length: params.first_chunk_length,
                similarity: self.mute_similarity.clone(),
                threshold: MUTE_SPLIT_THRESHOLD,
            },
        };
        let (all_phones, all_bert) = self.gpt_inputs(dv, phones, bert);
        let prompt = dv.prompt_tokens();
        let input = GptInput { phones: &all_phones, bert: all_bert, prompt };
        let sampling = params.sampling_for(sentence);
        let seed = params.sentence_seed(sentence);
        let mut dec = ChunkDecoder::new(
            &self.sovits,
            phones,
            dv.ge.clone(),
            params.noise_scale,
            params.speed,
            params.overlap_length,
        )?;
        let mut completed = false;
        let mut pending = Vec::new();
        let mut on_chunk = |c: crate::models::gpt::TokenChunk<'_>| -> Result<bool> {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let first = dec.next_first_frame(c.tokens.map_or(0, <[u32]>::len));
            let step = dec.push(c.tokens, c.is_final, Noise::Frames { seed, first })?;
            let mut samples = step.samples;
            limit_peak(&mut samples);
            pending.extend_from_slice(c.tokens.unwrap_or_default());
            if samples.is_empty() && !c.is_final {
                // Nothing to play yet (a chunk no longer than the overlap): its tokens go
                // with the next piece.
                return Ok(true);
            }
            completed = c.is_final;
            Ok(on_piece(samples, std::mem::take(&mut pending), c.is_final))
        };
        self.gpt.infer_streaming(
            &self.decoder,
            input,
            &sampling,
            state,
            &chunking,
            None,
            &|| cancel.step(),
            &mut on_chunk,
        )?;
        Ok(completed)
    }

    fn sentence(
        &self,
        dv: &DeviceVoice<'_, B>,
        phones: &[u32],
        bert: Tensor<B, 2>,
        call: &Call<'_>,
        sentence: u64,
        state: &mut GptState<B>,
    ) -> Result<(Vec<u32>, Vec<f32>)> {
        let Call { params, cancel } = *call;
        self.check_bert(phones, &bert)?;
        let (all_phones, all_bert) = self.gpt_inputs(dv, phones, bert);
        let prompt = dv.prompt_tokens();
        let input = GptInput { phones: &all_phones, bert: all_bert, prompt };
        let sampling = params.sampling_for(sentence);
        let out = self.gpt.infer_with(&self.decoder, input, &sampling, state, None, &|| cancel.step())?;
        let samples = self.sentence_audio(dv, &out.pred_semantic, phones, params, sentence)?;
        Ok((out.pred_semantic, samples))
    }

    /// SoVITS of one sentence's tokens (no peak limiting, no pause); empty for no tokens.
    fn sentence_audio(
        &self,
        dv: &DeviceVoice<'_, B>,
        tokens: &[u32],
        phones: &[u32],
        params: &SynthesisParams,
        sentence: u64,
    ) -> Result<Vec<f32>> {
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        let trace = self.sovits.decode_with_timbre(
            tokens,
            phones,
            dv.ge.clone(),
            params.noise_scale,
            params.speed,
            Noise::Seed(params.sentence_seed(sentence)),
        )?;
        trace.audio.into_data().into_vec::<f32>().map_err(|e| Error::Audio(format!("{e:?}")))
    }

    /// The GPT tokens of several sentences decoded as one batch on the host decoder
    /// ([`Text2SemanticDecoder::infer_batch`]); sentence `first + j` samples with its own seed,
    /// so each gets what it gets alone.
    fn batch_tokens(
        &self,
        host: &HostDecoder,
        dv: &DeviceVoice<'_, B>,
        group: &[(Vec<u32>, Tensor<B, 2>)],
        call: &Call<'_>,
        first: usize,
    ) -> Result<Vec<Vec<u32>>> {
        let Call { params, cancel } = *call;
        let prompt = dv.prompt_tokens();
        let mut owned = Vec::with_capacity(group.len());
        for (phones, bert) in group {
            self.check_bert(phones, bert)?;
            owned.push(self.gpt_inputs(dv, phones, bert.clone()));
        }
        let inputs = owned.iter().map(|(ph, b)| GptInput { phones: ph, bert: b.clone(), prompt }).collect();
        let sampling: Vec<_> = (0..group.len()).map(|j| params.sampling_for((first + j) as u64)).collect();
        let outs = self.gpt.infer_batch(host, inputs, &sampling, &|| cancel.step())?;
        Ok(outs.into_iter().map(|o| o.pred_semantic).collect())
    }

    /// Synthesises `text` in `lang` with a voice.
    pub fn synthesize(&self, voice: &Voice, text: &str, lang: Lang, params: &SynthesisParams) -> Result<Audio> {
        let mut samples = Vec::new();
        self.synthesize_stream(voice, text, lang, params, &CancelToken::new(), |c| {
            samples.extend_from_slice(&c.samples);
            true
        })?;
        Ok(Audio { samples, sample_rate: self.sample_rate() })
    }

    /// Streaming form: hands out audio as soon as it is made: each sentence (with its pause),
    /// or with [`SynthesisParams::streaming`] set to a chunk mode, each token chunk's piece
    /// (the pause after a sentence's last piece, [`Chunk::last_part`]). `on_chunk` returning
    /// `false` stops early (not an error); a cancelled `cancel` stops with
    /// [`Error::Cancelled`], and the token is cleared when the call returns (see
    /// [`CancelToken`]). Returns the number of sentences delivered.
    pub fn synthesize_stream(
        &self,
        voice: &Voice,
        text: &str,
        lang: Lang,
        params: &SynthesisParams,
        cancel: &CancelToken,
        on_chunk: impl FnMut(Chunk) -> bool,
    ) -> Result<usize> {
        let mut session = Session::with_cancel(cancel.clone());
        self.synthesize_in(&mut session, voice, text, lang, params, on_chunk)
    }

    /// [`Tts::synthesize_stream`] in a [`Session`]: its cancel token and GPT state (what a C
    /// `sovits_session` holds).
    pub fn synthesize_in(
        &self,
        session: &mut Session<B>,
        voice: &Voice,
        text: &str,
        lang: Lang,
        params: &SynthesisParams,
        on_chunk: impl FnMut(Chunk) -> bool,
    ) -> Result<usize> {
        let r = self.stream(session, voice, text, lang, params, on_chunk);
        session.cancel.reset();
        r
    }

    fn stream(
        &self,
        session: &mut Session<B>,
        voice: &Voice,
        text: &str,
        lang: Lang,
        params: &SynthesisParams,
        mut on_chunk: impl FnMut(Chunk) -> bool,
    ) -> Result<usize> {
        let Session { gpt: state, cancel } = session;
        let cancel = &*cancel;
        params.validate()?;
        self.check_voice(voice)?;
        let chars = text.chars().count();
        if chars > params.max_text_chars {
            return Err(Error::InvalidArgument(format!(
                "the text has {chars} characters, more than max_text_chars ({}); split it or raise the limit",
                params.max_text_chars
            )));
        }
        let sentences = sentences(text, lang, params.split)?;
        if text.trim().is_empty() {
            return Err(Error::InvalidArgument("the text is empty; give something to say".into()));
        }
        if sentences.is_empty() {
            return Err(nothing_to_read());
        }
        // Phonemise everything first (which also refuses languages this build does not read) so bad text fails before any audio is made.
        let mut prepared = Vec::new();
        for s in &sentences {
            let p = phonemize_with(s, lang, &params.frontend)?;
            if p.norm_text.is_empty() || p.ids.is_empty() {
                continue;
            }
            check_sentence_phones(p.ids.len(), s)?;
            prepared.push((s.clone(), p));
        }
        if prepared.is_empty() {
            return Err(nothing_to_read());
        }
        let dv = self.device_voice(voice)?;
        let call = Call { params, cancel };
        let pause = vec![0.0f32; (self.sample_rate() as f32 * params.pause_seconds) as usize];
        let count = prepared.len();
        if let (StepDecoder::Host(host), StreamingMode::Sentence, true) =
            (&self.decoder, params.streaming, params.batch_size > 1)
        {
            let mut i = 0;
            for group in prepared.chunks(params.batch_size) {
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                let mut inputs = Vec::with_capacity(group.len());
                for (_, p) in group {
                    inputs.push((p.ids.clone(), self.bert_features(p)?));
                }
                let tokens = self.batch_tokens(host, &dv, &inputs, &call, i)?;
                for ((s, p), tokens) in group.iter().zip(tokens) {
                    if cancel.is_cancelled() {
                        return Err(Error::Cancelled);
                    }
                    let mut audio = self.sentence_audio(&dv, &tokens, &p.ids, params, i as u64)?;
                    limit_peak(&mut audio);
                    audio.extend_from_slice(&pause);
                    let c =
                        Chunk { index: i, count, text: s.clone(), samples: audio, tokens, part: 0, last_part: true };
                    i += 1;
                    if !on_chunk(c) {
                        return Ok(i);
                    }
                }
            }
            return Ok(count);
        }
        for (i, (s, p)) in prepared.into_iter().enumerate() {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let bert = self.bert_features(&p)?;
            if params.streaming != StreamingMode::Sentence {
                let mut part = 0;
                let mut stopped = false;
                let mut on_piece = |mut samples: Vec<f32>, tokens: Vec<u32>, last: bool| {
                    if last {
                        samples.extend_from_slice(&pause);
                    }
                    let c = Chunk { index: i, count, text: s.clone(), samples, tokens, part, last_part: last };
                    part += 1;
                    stopped = !on_chunk(c);
                    !stopped
                };
                self.sentence_chunks(&dv, &p.ids, bert, &call, i as u64, state, &mut on_piece)?;
                if stopped {
                    return Ok(i + 1);
                }
                continue;
            }
            let (tokens, mut audio) = self.sentence(&dv, &p.ids, bert, &call, i as u64, state)?;
            limit_peak(&mut audio);
            audio.extend_from_slice(&pause);
            let c = Chunk { index: i, count, text: s, samples: audio, tokens, part: 0, last_part: true };
            if !on_chunk(c) {
                return Ok(i + 1);
            }
        }
        Ok(count)
    }
}

/// Upstream's `audio_postprocess` limiter: a piece whose peak exceeds 1 is divided by it.
fn limit_peak(samples: &mut [f32]) {
    let peak = samples.iter().fold(0f32, |a, &b| a.max(b.abs()));
    if peak > 1.0 {
        samples.iter_mut().for_each(|v| *v /= peak);
    }
}

/// The sample rate of the speaker-verification model's input (upstream resamples to 16 kHz).
const SV_SAMPLE_RATE: u32 = 16_000;

/// A v2Pro/v2ProPlus SoVITS model loaded without its speaker-verification model.
fn missing_speaker_model(sovits: &Path, version: crate::weights::ModelVersion) -> Error {
    Error::not_found(
        sovits,
        format!(
            "this is a {version} model, which needs the speaker-verification model \
             (pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt): put it in the model folder's sv/ \
             folder or name it (ModelPaths::sv, --sv, or the sv_path field of the C API)"
        ),
    )
}

/// Text that is not empty but holds nothing the frontend reads.
fn nothing_to_read() -> Error {
    Error::InvalidArgument("nothing in the text can be read aloud (only emoji, symbols or punctuation)".into())
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
