//! The whole pipeline at the official v2 sizes (random weights), CPU backend of the build:
//! models built as `Tts::load` builds them with the default options (fp16 weights at rest);
//! one Chinese sentence through `Tts::synthesize` (text frontend, BERT, GPT with the host
//! decode path, SoVITS) capped at 250 tokens (a 10 s utterance), and making a voice (HuBERT +
//! BERT). The benchmark prints the audio length and the real-time factor (compute seconds per
//! second of audio) next to divan's timings, and the process's peak RSS.
//!
//! `cargo bench --bench pipeline`.

use std::sync::OnceLock;

use sovits_core::audio::Audio;
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{CancelToken, SynthesisParams, Transcript, Tts, TtsOptions, Voice, VoiceOptions};
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
        sovits_suite::fixtures::random_official_tts(&TtsOptions::default(), &Default::default()).expect("models")
    })
}

fn reference() -> Audio {
    sovits_suite::fixtures::synthetic_reference()
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

/// A 20-character sentence.
const SHORT: &str = "今天的天气非常好，我们一起去公园散步吧。";

/// First audio of a 20-character sentence with the 5 s voice, per streaming mode (api_v2's
/// 0/2/3 with the defaults: 16-token chunks, overlap 2): the time from the call to the first
/// piece handed out (text frontend, BERT, GPT prefill and the tokens of the first chunk,
/// SoVITS of that chunk). The sentence is capped at 100 tokens (4 s; random weights rarely
/// emit EOS), which decides the sentence mode's figure.
/// `fixed-first8`: fixed chunks with an 8-token first chunk (`first_chunk_length`).
#[divan::bench(args = ["sentence", "dynamic", "fixed", "fixed-first8"], sample_count = 3, sample_size = 1)]
fn first_audio(bencher: divan::Bencher, mode: &str) {
    let (t, v) = (tts(), voice());
    let (name, first) = match mode.strip_suffix("-first8") {
        Some(m) => (m, Some(8)),
        None => (mode, None),
    };
    let mut p = SynthesisParams {
        streaming: name.parse().expect("mode"),
        first_chunk_length: first,
        ..SynthesisParams::default()
    };
    p.sampling.max_steps = 100;
    let first = || {
        let t0 = std::time::Instant::now();
        let mut at = None;
        let mut len = 0;
        t.synthesize_stream(v, SHORT, Lang::Zh, &p, &CancelToken::new(), |c| {
            at = Some(t0.elapsed().as_secs_f64());
            len = c.samples.len();
            false
        })
        .expect("synthesize");
        (at.expect("a piece"), len)
    };
    let (secs, len) = first();
    println!("first_audio[{mode}]: first piece ({:.2} s of audio) after {secs:.3} s", len as f64 / 32_000.0);
    bencher.bench(|| divan::black_box(first()));
}

/// About `words` words of English (the original's README headline measures RTF on 1400
/// words).
fn long_text_of(words: usize) -> String {
    let para = "The old lighthouse keeper climbed the spiral stairs every evening, carrying a small lamp \
        and a notebook full of weather records. He had watched the sea for forty years, and he could tell \
        a storm from the colour of the clouds long before the barometer began to fall. Visitors often asked \
        him whether he felt lonely on the rocky island. He always smiled and said that the gulls, the \
        ships and the changing light kept him company. In winter the waves grew tall and grey, and the \
        wind sang through the iron railings like a choir. In summer the water turned a calm and gentle \
        blue, and children from the village rowed out to bring him fresh bread and letters. ";
    let per = para.split_whitespace().count();
    para.repeat(words.div_ceil(per))
}

/// A long text end to end, one sentence at a time vs the GPT decoding 8 sentences together
/// (`batch_size`; the same audio). Random weights do not emit EOS, so each sentence (cut4: at
/// every full stop) is capped at 150 tokens (6 s). `SOVITS_LONG_WORDS` sets the length (350
/// words, about 20 sentences, by default; 1400 is the original's headline and takes tens of
/// minutes on 2 cores). Run it on its own: `cargo bench --bench pipeline -- long_text`.
#[divan::bench(args = [1, 8], sample_count = 1, sample_size = 1)]
fn long_text(bencher: divan::Bencher, batch: usize) {
    let (t, v) = (tts(), voice());
    let words = std::env::var("SOVITS_LONG_WORDS").ok().and_then(|w| w.parse().ok()).unwrap_or(350);
    let text = long_text_of(words);
    let mut p = SynthesisParams { batch_size: batch, split: "cut4".parse().expect("cut4"), ..Default::default() };
    p.sampling.max_steps = 150;
    bencher.bench(|| {
        let t0 = std::time::Instant::now();
        let a = t.synthesize(v, &text, Lang::En, &p).expect("synthesize");
        let took = t0.elapsed().as_secs_f64();
        let secs = a.samples.len() as f64 / a.sample_rate as f64;
        println!(
            "long_text[{words} words, batch {batch}]: {secs:.1} s of audio in {took:.1} s = RTF {:.3}",
            took / secs
        );
    });
}
