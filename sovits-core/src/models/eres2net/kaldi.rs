//! Kaldi-compatible log mel filterbank features, as upstream's `eres2net/kaldi.py` `fbank`
//! computes them for the speaker-verification model (`num_mel_bins=80`,
//! `sample_frequency=16000`, `dither=0`, every other option at its default).
//!
//! Per frame of 400 samples every 160 (`snip_edges`: only whole frames): remove the DC offset,
//! pre-emphasis 0.97 (the first sample against itself), povey window (symmetric Hann to the
//! power 0.85), zero-pad to 512, power spectrum, 80 triangular mel filters between 20 Hz and
//! Nyquist (the Nyquist bin weighted 0), `log(max(energy, f32::EPSILON))`. No energy column,
//! no mean normalisation. Computed in f64 and rounded once.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};

use crate::{Error, Result};

/// The options of [`Fbank`] that upstream's call sets or that matter for its defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FbankOptions {
    /// Mel bins (80).
    pub num_mel_bins: usize,
    /// Sample rate of the input (16000).
    pub sample_frequency: f64,
    /// Frame length in ms (25).
    pub frame_length_ms: f64,
    /// Frame shift in ms (10).
    pub frame_shift_ms: f64,
    /// Lowest mel filter edge in Hz (20).
    pub low_freq: f64,
    /// Highest edge in Hz; `<= 0` is an offset from Nyquist (0).
    pub high_freq: f64,
    /// Pre-emphasis coefficient (0.97).
    pub preemphasis_coefficient: f64,
}

impl Default for FbankOptions {
    fn default() -> Self {
        FbankOptions {
            num_mel_bins: 80,
            sample_frequency: 16_000.0,
            frame_length_ms: 25.0,
            frame_shift_ms: 10.0,
            low_freq: 20.0,
            high_freq: 0.0,
            preemphasis_coefficient: 0.97,
        }
    }
}

/// Intermediate values of [`Fbank::compute_traced`] (for parity checks), all row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FbankTrace {
    /// Frames after DC removal, pre-emphasis, window and zero padding `[frames, padded]`.
    pub frames_windowed: Vec<f32>,
    /// `|rfft|^2` `[frames, padded/2 + 1]`.
    pub power_spectrum: Vec<f32>,
    /// Mel energies before the log `[frames, mel_bins]`.
    pub mel_energies: Vec<f32>,
}

/// A filterbank with its window, mel matrix and FFT plan made once.
#[derive(Clone)]
pub struct Fbank {
    opts: FbankOptions,
    window_size: usize,
    window_shift: usize,
    padded: usize,
    window: Vec<f64>,
    /// `[padded/2 + 1][mel_bins]` (the Nyquist row is zero), as upstream pads it.
    mel_banks: Vec<f64>,
    fft: Arc<dyn RealToComplex<f64>>,
}

impl std::fmt::Debug for Fbank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fbank").field("opts", &self.opts).finish_non_exhaustive()
    }
}

fn mel_scale(f: f64) -> f64 {
    1127.0 * (1.0 + f / 700.0).ln()
}

