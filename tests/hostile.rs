//! Hostile input never crashes, hangs or allocates without bound: one regression test per
//! class of bug found by the fuzz targets (`fuzz/`) and by hand. Every input is small; each
//! call must come back with an error (or a sane result) in seconds. The handmade files are in
//! `tests/fixtures/hostile/` (written by `fuzz/make_seeds.py`).

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use safetensors::tensor::{Dtype, TensorView};
use sovits_core::Error;
use sovits_core::audio::{Audio, read_wav, read_wav_bytes};
use sovits_core::backend::CpuBackend;
use sovits_core::models::bert::BertTokenizer;
use sovits_core::models::gpt::{GptConfig, Text2SemanticDecoder};
use sovits_core::models::hubert::HubertConfig;
use sovits_core::models::sovits::{SovitsConfig, SynthesizerTrn};
use sovits_core::pipeline::{Voice, check_reference};
use sovits_core::text::Lang;
use sovits_core::text::phonemize;
use sovits_core::weights::{self, TensorStore, TorchFile, detect_sovits_version, pickle};

fn hostile(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile")).join(name)
}

/// Runs `f` on its own thread and fails the test if it takes longer than `secs` (a hang
/// detector with a generous bound, not a speed measurement).
fn within<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let t0 = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(_) => panic!("{what} took more than {secs} s (started {:?} ago)", t0.elapsed()),
    }
}

fn err_text<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

// ---- the pickle VM ------------------------------------------------------------------------

#[test]
fn pickle_eight_byte_lengths_do_not_overflow() {
    // BINUNICODE8 / BINBYTES8 with a length of 2^64 - 1: `pos + n` used to overflow (panic).
    for op in [0x8du8, 0x8e] {
        let mut p = vec![0x80, 4, op];
        p.extend_from_slice(&u64::MAX.to_le_bytes());
        p.extend_from_slice(b"abc.");
        let e = pickle::load(&p).unwrap_err();
        assert!(e.0.contains("truncated"), "{}", e.0);
    }
}

#[test]
fn pickle_memo_doubling_is_refused() {
    // 146 bytes: memo 0 = (memo0, memo0), forty times: 2^40 values if GETs are deep copies.
    let mut p = vec![0x80, 2, b']', b'q', 0];
    for _ in 0..40 {
        p.extend_from_slice(&[b'h', 0, b'h', 0, 0x86, b'q', 0, b'0']);
    }
    p.extend_from_slice(b"h\x00.");
    let e = within(5, "memo doubling", move || pickle::load(&p).unwrap_err());
    assert!(e.0.contains("expands"), "{}", e.0);
    // Sharing itself is fine: ten levels of doubling (1024 leaves) load.
    let mut p = vec![0x80, 2, b']', b'q', 0];
    for _ in 0..10 {
        p.extend_from_slice(&[b'h', 0, b'h', 0, 0x86, b'q', 0, b'0']);
    }
    p.extend_from_slice(b"h\x00.");
    let v = pickle::load(&p).unwrap();
    assert!(matches!(v, pickle::Value::Tuple(ref t) if t.len() == 2));
}

#[test]
fn pickle_deep_nesting_is_an_error_not_a_stack_overflow() {
    // A million nested 1-tuples (1 MB) and a million nested lists via MARK/LIST.
    let mut tuples = vec![0x80, 2, b'N'];
    tuples.extend(std::iter::repeat_n(0x85u8, 1_000_000));
    tuples.push(b'.');
    let mut lists = vec![0x80, 2];
    lists.extend(std::iter::repeat_n(b'(', 1_000_000));
    lists.extend(std::iter::repeat_n(b'l', 1_000_000));
    lists.push(b'.');
    for p in [tuples, lists] {
        let e = within(10, "deep nesting", move || pickle::load(&p).unwrap_err());
        assert!(e.0.contains("levels deep"), "{}", e.0);
    }
    // A list that contains itself.
    let e = pickle::load(b"\x80\x02]q\x00h\x00a.").unwrap_err();
    assert!(e.0.contains("contains itself"), "{}", e.0);
}

