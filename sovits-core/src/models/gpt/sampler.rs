//! The original sampler (`AR/models/utils.py::logits_to_probs` +
//! `multinomial_sample_one_no_sync`), on the host.

use crate::rng::Rng;
use crate::{Error, Result};

/// Sampling settings of one GPT run (upstream's `infer_panel` arguments).
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    /// Keep the `top_k` largest logits (ties with the k-th are kept). `1` = greedy.
    pub top_k: usize,
    /// Nucleus threshold on the untempered distribution; `1.0` disables it.
    pub top_p: f32,
    /// Temperature (applied after top-p, before top-k).
    pub temperature: f32,
    /// Repetition penalty over every distinct token of prompt + generated so far.
    pub repetition_penalty: f32,
    /// Stop once more than this many tokens were generated (`-1`: never; upstream passes
    /// `50 * max_sec` = 2700, which the 1500-step cap makes ineffective).
    pub early_stop_num: i64,
    /// Hard cap on decode steps (upstream: 1500).
    pub max_steps: usize,
    /// Seed of the host RNG that draws the exponential race.
    pub seed: u64,
}

impl Default for SamplingParams {
    /// The WebUI defaults: top_k 15, top_p 1.0, temperature 1.0, repetition penalty 1.35,
    /// early stop 2700, 1500 steps.
    fn default() -> Self {
        SamplingParams {
            top_k: 15,
            top_p: 1.0,
            temperature: 1.0,
            repetition_penalty: 1.35,
            early_stop_num: 2700,
            max_steps: 1500,
            seed: 0,
        }
    }
}

impl SamplingParams {
    /// Greedy decoding (top_k = 1), otherwise defaults.
    pub fn greedy() -> Self {
        SamplingParams { top_k: 1, ..Default::default() }
    }

    /// Checks the values are usable.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidArgument(m));
        if self.top_k == 0 {
            return bad("top_k must be at least 1".into());
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return bad(format!("top_p must be in (0, 1], got {}", self.top_p));
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return bad(format!("temperature must be > 0, got {}", self.temperature));
        }
        if !(self.repetition_penalty.is_finite() && self.repetition_penalty > 0.0) {
            return bad(format!("repetition_penalty must be > 0, got {}", self.repetition_penalty));
        }
        if self.max_steps == 0 || self.max_steps > 1500 {
            return bad(format!("max_steps must be in 1..=1500, got {}", self.max_steps));
        }
        if self.early_stop_num < -1 {
            return bad(format!("early_stop_num must be -1 (off) or >= 0, got {}", self.early_stop_num));
        }
        Ok(())
    }
}

/// Applies the repetition penalty in place: every distinct id in `previous` gets
/// `s * penalty` if its logit `s < 0`, else `s / penalty` (once, not per occurrence).
pub fn apply_repetition_penalty(logits: &mut [f32], previous: &[u32], penalty: f32, seen: &mut Vec<bool>) {
    if penalty == 1.0 {
        return;
    }
    seen.clear();
    seen.resize(logits.len(), false);
    for &t in previous {
        let t = t as usize;
        if t < logits.len() && !seen[t] {
            seen[t] = true;
            let s = logits[t];
            logits[t] = if s < 0.0 { s * penalty } else { s / penalty };
        }
    }
}

