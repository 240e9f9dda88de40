//! Text to speech with a cloned voice, from the command line.
//!
//! ```text
//! cargo run --release --example synthesize -- \
//!     --models pretrained_models/ --ref ref.wav --ref-text "参考音频的文字。" --ref-lang zh \
//!     --text "要合成的文字。" --lang zh --out out.wav
//! ```
//!
//! Models: `--models DIR` laid out like upstream's `pretrained_models/` (one `*.ckpt`, one
//! SoVITS `*.pth` at the top or in `v2Pro/`, `chinese-hubert-base/`,
//! `chinese-roberta-wwm-ext-large/`, and for v2Pro/v2ProPlus
//! `sv/pretrained_eres2netv2w24s4ep4.ckpt`), or `--gpt`, `--sovits`, `--hubert`, `--bert`,
//! `--sv` (each overrides what `--models` found). The SoVITS file decides the version.
//! Without any model argument the tiny test model shipped in
//! `tests/fixtures/parity/tiny/official/` is used with its reference clip: it has random
//! weights, so the WAV is a test signal, not speech.
//!
//! Voice: `--ref WAV` (3-10 s) with `--ref-text`/`--ref-lang` (omit `--ref-text` for
//! reference-free mode), `--ref2 WAV` adds references, `--allow-any-length` accepts clips
//! outside 3-10 s (up to 30 s); `--save-voice FILE` writes the voice,
//! `--voice FILE` loads one instead of `--ref`.
//!
//! Text: `--text` or `--text-file`, `--lang` (`all_zh`, `zh`, `en`, `all_ja`, `ja`, `auto`, any case; default
//! `zh`).
//! Sampling: `--top-k 15 --top-p 1 --temperature 1 --repetition-penalty 1.35 --speed 1
//! --split cut1 --pause 0.3 --seed 0 --noise-scale 0.5 --max-tokens 1500 --max-text-chars 50000`.
//! Streaming: `--stream sentence|dynamic|fixed` (api_v2's modes 0/2/3; default `sentence`),
//! `--chunk-length 16 --overlap-length 2` (tokens), `--first-chunk-length N` (a shorter first
//! chunk for earlier first audio; default: the chunk length, as the original). The WAV is written as audio arrives (a
//! valid file of everything so far at every moment), and the time to the first audio is
//! printed. `--batch-size N` decodes N sentences together in the GPT (same audio, faster for
//! long texts). A progress bar on stderr counts sentences.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use sovits_core::audio::WavStreamWriter;
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{
    CancelToken, ModelOverrides, ModelPaths, SynthesisParams, Transcript, Tts, TtsOptions, Voice, VoiceOptions,
};
use sovits_core::text::Lang;

struct Args {
    models: Option<PathBuf>,
    gpt: Option<PathBuf>,
    sovits: Option<PathBuf>,
    hubert: Option<PathBuf>,
    bert: Option<PathBuf>,
    sv: Option<PathBuf>,
    reference: Option<PathBuf>,
    extra_refs: Vec<PathBuf>,
    ref_text: Option<String>,
    ref_lang: Lang,
    voice: Option<PathBuf>,
    save_voice: Option<PathBuf>,
    text: Option<String>,
    lang: Lang,
    out: PathBuf,
    params: SynthesisParams,
    voice_opts: VoiceOptions,
}

const USAGE: &str = "usage: synthesize [--models DIR | --gpt F --sovits F --hubert DIR --bert DIR [--sv F]] \
[--ref WAV --ref-text T --ref-lang L | --voice FILE] [--ref2 WAV] [--allow-any-length] [--save-voice FILE] \
(--text T | --text-file F) [--lang L] [--out out.wav] [--top-k N] [--top-p P] [--temperature T] \
[--repetition-penalty R] [--speed S] [--split cutN] [--pause SEC] [--seed N] [--noise-scale X] [--max-tokens N] [--max-text-chars N] \
[--stream sentence|dynamic|fixed] [--chunk-length N] [--first-chunk-length N] [--overlap-length N] [--batch-size N]";

