//! SoVITS stage-2 speed at the official sizes (random weights from `SovitsConfig::v2()` and
//! `SovitsConfig::v2proplus()`) and the v2Pro speaker-verification embedding
//! (`SvConfig::official()`), on the CPU backend of the build.
//!
//! `cargo bench --bench sovits`. `decode_5s` produces 5 s of 32 kHz audio (125 semantic
//! tokens, 60 phones, a 5 s reference), so RTF = time / 5 s; `decode_v2proplus_10s` 10 s
//! (250 tokens, 120 phones), RTF = time / 10 s; `sv_embedding_5s` is the speaker embedding of
//! a 5 s reference (32 kHz -> 16 kHz, fbank, ERes2NetV2).

use std::sync::OnceLock;

use burn::tensor::{Tensor, TensorData};
use sovits_core::audio::{SincResampler, SpectrogramConfig, spectrogram};
use sovits_core::backend::CpuBackend;
use sovits_core::models::eres2net::{ERes2NetV2, SvConfig};
use sovits_core::models::sovits::{Noise, ReferenceInput, SovitsConfig, SynthesizerTrn};
use sovits_core::rng::Rng;

type B = CpuBackend;

fn main() {
    divan::main();
}

fn model() -> &'static SynthesizerTrn<B> {
    static M: OnceLock<SynthesizerTrn<B>> = OnceLock::new();
    M.get_or_init(|| SynthesizerTrn::random(&SovitsConfig::v2(), 0, &Default::default()).expect("random v2 model"))
}

fn model_v2proplus() -> &'static SynthesizerTrn<B> {
    static M: OnceLock<SynthesizerTrn<B>> = OnceLock::new();
    M.get_or_init(|| SynthesizerTrn::random(&SovitsConfig::v2proplus(), 0, &Default::default()).expect("v2ProPlus"))
}

fn sv_model() -> &'static ERes2NetV2<B> {
    static M: OnceLock<ERes2NetV2<B>> = OnceLock::new();
    M.get_or_init(|| ERes2NetV2::random(&SvConfig::official(), 0, &Default::default()).expect("random SV model"))
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
        let refs = [ReferenceInput::new(refer.clone())];
        let audio = m.decode(&codes, &phones, &refs, 0.5, 1.0, Noise::Seed(0)).unwrap();
        let n = audio.dims()[2];
        assert_eq!(n, 160_000);
        divan::black_box(audio.into_data());
    });
}

/// The HiFi-GAN generator alone (`dec`) on a 10 s latent (`z` `[1, 192, 500]`, `g`
/// `[1, 512, 1]`), as the original's harness times its `dec` stage.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn dec_10s(bencher: divan::Bencher) {
    let m = model();
    let dev = Default::default();
    let mut rng = Rng::new(3);
    let z: Vec<f32> = (0..192 * 500).map(|_| rng.normal() as f32).collect();
    let g: Vec<f32> = (0..512).map(|_| rng.normal() as f32 * 0.1).collect();
    let z = Tensor::<B, 3>::from_data(TensorData::new(z, [1, 192, 500]), &dev);
    let g = Tensor::<B, 3>::from_data(TensorData::new(g, [1, 512, 1]), &dev);
    bencher.bench(|| {
        let audio = m.dec.forward(z.clone(), g.clone());
        assert_eq!(audio.dims()[2], 320_000);
        divan::black_box(audio.into_data());
    });
}

/// One HiFi-GAN resblock convolution of the last stage (16 channels, kernel 11, dilation 5,
/// 160k samples = 5 s): 0.90 GFLOP on the host kernel.
#[divan::bench(sample_count = 5)]
fn conv1d_16ch_160k(bencher: divan::Bencher) {
    conv_bench(bencher, 16, 160_000, 11, 5);
}

/// One resblock convolution of the second stage (128 channels, kernel 7, 20k samples):
/// 4.6 GFLOP.
#[divan::bench(sample_count = 5)]
fn conv1d_128ch_20k(bencher: divan::Bencher) {
    conv_bench(bencher, 128, 20_000, 7, 1);
}

fn conv_bench(bencher: divan::Bencher, c: usize, t: usize, k: usize, d: usize) {
    use sovits_core::models::common::host_conv::{ConvGeometry, HostConv1d, PreAct};
    let mut rng = Rng::new(5);
    let x: Vec<f32> = (0..c * t).map(|_| rng.normal() as f32).collect();
    let w: Vec<f32> = (0..c * c * k).map(|_| rng.normal() as f32 * 0.1).collect();
    let p = (k * d - d) / 2;
    let geometry = ConvGeometry { c_in: c, c_out: c, k, stride: 1, pad: (p, p), dilation: d, groups: 1 };
    let conv = HostConv1d::new(&w, None, geometry);
    let mut out = vec![0.0f32; c * t];
    bencher.bench_local(|| conv.forward_into(&x, t, PreAct::LeakyRelu(0.1), &mut out, false));
}

/// The reference spectrogram of 10 s of 32 kHz audio (host STFT).
#[divan::bench(sample_count = 10)]
fn spectrogram_10s(bencher: divan::Bencher) {
    let y = tone(10.0, 32000.0);
    bencher.bench(|| divan::black_box(spectrogram(&y, &SpectrogramConfig::default()).unwrap()));
}

/// 10 s of audio through the v2ProPlus `decode` (reference + speaker embedding, text encoder,
/// flow, the wider HiFi-GAN).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn decode_v2proplus_10s(bencher: divan::Bencher) {
    let m = model_v2proplus();
    let dev = Default::default();
    let (spec, frames) = spectrogram(&tone(5.0, 32000.0), &SpectrogramConfig::default()).unwrap();
    let refer = Tensor::<B, 3>::from_data(TensorData::new(spec, [1, 1025, frames]), &dev);
    let sv: Vec<f32> = tone(0.64, 32000.0)[..20480].iter().map(|v| v.abs() * 10.0).collect();
    let sv = Tensor::<B, 2>::from_data(TensorData::new(sv, [1, 20480]), &dev);
    let codes: Vec<u32> = (0..250).map(|i| (i * 37 % 1024) as u32).collect();
    let phones: Vec<u32> = (0..120).map(|i| (i * 11 % 732) as u32).collect();
    bencher.bench(|| {
        let refs = [ReferenceInput::with_sv_emb(refer.clone(), sv.clone())];
        let audio = m.decode(&codes, &phones, &refs, 0.5, 1.0, Noise::Seed(0)).unwrap();
        assert_eq!(audio.dims()[2], 320_000);
        divan::black_box(audio.into_data());
    });
}

/// The speaker embedding of a 5 s reference as the pipeline makes it: torchaudio-style
/// 32 -> 16 kHz resampling, Kaldi fbank (498 frames), `ERes2NetV2.forward3` (20480 values).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn sv_embedding_5s(bencher: divan::Bencher) {
    let m = sv_model();
    let y = tone(5.0, 32000.0);
    let r = SincResampler::new(32_000, 16_000).unwrap();
    bencher.bench(|| {
        let e = m.embedding(&r.process(&y)).unwrap();
        assert_eq!(e.len(), 20480);
        divan::black_box(e);
    });
}
