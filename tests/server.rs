//! The HTTP server (`src/server.rs`, `examples/server.rs`) on 127.0.0.1 with the tiny model:
//! concurrent requests with different voices give the audio of direct calls; bad JSON, an
//! unknown voice, an oversize body or text, and a full queue give 4xx/503 with a JSON error.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};

use sovits_core::audio::read_wav;
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{SynthesisParams, Transcript, Tts, TtsOptions, Voice, VoiceOptions};
use sovits_core::text::Lang;
use sovits_suite::server::{AppState, ServerConfig, pcm16, router};

fn tts() -> Arc<Tts<CpuBackend>> {
    static T: OnceLock<Arc<Tts<CpuBackend>>> = OnceLock::new();
    T.get_or_init(|| {
        Arc::new(
            Tts::load(&sovits_suite::fixtures::tiny_model_paths(), &TtsOptions::default(), &Default::default())
                .expect("tiny model"),
        )
    })
    .clone()
}

fn voices() -> BTreeMap<String, Voice> {
    let clip = read_wav(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny/io/ref_32k.wav")).unwrap();
    let t = tts();
    let alice =
        t.voice(&clip, Some(&Transcript::new("Hello there, how are you today", Lang::En)), &VoiceOptions::default());
    let bob = t.voice(&clip, None, &VoiceOptions::default());
    BTreeMap::from([("alice".to_string(), alice.unwrap()), ("bob".to_string(), bob.unwrap())])
}

/// Starts a server on a free port in a thread of its own; returns its address.
fn serve(config: ServerConfig) -> SocketAddr {
    let app = router(AppState::new(tts(), voices(), config));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// One HTTP/1.1 request (Connection: close), the chunked body decoded.
fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("headers") + 4;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string())
        })
    };
    let mut rest = &raw[split..];
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let mut out = Vec::new();
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16).unwrap();
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        out
    } else {
        rest.to_vec()
    };
    Reply { status, content_type: header("content-type").unwrap_or_default(), body }
}

fn json_error(r: &Reply) -> String {
    assert_eq!(r.content_type, "application/json", "status {}", r.status);
    let j: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    j["error"]["message"].as_str().unwrap().to_string()
}

#[test]
fn concurrent_requests_give_the_audio_of_direct_calls() {
    let addr = serve(ServerConfig { workers: 2, ..Default::default() });
    let status = request(addr, "GET", "/", b"");
    assert_eq!(status.status, 200);
    let j: serde_json::Value = serde_json::from_slice(&status.body).unwrap();
    assert_eq!(j["voices"], serde_json::json!(["alice", "bob"]));

    let voices = voices();
    let cases =
        [("alice", "Hello there. How are you?"), ("bob", "A different sentence."), ("alice", "Third one here.")];
    let handles: Vec<_> = cases
        .iter()
        .map(|&(voice, text)| {
            std::thread::spawn(move || {
                let body = serde_json::json!({"input": text, "voice": voice, "response_format": "pcm", "lang": "en"});
                request(addr, "POST", "/v1/audio/speech", body.to_string().as_bytes())
            })
        })
        .collect();
    for (h, (voice, text)) in handles.into_iter().zip(cases) {
        let r = h.join().unwrap();
        assert_eq!((r.status, r.content_type.as_str()), (200, "audio/pcm"));
        let direct = tts().synthesize(&voices[voice], text, Lang::En, &SynthesisParams::default()).unwrap();
        assert_eq!(r.body, pcm16(&direct.samples), "{voice}: {text}");
    }
    // The api_v2 route, as a streaming WAV: the header, then the same samples.
    let r = request(addr, "GET", "/tts?text=Hello%20there.%20How%20are%20you%3F&text_lang=en&voice=alice", b"");
    assert_eq!((r.status, r.content_type.as_str()), (200, "audio/wav"));
    let direct = tts().synthesize(&voices["alice"], "Hello there. How are you?", Lang::En, &SynthesisParams::default());
    assert_eq!(&r.body[..4], b"RIFF");
    assert_eq!(r.body[44..], pcm16(&direct.unwrap().samples));
    let post = serde_json::json!({"text": "Hi there friend.", "text_lang": "en", "voice": "bob", "streaming_mode": 3, "media_type": "raw"});
    let r = request(addr, "POST", "/tts", post.to_string().as_bytes());
    assert_eq!(r.status, 200);
    assert!(r.body.len() > 1000);
}

#[test]
fn bad_requests_get_json_errors() {
    let addr = serve(ServerConfig { max_body_bytes: 4096, max_input_chars: 100, ..Default::default() });
    let r = request(addr, "POST", "/v1/audio/speech", b"{not json");
    assert_eq!(r.status, 400);
    assert!(json_error(&r).contains("JSON"));
    let r = request(addr, "POST", "/v1/audio/speech", br#"{"input": "Hi.", "voice": "nobody"}"#);
    assert_eq!(r.status, 404);
    assert!(json_error(&r).contains("alice"));
    let r =
        request(addr, "POST", "/v1/audio/speech", br#"{"input": "Hi.", "voice": "alice", "response_format": "mp3"}"#);
    assert_eq!(r.status, 400);
    let r = request(addr, "POST", "/v1/audio/speech", br#"{"input": "Hi.", "voice": "alice", "speed": -2}"#);
    assert_eq!(r.status, 400);
    assert!(json_error(&r).contains("speed"));
    let r = request(addr, "POST", "/v1/audio/speech", br#"{"input": "   ", "voice": "alice"}"#);
    assert_eq!(r.status, 400);
    let big = format!(r#"{{"input": "{}", "voice": "alice"}}"#, "a".repeat(10_000));
    let r = request(addr, "POST", "/v1/audio/speech", big.as_bytes());
    assert_eq!(r.status, 413);
    json_error(&r);
    let long = format!(r#"{{"input": "{}", "voice": "alice"}}"#, "word ".repeat(50));
    let r = request(addr, "POST", "/v1/audio/speech", long.as_bytes());
    assert_eq!(r.status, 413);
    let r = request(addr, "GET", "/tts?text=Hi&top_k=lots", b"");
    assert_eq!(r.status, 400);
    let r = request(addr, "GET", "/tts?text=Hi&ref_audio_path=/etc/passwd", b"");
    assert_eq!(r.status, 400);
    assert!(json_error(&r).contains("voice"));
    let r = request(addr, "GET", "/tts?text=Hi&voice=alice&text_lang=klingon", b"");
    assert_eq!(r.status, 400);
}

#[test]
fn a_full_queue_answers_503() {
    let addr = serve(ServerConfig { workers: 1, queue: 0, ..Default::default() });
    // One long request holds the only slot while the second arrives.
    let long = serde_json::json!({"input": "This is a long text. ".repeat(20), "voice": "alice", "lang": "en", "response_format": "pcm"});
    let first = std::thread::spawn(move || request(addr, "POST", "/v1/audio/speech", long.to_string().as_bytes()));
    let mut saw_503 = false;
    for _ in 0..200 {
        std::thread::sleep(std::time::Duration::from_millis(10));
        let r = request(addr, "POST", "/v1/audio/speech", br#"{"input": "Hi there.", "voice": "alice", "lang": "en"}"#);
        if r.status == 503 {
            assert!(json_error(&r).contains("try again"));
            saw_503 = true;
            break;
        }
    }
    assert!(saw_503, "no 503 while the only slot was busy");
    assert_eq!(first.join().unwrap().status, 200);
}