#[test]
fn pickle_dict_building_is_linear() {
    // 200 000 distinct keys (about 3 MB): the old per-key scan took minutes.
    let n = 200_000u32;
    let mut p = vec![0x80, 2, b'}', b'('];
    for i in 0..n {
        let k = format!("k{i}");
        p.push(b'X');
        p.extend_from_slice(&(k.len() as u32).to_le_bytes());
        p.extend_from_slice(k.as_bytes());
        p.push(b'J');
        p.extend_from_slice(&i.to_le_bytes());
    }
    p.extend_from_slice(b"u.");
    let v = within(20, "a 200k-key dict", move || pickle::load(&p).unwrap());
    let pickle::Value::Dict(items) = v else { panic!("not a dict") };
    assert_eq!(items.len(), n as usize);
    // A repeated key replaces the earlier value, as in Python.
    let v = pickle::load(b"\x80\x02}(X\x01\x00\x00\x00aK\x01X\x01\x00\x00\x00aK\x02u.").unwrap();
    assert_eq!(v.get("a"), Some(&pickle::Value::Int(2)));
}

#[test]
fn pickle_memo_mutation_is_shared_like_python() {
    // d = {}; memo[0] = d; d['x'] = 1; [memo[0]] -> [{'x': 1}] (a deep copy at PUT lost it).
    let v = pickle::load(b"\x80\x02]q\x01}q\x00X\x01\x00\x00\x00xK\x01sah\x00a.").unwrap();
    let pickle::Value::List(items) = v else { panic!("not a list") };
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].get("x"), Some(&pickle::Value::Int(1)));
    assert_eq!(items[1].get("x"), Some(&pickle::Value::Int(1)));
}

// ---- the torch reader ---------------------------------------------------------------------

fn torch_err(name: &str) -> String {
    let path = hostile(name);
    let what = name.to_string();
    within(10, &what, move || err_text(weights::load_state_dict(&path, Some("weight")).map(|l| l.tensors.len())))
}

#[test]
fn torch_views_are_bounds_checked_before_allocating() {
    // Storage offset -1 (read 4 bytes before the storage in release builds).
    let e = torch_err("negative_offset.pth");
    assert!(e.contains("storage offset"), "{e}");
    // A [2^62, 8] shape wrapped to 0 elements and loaded as empty.
    let e = torch_err("huge_shape.pth");
    assert!(e.contains("overflows"), "{e}");
    // A stride-0 view of 2^40 elements reserved 2 TB before any check.
    let e = torch_err("broadcast_view.pth");
    assert!(e.contains("reaches past") || e.contains("repeated elements"), "{e}");
}

#[test]
fn zip_entries_claiming_more_than_the_file_are_refused() {
    let e = torch_err("claims_4gb_entry.pth");
    assert!(e.contains("corrupt") || e.contains("zip"), "{e}");
}

#[test]
fn deeply_nested_config_is_an_error() {
    // 100 000 nested tuples in `config` (a 100 kB .pth) overflowed the stack converting to JSON.
    let e = torch_err("deep_config.pth");
    assert!(e.contains("levels deep"), "{e}");
}

#[test]
fn weights_of_the_wrong_rank_do_not_panic() {
    // Scalars and 1-D tensors where version detection and config inference read shape[0/1].
    let loaded = weights::load_state_dict(hostile("scalar_weights.pth"), Some("weight")).unwrap();
    let _ = detect_sovits_version(&loaded.tensors, None);
    let mut c = SovitsConfig::v2();
    c.infer_from_weights(&loaded.tensors);
    assert_eq!(c, SovitsConfig { ..SovitsConfig::v2() }, "tensors of the wrong rank are not read");
    let e = err_text(SynthesizerTrn::<CpuBackend>::from_file(hostile("scalar_weights.pth"), None, &Default::default()));
    assert!(e.contains("v2Pro") || e.contains("do not match"), "{e}");
    // The same through safetensors.
    let scalar = 1f32.to_le_bytes();
    let views = vec![
        ("dec.conv_pre.weight".to_string(), TensorView::new(Dtype::F32, vec![], &scalar).unwrap()),
        ("sv_emb.x".to_string(), TensorView::new(Dtype::F32, vec![1], &scalar).unwrap()),
        ("ssl_proj.weight".to_string(), TensorView::new(Dtype::F32, vec![1], &scalar).unwrap()),
    ];
    let bytes = safetensors::serialize(views, None).unwrap();
    let store = TensorStore::from_safetensors_bytes(bytes, "<test>").unwrap();
    let _ = detect_sovits_version(&store, None);
    SovitsConfig::v2().infer_from_weights(&store);
}

