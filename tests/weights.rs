//! The weight loaders on the official file formats (`tests/fixtures/parity/tiny/official/`)
//! and on broken input.

use std::path::PathBuf;

use safetensors::tensor::TensorView;
use sovits_core::Error;
use sovits_core::backend::CpuBackend;
use sovits_core::models::sovits::{SovitsConfig, SynthesizerTrn};
use sovits_core::weights::{self, ModelVersion, TensorStore};

fn tiny(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny")).join(rel)
}

fn assert_same_tensors(a: &TensorStore, b: &TensorStore, skip: &[&str]) {
    let ka: Vec<&str> = a.keys().filter(|k| !skip.contains(k)).collect();
    let kb: Vec<&str> = b.keys().filter(|k| !skip.contains(k)).collect();
    assert_eq!(ka, kb, "key sets differ");
    for k in ka {
        let (x, y) = (a.get(k).unwrap(), b.get(k).unwrap());
        assert_eq!(x.shape, y.shape, "{k}");
        assert_eq!(x.dtype, y.dtype, "{k}");
        if x.dtype.is_float() {
            assert_eq!(x.to_f32(), y.to_f32(), "{k}");
        } else {
            assert_eq!(x.to_i64(), y.to_i64(), "{k}");
        }
    }
}

#[test]
fn sovits_pth_matches_safetensors() {
    let st = TensorStore::from_safetensors_file(tiny("weights/sovits.safetensors")).unwrap();
    let loaded = weights::load_state_dict(tiny("official/sovits_v2.pth"), Some("weight")).unwrap();
    assert_eq!(loaded.tensors.len(), 529);
    assert!(loaded.header_tag.is_none());
    assert_same_tensors(&st, &loaded.tensors, &[]);
    // The pickled utils.HParams config is readable as a dict.
    let cfg = loaded.config.expect("config");
    assert_eq!(cfg["model"]["version"], "v2");
    assert_eq!(cfg["model"]["hidden_channels"], 64);
    assert_eq!(weights::detect_sovits_version(&loaded.tensors, None), ModelVersion::V2);
}

#[test]
fn header_tagged_pth_is_detected() {
    let plain = weights::load_state_dict(tiny("official/sovits_v2.pth"), Some("weight")).unwrap();
    let tagged = weights::load_state_dict(tiny("official/sovits_v2pro_header.pth"), Some("weight")).unwrap();
    let tag = tagged.header_tag.expect("the file starts with a version tag");
    assert_eq!(&tag.bytes, b"05");
    assert_eq!(tag.version, Some(ModelVersion::V2Pro));
    // The tensors inside are the tiny v2 model: the weights decide what is loaded.
    assert_eq!(weights::detect_sovits_version(&tagged.tensors, tag.version), ModelVersion::V2);
    assert_same_tensors(&plain.tensors, &tagged.tensors, &[]);
}

#[test]
fn sovits_from_official_files_loads() {
    let dev = Default::default();
    for f in ["official/sovits_v2.pth", "official/sovits_v2pro_header.pth", "weights/sovits.safetensors"] {
        // The .pth files carry their config; the safetensors file needs one.
        let cfg =
            f.ends_with(".safetensors").then(|| SovitsConfig::from_json_file(tiny("configs/sovits.json")).unwrap());
        let (m, info) = SynthesizerTrn::<CpuBackend>::from_file(tiny(f), cfg.as_ref(), &dev).unwrap();
        assert_eq!(info.version, ModelVersion::V2, "{f}");
        // ssl_dim and MRTE widths are implicit in the official config: inferred from shapes.
        assert_eq!(m.config().ssl_dim, 64, "{f}");
        assert_eq!(m.config().mrte.hidden_size, 64, "{f}");
    }
}

#[test]
fn gpt_ckpt_matches_safetensors() {
    let st = TensorStore::from_safetensors_file(tiny("weights/gpt.safetensors")).unwrap();
    let loaded = weights::load_state_dict(tiny("official/gpt_v2.ckpt"), Some("weight")).unwrap();
    assert_same_tensors(&st, &loaded.tensors, &[]);
    let cfg = loaded.config.unwrap();
    assert_eq!(cfg["model"]["hidden_dim"], 64);
    assert_eq!(cfg["data"]["max_sec"], 54);
}

