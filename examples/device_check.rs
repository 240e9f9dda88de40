//! Speed and precision check of the whole pipeline on one device, at the official v2 sizes
//! (random weights): GPT tokens/s, SoVITS RTF of a 10 s decode, first audio of a 20-character
//! sentence in each streaming mode, end-to-end RTF of a 10 s utterance, and the greedy tokens
//! of every precision compared with f32. What `scripts/gpu-check.sh` runs on a CUDA machine;
//! on the CPU it is the same measurement with the build's CPU backend.
//!
//! ```text
//! cargo run --release --example device_check -- [--device cpu|cuda] [--precision f32,f16,bf16]
//! cargo run --release --features cuda --example device_check -- --device cuda
//! ```
//!
//! `--precision` (CUDA only; the CPU runs f32) lists the float types to run; the first one is
//! the reference the greedy tokens of the others are compared with. Prints one line per
//! figure and a JSON summary as the last line.

use std::time::Instant;

use burn::tensor::backend::Backend;
use sovits_core::models::gpt::SamplingParams;
use sovits_core::pipeline::{CancelToken, StreamingMode, SynthesisParams, Transcript, TtsOptions, VoiceOptions};
use sovits_core::text::{FrontendOptions, Lang, phonemize_with};

/// A 35-character sentence: with a 250-token cap, a 10 s utterance.
const LONG: &str = "今天的天气非常好，我们一起去公园散步，顺便买一点新鲜的水果回家吧。";
/// A 20-character sentence (the first-audio figure).
const SHORT: &str = "今天的天气非常好，我们一起去公园散步吧。";

#[derive(Debug, Default)]
struct Report {
    label: String,
    load_s: f64,
    gpt_tok_s: f64,
    sovits_rtf: f64,
    e2e_rtf: f64,
    first_audio_s: Vec<(String, f64)>,
    tokens: Vec<u32>,
}

fn run<B: Backend>(label: &str, dev: &B::Device, host_gpt_decode: bool) -> Result<Report, sovits_core::Error> {
    let t0 = Instant::now();
    let opts = TtsOptions { host_gpt_decode, ..Default::default() };
    let tts = sovits_suite::fixtures::random_official_tts::<B>(&opts, dev)?;
    let voice = tts.voice(
        &sovits_suite::fixtures::synthetic_reference(),
        Some(&Transcript::new("这是一段参考音频的文字内容。", Lang::Zh)),
        &VoiceOptions::default(),
    )?;
    let mut r = Report { label: label.into(), load_s: t0.elapsed().as_secs_f64(), ..Default::default() };
    println!("[{label}] models + voice in {:.2} s", r.load_s);

    // GPT: greedy, 250 tokens (the sentence mode's tokens are kept to compare precisions).
    let greedy = SynthesisParams {
        sampling: SamplingParams { max_steps: 250, ..SamplingParams::greedy() },
        ..Default::default()
    };
    let p = phonemize_with(LONG, Lang::Zh, &FrontendOptions::default())?;
    let bert = tts.bert_features(&p)?;
    tts.synthesize_phones(&voice, &p.ids, bert.clone(), &greedy, 0, &CancelToken::new())?; // warm-up
    let t = Instant::now();
    let (tokens, audio) = tts.synthesize_phones(&voice, &p.ids, bert, &greedy, 0, &CancelToken::new())?;
    let both = t.elapsed().as_secs_f64();
    r.tokens = tokens;
    let secs = audio.len() as f64 / tts.sample_rate() as f64;
    // SoVITS alone on those tokens.
    let (_, sovits, _, _) = tts.models();
    let ge_t = Instant::now();
    let spec = tts.reference_spectrogram(&sovits_suite::fixtures::synthetic_reference())?;
    let ge = sovits.timbre(&[sovits_core::models::sovits::ReferenceInput::new(spec.to_tensor(dev))])?;
    let trace =
        sovits.decode_with_timbre(&r.tokens, &p.ids, ge, 0.5, 1.0, sovits_core::models::sovits::Noise::Seed(0))?;
    let _ = trace.audio.into_data();
    let sovits_s = ge_t.elapsed().as_secs_f64();
    r.sovits_rtf = sovits_s / secs;
    r.gpt_tok_s = r.tokens.len() as f64 / (both - sovits_s).max(1e-9);
    println!(
        "[{label}] GPT {:.1} tok/s ({} tokens), SoVITS RTF {:.3} ({secs:.2} s)",
        r.gpt_tok_s,
        r.tokens.len(),
        r.sovits_rtf
    );

    // End to end (text frontend, BERT, GPT, SoVITS) with the WebUI defaults.
    let mut p = SynthesisParams::default();
    p.sampling.max_steps = 250;
    let t = Instant::now();
    let a = tts.synthesize(&voice, LONG, Lang::Zh, &p)?;
    r.e2e_rtf = t.elapsed().as_secs_f64() / (a.samples.len() as f64 / a.sample_rate as f64);
    println!("[{label}] end to end RTF {:.3}", r.e2e_rtf);

    for mode in [StreamingMode::Sentence, StreamingMode::DynamicChunks, StreamingMode::FixedChunks] {
        let mut p = SynthesisParams { streaming: mode, ..SynthesisParams::default() };
        p.sampling.max_steps = 100;
        let t = Instant::now();
        let mut at = 0.0;
        tts.synthesize_stream(&voice, SHORT, Lang::Zh, &p, &CancelToken::new(), |_| {
            at = t.elapsed().as_secs_f64();
            false
        })?;
        println!("[{label}] first audio ({mode:?}): {at:.3} s");
        r.first_audio_s.push((format!("{mode:?}"), at));
    }
    Ok(r)
}