impl Fbank {
    /// The filterbank for `opts`.
    pub fn new(opts: FbankOptions) -> Result<Self> {
        let bad = |m: String| Err(Error::InvalidArgument(format!("fbank: {m}")));
        let sf = opts.sample_frequency;
        if !(sf.is_finite() && sf > 0.0 && (4..=1024).contains(&opts.num_mel_bins)) {
            return bad(format!("sample frequency {sf} / {} mel bins", opts.num_mel_bins));
        }
        let window_size = (sf * opts.frame_length_ms * 0.001) as usize;
        let window_shift = (sf * opts.frame_shift_ms * 0.001) as usize;
        if window_size < 2 || window_shift == 0 || window_size > 1 << 16 {
            return bad(format!("frame length {window_size} / shift {window_shift} samples"));
        }
        let padded = window_size.next_power_of_two();
        let nyquist = 0.5 * sf;
        let high = if opts.high_freq <= 0.0 { opts.high_freq + nyquist } else { opts.high_freq };
        if !(0.0 <= opts.low_freq && opts.low_freq < nyquist && 0.0 < high && high <= nyquist && opts.low_freq < high) {
            return bad(format!("low {} / high {high} Hz against Nyquist {nyquist}", opts.low_freq));
        }
        let n = window_size as f64 - 1.0;
        let window = (0..window_size)
            .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n).cos()).powf(0.85))
            .collect();
        let bins = opts.num_mel_bins;
        let (mel_low, mel_high) = (mel_scale(opts.low_freq), mel_scale(high));
        let delta = (mel_high - mel_low) / (bins + 1) as f64;
        let fft_bin_width = sf / padded as f64;
        let mut mel_banks = vec![0.0; (padded / 2 + 1) * bins];
        for b in 0..bins {
            let left = mel_low + b as f64 * delta;
            let center = mel_low + (b + 1) as f64 * delta;
            let right = mel_low + (b + 2) as f64 * delta;
            for k in 0..padded / 2 {
                let mel = mel_scale(fft_bin_width * k as f64);
                let up = (mel - left) / (center - left);
                let down = (right - mel) / (right - center);
                mel_banks[k * bins + b] = up.min(down).max(0.0);
            }
        }
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(padded);
        Ok(Fbank { opts, window_size, window_shift, padded, window, mel_banks, fft })
    }

    /// The mel matrix `[padded/2 + 1, mel_bins]` as upstream multiplies with it.
    pub fn mel_banks(&self) -> Vec<f32> {
        self.mel_banks.iter().map(|&v| v as f32).collect()
    }

    /// Mel bins per frame.
    pub fn num_mel_bins(&self) -> usize {
        self.opts.num_mel_bins
    }

    /// Frames of `n` samples: `1 + (n - 400) / 160`, 0 below one frame.
    pub fn num_frames(&self, n: usize) -> usize {
        if n < self.window_size { 0 } else { 1 + (n - self.window_size) / self.window_shift }
    }

    /// Log mel energies `[frames, mel_bins]` of `wav` (floats in [-1, 1], at the sample rate of
    /// the options). Returns `(features, frames)`; at least one frame (400 samples) is needed.
    pub fn compute(&self, wav: &[f32]) -> Result<(Vec<f32>, usize)> {
        self.run(wav, None)
    }

    /// [`Fbank::compute`] with its intermediates.
    pub fn compute_traced(&self, wav: &[f32]) -> Result<(Vec<f32>, usize, FbankTrace)> {
        let mut trace = FbankTrace::default();
        let (f, n) = self.run(wav, Some(&mut trace))?;
        Ok((f, n, trace))
    }

    fn run(&self, wav: &[f32], mut trace: Option<&mut FbankTrace>) -> Result<(Vec<f32>, usize)> {
        let frames = self.num_frames(wav.len());
        if frames == 0 {
            return Err(Error::Audio(format!(
                "{} samples are too short for speaker features (one frame is {} samples, {} ms)",
                wav.len(),
                self.window_size,
                self.opts.frame_length_ms
            )));
        }
        if let Some(bad) = wav.iter().find(|v| !v.is_finite()) {
            return Err(Error::Audio(format!("the audio holds a non-finite sample ({bad})")));
        }
        let bins = self.opts.num_mel_bins;
        let half = self.padded / 2 + 1;
        let floor = f32::EPSILON as f64;
        let mut out = Vec::with_capacity(frames * bins);
        let mut buf = self.fft.make_input_vec();
        let mut spec = self.fft.make_output_vec();
        let mut power = vec![0f64; half];
        let preemph = self.opts.preemphasis_coefficient;
        for f in 0..frames {
            let frame = &wav[f * self.window_shift..f * self.window_shift + self.window_size];
            let mean = frame.iter().map(|&v| v as f64).sum::<f64>() / self.window_size as f64;
            let mut prev = frame[0] as f64 - mean;
            for (i, &v) in frame.iter().enumerate() {
                let x = v as f64 - mean;
                buf[i] = (x - preemph * prev) * self.window[i];
                prev = x;
            }
            buf[self.window_size..].iter_mut().for_each(|v| *v = 0.0);
            if let Some(t) = trace.as_deref_mut() {
                t.frames_windowed.extend(buf.iter().map(|&v| v as f32));
            }
            self.fft.process(&mut buf, &mut spec).map_err(|e| Error::Audio(format!("fbank FFT: {e}")))?;
            for (p, c) in power.iter_mut().zip(&spec) {
                *p = c.re * c.re + c.im * c.im;
            }
            let start = out.len();
            out.resize(start + bins, 0.0);
            let mut energies = vec![0f64; bins];
            for (k, &p) in power.iter().enumerate() {
                let row = &self.mel_banks[k * bins..(k + 1) * bins];
                for (e, &w) in energies.iter_mut().zip(row) {
                    *e += p * w;
                }
            }
            for (o, &e) in out[start..].iter_mut().zip(&energies) {
                *o = e.max(floor).ln() as f32;
            }
            if let Some(t) = trace.as_deref_mut() {
                t.power_spectrum.extend(power.iter().map(|&v| v as f32));
                t.mel_energies.extend(energies.iter().map(|&v| v as f32));
            }
        }
        Ok((out, frames))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_sits_at_the_log_floor() {
        let fb = Fbank::new(FbankOptions::default()).unwrap();
        let (f, n) = fb.compute(&[0.0; 560]).unwrap();
        assert_eq!(n, 2);
        assert!(f.iter().all(|&v| (v - (-15.942385)).abs() < 1e-5), "{:?}", &f[..4]);
        assert!(fb.compute(&[0.1; 399]).is_err());
        assert!(fb.compute(&[f32::NAN; 400]).is_err());
    }
}