// ---- configs and placeholders -------------------------------------------------------------

#[test]
fn config_sizes_are_bounded() {
    // hidden_channels 2^20 in a 1 kB .pth asked for terabytes.
    let e = within(10, "huge hidden_channels", || {
        err_text(SynthesizerTrn::<CpuBackend>::from_file(hostile("huge_hidden.pth"), None, &Default::default()))
    });
    assert!(e.contains("hidden_channels"), "{e}");
    let bad = |j: serde_json::Value| SovitsConfig::from_json(&j).unwrap_err().to_string();
    assert!(
        bad(serde_json::json!({"model": {"upsample_rates": [64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64]}}))
            .contains("upsample")
    );
    assert!(bad(serde_json::json!({"model": {"upsample_kernel_sizes": [1, 1, 1, 1, 1]}})).contains("kernel"));
    assert!(bad(serde_json::json!({"data": {"hop_length": 4096, "filter_length": 2048}})).contains("hop_length"));
    assert!(bad(serde_json::json!({"data": {"sampling_rate": 1}})).contains("sampling_rate"));
    assert!(bad(serde_json::json!({"model": {"n_heads": 0}})).contains("n_heads"));
    // vocab_size 0 underflowed computing EOS.
    let e = GptConfig::from_json(&serde_json::json!({"model": {"vocab_size": 0}})).unwrap_err().to_string();
    assert!(e.contains("vocab_size"), "{e}");
    let e = GptConfig::from_json(&serde_json::json!({"model": {"EOS": 1u64 << 40}})).unwrap_err().to_string();
    assert!(e.contains("EOS"), "{e}");
    let mut hj: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/parity/tiny/official/chinese-hubert-base/config.json")).unwrap();
    hj["conv_stride"] = serde_json::json!([64, 64, 64, 64, 64, 64, 64]);
    assert!(HubertConfig::from_json(&hj).unwrap_err().to_string().contains("conv_stride"));
}

#[test]
fn an_empty_checkpoint_fails_before_building_the_model() {
    // An empty GPT .ckpt at v2 sizes zero-filled 317 MB of placeholders before its error.
    let e = within(10, "empty GPT", || {
        match Text2SemanticDecoder::<CpuBackend>::from_file(hostile("empty_gpt.ckpt"), None, &Default::default()) {
            Ok(_) => panic!("an empty checkpoint loaded"),
            Err(e) => e,
        }
    });
    let Error::WeightsMismatch { stopped_early, missing, .. } = &e else { panic!("{e}") };
    assert!(*stopped_early, "{e}");
    assert!(!missing.is_empty() && missing.len() < 50, "{} missing listed", missing.len());
    assert!(e.to_string().contains("stopped early"), "{e}");
}

// ---- WAV ----------------------------------------------------------------------------------

#[test]
fn wav_rates_and_lengths_are_checked_before_any_work() {
    // 40 kB at 1 Hz took > 2 GB and minutes once resampled.
    let e = within(5, "1 Hz WAV", || err_text(read_wav(hostile("rate_1hz.wav"))));
    assert!(e.contains("1 Hz"), "{e}");
    // A header claiming 4 billion samples over 100 real ones.
    let e = within(5, "4G-sample header", || err_text(read_wav(hostile("claims_4g_samples.wav"))));
    assert!(e.contains("long"), "{e}");
    // Audio built in memory gets the same checks at the reference front.
    let a = Audio { samples: vec![0.1; 40_000], sample_rate: 1 };
    assert!(check_reference(&a).unwrap_err().to_string().contains("1 Hz"));
    let a = Audio { samples: vec![0.1; 16_000 * 31], sample_rate: 16_000 };
    assert!(check_reference(&a).unwrap_err().to_string().contains("at most 30 s"));
    assert!(read_wav_bytes(b"RIFF\x00\x00\x00\x00WAVE").is_err());
}

