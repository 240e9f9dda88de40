//! The whole pipeline at the official v2 sizes (random weights), CPU backend of the build:
//! one Chinese sentence through `Tts::synthesize` (text frontend, BERT, GPT with the host
//! decode path, SoVITS) capped at 250 tokens (a 10 s utterance), and making a voice (HuBERT +
//! BERT). The benchmark prints the audio length and the real-time factor (compute seconds per
//! second of audio) next to divan's timings, and the process's peak RSS.
//!
//! `cargo bench --bench pipeline`.

use std::sync::OnceLock;

use sovits_core::audio::Audio;
use sovits_core::backend::CpuBackend;
use sovits_core::models::bert::{BertConfig, BertModel, BertTokenizer};
use sovits_core::models::gpt::{GptConfig, Text2SemanticDecoder};
use sovits_core::models::hubert::{HubertConfig, HubertModel};
use sovits_core::models::sovits::{SovitsConfig, SynthesizerTrn};
use sovits_core::pipeline::{SynthesisParams, Transcript, Tts, TtsOptions, Voice, VoiceOptions};
use sovits_core::text::Lang;

type B = CpuBackend;

const TEXT: &str = "今天的天气非常好，我们一起去公园散步，顺便买一点新鲜的水果回家吧。";

fn main() {
    divan::main();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(str::to_string))
        .unwrap_or_default();
    println!("peak RSS of the benchmark process: {peak}");
}

fn tts() -> &'static Tts<B> {
    static T: OnceLock<Tts<B>> = OnceLock::new();
    T.get_or_init(|| {
        let dev = Default::default();
        let tok = BertTokenizer::from_folder(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/parity/tiny/official/chinese-roberta-wwm-ext-large"
        ))
        .expect("tokenizer");
        Tts::from_parts(
            Text2SemanticDecoder::random(&GptConfig::v2(), 0, &dev).expect("gpt"),
            SynthesizerTrn::random(&SovitsConfig::v2(), 0, &dev).expect("sovits"),
            HubertModel::random(&HubertConfig::base(), 0, &dev).expect("hubert"),
            BertModel::random(&BertConfig::large(), 0, &dev).expect("bert"),
            tok,
            &TtsOptions::default(),
            &dev,
        )
    })
}

fn reference() -> Audio {
    let sr = 32_000.0;
    let samples = (0..(5.0 * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            let f0 = 140.0 + 20.0 * (t * 3.0).sin();
            ((1..8).map(|h| (2.0 * std::f64::consts::PI * f0 * h as f64 * t).sin() / h as f64).sum::<f64>() * 0.2)
                as f32
        })
        .collect();
    Audio { samples, sample_rate: 32_000 }
}

fn voice() -> &'static Voice {
    static V: OnceLock<Voice> = OnceLock::new();
    V.get_or_init(|| {
        tts()
            .voice(
                &reference(),
                Some(&Transcript::new("这是一段参考音频的文字内容。", Lang::Zh)),
                &VoiceOptions::default(),
            )
            .expect("voice")
    })
}

/// Reference clip (5 s) + transcript -> voice: HuBERT, codes, text frontend, BERT, spectrogram.
#[divan::bench(sample_count = 2, sample_size = 1)]
fn make_voice(bencher: divan::Bencher) {
    let t = tts();
    let r = reference();
    bencher.bench(|| {
        divan::black_box(t.voice(
            &r,
            Some(&Transcript::new("这是一段参考音频的文字内容。", Lang::Zh)),
            &VoiceOptions::default(),
        ))
    });
}

/// One Chinese sentence (35 characters) to audio with the WebUI defaults, capped at 250
/// semantic tokens = 10 s of audio (random weights rarely emit EOS, so the cap decides).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn synthesize_sentence(bencher: divan::Bencher) {
    let (t, v) = (tts(), voice());
    let mut p = SynthesisParams::default();
    p.sampling.max_steps = 250;
    let t0 = std::time::Instant::now();
    let a = t.synthesize(v, TEXT, Lang::Zh, &p).expect("synthesize");
    let took = t0.elapsed().as_secs_f64();
    let secs = a.samples.len() as f64 / a.sample_rate as f64;
    println!("synthesize_sentence: {secs:.2} s of audio (incl. 0.3 s pause) in {took:.2} s = RTF {:.3}", took / secs);
    bencher.bench(|| divan::black_box(t.synthesize(v, TEXT, Lang::Zh, &p).unwrap().samples.len()));
}
