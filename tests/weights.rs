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
    for f in ["official/sovits_v2.pth", "weights/sovits.safetensors"] {
        // The .pth files carry their config; the safetensors file needs one.
        let cfg =
            f.ends_with(".safetensors").then(|| SovitsConfig::from_json_file(tiny("configs/sovits.json")).unwrap());
        let (m, info) = SynthesizerTrn::<CpuBackend>::from_file(tiny(f), cfg.as_ref(), &dev).unwrap();
        assert_eq!(info.version, ModelVersion::V2, "{f}");
        // ssl_dim and MRTE widths are implicit in the official config: inferred from shapes.
        assert_eq!(m.config().ssl_dim, 64, "{f}");
        assert_eq!(m.config().mrte.hidden_size, 64, "{f}");
        assert!(m.speaker.is_none() && m.sv_emb_dim().is_none(), "{f}");
    }
}

#[test]
fn header_tag_contradicting_the_tensors_is_refused() {
    // A `05` (v2Pro) tag around v2 tensors: upstream would build a v2Pro model with random
    // speaker layers; we refuse it and say why.
    let dev = Default::default();
    let err =
        SynthesizerTrn::<CpuBackend>::from_file(tiny("official/sovits_v2pro_header.pth"), None, &dev).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Format { .. }), "{msg}");
    assert!(msg.contains("\"05\" says v2Pro") && msg.contains("v2 model") && msg.contains("sv_emb"), "{msg}");
    // And the other way round: v2ProPlus tensors under a v2Pro tag.
    let mut bytes = std::fs::read(pro("official/sovits_v2proplus.pth")).unwrap();
    bytes[..2].copy_from_slice(b"05");
    let p = tmp("v2proplus_tagged_05.pth");
    std::fs::write(&p, bytes).unwrap();
    let msg = SynthesizerTrn::<CpuBackend>::from_file(&p, None, &dev).unwrap_err().to_string();
    assert!(msg.contains("says v2Pro") && msg.contains("v2ProPlus model"), "{msg}");
}

fn pro(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity/tiny_v2pro")).join(rel)
}

#[test]
fn v2pro_pth_files_load_with_their_version() {
    let dev = Default::default();
    for (file, tag, version, weights, upsample, kernel) in [
        ("sovits_v2pro.pth", b"05", ModelVersion::V2Pro, "sovits_v2pro", 64, 16),
        ("sovits_v2proplus.pth", b"06", ModelVersion::V2ProPlus, "sovits_v2proplus", 96, 20),
    ] {
        let loaded = weights::load_state_dict(pro(&format!("official/{file}")), Some("weight")).unwrap();
        assert_eq!(&loaded.header_tag.unwrap().bytes, tag);
        let st = TensorStore::from_safetensors_file(pro(&format!("weights/{weights}.safetensors"))).unwrap();
        assert_same_tensors(&st, &loaded.tensors, &[]);
        assert_eq!(weights::checkpoint_version(&loaded.tensors, loaded.header_tag).unwrap(), version);
        // Without the tag the tensors alone tell the two apart (the first HiFi-GAN kernel).
        assert_eq!(weights::detect_sovits_version(&loaded.tensors, None), version);

        let (m, info) = SynthesizerTrn::<CpuBackend>::from_file(pro(&format!("official/{file}")), None, &dev).unwrap();
        assert_eq!(info.version, version);
        let c = m.config();
        assert_eq!((c.gin_channels, c.mrte.hidden_size, c.ssl_dim), (128, 64, 64), "{file}");
        assert_eq!(c.sv_emb_dim, Some(2560), "{file}");
        assert_eq!((c.upsample_initial_channel, c.upsample_kernel_sizes[0]), (upsample, kernel), "{file}");
        assert!(m.speaker.is_some());

        // A safetensors export with the fixture config (which names no v2ProPlus HiFi-GAN
        // sizes beyond the s2 fields): the version and sizes still come out right.
        let cfg = SovitsConfig::from_json_file(pro(&format!("configs/{weights}.json"))).unwrap();
        let (m, info) =
            SynthesizerTrn::<CpuBackend>::from_file(pro(&format!("weights/{weights}.safetensors")), Some(&cfg), &dev)
                .unwrap();
        assert_eq!(info.version, version);
        assert_eq!(m.config().sv_emb_dim, Some(2560));
        assert_eq!(m.config().upsample_kernel_sizes[0], kernel);
    }
}