// ---- voice files --------------------------------------------------------------------------

fn voice_bytes(tensors: Vec<(&str, Dtype, Vec<usize>, Vec<u8>)>) -> Vec<u8> {
    let views: Vec<(String, TensorView<'_>)> =
        tensors.iter().map(|(n, d, s, b)| (n.to_string(), TensorView::new(*d, s.clone(), b).unwrap())).collect();
    let meta = std::collections::HashMap::from([
        ("format".to_string(), "sovits-voice".to_string()),
        ("version".to_string(), "1".to_string()),
    ]);
    safetensors::serialize(views, Some(meta)).unwrap()
}

#[test]
fn voice_files_are_checked_completely() {
    let f32s = |n: usize| (0..n).flat_map(|i| (i as f32).to_le_bytes()).collect::<Vec<u8>>();
    let base = || {
        vec![
            ("prompt_tokens", Dtype::U32, vec![0], vec![]),
            ("prompt_phones", Dtype::U32, vec![0], vec![]),
            ("prompt_bert", Dtype::F32, vec![8, 0], vec![]),
            ("refer.0", Dtype::F32, vec![9, 2], f32s(18)),
        ]
    };
    let v = Voice::from_bytes(&voice_bytes(base())).unwrap();
    assert_eq!(Voice::from_bytes(&v.to_bytes().unwrap()).unwrap(), v, "a loaded voice saves");
    // refer.1 stored as U8 panicked inside burn during synthesis.
    let mut t = base();
    t.push(("refer.1", Dtype::U8, vec![9, 2], vec![0; 18]));
    assert!(err_text(Voice::from_bytes(&voice_bytes(t))).contains("refer.1"));
    // Zero frames; a gap in the numbering; a stray tensor; tokens without phones.
    let mut t = base();
    t[3] = ("refer.0", Dtype::F32, vec![9, 0], vec![]);
    assert!(err_text(Voice::from_bytes(&voice_bytes(t))).contains("reference 0"));
    let mut t = base();
    t.push(("refer.2", Dtype::F32, vec![9, 2], f32s(18)));
    assert!(err_text(Voice::from_bytes(&voice_bytes(t))).contains("refer.1"));
    let mut t = base();
    t.push(("extra", Dtype::F32, vec![1], f32s(1)));
    assert!(err_text(Voice::from_bytes(&voice_bytes(t))).contains("unexpected"));
    let mut t = base();
    t[0] = ("prompt_tokens", Dtype::U32, vec![2], vec![1, 0, 0, 0, 2, 0, 0, 0]);
    assert!(err_text(Voice::from_bytes(&voice_bytes(t))).contains("both"));
    // Declared dtype ignored: prompt tokens stored as F32.
    let mut t = base();
    t[0] = ("prompt_tokens", Dtype::F32, vec![1], f32s(1));
    assert!(err_text(Voice::from_bytes(&voice_bytes(t))).contains("prompt_tokens"));
    // NaN spectrograms.
    let mut t = base();
    t[3] = ("refer.0", Dtype::F32, vec![9, 1], [f32::NAN; 9].iter().flat_map(|v| v.to_le_bytes()).collect());
    assert!(err_text(Voice::from_bytes(&voice_bytes(t))).contains("NaN"));
}

// ---- text ---------------------------------------------------------------------------------

#[test]
fn long_runs_of_one_character_are_linear_or_refused() {
    // One repeated Han character was quadratic (100k characters 30 s, 1 MB > 60 s).
    let mb: String = "的".repeat(350_000);
    let e = within(5, "1 MB of one character", move || err_text(phonemize(&mb, Lang::AllZh)));
    assert!(e.contains("at most"), "{e}");
    let run: String = "的".repeat(20_000);
    let n = within(60, "20k Han characters", move || phonemize(&run, Lang::AllZh).unwrap().len());
    assert_eq!(n, 40_000);
    let run: String = "a".repeat(5_000);
    within(60, "5k letters", move || phonemize(&run, Lang::En).unwrap());
}

#[test]
#[cfg(not(feature = "ko"))]
fn the_auto_error_quotes_only_the_start_of_the_text() {
    let ko: String = "안녕하세요".repeat(2000);
    let e = err_text(phonemize(&ko, Lang::Auto));
    assert!(e.len() < 400, "{} bytes of message", e.len());
}

#[test]
#[cfg(feature = "ko")]
fn long_korean_runs_in_bounded_time() {
    // One 20k-character sentence: one MeCab lattice and g2pk2's 400-odd table passes over it.
    let run: String = "값없이닭을삶다".repeat(20_000 / 7);
    let n = within(60, "20k Hangul syllables", move || phonemize(&run, Lang::AllKo).unwrap().len());
    assert!(n > 40_000, "{n}");
    let run: String = "1".repeat(19_000) + "개";
    within(60, "a 19k-digit number", move || phonemize(&run, Lang::Ko).unwrap());
}

#[test]
fn tokenizer_word_length_is_bounded() {
    // max_input_chars_per_word = 10^9 made tokenizing one long word cubic.
    let json = r###"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "max_input_chars_per_word": 1000000000,
        "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "##a": 4, "ab": 5}}}"###;
    let t = BertTokenizer::from_tokenizer_json_str(json, "<test>").unwrap();
    let word: String = "ab".repeat(50_000);
    let ids = within(10, "a 100k-letter word", move || t.encode(&word));
    assert_eq!(ids, vec![1, 0, 2], "longer than 1000 characters: [UNK]");
    let t = BertTokenizer::from_tokenizer_json_str(json, "<test>").unwrap();
    assert_eq!(t.encode(&"a".repeat(500)), [vec![1, 3], vec![4; 499], vec![2]].concat());
}

#[test]
fn torch_file_from_bytes_survives_truncation_everywhere() {
    // Every prefix of a real checkpoint is an error, never a panic.
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/checkpoint/gpt_micro.ckpt")).unwrap();
    for n in (0..bytes.len()).step_by(97) {
        assert!(TorchFile::from_bytes(bytes[..n].to_vec(), "<prefix>").is_err(), "prefix {n}");
    }
    assert!(TorchFile::from_bytes(bytes, "<whole>").is_ok());
}

#[test]
fn safetensors_headers_claiming_huge_tensors_are_refused() {
    // A header that claims a 100 GB tensor over 8 bytes of data.
    let header = br#"{"w":{"dtype":"F32","shape":[25000000000],"data_offsets":[0,100000000000]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header);
    bytes.extend_from_slice(&[0; 8]);
    let e = within(5, "a 100 GB safetensors claim", move || {
        TensorStore::from_safetensors_bytes(bytes, "<test>").map(|s| s.len()).unwrap_err().to_string()
    });
    assert!(e.contains("safetensors"), "{e}");
    // A header length beyond the file.
    let mut bytes = u64::MAX.to_le_bytes().to_vec();
    bytes.extend_from_slice(b"{}");
    assert!(TensorStore::from_safetensors_bytes(bytes, "<test>").is_err());
}

#[test]
fn a_ten_thousand_character_document_phonemizes_sentence_by_sentence() {
    use sovits_core::text::split::{CutMethod, sentences};
    let doc: String = [
        "今天天气很好，我们去公园散步吧。",
        "The meeting starts at 10:30 tomorrow, so please be on time.",
        "我用ChatGPT写了123行代码，效果不错！",
    ]
    .iter()
    .cycle()
    .take(360)
    .copied()
    .collect();
    assert!(doc.chars().count() > 10_000);
    let n = within(120, "a 10k-character document", move || {
        let parts = sentences(&doc, Lang::Zh, CutMethod::Cut5).unwrap();
        parts.iter().map(|s| phonemize(s, Lang::Zh).map(|p| p.len()).unwrap_or(0)).sum::<usize>()
    });
    assert!(n > 10_000, "{n} phones");
}
