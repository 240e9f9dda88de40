//! The HTTP server of `examples/server.rs`: one [`Tts`] shared by every request, saved voices
//! by name, OpenAI's `POST /v1/audio/speech` and upstream `api_v2`'s `/tts`, audio streamed as
//! it is made (chunked), a bounded queue (503 when full), request size limits, JSON errors.
//!
//! Routes:
//! - `GET /`: 200, `{"status": "ok", "version", "model", "sample_rate", "voices": [...], "busy",
//!   "capacity"}`.
//! - `POST /v1/audio/speech`: `{"input": TEXT, "voice": NAME, "response_format": "wav"|"pcm",
//!   "speed": 1.0, "lang": "auto"}` (OpenAI's shape; `model` and unknown fields are ignored,
//!   `lang` is an extension: the text language, default `auto`). `wav` is a streaming WAV (16-bit
//!   mono, the length fields set to the maximum), `pcm` raw 16-bit little-endian samples.
//! - `GET /tts?...` or `POST /tts {...}`: upstream `api_v2`'s parameters where they map:
//!   `text`, `text_lang`, `top_k`, `top_p`, `temperature`, `repetition_penalty`, `seed`,
//!   `speed_factor`, `text_split_method` (`cut0`..`cut5`), `batch_size`, `fragment_interval`
//!   (the pause), `streaming_mode` (0-3 or a bool), `min_chunk_length`, `overlap_length`,
//!   `media_type` (`wav`, `raw`); the voice is `voice` (a saved voice's name) instead of
//!   `ref_audio_path`/`prompt_text`, which a server reading paths from its clients should not
//!   take.
//!
//! Errors are `{"error": {"message", "type", "code"}}` with 400 (bad JSON or values), 404 (an
//! unknown voice), 413 (a body or text over the limits), 503 (the queue is full).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{CancelToken, StreamingMode, SynthesisParams, Tts, Voice};
use sovits_core::text::Lang;
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

/// Limits and sizes of a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Syntheses that run at once (they share the CPU).
    pub workers: usize,
    /// Requests that may wait for a worker; one more is answered 503.
    pub queue: usize,
    /// Longest text of one request, in characters.
    pub max_input_chars: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { workers: 1, queue: 8, max_input_chars: 5000, max_body_bytes: 256 * 1024 }
    }
}

/// What the handlers share.
pub struct AppState {
    tts: Arc<Tts<CpuBackend>>,
    voices: BTreeMap<String, Arc<Voice>>,
    config: ServerConfig,
    workers: Arc<Semaphore>,
    /// Requests admitted and not finished (running or waiting).
    in_flight: Arc<AtomicUsize>,
}

impl AppState {
    /// The state over loaded models and named voices.
    pub fn new(tts: Arc<Tts<CpuBackend>>, voices: BTreeMap<String, Voice>, config: ServerConfig) -> Arc<Self> {
        Arc::new(AppState {
            tts,
            voices: voices.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
            workers: Arc::new(Semaphore::new(config.workers.max(1))),
            in_flight: Arc::new(AtomicUsize::new(0)),
            config,
        })
    }
}

/// The saved voice files (`*.voice`, or any file that loads as one) of a folder, named by file
/// stem.
pub fn load_voices(dir: &Path) -> Result<BTreeMap<String, Voice>, String> {
    let mut out = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("--voices {}: {e}", dir.display()))?;
    for e in entries.flatten() {
        let p = e.path();
        if !p.is_file() {
            continue;
        }
        let Some(name) = p.file_stem().and_then(|s| s.to_str()) else { continue };
        let v = Voice::load(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        out.insert(name.to_string(), v);
    }
    if out.is_empty() {
        return Err(format!("--voices {}: no saved voice files in it (make them with --save-voice)", dir.display()));
    }
    Ok(out)
}

/// The router with its body limit.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/", get(status))
        .route("/v1/audio/speech", axum::routing::post(speech))
        .route("/tts", get(tts_get).post(tts_post))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// 16-bit little-endian PCM of float samples (clamped to [-1, 1], rounded).
pub fn pcm16(samples: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 2);
    for &s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// A WAV header for a stream of unknown length (16-bit mono; the size fields at their maximum,
/// which players read as "until the end").
pub fn streaming_wav_header(sample_rate: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&sample_rate.to_le_bytes());
    h.extend_from_slice(&(sample_rate * 2).to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&(u32::MAX - 36).to_le_bytes());
    h
}

