//! Peak memory of `Tts::load` + one synthesis at the official v2 sizes.
//!
//! ```text
//! cargo run --release --example peak_memory -- make target/full-models   # random fp16 files, ~1 GB
//! /usr/bin/time -v target/release/examples/peak_memory run target/full-models
//! ```
//!
//! `make DIR` writes a model folder laid out like upstream's `pretrained_models/` with random
//! weights at the official sizes, stored in fp16 as the official files are: `s1v2.safetensors`
//! (GPT v2, 77.6 M values), `s2G2333k.safetensors` (SoVITS v2), `chinese-hubert-base/` and
//! `chinese-roberta-wwm-ext-large/` (HF folders with the full-size configs; the BERT file holds
//! the layers the features read). `run DIR` loads it with `Tts::load` (the CPU backend of the
//! build, default options), makes a voice from a 5 s clip, synthesises one Chinese
//! sentence capped at 250 tokens (10 s of audio), and prints the process's resident memory
//! after each step (VmRSS, and the peak VmHWM). Run it under `/usr/bin/time -v` for the
//! kernel's "Maximum resident set size". `--f32-weights` loads with
//! `TtsOptions::f16_weights_at_rest = false` for comparison.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sovits_core::audio::Audio;
use sovits_core::backend::CpuBackend;
use sovits_core::models::bert::{BertConfig, BertModel};
use sovits_core::models::gpt::{GptConfig, Text2SemanticDecoder};
use sovits_core::models::hubert::{HubertConfig, HubertModel};
use sovits_core::models::sovits::{SovitsConfig, SynthesizerTrn};
use sovits_core::pipeline::{ModelPaths, SynthesisParams, Transcript, Tts, TtsOptions, VoiceOptions};
use sovits_core::text::Lang;
use sovits_core::weights::TensorStore;

type B = CpuBackend;

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "n/a".into())
}

fn report(step: &str, t0: Instant) {
    println!(
        "{step:<28} {:>7.2} s   VmRSS {:>12}   VmHWM {:>12}",
        t0.elapsed().as_secs_f64(),
        status("VmRSS:"),
        status("VmHWM:")
    );
}

fn write(path: &Path, store: &TensorStore) -> Result<(), String> {
    let bytes = store.to_safetensors_bytes().map_err(|e| e.to_string())?;
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn make(dir: &Path) -> Result<(), String> {
    let e = |x: sovits_core::Error| x.to_string();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity/tiny/official");
    std::fs::create_dir_all(dir).map_err(|x| x.to_string())?;
    let gpt = Text2SemanticDecoder::<B>::expected_tensors(&GptConfig::v2()).map_err(e)?;
    write(&dir.join("s1v2.safetensors"), &TensorStore::random(&gpt, 0.02, 1))?;
    let sovits = SynthesizerTrn::<B>::expected_tensors(&SovitsConfig::v2()).map_err(e)?;
    write(&dir.join("s2G2333k.safetensors"), &TensorStore::random(&sovits, 0.02, 2))?;
    for (name, files) in [
        ("chinese-hubert-base", &["preprocessor_config.json"][..]),
        ("chinese-roberta-wwm-ext-large", &["tokenizer.json", "tokenizer_config.json", "vocab.txt"][..]),
    ] {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).map_err(|x| x.to_string())?;
        let cfg = root.join("full_size_configs").join(name).join("config.json");
        std::fs::copy(&cfg, d.join("config.json")).map_err(|x| format!("{}: {x}", cfg.display()))?;
        for f in files {
            std::fs::copy(root.join(name).join(f), d.join(f)).map_err(|x| format!("{f}: {x}"))?;
        }
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cfg).map_err(|x| x.to_string())?)
            .map_err(|x| x.to_string())?;
        let shapes = if name.contains("hubert") {
            HubertModel::<B>::expected_tensors(&HubertConfig::from_json(&json).map_err(e)?).map_err(e)?
        } else {
            BertModel::<B>::expected_tensors(&BertConfig::from_json(&json).map_err(e)?).map_err(e)?
        };
        write(&d.join("model.safetensors"), &TensorStore::random(&shapes, 0.02, 3))?;
    }
    println!("wrote the official-size random models to {}", dir.display());
    Ok(())
}

fn run(dir: &Path, f32_weights: bool) -> Result<(), String> {
    let e = |x: sovits_core::Error| x.to_string();
    let t0 = Instant::now();
    report("start", t0);
    let paths = ModelPaths {
        gpt: dir.join("s1v2.safetensors"),
        sovits: dir.join("s2G2333k.safetensors"),
        hubert: dir.join("chinese-hubert-base"),
        bert: dir.join("chinese-roberta-wwm-ext-large"),
        sv: None,
    };
    let opts = TtsOptions { f16_weights_at_rest: !f32_weights, ..Default::default() };
    let tts = Tts::<B>::load(&paths, &opts, &Default::default()).map_err(e)?;
    report("Tts::load", t0);
    let sr = 32_000.0;
    let samples = (0..(5.0 * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            ((1..8).map(|h| (2.0 * std::f64::consts::PI * 150.0 * h as f64 * t).sin() / h as f64).sum::<f64>() * 0.2)
                as f32
        })
        .collect();
    let voice = tts
        .voice(
            &Audio { samples, sample_rate: 32_000 },
            Some(&Transcript::new("这是一段参考音频的文字内容。", Lang::Zh)),
            &VoiceOptions::default(),
        )
        .map_err(e)?;
    report("voice (5 s clip)", t0);
    let mut p = SynthesisParams::default();
    p.sampling.max_steps = 250;
    let a = tts
        .synthesize(&voice, "今天的天气非常好，我们一起去公园散步，顺便买一点新鲜的水果回家吧。", Lang::Zh, &p)
        .map_err(e)?;
    report(&format!("synthesis ({:.1} s audio)", a.samples.len() as f64 / 32_000.0), t0);
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match (args.first().map(String::as_str), args.get(1)) {
        (Some("make"), Some(d)) => make(Path::new(d)),
        (Some("run"), Some(d)) => run(Path::new(d), args.get(2).is_some_and(|a| a == "--f32-weights")),
        _ => Err("usage: peak_memory make DIR | peak_memory run DIR [--f32-weights]".into()),
    };
    if let Err(m) = r {
        eprintln!("error: {m}");
        std::process::exit(1);
    }
}
