//! Text to speech from the command line: load the models, make (or load) a voice, synthesize,
//! and write a WAV as the audio is made.
//!
//! ```text
//! cargo run --release --example synthesize -- \
//!     --models pretrained_models/ --ref ref.wav --ref-text "参考音频的文字。" --ref-lang zh \
//!     --text "要合成的文字。" --lang zh --out out.wav
//! cargo run --release --example synthesize -- --help        # every flag, its default
//! ```
//!
//! Without `--models` (or `--gpt`/`--sovits`/...) the tiny test model in `tests/fixtures/` is
//! used with its reference clip: it has random weights, so the WAV is a test signal, not
//! speech, and it reads English, Japanese and Cantonese only.
//!
//! Every value is checked (and the output file opened) before any model loads; `--lang` is
//! guessed only where the text's script leaves no doubt (kana: `ja`, Hangul: `ko`, Han: `zh`,
//! Latin only: `en`), with a note, and required otherwise. The WAV is written as audio arrives
//! (a valid file of everything so far at every moment); a progress bar on stderr moves with the
//! GPT's steps inside each sentence and shows an ETA; `--quiet` hides it.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use sovits_core::audio::{Audio, WavStreamWriter, read_wav};
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{
    CancelToken, ModelOverrides, ModelPaths, StreamingMode, SynthesisParams, Transcript, Tts, TtsOptions, Voice,
    VoiceOptions,
};
use sovits_core::text::Lang;
use sovits_core::text::split::CutMethod;

/// GPT-SoVITS text to speech: clone a voice from a 3-10 s clip and read a text with it.
#[derive(Parser, Debug)]
#[command(
    name = "synthesize",
    version,
    about = "GPT-SoVITS text to speech: clone a voice from a 3-10 s clip and read a text with it.",
    after_help = "\
Examples:
  synthesize --models pretrained_models --ref ref.wav --ref-text \"参考音频的文字。\" --ref-lang zh \\
      --text \"要合成的文字。\" --lang zh --out out.wav
  synthesize --models pretrained_models --voice alice.voice --text-file book.txt --lang en --batch-size 8
  synthesize --text \"Hello.\" --lang en          (the tiny test model: a test signal, not speech)"
)]
struct Cli {
    /// Model folder laid out like upstream's pretrained_models/ (default: the tiny test model)
    #[arg(long, value_name = "DIR", help_heading = "Models")]
    models: Option<PathBuf>,
    /// GPT checkpoint (s1bert25hz-*.ckpt, s1v3.ckpt), instead of the folder's
    #[arg(long, value_name = "FILE", help_heading = "Models")]
    gpt: Option<PathBuf>,
    /// SoVITS checkpoint (s2G*.pth, s2Gv2ProPlus.pth), instead of the folder's
    #[arg(long, value_name = "FILE", help_heading = "Models")]
    sovits: Option<PathBuf>,
    /// chinese-hubert-base folder, instead of the folder's
    #[arg(long, value_name = "DIR", help_heading = "Models")]
    hubert: Option<PathBuf>,
    /// chinese-roberta-wwm-ext-large folder, instead of the folder's
    #[arg(long, value_name = "DIR", help_heading = "Models")]
    bert: Option<PathBuf>,
    /// Speaker-verification checkpoint (v2Pro/v2ProPlus), instead of the folder's sv/
    #[arg(long, value_name = "FILE", help_heading = "Models")]
    sv: Option<PathBuf>,

    /// Reference clip, 3-10 s of speech (any WAV)
    #[arg(long = "ref", value_name = "WAV", help_heading = "Voice")]
    reference: Option<PathBuf>,
    /// More reference clips: the timbre becomes their mean (repeatable)
    #[arg(long = "ref2", value_name = "WAV", help_heading = "Voice")]
    extra_refs: Vec<PathBuf>,
    /// What the reference clip says (omit for reference-free mode)
    #[arg(long, value_name = "TEXT", help_heading = "Voice")]
    ref_text: Option<String>,
    /// Language of --ref-text (all_zh, zh, en, all_ja, ja, all_yue, yue, auto, auto_yue); guessed from its script if omitted
    #[arg(long, value_name = "LANG", value_parser = parse_lang, help_heading = "Voice")]
    ref_lang: Option<Lang>,
    /// Accept reference clips outside 3-10 s (up to 30 s)
    #[arg(long, help_heading = "Voice")]
    allow_any_length: bool,
    /// Load a saved voice instead of --ref
    #[arg(long, value_name = "FILE", conflicts_with = "reference", help_heading = "Voice")]
    voice: Option<PathBuf>,
    /// Save the voice to this file (load it later with --voice)
    #[arg(long, value_name = "FILE", help_heading = "Voice")]
    save_voice: Option<PathBuf>,

