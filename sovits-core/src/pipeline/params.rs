//! [`SynthesisParams`]: the settings of one synthesis call, the WebUI's defaults.

use crate::models::gpt::{MAX_CHUNK_TOKENS, SamplingParams};
use crate::text::FrontendOptions;
use crate::text::split::CutMethod;
use crate::{Error, Result};

/// Synthesis settings; the defaults are the WebUI's.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthesisParams {
    /// The GPT sampler: top-k 15, top-p 1.0 (off), temperature 1.0, repetition penalty 1.35,
    /// at most `max_steps` = 1500 semantic tokens (60 s) per sentence, and the seed. Sentence
    /// `i` of a call samples with `seed + i`, and the SoVITS noise of sentence `i` uses the
    /// same seed.
    pub sampling: SamplingParams,
    /// Speaking rate (1.0; upstream's slider spans 0.6-1.65).
    pub speed: f32,
    /// How the text is cut into sentences (`cut1`, four clauses).
    pub split: CutMethod,
    /// Silence after every sentence, seconds (0.3).
    pub pause_seconds: f32,
    /// SoVITS noise scale (0.5; 0 = deterministic).
    pub noise_scale: f32,
    /// Text frontend options (user dictionary).
    pub frontend: FrontendOptions,
    /// Longest text (in characters) one synthesis call accepts
    /// ([`crate::limits::DEFAULT_MAX_TEXT_CHARS`] = 50 000, about an hour of speech); longer
    /// text is an [`Error::InvalidArgument`] before any work is done. Raise it for longer
    /// documents, or better, stream them in parts.
    pub max_text_chars: usize,
    /// How audio is handed out while it is made ([`StreamingMode::Sentence`]: whole
    /// sentences).
    pub streaming: StreamingMode,
    /// Token-chunk streaming: the shortest chunk in semantic tokens (upstream's
    /// `min_chunk_length`, 16 = 0.64 s), 1..=[`MAX_CHUNK_TOKENS`].
    pub chunk_length: usize,
    /// Token-chunk streaming: a shorter first chunk (tokens, `overlap_length + 1..=chunk_length`)
    /// for earlier first audio; `None` (the default) is upstream's behaviour, every chunk `chunk_length`.
    pub first_chunk_length: Option<usize>,
    /// Token-chunk streaming: the overlap between chunks in tokens (upstream's
    /// `overlap_length`, 2), 1..=`chunk_length`.
    pub overlap_length: usize,
    /// Sentences the GPT decodes together (upstream's `batch_size` with `parallel_infer`),
    /// 1..=[`MAX_BATCH_SIZE`] (1). Each sentence's tokens and audio are exactly those of
    /// decoding it alone; a batch reads the GPT weights once per step for all its sentences,
    /// which makes long texts faster on the host decode path. Audio is handed out after its
    /// batch's GPT pass, so the first sentence arrives later. Used in
    /// [`StreamingMode::Sentence`] with the host GPT decode path (`TtsOptions::host_gpt_decode`);
    /// the chunk modes and the backend decoder decode one sentence at a time, as upstream's
    /// streaming mode does.
    pub batch_size: usize,
}

/// The largest [`SynthesisParams::batch_size`].
pub const MAX_BATCH_SIZE: usize = 64;

/// How a synthesis call hands out its audio (api_v2's `streaming_mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StreamingMode {
    /// Each sentence once it is complete (api_v2 modes 0 and 1; the WebUI's behaviour).
    #[default]
    Sentence,
    /// api_v2 mode 2: chunks cut where the GPT produces tokens close to the silence token,
    /// at least `chunk_length` tokens each; the pieces are joined by SOLA.
    DynamicChunks,
    /// api_v2 mode 3: a chunk every `chunk_length` tokens (lowest latency, slightly lower
    /// quality at the joins).
    FixedChunks,
}

