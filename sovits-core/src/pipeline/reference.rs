//! The reference-audio front (upstream `get_tts_wav` / `TTS._set_prompt_semantic` and
//! `get_spepc`): WAV at any rate -> 16 kHz -> + zero padding -> HuBERT -> `ssl_proj` +
//! codebook -> prompt semantic tokens; and WAV -> 32 kHz -> linear spectrogram (and, for
//! v2Pro, -> 16 kHz -> speaker embedding, in [`super::Tts`]).

use burn::tensor::{Tensor, TensorData, backend::Backend};

use crate::audio::{Audio, SpectrogramConfig, resample, spectrogram};
use crate::limits::{MAX_REFERENCE_SECONDS, SAMPLE_RATE_RANGE};
use crate::models::hubert::HubertModel;
use crate::models::sovits::SynthesizerTrn;
use crate::{Error, Result};

/// How a reference clip is turned into a prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceOptions {
    /// Accept clips outside upstream's 3-10 s window (upstream refuses them).
    pub allow_any_length: bool,
    /// Upstream's inter-sentence pause; the HuBERT input gets `int(32000 * pause_second)`
    /// zero samples appended *at 16 kHz* (0.3 -> 9600 samples = 0.6 s), exactly as upstream.
    pub pause_second: f32,
}

impl Default for ReferenceOptions {
    fn default() -> Self {
        ReferenceOptions { allow_any_length: false, pause_second: 0.3 }
    }
}

/// Shortest and longest reference upstream accepts, in 16 kHz samples (3 s and 10 s).
pub const REFERENCE_RANGE_16K: (usize, usize) = (48_000, 160_000);

/// Peak below which a clip counts as silent (about -80 dBFS).
const SILENCE_PEAK: f32 = 1e-4;

fn too_long_or_short(len_16k: usize) -> Error {
    Error::Audio(format!(
        "the reference audio is {:.2} s long; GPT-SoVITS needs 3-10 s (like upstream, which refuses \
         other lengths); trim it, or set allow_any_length",
        len_16k as f64 / 16_000.0
    ))
}

/// What every reference clip must satisfy before any work is done on it: not empty, a sample
/// rate in [`SAMPLE_RATE_RANGE`], at most [`MAX_REFERENCE_SECONDS`] (whatever
/// `allow_any_length` says), finite samples.
pub fn check_reference(audio: &Audio) -> Result<()> {
    if audio.samples.is_empty() {
        return Err(Error::Audio("the reference audio is empty".into()));
    }
    let (lo, hi) = SAMPLE_RATE_RANGE;
    if !(lo..=hi).contains(&audio.sample_rate) {
        return Err(Error::Audio(format!(
            "the reference audio's sample rate of {} Hz is not supported (use {lo}-{hi} Hz)",
            audio.sample_rate
        )));
    }
    let seconds = audio.duration_secs();
    if seconds > MAX_REFERENCE_SECONDS {
        return Err(Error::Audio(format!(
            "the reference audio is {seconds:.1} s long; at most {MAX_REFERENCE_SECONDS:.0} s are accepted \
             (GPT-SoVITS wants 3-10 s of clear speech)"
        )));
    }
    if audio.samples.iter().any(|v| !v.is_finite()) {
        return Err(Error::Audio("the reference audio contains NaN or infinite samples".into()));
    }
    Ok(())
}

/// The checks every reference clip of a voice passes (the main one, extra ones, and the one
/// of a reference-free voice), before any costly work: [`check_reference`], not silent, and
/// upstream's 3-10 s window unless `opts.allow_any_length`.
pub fn check_reference_clip(audio: &Audio, opts: &ReferenceOptions) -> Result<()> {
    check_reference(audio)?;
    let peak = audio.samples.iter().fold(0f32, |a, &b| a.max(b.abs()));
    if peak < SILENCE_PEAK {
        return Err(Error::Audio("the reference audio is silent; record 3-10 s of clear speech".into()));
    }
    let (lo, hi) = REFERENCE_RANGE_16K;
    // Checked before the (costly) resampling; the resampler's output length is
    // `ceil(len * 16000 / rate)`, which `prompt_semantic` checks again.
    let len_16k = (audio.samples.len() as u64 * 16_000).div_ceil(audio.sample_rate as u64) as usize;
    if !opts.allow_any_length && (len_16k < lo || len_16k > hi) {
        return Err(too_long_or_short(len_16k));
    }
    Ok(())
}

/// Prompt semantic tokens of a reference clip: [`check_reference_clip`], resample to 16 kHz,
/// append the zero padding, run HuBERT (raw samples, no normalisation), then `extract_latent`.
pub fn prompt_semantic<B: Backend>(
    hubert: &HubertModel<B>,
    sovits: &SynthesizerTrn<B>,
    audio: &Audio,
    opts: &ReferenceOptions,
) -> Result<Vec<u32>> {
    check_reference_clip(audio, opts)?;
    let (lo, hi) = REFERENCE_RANGE_16K;
    let mut wav = resample(&audio.samples, audio.sample_rate, 16_000)?;
    if !opts.allow_any_length && (wav.len() < lo || wav.len() > hi) {
        return Err(too_long_or_short(wav.len()));
    }
    if !(opts.pause_second.is_finite() && opts.pause_second >= 0.0) {
        return Err(Error::InvalidArgument(format!("pause_second must be >= 0, got {}", opts.pause_second)));
    }
    wav.extend(std::iter::repeat_n(0.0, (32_000.0 * opts.pause_second) as usize));
    let out = hubert.forward(&wav)?;
    let ssl = out.last_hidden_state().swap_dims(1, 2); // [1, H, T]
    if ssl.dims()[2] < 2 {
        return Err(Error::Audio("the reference audio is too short for a semantic token".into()));
    }
    let codes = sovits.extract_latent(ssl)?;
    let codes: Vec<i64> = codes.into_data().convert::<i64>().into_vec().map_err(|e| Error::Audio(format!("{e:?}")))?;
    Ok(codes.into_iter().map(|c| c as u32).collect())
}

/// The reference audio SoVITS conditions on: resampled to the model rate (32 kHz) and
/// divided by `min(2, peak)` when the peak exceeds 1 (upstream's limiter in `get_spepc`).
pub fn reference_audio(audio: &Audio, sample_rate: u32) -> Result<Vec<f32>> {
    check_reference(audio)?;
    let mut y = resample(&audio.samples, audio.sample_rate, sample_rate)?;
    let peak = y.iter().fold(0f32, |a, &b| a.max(b.abs()));
    if peak > 1.0 {
        let d = peak.min(2.0);
        y.iter_mut().for_each(|v| *v /= d);
    }
    Ok(y)
}

/// The reference spectrogram SoVITS conditions on: [`reference_audio`], then the linear STFT.
///
/// # Shapes
/// -> `[1, n_fft/2 + 1, frames]`.
pub fn reference_spectrogram<B: Backend>(
    audio: &Audio,
    sample_rate: u32,
    cfg: &SpectrogramConfig,
    device: &B::Device,
) -> Result<Tensor<B, 3>> {
    let y = reference_audio(audio, sample_rate)?;
    let (spec, frames) = spectrogram(&y, cfg)?;
    Ok(Tensor::from_data(TensorData::new(spec, [1, cfg.n_fft / 2 + 1, frames]), device))
}