    /// The text to read
    #[arg(long, value_name = "TEXT", conflicts_with = "text_file", required_unless_present = "text_file")]
    text: Option<String>,
    /// Read the text from a UTF-8 file
    #[arg(long, value_name = "FILE")]
    text_file: Option<PathBuf>,
    /// Language of the text (all_zh, zh, en, all_ja, ja, all_yue, yue, auto, auto_yue); guessed from its script if omitted
    #[arg(long, value_name = "LANG", value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Output WAV (written as audio is made)
    #[arg(long, value_name = "FILE", default_value = "out.wav")]
    out: PathBuf,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,

    /// Top-k sampling, >= 1
    #[arg(long, value_name = "N", default_value_t = defaults().sampling.top_k, help_heading = "Sampling")]
    top_k: usize,
    /// Top-p sampling in (0, 1] (1 = off)
    #[arg(long, value_name = "P", default_value_t = defaults().sampling.top_p, help_heading = "Sampling")]
    top_p: f32,
    /// Sampling temperature > 0
    #[arg(long, value_name = "T", default_value_t = defaults().sampling.temperature, help_heading = "Sampling")]
    temperature: f32,
    /// Repetition penalty > 0
    #[arg(long, value_name = "R", default_value_t = defaults().sampling.repetition_penalty, help_heading = "Sampling")]
    repetition_penalty: f32,
    /// Seed of the sampler and the vocoder noise (-1: a random one, printed)
    #[arg(long, value_name = "N", default_value_t = 0, allow_negative_numbers = true, help_heading = "Sampling")]
    seed: i64,
    /// Most semantic tokens per sentence (1500 = 60 s)
    #[arg(long, value_name = "N", default_value_t = defaults().sampling.max_steps, help_heading = "Sampling")]
    max_tokens: usize,
    /// Vocoder noise scale >= 0 (0 = deterministic)
    #[arg(long, value_name = "X", default_value_t = defaults().noise_scale, help_heading = "Sampling")]
    noise_scale: f32,

    /// Speaking rate in (0, 4]
    #[arg(long, value_name = "S", default_value_t = defaults().speed, help_heading = "Speech")]
    speed: f32,
    /// Sentence splitting: cut0 (none) .. cut5 (every mark); cut1 = groups of four clauses
    #[arg(long, value_name = "CUT", default_value = "cut1", value_parser = parse_cut, help_heading = "Speech")]
    split: CutMethod,
    /// Silence after each sentence, seconds (0..10)
    #[arg(long, value_name = "SEC", default_value_t = defaults().pause_seconds, help_heading = "Speech")]
    pause: f32,
    /// Longest text accepted, in characters
    #[arg(long, value_name = "N", default_value_t = defaults().max_text_chars, help_heading = "Speech")]
    max_text_chars: usize,

    /// How audio is handed out: sentence (api_v2 mode 0/1), dynamic (2), fixed (3: lowest latency)
    #[arg(long, value_name = "MODE", default_value = "sentence", value_parser = parse_stream, help_heading = "Streaming")]
    stream: StreamingMode,
    /// Chunk modes: the shortest chunk in tokens (16 = 0.64 s)
    #[arg(long, value_name = "N", default_value_t = defaults().chunk_length, help_heading = "Streaming")]
    chunk_length: usize,
    /// Chunk modes: the overlap between chunks in tokens
    #[arg(long, value_name = "N", default_value_t = defaults().overlap_length, help_heading = "Streaming")]
    overlap_length: usize,
    /// Chunk modes: a shorter first chunk for earlier first audio (default: --chunk-length)
    #[arg(long, value_name = "N", help_heading = "Streaming")]
    first_chunk_length: Option<usize>,
    /// Sentences the GPT decodes together (same audio, faster for long texts)
    #[arg(long, value_name = "N", default_value_t = defaults().batch_size, help_heading = "Streaming")]
    batch_size: usize,
}

fn defaults() -> SynthesisParams {
    SynthesisParams::default()
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse::<Lang>().map_err(|e| e.to_string())
}