impl StreamingMode {
    /// api_v2's number for the mode (`Sentence` = 0; its mode 1 is the same as 0 here).
    pub fn api_v2_number(self) -> u8 {
        match self {
            StreamingMode::Sentence => 0,
            StreamingMode::DynamicChunks => 2,
            StreamingMode::FixedChunks => 3,
        }
    }

    /// From api_v2's number (0 and 1: sentences, 2: dynamic, 3: fixed chunks).
    pub fn from_api_v2_number(n: i64) -> Result<Self> {
        match n {
            0 | 1 => Ok(StreamingMode::Sentence),
            2 => Ok(StreamingMode::DynamicChunks),
            3 => Ok(StreamingMode::FixedChunks),
            _ => Err(Error::InvalidArgument(format!(
                "streaming mode must be 0/1 (sentences), 2 (dynamic chunks) or 3 (fixed chunks), got {n}"
            ))),
        }
    }
}

impl std::str::FromStr for StreamingMode {
    type Err = Error;

    /// `sentence`, `dynamic`, `fixed` (or api_v2's `0`..`3`).
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sentence" | "sentences" | "off" => Ok(StreamingMode::Sentence),
            "dynamic" => Ok(StreamingMode::DynamicChunks),
            "fixed" => Ok(StreamingMode::FixedChunks),
            other => match other.parse::<i64>() {
                Ok(n) => Self::from_api_v2_number(n),
                Err(_) => Err(Error::InvalidArgument(format!(
                    "unknown streaming mode {s:?}: use sentence, dynamic or fixed (api_v2's 0-3)"
                ))),
            },
        }
    }
}

impl Default for SynthesisParams {
    fn default() -> Self {
        SynthesisParams {
            sampling: SamplingParams::default(),
            speed: 1.0,
            split: CutMethod::Cut1,
            pause_seconds: 0.3,
            noise_scale: 0.5,
            frontend: FrontendOptions::default(),
            max_text_chars: crate::limits::DEFAULT_MAX_TEXT_CHARS,
            streaming: StreamingMode::Sentence,
            chunk_length: 16,
            first_chunk_length: None,
            overlap_length: 2,
            batch_size: 1,
        }
    }
}

impl SynthesisParams {
    /// The defaults with greedy sampling (top-k 1) and no SoVITS noise: the same output for
    /// the same input, whatever the seed.
    pub fn deterministic() -> Self {
        SynthesisParams { sampling: SamplingParams::greedy(), noise_scale: 0.0, ..Default::default() }
    }

    /// Checks every value; the message says which one is wrong and what is allowed.
    pub fn validate(&self) -> Result<()> {
        self.sampling.validate()?;
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
        if self.chunk_length == 0 || self.chunk_length > MAX_CHUNK_TOKENS {
            return bad(format!(
                "chunk_length must be in 1..={MAX_CHUNK_TOKENS} semantic tokens (16 = 0.64 s), got {}",
                self.chunk_length
            ));
        }
        if let Some(f) = self.first_chunk_length
            && (f <= self.overlap_length || f > self.chunk_length)
        {
            return bad(format!(
                "first_chunk_length must be longer than overlap_length ({}, which the first piece holds back) \
                 and at most chunk_length ({}), got {f}",
                self.overlap_length, self.chunk_length
            ));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_SIZE {
            return bad(format!("batch_size must be in 1..={MAX_BATCH_SIZE} sentences, got {}", self.batch_size));
        }
        if self.overlap_length == 0 || self.overlap_length > self.chunk_length {
            return bad(format!(
                "overlap_length must be in 1..=chunk_length ({}) tokens, got {}",
                self.chunk_length, self.overlap_length
            ));
        }
        Ok(())
    }

    /// The seed of sentence `sentence` (sampler and SoVITS noise).
    pub fn sentence_seed(&self, sentence: u64) -> u64 {
        self.sampling.seed.wrapping_add(sentence)
    }

    /// The sampler settings of sentence `sentence`.
    pub(crate) fn sampling_for(&self, sentence: u64) -> SamplingParams {
        SamplingParams { seed: self.sentence_seed(sentence), ..self.sampling.clone() }
    }
}
