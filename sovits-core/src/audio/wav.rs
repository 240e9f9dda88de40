//! WAV reading and writing with `hound`.

use std::io::Read;
use std::path::Path;

use crate::limits::{MAX_AUDIO_SECONDS, SAMPLE_RATE_RANGE};
use crate::{Error, Result};

/// Mono audio in `[-1, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Samples.
    pub samples: Vec<f32>,
    /// Sample rate in Hz.
    pub sample_rate: u32,
}

impl Audio {
    /// Duration in seconds.
    pub fn duration_secs(&self) -> f64 {
        self.samples.len() as f64 / self.sample_rate as f64
    }
}

/// Reads a WAV file (8/16/24/32-bit integer or 32-bit float PCM, 4-768 kHz, any channel count,
/// up to [`MAX_AUDIO_SECONDS`]; channels are averaged to mono, integers scaled to `[-1, 1)`).
pub fn read_wav(path: impl AsRef<Path>) -> Result<Audio> {
    let path = path.as_ref();
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_wav_from(std::io::BufReader::new(f), &path.display().to_string())
}

/// Reads WAV data from memory (see [`read_wav`]).
pub fn read_wav_bytes(bytes: &[u8]) -> Result<Audio> {
    read_wav_from(std::io::Cursor::new(bytes), "<memory>")
}

fn read_wav_from<R: Read>(r: R, name: &str) -> Result<Audio> {
    let reader =
        hound::WavReader::new(r).map_err(|e| Error::Audio(format!("{name}: not a readable WAV file ({e})")))?;
    let spec = reader.spec();
    let channels = spec.channels as usize;
    if channels == 0 {
        return Err(Error::Audio(format!("{name}: the WAV header says 0 channels")));
    }
    check_sample_rate(spec.sample_rate, name)?;
    // The header's length is checked before anything is read; the samples are then read as
    // they come (a header may claim more than the file holds).
    let seconds = reader.duration() as f64 / spec.sample_rate as f64;
    if seconds > MAX_AUDIO_SECONDS {
        return Err(Error::Audio(format!(
            "{name}: the WAV file is {seconds:.0} s long; at most {MAX_AUDIO_SECONDS:.0} s are read (cut it first)"
        )));
    }
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => reader
            .into_samples::<f32>()
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::Audio(format!("{name}: {e}")))?,
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f64;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| (v as f64 * scale) as f32))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::Audio(format!("{name}: {e}")))?
        }
        (fmt, bits) => {
            return Err(Error::Audio(format!(
                "{name}: unsupported WAV sample format {fmt:?} with {bits} bits; use 8/16/24/32-bit PCM or 32-bit float"
            )));
        }
    };
    if interleaved.len() < channels {
        return Err(Error::Audio(format!("{name}: the WAV file contains no samples")));
    }
    let samples = if channels == 1 {
        interleaved
    } else {
        interleaved.chunks_exact(channels).map(|f| f.iter().sum::<f32>() / channels as f32).collect()
    };
    if samples.iter().any(|v| !v.is_finite()) {
        return Err(Error::Audio(format!("{name}: the WAV file contains NaN or infinite samples")));
    }
    Ok(Audio { samples, sample_rate: spec.sample_rate })
}

/// Fails unless `rate` is within [`crate::limits::SAMPLE_RATE_RANGE`].
pub(crate) fn check_sample_rate(rate: u32, name: &str) -> Result<()> {
    let (lo, hi) = SAMPLE_RATE_RANGE;
    if (lo..=hi).contains(&rate) {
        Ok(())
    } else {
        Err(Error::Audio(format!("{name}: a sample rate of {rate} Hz is not supported (use {lo}-{hi} Hz)")))
    }
}

/// Writes mono 16-bit PCM (samples clamped to `[-1, 1]`, scaled by 32767 like upstream).
pub fn write_wav(path: impl AsRef<Path>, samples: &[f32], sample_rate: u32) -> Result<()> {
    let mut w = WavStreamWriter::create(path, sample_rate)?;
    w.write(samples)?;
    w.finish()
}

/// A 16-bit mono WAV file written while audio is made (streaming synthesis): every
/// [`WavStreamWriter::write`] appends the samples and rewrites the header, so the file on disk
/// is a valid WAV of everything written so far, even if the process stops before
/// [`WavStreamWriter::finish`].
pub struct WavStreamWriter {
    writer: hound::WavWriter<std::io::BufWriter<std::fs::File>>,
    path: std::path::PathBuf,
    samples: u64,
}

impl std::fmt::Debug for WavStreamWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavStreamWriter").field("path", &self.path).field("samples", &self.samples).finish()
    }
}

impl WavStreamWriter {
    /// Creates (or truncates) `path`.
    pub fn create(path: impl AsRef<Path>, sample_rate: u32) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let spec =
            hound::WavSpec { channels: 1, sample_rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
        let writer = hound::WavWriter::create(&path, spec).map_err(|e| hound_error(&path, e))?;
        Ok(WavStreamWriter { writer, path, samples: 0 })
    }

    /// Appends samples (clamped to [-1, 1]) and updates the header on disk.
    pub fn write(&mut self, samples: &[f32]) -> Result<()> {
        for &s in samples {
            let v = (s.clamp(-1.0, 1.0) * 32767.0) as i16;
            self.writer.write_sample(v).map_err(|e| hound_error(&self.path, e))?;
        }
        self.samples += samples.len() as u64;
        self.writer.flush().map_err(|e| hound_error(&self.path, e))
    }

    /// Samples written so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Finishes the file.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        self.writer.finalize().map_err(|e| hound_error(&path, e))
    }
}

fn hound_error(path: &Path, e: hound::Error) -> Error {
    match e {
        hound::Error::IoError(e) => Error::io(path, e),
        other => Error::Audio(format!("{}: {other}", path.display())),
    }
}