fn parse_cut(s: &str) -> Result<CutMethod, String> {
    s.parse::<CutMethod>().map_err(|e| e.to_string())
}

fn parse_stream(s: &str) -> Result<StreamingMode, String> {
    s.parse::<StreamingMode>().map_err(|e| e.to_string())
}

/// The language a text's script leaves no doubt about: kana is Japanese, Hangul Korean, Han
/// characters (without kana) Chinese, Latin letters only English; `None` otherwise (only digits
/// and symbols).
fn guess_lang(text: &str) -> Option<Lang> {
    let has = |f: fn(char) -> bool| text.chars().any(f);
    if has(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{ff66}'..='\u{ff9d}')) {
        Some(Lang::Ja)
    } else if has(|c| matches!(c, '\u{ac00}'..='\u{d7a3}' | '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}')) {
        Some(Lang::Ko)
    } else if has(|c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')) {
        Some(Lang::Zh)
    } else if has(|c| c.is_ascii_alphabetic()) {
        Some(Lang::En)
    } else {
        None
    }
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity/tiny").join(rel)
}

/// Everything checked and ready before any model loads.
struct Plan {
    paths: ModelPaths,
    tiny: bool,
    voice: VoiceSource,
    save_voice: Option<PathBuf>,
    text: String,
    lang: Lang,
    out: PathBuf,
    params: SynthesisParams,
    voice_opts: VoiceOptions,
    quiet: bool,
}

enum VoiceSource {
    Saved(Voice),
    Clip { clip: Audio, extra: Vec<Audio>, transcript: Option<Transcript> },
}

fn must_be_file(p: &Path, what: &str) -> Result<(), String> {
    if p.is_file() { Ok(()) } else { Err(format!("{what} {}: no such file", p.display())) }
}

