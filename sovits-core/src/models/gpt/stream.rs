//! Token-chunk streaming of the GPT (upstream `infer_panel_naive` with `streaming_mode=True`,
//! as `TTS.run` drives it for api_v2's `streaming_mode` 2 and 3): while decoding, the tokens
//! are handed out in chunks, either every `length` tokens or at a token that sounds like
//! silence (close to the mute token in the GPT's audio embedding).

use burn::tensor::backend::Backend;

use super::model::Text2SemanticDecoder;
use crate::{Error, Result};

/// The semantic token upstream treats as silence (`TTS_Config.mute_tokens`, 486 for every
/// version).
pub const MUTE_TOKEN: u32 = 486;

/// `TTS.run`'s fixed cut threshold on the mute similarity (`chunk_split_thershold = 0.0`).
pub const MUTE_SPLIT_THRESHOLD: f32 = 0.0;

/// Upstream's `check_token_num`: the mute cut is tried once this many tokens follow the
/// chunk length.
const CHECK_TOKENS: usize = 2;

/// How the GPT cuts its output into chunks while it decodes.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenChunking {
    /// api_v2 `streaming_mode` 3: a chunk every `length` tokens.
    Fixed {
        /// Tokens per chunk (`min_chunk_length`, 16).
        length: usize,
        /// A different length for the first chunk (earlier first audio); `None`: `length`, as
        /// upstream.
        first_length: Option<usize>,
    },
    /// api_v2 `streaming_mode` 2: once `length + 2` tokens are pending, cut after the best
    /// pair of tokens similar to the mute token at a position `>= length`; the chunk handed
    /// out is the whole pending window (its tail is handed out again at the start of the next
    /// chunk, as upstream does).
    AtMute {
        /// Shortest chunk (`min_chunk_length`, 16).
        length: usize,
        /// A different shortest length for the first chunk; `None`: `length`, as upstream.
        first_length: Option<usize>,
        /// Cosine similarity of every semantic token's embedding to the mute token's
        /// ([`mute_similarity`]).
        similarity: Vec<f32>,
        /// Cut threshold ([`MUTE_SPLIT_THRESHOLD`]).
        threshold: f32,
    },
}

impl TokenChunking {
    /// The dynamic mode for `model` with upstream's mute token and threshold.
    pub fn at_mute<B: Backend>(model: &Text2SemanticDecoder<B>, length: usize) -> Self {
        TokenChunking::AtMute {
            length,
            first_length: None,
            similarity: mute_similarity(model, MUTE_TOKEN),
            threshold: MUTE_SPLIT_THRESHOLD,
        }
    }

    /// The chunk length.
    pub fn length(&self) -> usize {
        match self {
            TokenChunking::Fixed { length, .. } | TokenChunking::AtMute { length, .. } => *length,
        }
    }

    /// The first chunk's length.
    pub fn first_length(&self) -> usize {
        match self {
            TokenChunking::Fixed { length, first_length } | TokenChunking::AtMute { length, first_length, .. } => {
                first_length.unwrap_or(*length)
            }
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        for n in [self.length(), self.first_length()] {
            if n == 0 || n > MAX_CHUNK_TOKENS {
                return Err(Error::InvalidArgument(format!(
                    "the chunk length must be in 1..={MAX_CHUNK_TOKENS} semantic tokens, got {n}"
                )));
            }
        }
        Ok(())
    }
}

/// The longest chunk length accepted (tokens; 20 s of speech).
pub const MAX_CHUNK_TOKENS: usize = 500;

/// `F.cosine_similarity(emb[token], emb, -1)` over the rows of the GPT's
/// `ar_audio_embedding` (torch 2.x: each row divided by `max(|row|, 1e-8)` first).
pub fn mute_similarity<B: Backend>(model: &Text2SemanticDecoder<B>, token: u32) -> Vec<f32> {
    let w = crate::models::common::to_vec_f32(model.ar_audio_embedding.weight.clone());
    let d = model.config().embedding_dim;
    cosine_rows(&w, d, token as usize)
}

fn cosine_rows(w: &[f32], d: usize, target: usize) -> Vec<f32> {
    let unit = |r: &[f32]| -> Vec<f32> {
        let n = r.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt().max(1e-8) as f32;
        r.iter().map(|&v| v / n).collect()
    };
    let t = unit(&w[target * d..(target + 1) * d]);
    w.chunks_exact(d).map(|r| unit(r).iter().zip(&t).map(|(a, b)| *a as f64 * *b as f64).sum::<f64>() as f32).collect()
}

/// One chunk the GPT hands out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenChunk<'a> {
    /// The chunk's tokens; `None` when the run ended exactly after a chunk (upstream's
    /// `(None, True)`).
    pub tokens: Option<&'a [u32]>,
    /// Whether this is the last chunk of the run.
    pub is_final: bool,
    /// Index of its first token among the generated tokens.
    pub start: usize,
    /// How far the read pointer moves after it (the chunk length, or less for a dynamic cut
    /// whose tail comes again in the next chunk; 0 for the final chunk).
    pub advance: usize,
    /// The decode step it was handed out at.
    pub step: usize,
}

