//! HuBERT and BERT from Hugging Face folders (both file formats), the tokenizer against the
//! reference implementation, and the reference-audio front.

use std::path::{Path, PathBuf};

use sovits_core::Error;
use sovits_core::audio::{Audio, read_wav};
use sovits_core::backend::CpuBackend;
use sovits_core::models::bert::{BertModel, BertTokenizer};
use sovits_core::models::common::to_vec_f32;
use sovits_core::models::hubert::HubertModel;
use sovits_core::models::sovits::{SovitsConfig, SynthesizerTrn};
use sovits_core::pipeline::{ReferenceOptions, prompt_semantic};
use sovits_core::weights::TensorStore;

type B = CpuBackend;

fn root(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(rel)
}

fn tiny(rel: &str) -> PathBuf {
    root("parity/tiny").join(rel)
}

/// A copy of an official folder with one of its weight files removed.
fn folder_without(src: &str, drop: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sovits-hf-{}-{}", std::process::id(), drop.replace('.', "_")));
    let dst = dir.join(Path::new(src).file_name().unwrap());
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(tiny(src)).unwrap() {
        let e = e.unwrap();
        if e.file_name() != drop {
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
    dst
}

#[test]
fn tokenizer_matches_the_reference_tokenizer() {
    let dir = tiny("official/chinese-roberta-wwm-ext-large");
    let from_json = BertTokenizer::from_folder(&dir).unwrap();
    let from_txt = BertTokenizer::from_vocab_txt(dir.join("vocab.txt")).unwrap();
    assert_eq!(from_json.vocab_size(), 21128);
    let cases = std::fs::read_to_string(root("tokenizer_cases.jsonl")).unwrap();
    let mut n = 0;
    for line in cases.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = j["text"].as_str().unwrap();
        let want: Vec<u32> = j["ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
        assert_eq!(from_json.encode(text), want, "tokenizer.json on {text:?}");
        assert_eq!(from_txt.encode(text), want, "vocab.txt on {text:?}");
        n += 1;
    }
    assert!(n >= 30);
}

#[test]
fn hubert_bin_and_safetensors_folders_agree() {
    let dev = Default::default();
    let st_only = folder_without("official/chinese-hubert-base", "pytorch_model.bin");
    let bin_only = folder_without("official/chinese-hubert-base", "model.safetensors");
    let a = HubertModel::<B>::from_folder(&st_only, &dev).unwrap();
    let b = HubertModel::<B>::from_folder(&bin_only, &dev).unwrap();
    let wav: Vec<f32> = (0..8000).map(|i| ((i as f32) * 0.013).sin() * 0.4).collect();
    let ya = to_vec_f32(a.forward(&wav).unwrap().last_hidden_state());
    let yb = to_vec_f32(b.forward(&wav).unwrap().last_hidden_state());
    assert_eq!(ya, yb);
    assert_eq!(a.config().hidden_size, 64);
}

#[test]
fn bert_bin_and_safetensors_folders_agree() {
    let dev = Default::default();
    let st_only = folder_without("official/chinese-roberta-wwm-ext-large", "pytorch_model.bin");
    let bin_only = folder_without("official/chinese-roberta-wwm-ext-large", "model.safetensors");
    let a = BertModel::<B>::from_folder(&st_only, None, &dev).unwrap();
    let b = BertModel::<B>::from_folder(&bin_only, None, &dev).unwrap();
    assert_eq!(a.layers.len(), 2, "only the layers up to hidden_states[-3] are loaded");
    let tok = BertTokenizer::from_folder(&st_only).unwrap();
    let ids = tok.encode("你好，世界。");
    assert_eq!(to_vec_f32(a.features(&ids).unwrap()), to_vec_f32(b.features(&ids).unwrap()));
    assert_eq!(a.features(&ids).unwrap().dims(), [6, 64]);
}

#[test]
fn folder_errors_are_clear() {
    let dev = Default::default();
    let no_cfg = folder_without("official/chinese-hubert-base", "config.json");
    let e = HubertModel::<B>::from_folder(&no_cfg, &dev).unwrap_err();
    assert!(matches!(&e, Error::Config(m) if m.contains("config.json")), "{e}");
    let e = BertModel::<B>::from_folder(tiny("official/chinese-hubert-base"), None, &dev).unwrap_err();
    assert!(e.to_string().contains("`hubert` model, expected `bert`"), "{e}");
    // A missing folder is an I/O error naming it.
    let e = HubertModel::<B>::from_folder(tiny("official/nope"), &dev).unwrap_err();
    assert!(matches!(&e, Error::Io { .. }) && e.to_string().contains("official/nope"), "{e}");
    // Full-size configs parse (architecture fields only).
    for (dir, kind) in [("chinese-hubert-base", "hubert"), ("chinese-roberta-wwm-ext-large", "bert")] {
        let j: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(tiny(&format!("official/full_size_configs/{dir}/config.json"))).unwrap(),
        )
        .unwrap();
        if kind == "hubert" {
            let c = sovits_core::models::hubert::HubertConfig::from_json(&j).unwrap();
            assert_eq!(c, sovits_core::models::hubert::HubertConfig::base());
        } else {
            let c = sovits_core::models::bert::BertConfig::from_json(&j).unwrap();
            assert_eq!(c, sovits_core::models::bert::BertConfig::large());
        }
    }
}

fn front_models() -> (HubertModel<B>, SynthesizerTrn<B>) {
    let dev = Default::default();
    let h = HubertModel::<B>::from_folder(tiny("official/chinese-hubert-base"), &dev).unwrap();
    let cfg = SovitsConfig::from_json_file(tiny("configs/sovits.json")).unwrap();
    let s = SynthesizerTrn::<B>::from_file(tiny("weights/sovits.safetensors"), Some(&cfg), &dev).unwrap().0;
    (h, s)
}

/// The front of the e2e case: reference WAV -> + 9600 zeros -> HuBERT -> codes, exactly.
#[test]
fn reference_front_matches_the_e2e_case() {
    let (h, s) = front_models();
    let wav = read_wav(tiny("io/ref_16k.wav")).unwrap();
    let codes = prompt_semantic(&h, &s, &wav, &ReferenceOptions::default()).unwrap();
    let e2e = TensorStore::from_safetensors_file(tiny("io/e2e.safetensors")).unwrap();
    let want: Vec<u32> = e2e.get("out.prompt").unwrap().to_i64().into_iter().map(|v| v as u32).collect();
    assert_eq!(codes, want);
}

#[test]
fn reference_length_rate_and_silence() {
    let (h, s) = front_models();
    let opts = ReferenceOptions::default();
    let wav = read_wav(tiny("io/ref_32k.wav")).unwrap(); // 3.2 s
    let tone = |sr: u32, secs: f64| Audio {
        samples: (0..(sr as f64 * secs) as usize)
            .map(|i| ((i as f64 * 440.0 / sr as f64) * std::f64::consts::TAU).sin() as f32 * 0.3)
            .collect(),
        sample_rate: sr,
    };
    // 0.1 s and 12 s are refused like upstream does, unless allowed.
    for secs in [0.1, 12.0] {
        let e = prompt_semantic(&h, &s, &tone(16000, secs), &opts).unwrap_err();
        assert!(e.to_string().contains("3-10 s"), "{e}");
    }
    let long =
        prompt_semantic(&h, &s, &tone(16000, 12.0), &ReferenceOptions { allow_any_length: true, ..opts.clone() });
    assert_eq!(long.unwrap().len(), (12 * 16000 + 9600) / 320 / 2 - 1);
    // Silence is refused.
    let silent = Audio { samples: vec![0.0; 64000], sample_rate: 16000 };
    assert!(prompt_semantic(&h, &s, &silent, &opts).unwrap_err().to_string().contains("silent"));
    // 8 kHz mono and 48 kHz (as mixed-down stereo) work after resampling: same token count.
    for sr in [8000u32, 48000] {
        let samples = sovits_core::audio::resample(&wav.samples, 32000, sr).unwrap();
        let codes = prompt_semantic(&h, &s, &Audio { samples, sample_rate: sr }, &opts).unwrap();
        assert_eq!(codes.len(), 94, "{sr} Hz");
    }
}