fn plan(cli: Cli) -> Result<Plan, String> {
    let e = |x: sovits_core::Error| x.to_string();
    let tiny = cli.models.is_none() && cli.gpt.is_none() && cli.sovits.is_none();
    let text = match (&cli.text, &cli.text_file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|err| format!("--text-file {}: {err}", f.display()))?,
        (None, None) => return Err("give --text or --text-file".into()),
    };
    let lang = match cli.lang {
        Some(l) => l,
        None => {
            let l = guess_lang(&text).ok_or("the text has no letters to tell its language by; give --lang")?;
            eprintln!("note: reading the text as {l} (its script); give --lang to choose");
            l
        }
    };
    if tiny
        && !matches!(
            lang,
            Lang::En | Lang::AllJa | Lang::Ja | Lang::AllKo | Lang::Ko | Lang::AllYue | Lang::Yue | Lang::AutoYue
        )
    {
        return Err(format!(
            "the tiny test model reads English, Japanese, Korean and Cantonese only (its BERT, which Mandarin \
             needs, does not fit its GPT), not {lang}; give --lang en, ja, ko or yue, or real models with --models"
        ));
    }

    let mut params = SynthesisParams::default();
    let s = &mut params.sampling;
    s.top_k = cli.top_k;
    s.top_p = cli.top_p;
    s.temperature = cli.temperature;
    s.repetition_penalty = cli.repetition_penalty;
    s.max_steps = cli.max_tokens;
    s.seed = match cli.seed {
        -1 => {
            let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
                as u64
                % 4_294_967_296;
            eprintln!("note: seed {seed}");
            seed
        }
        n if n >= 0 => n as u64,
        n => return Err(format!("--seed must be >= 0, or -1 for a random one; got {n}")),
    };
    params.noise_scale = cli.noise_scale;
    params.speed = cli.speed;
    params.split = cli.split;
    params.pause_seconds = cli.pause;
    params.max_text_chars = cli.max_text_chars;
    params.streaming = cli.stream;
    params.chunk_length = cli.chunk_length;
    params.overlap_length = cli.overlap_length;
    params.first_chunk_length = cli.first_chunk_length;
    params.batch_size = cli.batch_size;
    params.validate().map_err(e)?;
    let chars = text.chars().count();
    if chars > params.max_text_chars {
        return Err(format!("the text has {chars} characters, more than --max-text-chars {}", params.max_text_chars));
    }

    let mut voice_opts = VoiceOptions::default();
    voice_opts.reference.allow_any_length = cli.allow_any_length;
    voice_opts.frontend = params.frontend.clone();
    let voice = match (&cli.voice, &cli.reference) {
        (Some(v), _) => {
            must_be_file(v, "--voice")?;
            VoiceSource::Saved(Voice::load(v).map_err(e)?)
        }
        (None, reference) => {
            let (wav, ref_text) = match reference {
                Some(r) => (r.clone(), cli.ref_text.clone()),
                None if tiny => (
                    fixture("io/ref_32k.wav"),
                    Some(cli.ref_text.clone().unwrap_or_else(|| "Hello there, how are you today".into())),
                ),
                None => return Err("give --ref WAV (with --ref-text and --ref-lang) or --voice FILE".into()),
            };
            must_be_file(&wav, "--ref")?;
            let clip = read_wav(&wav).map_err(e)?;
            let mut extra = Vec::new();
            for r in &cli.extra_refs {
                must_be_file(r, "--ref2")?;
                extra.push(read_wav(r).map_err(e)?);
            }
            let transcript = match ref_text {
                Some(t) => {
                    let l = match cli.ref_lang {
                        Some(l) => l,
                        None => guess_lang(&t).ok_or("give --ref-lang: --ref-text has no letters to tell it by")?,
                    };
                    Some(Transcript::new(t, l))
                }
                None => None,
            };
            VoiceSource::Clip { clip, extra, transcript }
        }
    };

    let models = if tiny { Some(fixture("official")) } else { cli.models.clone() };
    let over = ModelOverrides {
        gpt: cli.gpt.clone(),
        sovits: cli.sovits.clone(),
        hubert: cli.hubert.clone(),
        bert: cli.bert.clone(),
        sv: cli.sv.clone(),
    };
    let paths = match &models {
        Some(dir) => ModelPaths::from_dir_with(dir, over).map_err(e)?,
        None => ModelPaths {
            gpt: over.gpt.ok_or("give --models DIR or all of --gpt --sovits --hubert --bert")?,
            sovits: over.sovits.ok_or("--sovits is missing (or give --models DIR)")?,
            hubert: over.hubert.ok_or("--hubert is missing (or give --models DIR)")?,
            bert: over.bert.ok_or("--bert is missing (or give --models DIR)")?,
            sv: over.sv,
        },
    };
    // The output must be writable now, not after a long synthesis.
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&cli.out)
        .map_err(|err| format!("--out {}: {err}", cli.out.display()))?;
    if let Some(v) = &cli.save_voice {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(v)
            .map_err(|err| format!("--save-voice {}: {err}", v.display()))?;
    }
    Ok(Plan {
        paths,
        tiny,
        voice,
        save_voice: cli.save_voice,
        text,
        lang,
        out: cli.out,
        params,
        voice_opts,
        quiet: cli.quiet,
    })
}

/// What the progress bar shows, updated by the audio callback and read by the drawing thread.
#[derive(Default)]
struct Progress {
    sentences: usize,
    done: usize,
    chars_total: usize,
    chars_done: usize,
    tokens_done: u64,
    finished: bool,
}

/// Draws `[####    ] 3/10 sentences, 42 s of audio, ETA 1m05s` every quarter second. The GPT's
/// steps ([`CancelToken::steps`]) move it inside a sentence; the ETA counts tokens: the tokens
/// per character measured so far (before the first sentence ends, 25 per second of speech at
/// a typical reading rate of the language) times the characters left, at the measured step
/// rate.
fn draw_progress(p: &Mutex<Progress>, cancel: &CancelToken, t0: Instant, lang: Lang) -> String {
    let p = p.lock().unwrap_or_else(|e| e.into_inner());
    let steps = cancel.steps();
    let chars_per_second = if matches!(lang, Lang::En) { 14.0 } else { 5.0 };
    let per_char = if p.chars_done > 0 && p.tokens_done > 0 {
        p.tokens_done as f64 / p.chars_done as f64
    } else {
        25.0 / chars_per_second
    };
    let expected = (per_char * p.chars_total as f64).max(steps as f64 + 1.0);
    let elapsed = t0.elapsed().as_secs_f64();
    let frac = (steps as f64 / expected).min(1.0);
    let width = 30;
    let filled = (frac * width as f64) as usize;
    let eta = if steps > 10 {
        let left = (expected - steps as f64).max(0.0) * elapsed / steps as f64;
        format!("ETA {}m{:02}s", (left / 60.0) as u64, (left % 60.0) as u64)
    } else {
        "ETA ...".into()
    };
    format!(
        "\r[{}{}] {}/{} sentences, {} tokens, {:.0} s, {eta}   ",
        "#".repeat(filled),
        " ".repeat(width - filled),
        p.done,
        p.sentences.max(1),
        steps,
        elapsed
    )
}