fn main() {
    let mut device = "cpu".to_string();
    let mut precisions = "f32,f16,bf16".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--device" => device = args.next().unwrap_or_default(),
            "--precision" => precisions = args.next().unwrap_or_default(),
            "-h" | "--help" => {
                println!("usage: device_check [--device cpu|cuda] [--precision f32,f16,bf16]");
                return;
            }
            other => {
                eprintln!("error: unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let mut reports = Vec::new();
    let mut failed = false;
    let mut push = |r: Result<Report, sovits_core::Error>, what: &str| match r {
        Ok(r) => reports.push(r),
        Err(e) => {
            eprintln!("error ({what}): {e}");
            failed = true;
        }
    };
    match device.as_str() {
        "cpu" => push(run::<sovits_core::backend::CpuBackend>("cpu f32", &Default::default(), true), "cpu"),
        #[cfg(feature = "cuda")]
        "cuda" => {
            let dev = sovits_core::backend::cuda_device(0);
            for p in precisions.split(',').map(str::trim) {
                let label = format!("cuda {p}");
                match p {
                    "f32" => push(run::<burn::backend::Cuda<f32>>(&label, &dev, false), &label),
                    "f16" => push(run::<burn::backend::Cuda<half::f16>>(&label, &dev, false), &label),
                    "bf16" => push(run::<burn::backend::Cuda<half::bf16>>(&label, &dev, false), &label),
                    other => {
                        eprintln!("error: unknown precision {other} (f32, f16, bf16)");
                        std::process::exit(2);
                    }
                }
            }
        }
        other => {
            eprintln!("error: device {other} is not in this build (cpu; cuda needs --features cuda)");
            std::process::exit(2);
        }
    }
    let _ = &precisions;
    if let Some(base) = reports.first() {
        for r in &reports[1..] {
            let same = r.tokens.iter().zip(&base.tokens).take_while(|(a, b)| a == b).count();
            println!(
                "greedy tokens, {} vs {}: {same} of {} identical before the first difference{}",
                r.label,
                base.label,
                base.tokens.len(),
                if r.tokens == base.tokens { " (all identical)" } else { "" }
            );
        }
    }
    let json: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "label": r.label, "load_s": r.load_s, "gpt_tok_s": r.gpt_tok_s, "sovits_rtf": r.sovits_rtf,
                "e2e_rtf": r.e2e_rtf, "first_audio_s": r.first_audio_s.iter().map(|(m, s)| serde_json::json!({"mode": m, "s": s})).collect::<Vec<_>>(),
                "tokens": r.tokens.len(),
            })
        })
        .collect();
    println!("{}", serde_json::json!({ "device": device, "runs": json }));
    if failed {
        std::process::exit(1);
    }
}