fn error(status: StatusCode, kind: &str, message: impl Into<String>) -> Response {
    let body = json!({"error": {"message": message.into(), "type": kind, "code": status.as_u16()}});
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn bad(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request_error", message)
}

async fn status(State(s): State<Arc<AppState>>) -> Response {
    let body = json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "model": s.tts.version().to_string(),
        "sample_rate": s.tts.sample_rate(),
        "voices": s.voices.keys().collect::<Vec<_>>(),
        "busy": s.in_flight.load(Ordering::SeqCst),
        "capacity": s.config.workers + s.config.queue,
    });
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// `POST /v1/audio/speech`.
#[derive(Deserialize)]
struct SpeechRequest {
    input: String,
    voice: String,
    #[serde(default)]
    response_format: Option<String>,
    #[serde(default)]
    speed: Option<f32>,
    #[serde(default)]
    lang: Option<String>,
}

fn body_json<T: serde::de::DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, Box<Response>> {
    let bytes = body
        .map_err(|r| {
            let status = r.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                error(status, "invalid_request_error", "the request body is over the server's size limit")
            } else {
                error(status, "invalid_request_error", r.body_text())
            }
        })
        .map_err(Box::new)?;
    serde_json::from_slice(&bytes).map_err(|e| Box::new(bad(format!("the body is not the JSON this route takes: {e}"))))
}