fn run(plan: Plan) -> Result<(), String> {
    let e = |x: sovits_core::Error| x.to_string();
    if plan.tiny {
        eprintln!(
            "note: no model given, using the tiny test model in tests/fixtures (random weights: the output is a \
             test signal, not speech). Real voices need the official GPT-SoVITS v2 weights; see docs/usage.md."
        );
    }
    let t0 = Instant::now();
    let tts = Tts::<CpuBackend>::load(&plan.paths, &TtsOptions::default(), &Default::default()).map_err(e)?;
    eprintln!("loaded the {} models in {:.2} s", tts.version(), t0.elapsed().as_secs_f64());

    let voice = match plan.voice {
        VoiceSource::Saved(v) => v,
        VoiceSource::Clip { clip, extra, transcript } => {
            let mut voice = tts.voice(&clip, transcript.as_ref(), &plan.voice_opts).map_err(e)?;
            for r in &extra {
                tts.add_reference(&mut voice, r, &plan.voice_opts.reference).map_err(e)?;
            }
            voice
        }
    };
    if let Some(path) = &plan.save_voice {
        voice.save(path).map_err(e)?;
        eprintln!("saved the voice to {}", path.display());
    }

    let mut wav = WavStreamWriter::create(&plan.out, tts.sample_rate()).map_err(e)?;
    let t0 = Instant::now();
    let mut first_audio = None;
    let mut failed = None;
    let cancel = CancelToken::new();
    let progress = Arc::new(Mutex::new(Progress { chars_total: plan.text.chars().count(), ..Default::default() }));
    let drawer = (!plan.quiet).then(|| {
        let (progress, cancel, lang) = (progress.clone(), cancel.clone(), plan.lang);
        let tty = std::io::stderr().is_terminal();
        std::thread::spawn(move || {
            // Redraw every 250 ms on a terminal, every 5 s into a log; look for the end often.
            let ticks = if tty { 5 } else { 100 };
            let finished = || progress.lock().map(|p| p.finished).unwrap_or(true);
            'draw: loop {
                for _ in 0..ticks {
                    std::thread::sleep(Duration::from_millis(50));
                    if finished() {
                        break 'draw;
                    }
                }
                eprint!("{}", draw_progress(&progress, &cancel, t0, lang));
                if !tty {
                    eprintln!();
                }
                std::io::stderr().flush().ok();
            }
        })
    });
    let result = tts.synthesize_stream(&voice, &plan.text, plan.lang, &plan.params, &cancel, |chunk| {
        first_audio.get_or_insert_with(|| t0.elapsed().as_secs_f64());
        if let Err(err) = wav.write(&chunk.samples) {
            failed = Some(err);
            return false;
        }
        if let Ok(mut p) = progress.lock() {
            p.sentences = chunk.count;
            p.tokens_done += chunk.tokens.len() as u64;
            if chunk.last_part {
                p.done = chunk.index + 1;
                p.chars_done += chunk.text.chars().count();
            }
        }
        true
    });
    if let Ok(mut p) = progress.lock() {
        p.finished = true;
    }
    if let Some(d) = drawer {
        d.join().ok();
        eprintln!("{}", draw_progress(&progress, &cancel, t0, plan.lang));
    }
    result.map_err(e)?;
    if let Some(err) = failed {
        return Err(e(err));
    }
    let secs = wav.samples() as f64 / tts.sample_rate() as f64;
    let took = t0.elapsed().as_secs_f64();
    wav.finish().map_err(e)?;
    println!(
        "wrote {} ({secs:.2} s of audio at {} Hz) in {took:.2} s, real-time factor {:.3}, first audio after {:.3} s",
        plan.out.display(),
        tts.sample_rate(),
        took / secs.max(1e-9),
        first_audio.unwrap_or(took)
    );
    Ok(())
}

fn main() -> ExitCode {
    // clap prints its own errors (one line and a pointer to --help, no usage dump) and exits 2.
    let cli = Cli::parse();
    match plan(cli).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(m) => {
            eprintln!("error: {m}");
            ExitCode::from(1)
        }
    }
}
