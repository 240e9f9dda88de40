//! Audio in and out: WAV files, resampling, and the linear spectrogram SoVITS uses.

mod resample;
mod sinc;
mod spectrogram;
mod wav;

pub use resample::resample;
pub use sinc::SincResampler;
pub use spectrogram::{SpectrogramConfig, spectrogram};
pub use wav::{Audio, read_wav, read_wav_bytes, write_wav};