#[test]
fn speaker_model_ckpt_matches_safetensors_and_loads() {
    use sovits_core::models::eres2net::ERes2NetV2;
    let path = pro("official/sv/pretrained_eres2netv2w24s4ep4.ckpt");
    let loaded = weights::load_state_dict(&path, None).unwrap();
    assert_eq!(loaded.tensors.len(), 1001);
    // The checkpoint holds float32 storages (the float32 model's state dict), the
    // safetensors file the same fp16-exact values as F16.
    let st = TensorStore::from_safetensors_file(pro("weights/sv.safetensors")).unwrap();
    assert_eq!(st.keys().collect::<Vec<_>>(), loaded.tensors.keys().collect::<Vec<_>>());
    for k in st.keys() {
        let (a, b) = (st.get(k).unwrap(), loaded.tensors.get(k).unwrap());
        assert_eq!(a.shape, b.shape, "{k}");
        if a.dtype.is_float() {
            assert_eq!(a.to_f32(), b.to_f32(), "{k}");
        } else {
            assert_eq!(a.to_i64(), b.to_i64(), "{k}");
        }
    }
    let dev = Default::default();
    // The official sizes, with the stem width taken from the file (8 in the tiny set).
    let m = ERes2NetV2::<CpuBackend>::from_file(&path, None, &dev).unwrap();
    assert_eq!(m.config().m_channels, 8);
    assert_eq!(m.embedding_dim(), 2560);
    // The safetensors export loads the same way.
    assert_eq!(
        ERes2NetV2::<CpuBackend>::from_file(pro("weights/sv.safetensors"), None, &dev).unwrap().embedding_dim(),
        2560
    );
}

#[test]
fn speaker_model_with_wrong_shapes_or_the_wrong_file_is_refused() {
    use sovits_core::models::eres2net::ERes2NetV2;
    let dev = Default::default();
    // One BatchNorm a channel short.
    let p = edited_safetensors_of(&pro("weights/sv.safetensors"), "sv_misshaped.safetensors", |e| {
        e.retain(|(k, _, _)| !k.ends_with("num_batches_tracked"));
        let t = e.iter_mut().find(|(k, _, _)| k == "layer2.1.bn3.running_var").unwrap();
        t.1 = vec![t.1[0] - 1];
        t.2.pop();
    });
    let err = ERes2NetV2::<CpuBackend>::from_file(&p, None, &dev).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Format { .. }), "{msg}");
    assert!(msg.contains("layer2.1.bn3.running_var: expected [64], found [63]"), "{msg}");
    assert!(msg.contains("pretrained_eres2netv2w24s4ep4.ckpt"), "{msg}");
    // A SoVITS checkpoint where the speaker model should be.
    let msg =
        ERes2NetV2::<CpuBackend>::from_file(pro("official/sovits_v2pro.pth"), None, &dev).unwrap_err().to_string();
    assert!(msg.contains("speaker-verification") && msg.contains("missing"), "{msg}");
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
    edited_safetensors_of(&tiny("weights/sovits.safetensors"), name, edit)
}

/// A copy of the safetensors file `src` (as F32) with `edit` applied to its tensor list.
fn edited_safetensors_of(
    src: &std::path::Path,
    name: &str,
    edit: impl Fn(&mut Vec<(String, Vec<usize>, Vec<f32>)>),
) -> PathBuf {
    let st = TensorStore::from_safetensors_file(src).unwrap();
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
    let p =
        edited_safetensors("v3.safetensors", |e| e.push(("cfm.estimator.proj_out.weight".into(), vec![1], vec![0.0])));
    let err = SynthesizerTrn::<CpuBackend>::from_file(&p, Some(&cfg), &dev).unwrap_err();
    assert!(matches!(&err, Error::Unsupported { version: v, .. } if v == "v3"), "{err}");
    assert!(err.to_string().contains("v3"));
    // A v2 file with a stray `sv_emb.weight` is read as v2Pro and fails on the layers it lacks.
    let p = edited_safetensors("stray_sv_emb.safetensors", |e| e.push(("sv_emb.weight".into(), vec![1], vec![0.0])));
    let msg = SynthesizerTrn::<CpuBackend>::from_file(&p, Some(&cfg), &dev).unwrap_err().to_string();
    assert!(msg.contains("prelu.weight") && msg.contains("ge_to512.weight"), "{msg}");
}