/// Draws one token from penalised logits: top-p on the untempered logits, temperature,
/// top-k (ties kept), softmax, then `argmax(p / q)` with `q ~ Exponential(1)` per entry.
/// `scratch` avoids reallocation between steps.
pub fn sample(logits: &[f32], p: &SamplingParams, rng: &mut Rng, scratch: &mut Vec<(f32, usize)>) -> u32 {
    let v = logits.len();
    let mut l: Vec<f32> = logits.to_vec();
    if p.top_p < 1.0 {
        scratch.clear();
        scratch.extend(l.iter().copied().enumerate().map(|(i, x)| (x, i)));
        scratch.sort_by(|a, b| b.0.total_cmp(&a.0));
        let max = scratch[0].0;
        let denom: f32 = scratch.iter().map(|(x, _)| (x - max).exp()).sum();
        let mut cum = 0f32;
        for (rank, &(x, i)) in scratch.iter().enumerate() {
            cum += (x - max).exp() / denom;
            if rank > 0 && cum > p.top_p {
                l[i] = f32::NEG_INFINITY;
            }
        }
    }
    let t = p.temperature.max(1e-5);
    if t != 1.0 {
        for x in l.iter_mut() {
            *x /= t;
        }
    }
    let k = p.top_k.min(v);
    if k < v {
        let mut sorted = l.clone();
        sorted.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
        let pivot = sorted[k - 1];
        for x in l.iter_mut() {
            if *x < pivot {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    let max = l.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0f32;
    for x in l.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    let mut best = (f32::NEG_INFINITY, 0usize);
    for (i, x) in l.iter().enumerate() {
        let q = rng.exponential() as f32;
        let score = (x / sum) / q;
        if score > best.0 {
            best = (score, i);
        }
    }
    best.1 as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_once_per_distinct_token() {
        let mut l = vec![2.0, -2.0, 1.0];
        apply_repetition_penalty(&mut l, &[0, 0, 1, 1, 1], 2.0, &mut Vec::new());
        assert_eq!(l, vec![1.0, -4.0, 1.0]);
    }

    #[test]
    fn greedy_is_argmax_and_top_k_keeps_ties() {
        let mut rng = Rng::new(3);
        let p = SamplingParams { top_k: 1, ..Default::default() };
        let l = [0.1, 3.0, -1.0, 2.9];
        for _ in 0..20 {
            assert_eq!(sample(&l, &p, &mut rng, &mut Vec::new()), 1);
        }
        // Ties with the pivot are kept: both 3.0 entries can be drawn.
        let l = [3.0, 1.0, 3.0];
        let mut seen = [false; 3];
        for _ in 0..200 {
            seen[sample(&l, &p, &mut rng, &mut Vec::new()) as usize] = true;
        }
        assert_eq!(seen, [true, false, true]);
    }

    #[test]
    fn frequencies_follow_softmax_and_top_p() {
        let mut rng = Rng::new(5);
        let l = [0f32, (2f32).ln(), (5f32).ln()]; // probabilities 1/8, 2/8, 5/8
        let p = SamplingParams { top_k: 3, ..Default::default() };
        let mut n = [0usize; 3];
        for _ in 0..40000 {
            n[sample(&l, &p, &mut rng, &mut Vec::new()) as usize] += 1;
        }
        for (i, want) in [0.125, 0.25, 0.625].iter().enumerate() {
            assert!((n[i] as f64 / 40000.0 - want).abs() < 0.01, "{n:?}");
        }
        // top_p 0.7: sorted cumulative sums 0.625, 0.875, 1.0; upstream removes every entry
        // whose own cumulative sum exceeds top_p except the first, so only the top one stays.
        let p = SamplingParams { top_k: 3, top_p: 0.7, ..Default::default() };
        let mut n = [0usize; 3];
        for _ in 0..1000 {
            n[sample(&l, &p, &mut rng, &mut Vec::new()) as usize] += 1;
        }
        assert_eq!(n, [0, 0, 1000]);
    }

    #[test]
    fn same_seed_same_tokens() {
        let l: Vec<f32> = (0..100).map(|i| (i as f32 * 0.37).sin()).collect();
        let p = SamplingParams { top_k: 50, top_p: 0.9, temperature: 0.8, ..Default::default() };
        let a: Vec<u32> = {
            let mut r = Rng::new(9);
            (0..50).map(|_| sample(&l, &p, &mut r, &mut Vec::new())).collect()
        };
        let b: Vec<u32> = {
            let mut r = Rng::new(9);
            (0..50).map(|_| sample(&l, &p, &mut r, &mut Vec::new())).collect()
        };
        assert_eq!(a, b);
        assert!(a.iter().any(|&t| t != a[0]));
    }
}
