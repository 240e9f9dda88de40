//! SOLA joining of streamed audio chunks (upstream `TTS.sola_algorithm`).

/// The lag search of upstream's `sola_algorithm` (samples).
pub const SOLA_SEARCH: usize = 320;

/// What [`sola_join`] decided.
#[derive(Debug, Clone, PartialEq)]
pub struct SolaJoin {
    /// The chosen lag into the next chunk (first maximum of `scores`).
    pub lag: usize,
    /// `corr / sqrt(energy)` per lag.
    pub scores: Vec<f64>,
}

/// Joins `next` onto the tail of `prev` (upstream's `sola_algorithm([prev, next], overlap,
/// search)`): the lag `k` in `0..=search` that maximises `sum(next[k + i] * prev_tail[i]) /
/// sqrt(sum(next[k + i]^2) + 1e-8)` over the last `overlap` samples of `prev` (first maximum;
/// accumulated in f64: the peaks of this score can lie within 1e-6 of each other), then
/// `next[lag..lag + overlap]` is cross-faded in place into that tail with the two halves of a
/// periodic Hann window of `2 * overlap` (`sin^2` / `cos^2`). The joined signal is
/// `prev[..len - overlap]` followed by `next[lag..]`.
///
/// `overlap` is clamped to both lengths and the search to what `next` holds.
pub fn sola_join(prev: &[f32], next: &mut [f32], overlap: usize, search: usize) -> SolaJoin {
    let ov = overlap.min(prev.len()).min(next.len());
    if ov == 0 {
        return SolaJoin { lag: 0, scores: vec![] };
    }
    let w1 = &prev[prev.len() - ov..];
    let lags = (next.len() - ov).min(search) + 1;
    let scores: Vec<f64> = (0..lags)
        .map(|k| {
            let w2 = &next[k..k + ov];
            let (mut corr, mut den) = (0f64, 0f64);
            for (a, b) in w2.iter().zip(w1) {
                let a = *a as f64;
                corr += a * *b as f64;
                den += a * a;
            }
            corr / (den + 1e-8).sqrt()
        })
        .collect();
    let mut lag = 0;
    for (k, &s) in scores.iter().enumerate() {
        if s > scores[lag] {
            lag = k;
        }
    }
    let n = 2 * ov;
    for i in 0..ov {
        let (up, down) = (hann_periodic(i, n), hann_periodic(i + ov, n));
        next[lag + i] = up * next[lag + i] + down * w1[i];
    }
    SolaJoin { lag, scores }
}

/// `torch.hann_window(n)[i]` (periodic): `0.5 - 0.5 cos(2 pi i / n)`.
fn hann_periodic(i: usize, n: usize) -> f32 {
    (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_shift_of_a_repeated_signal() {
        let sig: Vec<f32> = (0..4000).map(|i| ((i as f32) * 0.013).sin() * (1.0 + (i as f32 * 0.0007).cos())).collect();
        let prev = sig[..3000].to_vec();
        // `next` starts 57 samples before the end of prev's tail window.
        let start = 3000 - 200 - 57;
        let mut next = sig[start..].to_vec();
        let j = sola_join(&prev, &mut next, 200, 120);
        assert_eq!(j.lag, 57);
        assert_eq!(j.scores.len(), 121);
        // The cross-fade of identical signals leaves them unchanged.
        for i in 0..200 {
            assert!((next[57 + i] - sig[2800 + i]).abs() < 1e-5);
        }
    }

    #[test]
    fn short_inputs_do_not_panic() {
        let mut next = vec![1.0; 3];
        assert_eq!(sola_join(&[], &mut next, 10, 5).lag, 0);
        let j = sola_join(&[0.5; 2], &mut next, 10, 5);
        assert_eq!(j.scores.len(), 2);
    }

    #[test]
    fn hann_halves_sum_to_one() {
        for i in 0..64 {
            assert!((hann_periodic(i, 128) + hann_periodic(i + 64, 128) - 1.0).abs() < 1e-6);
        }
    }
}