async fn speech(State(s): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Response {
    let req: SpeechRequest = match body_json(body) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let format = match req.response_format.as_deref().unwrap_or("wav") {
        "wav" => Format::Wav,
        "pcm" => Format::Pcm,
        other => return bad(format!("response_format {other:?} is not served; use \"wav\" or \"pcm\"")),
    };
    let lang = match req.lang.as_deref().unwrap_or("auto").parse::<Lang>() {
        Ok(l) => l,
        Err(e) => return bad(e.to_string()),
    };
    let mut params = SynthesisParams::default();
    if let Some(speed) = req.speed {
        params.speed = speed;
    }
    start(&s, &req.voice, req.input, lang, params, format)
}

/// upstream `api_v2`'s `/tts` parameters (query string or JSON).
#[derive(Deserialize, Default)]
struct TtsRequest {
    text: Option<String>,
    text_lang: Option<String>,
    voice: Option<String>,
    ref_audio_path: Option<String>,
    top_k: Option<usize>,
    top_p: Option<f32>,
    temperature: Option<f32>,
    repetition_penalty: Option<f32>,
    seed: Option<i64>,
    speed_factor: Option<f32>,
    text_split_method: Option<String>,
    batch_size: Option<usize>,
    fragment_interval: Option<f32>,
    streaming_mode: Option<serde_json::Value>,
    min_chunk_length: Option<usize>,
    overlap_length: Option<usize>,
    media_type: Option<String>,
}

async fn tts_get(
    State(s): State<Arc<AppState>>,
    q: Result<Query<TtsRequest>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match q {
        Ok(Query(r)) => tts(&s, r),
        Err(e) => bad(format!("bad query parameters: {}", e.body_text())),
    }
}

async fn tts_post(State(s): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Response {
    match body_json::<TtsRequest>(body) {
        Ok(r) => tts(&s, r),
        Err(resp) => *resp,
    }
}

fn tts(s: &Arc<AppState>, r: TtsRequest) -> Response {
    if r.ref_audio_path.is_some() {
        return bad("this server takes saved voices, not reference paths: pass voice=<name> (GET / lists them)");
    }
    let Some(text) = r.text else { return bad("text is required") };
    let lang = match r.text_lang.as_deref().unwrap_or("auto").parse::<Lang>() {
        Ok(l) => l,
        Err(e) => return bad(format!("text_lang: {e}")),
    };
    let voice = match r.voice {
        Some(v) => v,
        None if s.voices.len() == 1 => s.voices.keys().next().cloned().unwrap_or_default(),
        None => return bad("voice is required (GET / lists the voices)"),
    };
    let format = match r.media_type.as_deref().unwrap_or("wav") {
        "wav" => Format::Wav,
        "raw" | "pcm" => Format::Pcm,
        other => return bad(format!("media_type {other:?} is not served; use \"wav\" or \"raw\"")),
    };
    let mut p = SynthesisParams::default();
    if let Some(v) = r.top_k {
        p.sampling.top_k = v;
    }
    if let Some(v) = r.top_p {
        p.sampling.top_p = v;
    }
    if let Some(v) = r.temperature {
        p.sampling.temperature = v;
    }
    if let Some(v) = r.repetition_penalty {
        p.sampling.repetition_penalty = v;
    }
    match r.seed {
        Some(v) if v >= 0 => p.sampling.seed = v as u64,
        Some(-1) | None => {}
        Some(v) => return bad(format!("seed must be >= 0 (or -1), got {v}")),
    }
    if let Some(v) = r.speed_factor {
        p.speed = v;
    }
    if let Some(m) = r.text_split_method {
        match m.parse() {
            Ok(c) => p.split = c,
            Err(e) => return bad(format!("text_split_method: {e}")),
        }
    }
    if let Some(v) = r.batch_size {
        p.batch_size = v;
    }
    if let Some(v) = r.fragment_interval {
        p.pause_seconds = v;
    }
    if let Some(v) = r.min_chunk_length {
        p.chunk_length = v;
    }
    if let Some(v) = r.overlap_length {
        p.overlap_length = v;
    }
    if let Some(m) = r.streaming_mode {
        p.streaming = match m {
            serde_json::Value::Bool(false) => StreamingMode::Sentence,
            serde_json::Value::Bool(true) => StreamingMode::FixedChunks,
            serde_json::Value::Number(n) => match n.as_u64() {
                Some(0 | 1) => StreamingMode::Sentence,
                Some(2) => StreamingMode::DynamicChunks,
                Some(3) => StreamingMode::FixedChunks,
                _ => return bad(format!("streaming_mode must be 0-3 or a bool, got {n}")),
            },
            serde_json::Value::String(t) => match t.parse() {
                Ok(m) => m,
                Err(e) => return bad(format!("streaming_mode: {e}")),
            },
            other => return bad(format!("streaming_mode must be 0-3 or a bool, got {other}")),
        };
    }
    start(s, &voice, text, lang, p, format)
}

#[derive(Clone, Copy)]
enum Format {
    Wav,
    Pcm,
}

/// Admits the request (or answers 503), then streams its audio from a worker thread.
fn start(
    s: &Arc<AppState>,
    voice: &str,
    text: String,
    lang: Lang,
    params: SynthesisParams,
    format: Format,
) -> Response {
    let Some(voice) = s.voices.get(voice).cloned() else {
        return error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!("no voice {voice:?}; the voices are {:?}", s.voices.keys().collect::<Vec<_>>()),
        );
    };
    let chars = text.chars().count();
    if chars > s.config.max_input_chars {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request_error",
            format!("the text has {chars} characters; this server takes at most {}", s.config.max_input_chars),
        );
    }
    if text.trim().is_empty() {
        return bad("the text is empty");
    }
    if let Err(e) = params.validate() {
        return bad(e.to_string());
    }
    let capacity = s.config.workers.max(1) + s.config.queue;
    if s.in_flight.fetch_add(1, Ordering::SeqCst) >= capacity {
        s.in_flight.fetch_sub(1, Ordering::SeqCst);
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_busy",
            format!("{capacity} requests are running or waiting; try again shortly"),
        );
    }
    let (tx, rx) = mpsc::channel::<Bytes>(32);
    let (tts, workers, in_flight) = (s.tts.clone(), s.workers.clone(), s.in_flight.clone());
    let sample_rate = tts.sample_rate();
    tokio::spawn(async move {
        let permit = workers.acquire_owned().await;
        // A panic in the synthesis ends the stream; the slot is given back either way.
        let _ = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            if matches!(format, Format::Wav)
                && tx.blocking_send(Bytes::from(streaming_wav_header(sample_rate))).is_err()
            {
                return;
            }
            let cancel = CancelToken::new();
            // A client that goes away closes the channel: the next chunk stops the synthesis.
            let _ = tts.synthesize_stream(&voice, &text, lang, &params, &cancel, |chunk| {
                tx.blocking_send(Bytes::from(pcm16(&chunk.samples))).is_ok()
            });
        })
        .await;
        in_flight.fetch_sub(1, Ordering::SeqCst);
    });
    let content_type = match format {
        Format::Wav => "audio/wav",
        Format::Pcm => "audio/pcm",
    };
    let body = Body::from_stream(ReceiverStream::new(rx).map(Ok::<_, Infallible>));
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The names of the voices, for logs.
pub fn voice_names(v: &BTreeMap<String, Voice>) -> Vec<String> {
    v.keys().cloned().collect()
}