#[test]
fn hf_bin_files_match_safetensors() {
    // HuBERT: the .bin names the positional conv weight_g/weight_v, the safetensors file
    // parametrizations.weight.original0/1.
    let bin = weights::load_state_dict(tiny("official/chinese-hubert-base/pytorch_model.bin"), None).unwrap();
    let st = TensorStore::from_safetensors_file(tiny("weights/hubert.safetensors")).unwrap();
    assert_same_tensors(&st, &bin.tensors, &[]);
    let st2 =
        TensorStore::from_safetensors_file(tiny("official/chinese-hubert-base/model.safetensors")).unwrap().rename(&[
            ("parametrizations.weight.original0", "weight_g"),
            ("parametrizations.weight.original1", "weight_v"),
        ]);
    assert_same_tensors(&st, &st2, &[]);
    // BERT: two tied tensors share one storage record in the .bin.
    let bin = weights::load_state_dict(tiny("official/chinese-roberta-wwm-ext-large/pytorch_model.bin"), None).unwrap();
    let st = TensorStore::from_safetensors_file(tiny("weights/bert.safetensors")).unwrap();
    assert_same_tensors(&st, &bin.tensors, &["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"]);
    assert_eq!(
        bin.tensors.get("cls.predictions.decoder.weight").unwrap().to_f32(),
        bin.tensors.get("bert.embeddings.word_embeddings.weight").unwrap().to_f32()
    );
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sovits-weights-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn truncated_or_corrupt_pth_is_a_clear_error() {
    let bytes = std::fs::read(tiny("official/sovits_v2.pth")).unwrap();
    for (name, data) in [
        ("truncated.pth", bytes[..bytes.len() / 2].to_vec()),
        ("tiny.pth", bytes[..3].to_vec()),
        ("garbage.pth", b"this is not a checkpoint at all".to_vec()),
        ("empty.pth", Vec::new()),
    ] {
        let p = tmp(name);
        std::fs::write(&p, &data).unwrap();
        let e = weights::load_state_dict(&p, Some("weight")).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{name}: {e}");
        let e = SynthesizerTrn::<CpuBackend>::from_file(&p, None, &Default::default()).unwrap_err();
        assert!(e.to_string().contains(name), "{name}: {e}");
    }
    // A corrupt pickle inside a valid zip.
    let mut corrupt = bytes.clone();
    let pos = corrupt.windows(8).position(|w| w == b"data.pkl").unwrap();
    // Damage bytes of the pickle payload after the local header of data.pkl.
    for b in corrupt.iter_mut().skip(pos + 40).take(64) {
        *b = 0xfe;
    }
    let p = tmp("corrupt.pth");
    std::fs::write(&p, &corrupt).unwrap();
    assert!(weights::load_state_dict(&p, Some("weight")).is_err());
    // A real checkpoint, wrong top-level key.
    let e = weights::load_state_dict(tiny("official/sovits_v2.pth"), Some("model")).unwrap_err();
    assert!(e.to_string().contains("\"model\""), "{e}");
    // A missing file.
    let e = weights::load_state_dict(tiny("official/nope.pth"), Some("weight")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
}

/// Rewrites the tiny SoVITS safetensors with `edit` applied to (name, shape, f32 values).
fn edited_safetensors(name: &str, edit: impl Fn(&mut Vec<(String, Vec<usize>, Vec<f32>)>)) -> PathBuf {
    let st = TensorStore::from_safetensors_file(tiny("weights/sovits.safetensors")).unwrap();
    let mut entries: Vec<(String, Vec<usize>, Vec<f32>)> =
        st.keys().map(|k| (k.to_string(), st.get(k).unwrap().shape.clone(), st.get(k).unwrap().to_f32())).collect();
    edit(&mut entries);
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> =
        entries.into_iter().map(|(k, s, v)| (k, s, v.iter().flat_map(|x| x.to_le_bytes()).collect())).collect();
    let views: Vec<(String, TensorView)> = bytes
        .iter()
        .map(|(k, s, b)| (k.clone(), TensorView::new(safetensors::Dtype::F32, s.clone(), b).unwrap()))
        .collect();
    let out = safetensors::serialize(views, None).unwrap();
    let p = tmp(name);
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn safetensors_with_missing_or_misshaped_keys_is_rejected_with_names() {
    let cfg = SovitsConfig::from_json_file(tiny("configs/sovits.json")).unwrap();
    let dev = Default::default();
    let p = edited_safetensors("missing.safetensors", |e| e.retain(|(k, _, _)| k != "dec.conv_post.weight"));
    let err = SynthesizerTrn::<CpuBackend>::from_file(&p, Some(&cfg), &dev).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::WeightsMismatch { .. }), "{msg}");
    assert!(msg.contains("dec.conv_post.weight"), "{msg}");

    let p = edited_safetensors("misshaped.safetensors", |e| {
        let t = e.iter_mut().find(|(k, _, _)| k == "enc_p.proj.bias").unwrap();
        t.1 = vec![t.1[0] - 1];
        t.2.pop();
    });
    let msg = SynthesizerTrn::<CpuBackend>::from_file(&p, Some(&cfg), &dev).unwrap_err().to_string();
    assert!(msg.contains("enc_p.proj.bias: expected [64], found [63]"), "{msg}");

    let p = edited_safetensors("unexpected.safetensors", |e| e.push(("foo.bar".into(), vec![2], vec![1.0, 2.0])));
    let msg = SynthesizerTrn::<CpuBackend>::from_file(&p, Some(&cfg), &dev).unwrap_err().to_string();
    assert!(msg.contains("unexpected") && msg.contains("foo.bar"), "{msg}");

    // Truncated safetensors.
    let bytes = std::fs::read(tiny("weights/sovits.safetensors")).unwrap();
    let p = tmp("truncated.safetensors");
    std::fs::write(&p, &bytes[..bytes.len() - 100]).unwrap();
    assert!(matches!(TensorStore::from_safetensors_file(&p).unwrap_err(), Error::Format { .. }));
}

#[test]
fn unsupported_versions_fail_clearly() {
    let cfg = SovitsConfig::from_json_file(tiny("configs/sovits.json")).unwrap();
    let dev = Default::default();
    for (extra, version) in [("sv_emb.weight", "v2Pro"), ("cfm.estimator.proj_out.weight", "v3")] {
        let p = edited_safetensors(&format!("{version}.safetensors"), |e| e.push((extra.into(), vec![1], vec![0.0])));
        let err = SynthesizerTrn::<CpuBackend>::from_file(&p, Some(&cfg), &dev).unwrap_err();
        assert!(matches!(&err, Error::Unsupported { version: v, .. } if v == version), "{err}");
        assert!(err.to_string().contains(version));
    }
}