/// One dynamic cut test (every step with at least `length + 2` tokens pending).
#[derive(Debug, Clone, PartialEq)]
pub struct CutTest {
    /// Decode step.
    pub step: usize,
    /// Tokens pending.
    pub window: usize,
    /// The first maximum of the paired score.
    pub argmax: usize,
    /// Its score.
    pub best: f32,
    /// Whether it cut.
    pub cut: bool,
}

/// The chunking state of one run: upstream's `token_counter` and `curr_ptr`.
#[derive(Debug, Clone)]
pub(crate) struct Chunker<'c> {
    mode: &'c TokenChunking,
    /// Tokens since the read pointer.
    counter: usize,
    /// Read pointer into `y` (prompt included).
    ptr: usize,
    prompt_len: usize,
    /// Whether a chunk was handed out already (the first one may have its own length).
    cut_once: bool,
    pub(crate) tests: Vec<CutTest>,
    score: Vec<f32>,
}

/// A chunk decision: `y[start..]` is handed out, then the pointer moves by `advance`.
pub(crate) struct Cut {
    pub start: usize,
    pub advance: usize,
}

impl<'c> Chunker<'c> {
    pub(crate) fn new(mode: &'c TokenChunking, prompt_len: usize) -> Self {
        Chunker { mode, counter: 0, ptr: prompt_len, prompt_len, cut_once: false, tests: Vec::new(), score: Vec::new() }
    }

    /// Called at the start of every step (upstream's `token_counter += 1`).
    pub(crate) fn begin_step(&mut self) {
        self.counter += 1;
    }

    /// After a token was appended to `y` and the run goes on: the chunk to hand out, if any
    /// (`y[start..]`), with the pointer already moved.
    pub(crate) fn after_step(&mut self, y: &[u32], step: usize) -> Option<Cut> {
        let length = if self.cut_once { self.mode.length() } else { self.mode.first_length() };
        let cut = self.decide(y, step, length);
        self.cut_once |= cut.is_some();
        cut
    }

    fn decide(&mut self, y: &[u32], step: usize, length: usize) -> Option<Cut> {
        match self.mode {
            TokenChunking::Fixed { .. } => {
                if self.counter < length {
                    return None;
                }
                let start = y.len() - self.counter;
                let advance = self.counter;
                self.ptr += advance;
                self.counter = 0;
                Some(Cut { start: start - self.prompt_len, advance })
            }
            TokenChunking::AtMute { similarity, threshold, .. } => {
                if self.counter < length + CHECK_TOKENS {
                    return None;
                }
                let window = &y[self.ptr..];
                self.score.clear();
                self.score.extend(window.iter().map(|&t| {
                    let s = similarity.get(t as usize).copied().unwrap_or(-1.0) - threshold;
                    if s < 0.0 { -1.0 } else { s }
                }));
                for i in 0..self.score.len().saturating_sub(1) {
                    self.score[i] += self.score[i + 1];
                }
                let mut a = 0;
                for (i, &s) in self.score.iter().enumerate() {
                    if s > self.score[a] {
                        a = i;
                    }
                }
                let best = self.score[a];
                let cut = best >= 0.0 && a + 1 >= length;
                self.tests.push(CutTest { step, window: self.counter, argmax: a, best, cut });
                if !cut {
                    return None;
                }
                let start = self.ptr - self.prompt_len;
                self.counter -= a + 1;
                self.ptr += a + 1;
                Some(Cut { start, advance: a + 1 })
            }
        }
    }

