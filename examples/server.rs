//! An HTTP text-to-speech server: OpenAI's `POST /v1/audio/speech` and upstream `api_v2`'s
//! `/tts`, over one set of models shared by every request (routes and limits: `src/server.rs`,
//! docs/usage.md).
//!
//! ```text
//! cargo run --release --example server -- --models pretrained_models --voices voices/ --addr 127.0.0.1:9880
//! curl -s localhost:9880/v1/audio/speech -H 'content-type: application/json' \
//!     -d '{"input": "Hello there.", "voice": "alice", "lang": "en"}' -o out.wav
//! ```
//!
//! `--voices DIR` holds saved voice files (the synthesize CLI's `--save-voice`), named by file
//! stem. Without `--models` the tiny test model is served (a test signal, not speech), and
//! without `--voices` one voice `default` made from the tiny model's reference clip. Ctrl-C
//! stops taking requests and lets the running ones finish.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use sovits_core::audio::read_wav;
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{Transcript, Tts, TtsOptions, VoiceOptions};
use sovits_core::text::Lang;
use sovits_suite::server::{AppState, ServerConfig, load_voices, router, voice_names};

/// GPT-SoVITS over HTTP: OpenAI's /v1/audio/speech and upstream api_v2's /tts.
#[derive(Parser, Debug)]
#[command(name = "server", version)]
struct Cli {
    /// Model folder laid out like upstream's pretrained_models/ (default: the tiny test model)
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// Folder of saved voice files, named by file stem (default: one voice "default" from the tiny model's clip)
    #[arg(long, value_name = "DIR")]
    voices: Option<PathBuf>,
    /// Address to listen on
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:9880")]
    addr: String,
    /// Syntheses that run at once
    #[arg(long, value_name = "N", default_value_t = ServerConfig::default().workers)]
    workers: usize,
    /// Requests that may wait for a worker (one more gets 503)
    #[arg(long, value_name = "N", default_value_t = ServerConfig::default().queue)]
    queue: usize,
    /// Longest text of one request, in characters
    #[arg(long, value_name = "N", default_value_t = ServerConfig::default().max_input_chars)]
    max_input_chars: usize,
    /// Largest request body, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = ServerConfig::default().max_body_bytes)]
    max_body_bytes: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(m) => {
            eprintln!("error: {m}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    if cli.workers == 0 {
        return Err("--workers must be at least 1".into());
    }
    let tiny_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity/tiny");
    let addr: std::net::SocketAddr =
        cli.addr.parse().map_err(|e| format!("--addr {:?}: {e} (give HOST:PORT, like 127.0.0.1:9880)", cli.addr))?;
    let preloaded = match &cli.voices {
        Some(dir) => Some(load_voices(dir)?),
        None => None,
    };
    let dir = cli.models.clone().unwrap_or_else(|| tiny_dir.join("official"));
    if cli.models.is_none() {
        eprintln!("note: no --models, serving the tiny test model (random weights: a test signal, not speech)");
    }
    let t0 = std::time::Instant::now();
    let tts =
        Tts::<CpuBackend>::from_dir(&dir, &TtsOptions::default(), &Default::default()).map_err(|e| e.to_string())?;
    eprintln!("loaded the {} models in {:.2} s", tts.version(), t0.elapsed().as_secs_f64());
    let voices = match preloaded {
        Some(v) => v,
        None => {
            let clip = read_wav(tiny_dir.join("io/ref_32k.wav")).map_err(|e| e.to_string())?;
            let t = Transcript::new("Hello there, how are you today", Lang::En);
            let v = tts.voice(&clip, Some(&t), &VoiceOptions::default()).map_err(|e| e.to_string())?;
            BTreeMap::from([("default".to_string(), v)])
        }
    };
    for v in voices.values() {
        tts.check_voice(v).map_err(|e| e.to_string())?;
    }
    eprintln!("voices: {:?}", voice_names(&voices));
    let config = ServerConfig {
        workers: cli.workers,
        queue: cli.queue,
        max_input_chars: cli.max_input_chars,
        max_body_bytes: cli.max_body_bytes,
    };
    let app = router(AppState::new(Arc::new(tts), voices, config));
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("--addr {addr}: {e}"))?;
        eprintln!("listening on http://{addr}");
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                tokio::signal::ctrl_c().await.ok();
                eprintln!("shutting down: finishing the running requests");
            })
            .await
            .map_err(|e| e.to_string())
    })
}
