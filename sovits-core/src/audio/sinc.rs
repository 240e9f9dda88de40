//! torchaudio's `transforms.Resample` (`sinc_interp_hann`, the defaults), which upstream uses
//! for the speaker-verification input (32 kHz -> 16 kHz): a fixed polyphase FIR filter, so
//! the embedding sees exactly the samples the original computes. [`super::resample`]
//! (rubato) stays the resampler everywhere else.

use crate::{Error, Result};

/// A cached torchaudio `Resample(orig, new)` with `lowpass_filter_width = 6`,
/// `rolloff = 0.99`, Hann-windowed sinc.
#[derive(Debug, Clone, PartialEq)]
pub struct SincResampler {
    /// `orig_freq / gcd`.
    orig: usize,
    /// `new_freq / gcd`.
    new: usize,
    /// `ceil(lowpass_filter_width * orig / base_freq)`.
    width: usize,
    /// `[new][2 * width + orig]` taps, float32 (as torchaudio stores them).
    kernel: Vec<f32>,
}

/// The largest reduced rate ratio accepted (`orig / gcd`, `new / gcd`); 32 kHz -> 16 kHz is
/// 2 -> 1, 44.1 kHz -> 16 kHz is 441 -> 160.
const MAX_REDUCED_RATE: usize = 4096;

impl SincResampler {
    /// The resampler from `orig_hz` to `new_hz` (the kernel computed in f64 and rounded to
    /// f32, like torchaudio's `_get_sinc_resample_kernel`).
    pub fn new(orig_hz: u32, new_hz: u32) -> Result<Self> {
        if orig_hz == 0 || new_hz == 0 {
            return Err(Error::InvalidArgument("sample rates must be positive".into()));
        }
        let g = gcd(orig_hz as usize, new_hz as usize);
        let (orig, new) = (orig_hz as usize / g, new_hz as usize / g);
        if orig > MAX_REDUCED_RATE || new > MAX_REDUCED_RATE {
            return Err(Error::InvalidArgument(format!(
                "{orig_hz} Hz -> {new_hz} Hz reduces to {orig}:{new}, too large a ratio for the sinc resampler"
            )));
        }
        const LOWPASS_WIDTH: f64 = 6.0;
        const ROLLOFF: f64 = 0.99;
        let base = orig.min(new) as f64 * ROLLOFF;
        let width = (LOWPASS_WIDTH * orig as f64 / base).ceil() as usize;
        let taps = 2 * width + orig;
        let scale = base / orig as f64;
        let mut kernel = Vec::with_capacity(new * taps);
        for phase in 0..new {
            for i in 0..taps {
                let idx = (i as f64 - width as f64) / orig as f64;
                let t = ((-(phase as f64) / new as f64 + idx) * base).clamp(-LOWPASS_WIDTH, LOWPASS_WIDTH);
                let window = (t * std::f64::consts::PI / LOWPASS_WIDTH / 2.0).cos().powi(2);
                let tp = t * std::f64::consts::PI;
                let sinc = if tp == 0.0 { 1.0 } else { tp.sin() / tp };
                kernel.push((sinc * window * scale) as f32);
            }
        }
        Ok(SincResampler { orig, new, width, kernel })
    }

    /// The filter taps, `[new / gcd][2 * width + orig / gcd]` row-major.
    pub fn kernel(&self) -> &[f32] {
        &self.kernel
    }

    /// Resamples `x`: zero-pad `width` left and `width + orig` right, one output per phase every
    /// `orig` input samples, the first `ceil(new * len / orig)` kept.
    pub fn process(&self, x: &[f32]) -> Vec<f32> {
        if self.orig == self.new {
            return x.to_vec();
        }
        let taps = 2 * self.width + self.orig;
        let target = (self.new * x.len()).div_ceil(self.orig);
        let mut out = Vec::with_capacity(target);
        let at = |j: isize| if j >= 0 && (j as usize) < x.len() { x[j as usize] } else { 0.0 };
        'frames: for frame in 0.. {
            let start = (frame * self.orig) as isize - self.width as isize;
            for phase in 0..self.new {
                if out.len() == target {
                    break 'frames;
                }
                let k = &self.kernel[phase * taps..(phase + 1) * taps];
                let mut acc = 0f64;
                for (i, &w) in k.iter().enumerate() {
                    acc += w as f64 * at(start + i as isize) as f64;
                }
                out.push(acc as f32);
            }
        }
        out
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_kernel_has_28_taps_and_passes_dc() {
        let r = SincResampler::new(32_000, 16_000).unwrap();
        assert_eq!(r.kernel().len(), 28);
        // The taps sum to ~1 (unit DC gain, minus the rolloff's ripple).
        let s: f32 = r.kernel().iter().sum();
        assert!((s - 1.0).abs() < 0.02, "DC gain {s}");
        let y = r.process(&[0.5; 4001]);
        assert_eq!(y.len(), 2001);
        assert!((y[1000] - 0.5).abs() < 0.01);
    }

    #[test]
    fn absurd_ratios_are_refused() {
        assert!(SincResampler::new(0, 16_000).is_err());
        assert!(SincResampler::new(32_001, 16_000).is_err());
        assert_eq!(SincResampler::new(16_000, 16_000).unwrap().process(&[1.0, 2.0]), vec![1.0, 2.0]);
    }
}
