//! The linear-magnitude STFT of upstream `spectrogram_torch` (`module/mel_processing.py`),
//! computed on the host with `realfft`.

use realfft::RealFftPlanner;

use crate::{Error, Result};

/// STFT settings (the SoVITS v1/v2 values by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectrogramConfig {
    /// FFT size (2048).
    pub n_fft: usize,
    /// Hop (640).
    pub hop: usize,
    /// Window length (2048): a periodic Hann window, zero-padded to `n_fft` when shorter.
    pub win: usize,
    /// Added to `re^2 + im^2` before the square root (upstream: 1e-8).
    pub eps: f64,
}

impl Default for SpectrogramConfig {
    fn default() -> Self {
        SpectrogramConfig { n_fft: 2048, hop: 640, win: 2048, eps: 1e-8 }
    }
}

/// Magnitude spectrogram `[n_fft/2 + 1, frames]` (row-major, bins outer) of `y`:
/// reflect-pad `(n_fft - hop) / 2` on both sides, frames every `hop` samples without centring,
/// periodic Hann window, `sqrt(re^2 + im^2 + eps)`. Returns `(data, frames)`.
///
/// The arithmetic is done in f64 and rounded once, so the result is closer to the exact
/// value than a float32 STFT (the reference's own rounding noise is ~5e-6 at 1 s).
pub fn spectrogram(y: &[f32], cfg: &SpectrogramConfig) -> Result<(Vec<f32>, usize)> {
    let SpectrogramConfig { n_fft, hop, win, eps } = *cfg;
    if hop == 0 || hop > n_fft || win > n_fft || !(2..=crate::limits::MAX_FFT).contains(&n_fft) {
        return Err(Error::InvalidArgument(format!("bad STFT settings n_fft {n_fft}, hop {hop}, win {win}")));
    }
    let pad = (n_fft - hop) / 2;
    if y.len() <= pad {
        return Err(Error::Audio(format!(
            "audio too short for a spectrogram: {} samples, need more than {pad}",
            y.len()
        )));
    }
    // Reflect padding (no edge repeat), like torch's "reflect".
    let n = y.len();
    let mut padded = Vec::with_capacity(n + 2 * pad);
    padded.extend((0..pad).map(|i| y[pad - i] as f64));
    padded.extend(y.iter().map(|&v| v as f64));
    padded.extend((0..pad).map(|i| y[n - 2 - i] as f64));
    if padded.len() < n_fft {
        return Err(Error::Audio(format!("audio too short for one STFT frame: {n} samples")));
    }
    let frames = (padded.len() - n_fft) / hop + 1;
    let bins = n_fft / 2 + 1;

    // Periodic Hann of length `win`, centred in n_fft (torch.stft pads the window).
    let mut window = vec![0f64; n_fft];
    let off = (n_fft - win) / 2;
    for i in 0..win {
        window[off + i] = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / win as f64).cos();
    }

    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(n_fft);
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let mut out = vec![0f32; bins * frames];
    for f in 0..frames {
        let start = f * hop;
        for (i, slot) in input.iter_mut().enumerate() {
            *slot = padded[start + i] * window[i];
        }
        fft.process_with_scratch(&mut input, &mut spectrum, &mut scratch)
            .map_err(|e| Error::Audio(format!("FFT failed: {e}")))?;
        for (b, c) in spectrum.iter().enumerate() {
            out[b * frames + f] = (c.re * c.re + c.im * c.im + eps).sqrt() as f32;
        }
    }
    Ok((out, frames))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_and_peak_bin() {
        let sr = 32000.0;
        let y: Vec<f32> =
            (0..32000).map(|i| (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / sr).sin() as f32).collect();
        let (s, frames) = spectrogram(&y, &SpectrogramConfig::default()).unwrap();
        assert_eq!(frames, 50); // floor(N / hop)
        let col: Vec<f32> = (0..1025).map(|b| s[b * frames + 25]).collect();
        let peak = col.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        assert_eq!(peak, 64); // 1000 Hz / 15.625 Hz
    }

    #[test]
    fn too_short_is_an_error() {
        assert!(spectrogram(&[0.0; 100], &SpectrogramConfig::default()).is_err());
    }
}
