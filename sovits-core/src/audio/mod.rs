//! Audio in and out: WAV files, resampling, and the linear spectrogram SoVITS uses.

mod resample;
mod sinc;
mod sola;
mod spectrogram;
mod wav;

pub use resample::resample;
pub use sinc::SincResampler;
pub use sola::{SOLA_SEARCH, SolaJoin, sola_join};
pub use spectrogram::{SpectrogramConfig, spectrogram};
pub use wav::{Audio, WavStreamWriter, read_wav, read_wav_bytes, write_wav};
