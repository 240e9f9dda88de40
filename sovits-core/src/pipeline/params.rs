//! [`SynthesisParams`]: the settings of one synthesis call, the WebUI's defaults.

use crate::models::gpt::SamplingParams;
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