fn parse() -> Result<Args, String> {
    let mut a = Args {
        models: None,
        gpt: None,
        sovits: None,
        hubert: None,
        bert: None,
        sv: None,
        reference: None,
        extra_refs: vec![],
        ref_text: None,
        ref_lang: Lang::Zh,
        voice: None,
        save_voice: None,
        text: None,
        lang: Lang::Zh,
        out: "out.wav".into(),
        params: SynthesisParams::default(),
        voice_opts: VoiceOptions::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        if flag == "--allow-any-length" {
            a.voice_opts.reference.allow_any_length = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = |v: &str| v.parse::<f64>().map_err(|_| format!("{flag}: {v:?} is not a number"));
        let int = |v: &str| v.parse::<usize>().map_err(|_| format!("{flag}: {v:?} is not a whole number >= 0"));
        let p = &mut a.params;
        match flag.as_str() {
            "--models" => a.models = Some(value.into()),
            "--gpt" => a.gpt = Some(value.into()),
            "--sovits" => a.sovits = Some(value.into()),
            "--hubert" => a.hubert = Some(value.into()),
            "--bert" => a.bert = Some(value.into()),
            "--sv" => a.sv = Some(value.into()),
            "--ref" => a.reference = Some(value.into()),
            "--ref2" => a.extra_refs.push(value.into()),
            "--ref-text" => a.ref_text = Some(value),
            "--ref-lang" => a.ref_lang = value.parse().map_err(|e| format!("--ref-lang: {e}"))?,
            "--voice" => a.voice = Some(value.into()),
            "--save-voice" => a.save_voice = Some(value.into()),
            "--text" => a.text = Some(value),
            "--text-file" => a.text = Some(std::fs::read_to_string(&value).map_err(|e| format!("{value}: {e}"))?),
            "--lang" => a.lang = value.parse().map_err(|e| format!("--lang: {e}"))?,
            "--out" => a.out = value.into(),
            "--top-k" => p.sampling.top_k = num(&value)? as usize,
            "--top-p" => p.sampling.top_p = num(&value)? as f32,
            "--temperature" => p.sampling.temperature = num(&value)? as f32,
            "--repetition-penalty" => p.sampling.repetition_penalty = num(&value)? as f32,
            "--speed" => p.speed = num(&value)? as f32,
            "--split" => p.split = value.parse().map_err(|e| format!("{e}"))?,
            "--pause" => p.pause_seconds = num(&value)? as f32,
            "--seed" => p.sampling.seed = num(&value)? as u64,
            "--noise-scale" => p.noise_scale = num(&value)? as f32,
            "--max-tokens" => p.sampling.max_steps = num(&value)? as usize,
            "--max-text-chars" => p.max_text_chars = num(&value)? as usize,
            "--stream" => p.streaming = value.parse().map_err(|e| format!("--stream: {e}"))?,
            "--chunk-length" => p.chunk_length = int(&value)?,
            "--overlap-length" => p.overlap_length = int(&value)?,
            "--first-chunk-length" => p.first_chunk_length = Some(int(&value)?),
            "--batch-size" => p.batch_size = int(&value)?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity/tiny").join(rel)
}

fn run(mut a: Args) -> Result<(), String> {
    let e = |x: sovits_core::Error| x.to_string();
    let tiny = a.models.is_none() && a.gpt.is_none() && a.sovits.is_none();
    if tiny {
        eprintln!(
            "note: no model given, using the tiny test model in tests/fixtures (random weights: the output is a \
             test signal, not speech). Real voices need the official GPT-SoVITS v2 weights; see docs/usage.md."
        );
        a.models = Some(fixture("official"));
        if a.reference.is_none() && a.voice.is_none() {
            a.reference = Some(fixture("io/ref_32k.wav"));
            a.ref_text = a.ref_text.or(Some("Hello there, how are you today".into()));
            a.ref_lang = Lang::En;
        }
        // The tiny model's BERT does not fit its GPT, so only text without Chinese segments (which
        // need BERT) runs on it: English and Japanese.
        if !matches!(a.lang, Lang::En | Lang::AllJa | Lang::Ja) {
            eprintln!("note: the tiny model reads English and Japanese only; using --lang en");
            a.lang = Lang::En;
        }
    }
    let over = ModelOverrides {
        gpt: a.gpt.clone(),
        sovits: a.sovits.clone(),
        hubert: a.hubert.clone(),
        bert: a.bert.clone(),
        sv: a.sv.clone(),
    };
    let paths = match &a.models {
        Some(dir) => ModelPaths::from_dir_with(dir, over).map_err(e)?,
        None => ModelPaths {
            gpt: over.gpt.ok_or("give --models DIR or all of --gpt --sovits --hubert --bert")?,
            sovits: over.sovits.ok_or("--sovits is missing")?,
            hubert: over.hubert.ok_or("--hubert is missing")?,
            bert: over.bert.ok_or("--bert is missing")?,
            sv: over.sv,
        },
    };
    let t0 = Instant::now();
    let tts = Tts::<CpuBackend>::load(&paths, &TtsOptions::default(), &Default::default()).map_err(e)?;
    eprintln!("loaded the {} models in {:.2} s", tts.version(), t0.elapsed().as_secs_f64());

    let mut voice = match (&a.voice, &a.reference) {
        (Some(v), _) => Voice::load(v).map_err(e)?,
        (None, Some(r)) => {
            let transcript = a.ref_text.as_deref().map(|t| Transcript::new(t, a.ref_lang));
            a.voice_opts.frontend = a.params.frontend.clone();
            tts.voice_from_wav(r, transcript.as_ref(), &a.voice_opts).map_err(e)?
        }
        (None, None) => return Err("give --ref WAV (with --ref-text and --ref-lang) or --voice FILE".into()),
    };
    for r in &a.extra_refs {
        let clip = sovits_core::audio::read_wav(r).map_err(e)?;
        tts.add_reference(&mut voice, &clip, &a.voice_opts.reference).map_err(e)?;
    }
    if let Some(path) = &a.save_voice {
        voice.save(path).map_err(e)?;
        eprintln!("saved the voice to {}", path.display());
    }
    let text = a.text.clone().ok_or("give --text or --text-file")?;

    a.params.validate().map_err(e)?;
    let mut wav = WavStreamWriter::create(&a.out, tts.sample_rate()).map_err(e)?;
    let t0 = Instant::now();
    let mut first_audio = None;
    let mut failed = None;
    let cancel = CancelToken::new();
    tts.synthesize_stream(&voice, &text, a.lang, &a.params, &cancel, |chunk| {
        first_audio.get_or_insert_with(|| t0.elapsed().as_secs_f64());
        if let Err(err) = wav.write(&chunk.samples) {
            failed = Some(err);
            return false;
        }
        let done = chunk.index + chunk.last_part as usize;
        let width = 30;
        let filled = width * done / chunk.count.max(1);
        eprint!("\r[{}{}] {done}/{} sentences", "#".repeat(filled), " ".repeat(width - filled), chunk.count);
        std::io::stderr().flush().ok();
        true
    })
    .map_err(e)?;
    eprintln!();
    if let Some(err) = failed {
        return Err(e(err));
    }
    let secs = wav.samples() as f64 / tts.sample_rate() as f64;
    let took = t0.elapsed().as_secs_f64();
    wav.finish().map_err(e)?;
    println!(
        "wrote {} ({secs:.2} s of audio at {} Hz) in {took:.2} s, real-time factor {:.3}, first audio after {:.3} s",
        a.out.display(),
        tts.sample_rate(),
        took / secs.max(1e-9),
        first_audio.unwrap_or(took)
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(m) if m.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(m) => {
            eprintln!("error: {m}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(m) => {
            eprintln!("error: {m}");
            ExitCode::from(1)
        }
    }
}
