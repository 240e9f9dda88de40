//! Sample-rate conversion with `rubato`'s windowed-sinc resampler.

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType, WindowFunction};

use crate::{Error, Result};

/// Resamples mono audio from `from_hz` to `to_hz` (band-limited sinc interpolation; output
/// length `ceil(len * to / from)`, delay compensated). Both rates must lie in
/// [`crate::limits::SAMPLE_RATE_RANGE`], so the output is at most 192 times longer than the input.
pub fn resample(samples: &[f32], from_hz: u32, to_hz: u32) -> Result<Vec<f32>> {
    super::wav::check_sample_rate(from_hz, "resampler input")?;
    super::wav::check_sample_rate(to_hz, "resampler output")?;
    if from_hz == to_hz || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let ratio = to_hz as f64 / from_hz as f64;
    let params = SincInterpolationParameters {
        sinc_len: 256,
        f_cutoff: Some(0.95),
        oversampling_factor: 256,
        interpolation: SincInterpolationType::Cubic,
        window: WindowFunction::BlackmanHarris2,
    };
    let chunk = 1024;
    let mut r = Async::<f32>::new_sinc(ratio, 1.0, &params, chunk, 1, FixedAsync::Input)
        .map_err(|e| Error::Audio(format!("resampler: {e}")))?;
    let input = vec![samples.to_vec()];
    let out_len = r.process_all_needed_output_len(samples.len());
    let mut output = vec![vec![0f32; out_len]];
    let inp =
        SequentialSliceOfVecs::new(&input, 1, samples.len()).map_err(|e| Error::Audio(format!("resampler: {e}")))?;
    let mut outp =
        SequentialSliceOfVecs::new_mut(&mut output, 1, out_len).map_err(|e| Error::Audio(format!("resampler: {e}")))?;
    let (_, n_out) = r
        .process_all_into_buffer(&inp, &mut outp, samples.len(), None)
        .map_err(|e| Error::Audio(format!("resampler: {e}")))?;
    let mut out = output.pop().unwrap_or_default();
    out.truncate(n_out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resamples a 440 Hz sine and compares it with the analytic signal, allowing the
    /// sub-sample delay of the sinc resampler (at most ~1.5 input samples, i.e. < 0.1 ms).
    #[test]
    fn sine_survives_resampling() {
        for (sr_in, sr_out) in [(48000u32, 16000u32), (22050, 32000), (8000, 16000), (44100, 16000), (16000, 32000)] {
            let f = 440.0f64;
            let x: Vec<f32> = (0..sr_in)
                .map(|i| (2.0 * std::f64::consts::PI * f * i as f64 / sr_in as f64).sin() as f32 * 0.5)
                .collect();
            let y = resample(&x, sr_in, sr_out).unwrap();
            assert_eq!(y.len(), sr_out as usize);
            let mut best = f64::MAX;
            for k in -40..=40 {
                let shift = k as f64 * 0.05 / sr_in as f64;
                let mut m = 0f64;
                for (i, &v) in y.iter().enumerate().skip(400).take(y.len() - 800) {
                    let t = i as f64 / sr_out as f64 + shift;
                    m = m.max(((2.0 * std::f64::consts::PI * f * t).sin() * 0.5 - v as f64).abs());
                }
                best = best.min(m);
            }
            assert!(best < 2e-3, "{sr_in} -> {sr_out}: max error {best}");
        }
    }
}
