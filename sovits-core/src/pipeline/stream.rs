//! The chunk loop of upstream's streaming synthesis (`TTS.run` with `streaming_mode`, TTS.py
//! 1377-1470): every token chunk the GPT hands out is decoded with the whole context so far
//! and the overlap the original uses, and the pieces are joined by SOLA.

use burn::tensor::{Tensor, backend::Backend};

use crate::audio::{SOLA_SEARCH, SolaJoin, sola_join};
use crate::models::common::to_vec_f32;
use crate::models::sovits::{DecodeTrace, Noise, StreamWindow, SynthesizerTrn};
use crate::{Error, Result};

/// Chunks shorter than this (except the first) get a longer overlap (upstream's `10`).
const SHORT_CHUNK: usize = 10;

/// One `decode_streaming` call of a [`ChunkDecoder`], for checks and debugging.
#[derive(Debug, Clone)]
pub struct ChunkCall<B: Backend> {
    /// Tokens decoded (all so far).
    pub codes: usize,
    /// The window in tokens (`None` for the first chunk).
    pub result_length: Option<usize>,
    /// The latent frames the window was cross-faded into.
    pub overlap_frames: Option<Tensor<B, 3>>,
    /// The decode's intermediates (`audio` is the raw output, before any cut).
    pub trace: DecodeTrace<B>,
    /// Samples kept after the cut of an extended overlap.
    pub kept: usize,
    /// The SOLA join with the previous chunk (middle chunks only).
    pub sola: Option<SolaJoin>,
}

/// What one [`ChunkDecoder::push`] emits.
#[derive(Debug, Clone)]
pub struct ChunkStep<B: Backend> {
    /// Audio ready to play (before any peak limiting).
    pub samples: Vec<f32>,
    /// The decode call made (`None` for the end marker).
    pub call: Option<ChunkCall<B>>,
}

/// The state of one sentence's chunk loop: all tokens so far, the previous chunk's audio and
/// latent.
#[derive(Debug)]
pub struct ChunkDecoder<'m, B: Backend> {
    sovits: &'m SynthesizerTrn<B>,
    phones: Vec<u32>,
    ge: Tensor<B, 3>,
    noise_scale: f32,
    speed: f32,
    overlap_length: usize,
    /// Samples per token (`prod(upsample_rates) * 2 / speed`).
    rate: f64,
    /// `ceil(overlap_length * rate)`.
    overlap_size: usize,
    tokens: Vec<u32>,
    last_audio: Option<Vec<f32>>,
    last_latent: Option<Tensor<B, 3>>,
    first: bool,
    calls: usize,
}

impl<'m, B: Backend> ChunkDecoder<'m, B> {
    /// A chunk loop over target `phones` with timbre `ge` (`[1, gin, 1]`) and an overlap of
    /// `overlap_length` tokens (upstream's request default is 2).
    pub fn new(
        sovits: &'m SynthesizerTrn<B>,
        phones: &[u32],
        ge: Tensor<B, 3>,
        noise_scale: f32,
        speed: f32,
        overlap_length: usize,
    ) -> Result<Self> {
        if overlap_length == 0 {
            return Err(Error::InvalidArgument("the chunk overlap must be at least 1 token".into()));
        }
        if !(speed.is_finite() && speed > 0.0) {
            return Err(Error::InvalidArgument(format!("speed must be a positive number, got {speed}")));
        }
        let hop: usize = sovits.config().upsample_rates.iter().product();
        let rate = hop as f64 * 2.0 / speed as f64;
        Ok(ChunkDecoder {
            sovits,
            phones: phones.to_vec(),
            ge,
            noise_scale,
            speed,
            overlap_length,
            rate,
            overlap_size: (overlap_length as f64 * rate).ceil() as usize,
            tokens: Vec::new(),
            last_audio: None,
            last_latent: None,
            first: true,
            calls: 0,
        })
    }

    /// Samples per semantic token at this speed.
    pub fn samples_per_token(&self) -> f64 {
        self.rate
    }

