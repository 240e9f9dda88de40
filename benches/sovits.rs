//! SoVITS v2 stage-2 speed at the official sizes (random weights from `SovitsConfig::v2()`),
//! on the CPU backend of the build.
//!
//! `cargo bench --bench sovits`. Each decode produces 5 s of 32 kHz audio (125 semantic
//! tokens, 60 phones, a 5 s reference), so RTF = time / 5 s.

use std::sync::OnceLock;

use burn::tensor::{Tensor, TensorData};
use sovits_core::audio::{SpectrogramConfig, spectrogram};
use sovits_core::backend::CpuBackend;
use sovits_core::models::sovits::{Noise, SovitsConfig, SynthesizerTrn};
use sovits_core::rng::Rng;

type B = CpuBackend;

fn main() {
    divan::main();
}

fn model() -> &'static SynthesizerTrn<B> {
    static M: OnceLock<SynthesizerTrn<B>> = OnceLock::new();
    M.get_or_init(|| SynthesizerTrn::random(&SovitsConfig::v2(), 0, &Default::default()).expect("random v2 model"))
}

fn tone(secs: f64, sr: f64) -> Vec<f32> {
    let mut rng = Rng::new(1);
    (0..(secs * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            ((2.0 * std::f64::consts::PI * 220.0 * t).sin() * 0.3 + rng.normal() * 0.01) as f32
        })
        .collect()
}

/// 5 s of audio through `SynthesizerTrn::decode` (reference embedding, text encoder, flow,
/// HiFi-GAN).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn decode_5s(bencher: divan::Bencher) {
    let m = model();
    let dev = Default::default();
    let (spec, frames) = spectrogram(&tone(5.0, 32000.0), &SpectrogramConfig::default()).unwrap();
    let refer = Tensor::<B, 3>::from_data(TensorData::new(spec, [1, 1025, frames]), &dev);
    let codes: Vec<u32> = (0..125).map(|i| (i * 37 % 1024) as u32).collect();
    let phones: Vec<u32> = (0..60).map(|i| (i * 11 % 732) as u32).collect();
    bencher.bench(|| {
        let audio = m.decode(&codes, &phones, std::slice::from_ref(&refer), 0.5, 1.0, Noise::Seed(0)).unwrap();
        let n = audio.dims()[2];
        assert_eq!(n, 160_000);
        divan::black_box(audio.into_data());
    });
}

/// The reference spectrogram of 10 s of 32 kHz audio (host STFT).
#[divan::bench(sample_count = 10)]
fn spectrogram_10s(bencher: divan::Bencher) {
    let y = tone(10.0, 32000.0);
    bencher.bench(|| divan::black_box(spectrogram(&y, &SpectrogramConfig::default()).unwrap()));
}
