//! Bytes -> the WAV reader, then the reference checks and resampling to 16 and 32 kHz.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::audio::{SpectrogramConfig, read_wav_bytes, resample, spectrogram};
use sovits_core::pipeline::check_reference;

fuzz_target!(|data: &[u8]| {
    let Ok(audio) = read_wav_bytes(data) else { return };
    assert!(!audio.samples.is_empty());
    let _ = check_reference(&audio);
    for rate in [16_000, 32_000] {
        if let Ok(y) = resample(&audio.samples, audio.sample_rate, rate) {
            let cfg = SpectrogramConfig { n_fft: 64, hop: 16, win: 64, eps: 1e-8 };
            let _ = spectrogram(&y, &cfg);
        }
    }
});