    /// The overlap in samples (`ceil(overlap_length * samples_per_token)`).
    pub fn overlap_size(&self) -> usize {
        self.overlap_size
    }

    /// Decode calls made so far.
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// The tokens decoded so far (every chunk, duplicates of dynamic cuts included).
    pub fn tokens(&self) -> &[u32] {
        &self.tokens
    }

    /// Takes the next chunk (`None`: the end marker after a chunk) and returns what can be
    /// played. `noise` is the noise of this call's decode (given per call so a reference run
    /// can be reproduced; the pipeline uses [`Noise::Frames`]).
    pub fn push(&mut self, chunk: Option<&[u32]>, is_final: bool, noise: Noise<B>) -> Result<ChunkStep<B>> {
        let Some(chunk) = chunk else {
            let samples = match &self.last_audio {
                Some(a) => a[a.len().saturating_sub(self.overlap_size)..].to_vec(),
                None => Vec::new(),
            };
            self.last_audio = None;
            return Ok(ChunkStep { samples, call: None });
        };
        if chunk.is_empty() {
            return Err(Error::InvalidArgument("an empty token chunk".into()));
        }
        self.tokens.extend_from_slice(chunk);
        let len = chunk.len();
        let ol = self.overlap_for(len);
        let result_length = (!self.first).then_some(len + ol);
        let overlap_frames = self.last_latent.as_ref().map(|l| {
            let n = l.dims()[2];
            let f = (2 * ol).min(n);
            l.clone().narrow(2, n - f, f)
        });
        let window = StreamWindow { result_length, overlap_frames: overlap_frames.clone() };
        let trace = self.sovits.decode_streaming_with_timbre(
            &self.tokens,
            &self.phones,
            self.ge.clone(),
            self.noise_scale,
            self.speed,
            noise,
            window,
        )?;
        self.calls += 1;
        let mut audio = to_vec_f32(trace.audio.clone());
        if ol > self.overlap_length {
            let keep = ((self.overlap_length + len) as f64 * self.rate) as usize;
            audio.drain(..audio.len().saturating_sub(keep));
        }
        let kept = audio.len();
        let ov = self.overlap_size;
        let mut sola = None;
        let samples = match (self.first, is_final) {
            (true, false) => audio[..audio.len().saturating_sub(ov)].to_vec(),
            (true, true) => audio.clone(),
            (false, false) => {
                let prev = self.last_audio.as_deref().unwrap_or(&[]);
                let j = sola_join(prev, &mut audio, ov, SOLA_SEARCH);
                let out =
                    audio[j.lag.min(audio.len())..audio.len().saturating_sub(ov).max(j.lag.min(audio.len()))].to_vec();
                sola = Some(j);
                out
            }
            // Upstream emits a final chunk that is not the first whole, without SOLA.
            (false, true) => audio.clone(),
        };
        self.first = false;
        self.last_latent = Some(trace.prior.latent.clone());
        self.last_audio = Some(audio);
        Ok(ChunkStep {
            samples,
            call: Some(ChunkCall { codes: self.tokens.len(), result_length, overlap_frames, trace, kept, sola }),
        })
    }

    /// The overlap (tokens) of the next chunk of `len` tokens: upstream's `overlap_length`,
    /// longer for a non-first chunk shorter than 10 tokens.
    fn overlap_for(&self, len: usize) -> usize {
        if !self.first && len < SHORT_CHUNK { self.overlap_length + (SHORT_CHUNK - len) } else { self.overlap_length }
    }

    /// The index of the first frame of the next call's window in the whole utterance (for
    /// [`Noise::Frames`]), given the chunk about to be pushed.
    pub fn next_first_frame(&self, chunk_len: usize) -> usize {
        if self.first {
            return 0;
        }
        let ol = self.overlap_for(chunk_len);
        let total = 2 * (self.tokens.len() + chunk_len);
        let window = (2 * (chunk_len + ol)).min(total);
        ((total - window) as f64 / self.speed as f64) as usize
    }
}
