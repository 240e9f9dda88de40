//! Stage 2 on its own: semantic tokens + phone ids + a reference WAV -> 32 kHz WAV, with a
//! SoVITS checkpoint in any supported format (official `.pth`, header-tagged `.pth`, or a
//! safetensors export).
//!
//! ```text
//! cargo run --release --example sovits_decode -- [--model S2.pth] [--ref REF.wav] \
//!     [--codes "12 7 ..."] [--phones "51 13 ..."] [--speed 1.0] [--noise-scale 0.5] \
//!     [--seed 0] [--out out.wav]
//! ```
//!
//! Without arguments it uses the tiny fixture model shipped in `tests/fixtures/` and the
//! tokens/phones of its end-to-end case (random weights: the output is a test signal, not
//! speech; real voices need the official `s2G2333k.pth`).

use std::time::Instant;

use burn::tensor::{Tensor, TensorData};
use sovits_core::audio::{SpectrogramConfig, read_wav, resample, spectrogram, write_wav};
use sovits_core::backend::CpuBackend;
use sovits_core::models::common::to_vec_f32;
use sovits_core::models::sovits::{Noise, SynthesizerTrn};
use sovits_core::weights::TensorStore;

type B = CpuBackend;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn parse_list(s: &str) -> Result<Vec<u32>, String> {
    s.split([' ', ','])
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().map_err(|_| format!("not a number: {t:?}")))
        .collect()
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny");
    let mut model = format!("{fixtures}/official/sovits_v2.pth");
    let mut reference = format!("{fixtures}/io/ref_32k.wav");
    let (mut codes, mut phones) = (None, None);
    let (mut speed, mut noise_scale, mut seed) = (1.0f32, 0.5f32, 0u64);
    let mut out = "sovits_decode.wav".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--model" => model = val()?,
            "--ref" => reference = val()?,
            "--codes" => codes = Some(parse_list(&val()?)?),
            "--phones" => phones = Some(parse_list(&val()?)?),
            "--speed" => speed = val()?.parse()?,
            "--noise-scale" => noise_scale = val()?.parse()?,
            "--seed" => seed = val()?.parse()?,
            "--out" => out = val()?,
            "-h" | "--help" => {
                println!("see the doc comment of examples/sovits_decode.rs");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if codes.is_none() || phones.is_none() {
        let e2e = TensorStore::from_safetensors_file(format!("{fixtures}/io/e2e.safetensors"))?;
        let ints = |k: &str| e2e.get(k).map(|t| t.to_i64().into_iter().map(|v| v as u32).collect::<Vec<_>>());
        codes = codes.or_else(|| ints("out.pred_semantic"));
        phones = phones.or_else(|| ints("in.phones2"));
    }
    let (codes, phones) = (codes.unwrap_or_default(), phones.unwrap_or_default());

    let device = Default::default();
    let t0 = Instant::now();
    let (m, info) = SynthesizerTrn::<B>::from_file(&model, None, &device)?;
    println!("loaded {model}: SoVITS {} ({:.2} s)", info.version, t0.elapsed().as_secs_f64());

    let wav = read_wav(&reference)?;
    let sr = m.config().sampling_rate;
    let mut samples = resample(&wav.samples, wav.sample_rate, sr)?;
    // Upstream's peak limit: divide by min(2, peak) when the peak exceeds 1.
    let peak = samples.iter().fold(0f32, |a, &b| a.max(b.abs()));
    if peak > 1.0 {
        samples.iter_mut().for_each(|s| *s /= peak.min(2.0));
    }
    let (spec, frames) = spectrogram(&samples, &SpectrogramConfig::default())?;
    let refer = Tensor::<B, 3>::from_data(TensorData::new(spec, [1, m.config().spec_channels(), frames]), &device);

    let t1 = Instant::now();
    let refs = [sovits_core::models::sovits::ReferenceInput::new(refer)];
    let audio = m.decode(&codes, &phones, &refs, noise_scale, speed, Noise::Seed(seed))?;
    let mut audio = to_vec_f32(audio);
    let secs = t1.elapsed().as_secs_f64();
    let peak = audio.iter().fold(0f32, |a, &b| a.max(b.abs()));
    if peak > 1.0 {
        audio.iter_mut().for_each(|s| *s /= peak);
    }
    write_wav(&out, &audio, sr)?;
    let dur = audio.len() as f64 / sr as f64;
    println!("{} tokens -> {:.2} s of audio in {:.3} s (RTF {:.3}); wrote {out}", codes.len(), dur, secs, secs / dur);
    Ok(())
}