    /// At the stop step: the rest `y[start..]`, or `None` when nothing is left.
    pub(crate) fn at_stop(&self, y: &[u32]) -> Option<usize> {
        (self.ptr < y.len()).then_some(self.ptr)
    }

    /// The read pointer relative to the generated tokens.
    pub(crate) fn pointer(&self) -> usize {
        self.ptr - self.prompt_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_a_row_with_itself_is_one() {
        let w = [3.0f32, 4.0, 4.0, -3.0, 1.0, 0.0, 0.0, 0.0];
        let s = cosine_rows(&w, 2, 0);
        assert!((s[0] - 1.0).abs() < 1e-6);
        assert!((s[1] - 0.0).abs() < 1e-6 && (s[2] - 0.6).abs() < 1e-6);
        assert_eq!(s[3], 0.0, "a zero row has similarity 0 (norm floor 1e-8)");
    }

    #[test]
    fn fixed_chunks_every_length_tokens() {
        let mode = TokenChunking::Fixed { length: 3, first_length: None };
        let mut c = Chunker::new(&mode, 2);
        let mut y = vec![7, 7];
        let mut cuts = vec![];
        for step in 0..7 {
            c.begin_step();
            y.push(step as u32);
            if let Some(cut) = c.after_step(&y, step) {
                cuts.push((cut.start, y.len() - 2 - cut.start, cut.advance));
            }
        }
        assert_eq!(cuts, vec![(0, 3, 3), (3, 3, 3)]);
        assert_eq!(c.at_stop(&y), Some(8));
    }

    #[test]
    fn a_shorter_first_chunk() {
        let mode = TokenChunking::Fixed { length: 3, first_length: Some(1) };
        let mut c = Chunker::new(&mode, 0);
        let (mut y, mut lens) = (vec![], vec![]);
        for step in 0..7 {
            c.begin_step();
            y.push(step as u32);
            if let Some(cut) = c.after_step(&y, step) {
                lens.push(y.len() - cut.start);
            }
        }
        assert_eq!(lens, vec![1, 3, 3]);
        let bad = TokenChunking::Fixed { length: 3, first_length: Some(0) };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn dynamic_cut_yields_the_window_and_advances_past_the_pair() {
        // Tokens 1 are "mute" (similarity 0.5), others -0.5.
        let sim = vec![-0.5, 0.5];
        let mode = TokenChunking::AtMute { length: 2, first_length: None, similarity: sim, threshold: 0.0 };
        let mut c = Chunker::new(&mode, 0);
        let toks = [0u32, 0, 1, 1, 0, 0, 0, 0];
        let mut y = vec![];
        let mut cuts = vec![];
        for (step, &t) in toks.iter().enumerate() {
            c.begin_step();
            y.push(t);
            if let Some(cut) = c.after_step(&y, step) {
                cuts.push((cut.start, y.len() - cut.start, cut.advance));
            }
        }
        // At 4 tokens [0,0,1,1]: scores [-2,-0.5,1.0,0.5] -> argmax 2, cut: window 4, advance 3.
        assert_eq!(cuts, vec![(0, 4, 3)]);
        assert_eq!(c.tests.len(), 3, "a test at every step with 4 or more tokens pending");
        assert!(!c.tests[1].cut && c.tests[1].best < 0.0);
    }
}
