//! v2Pro/v2ProPlus through the public pipeline on the tiny official-format files
//! (`tests/fixtures/parity/tiny_v2pro/official`, laid out like upstream's `pretrained_models/`
//! in a temporary folder): the folder layout, loading by detected version, voices with speaker
//! embeddings (several references, save/load, the old voice format), and the errors for a
//! missing speaker model and for voices of the other generation. The numbers themselves are
//! checked against the original in `tests/parity_v2pro.rs`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sovits_core::Error;
use sovits_core::audio::{Audio, read_wav};
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{
    ModelOverrides, ModelPaths, ReferenceOptions, SynthesisParams, Transcript, Tts, TtsOptions, Voice, VoiceOptions,
};
use sovits_core::text::Lang;
use sovits_core::weights::ModelVersion;

type B = CpuBackend;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sovits-v2pro-test-{}", std::process::id())).join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Upstream's `pretrained_models/` layout with the tiny files (what
/// `scripts/tiny_v2proplus_models.sh` makes): `s1v3.ckpt` beside a v2 GPT, `v2Pro/` with the
/// SoVITS files named in `pro` and a discriminator, `sv/`, HuBERT and BERT.
fn layout(name: &str, pro: &[(&str, &str)], with_sv: bool) -> PathBuf {
    let d = tmp(name);
    let tiny = root().join("tests/fixtures/parity/tiny/official");
    let set = root().join("tests/fixtures/parity/tiny_v2pro/official");
    std::fs::copy(tiny.join("gpt_v2.ckpt"), d.join("s1v3.ckpt")).unwrap();
    std::fs::copy(tiny.join("gpt_v2.ckpt"), d.join("s1bert25hz-5kh-longer-epoch=12-step=369668.ckpt")).unwrap();
    std::fs::create_dir_all(d.join("v2Pro")).unwrap();
    for (src, dst) in pro {
        std::fs::copy(set.join(src), d.join("v2Pro").join(dst)).unwrap();
    }
    std::fs::write(d.join("v2Pro/s2Dv2ProPlus.pth"), b"discriminator, never loaded").unwrap();
    if with_sv {
        copy_dir(&set.join("sv"), &d.join("sv"));
    }
    for f in ["chinese-hubert-base", "chinese-roberta-wwm-ext-large"] {
        copy_dir(&tiny.join(f), &d.join(f));
    }
    d
}

fn plus_dir() -> &'static PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| layout("plus", &[("sovits_v2proplus.pth", "s2Gv2ProPlus.pth")], true))
}

fn tts_plus() -> &'static Tts<B> {
    static T: OnceLock<Tts<B>> = OnceLock::new();
    T.get_or_init(|| Tts::from_dir(plus_dir(), &TtsOptions::default(), &Default::default()).expect("tiny v2ProPlus"))
}

fn tts_v2() -> &'static Tts<B> {
    static T: OnceLock<Tts<B>> = OnceLock::new();
    T.get_or_init(|| {
        Tts::from_dir(root().join("tests/fixtures/parity/tiny/official"), &TtsOptions::default(), &Default::default())
            .expect("tiny v2")
    })
}

fn ref_wav() -> Audio {
    read_wav(root().join("tests/fixtures/parity/tiny_v2pro/io/ref_32k.wav")).unwrap()
}

fn transcript() -> Transcript {
    Transcript::new("Hello there, how are you today", Lang::En)
}

#[test]
fn the_pretrained_models_layout_is_found() {
    let p = ModelPaths::from_dir(plus_dir()).unwrap();
    assert!(p.sovits.ends_with("v2Pro/s2Gv2ProPlus.pth"), "{p:?}");
    // Upstream pairs v2Pro/v2ProPlus with s1v3.ckpt.
    assert!(p.gpt.ends_with("s1v3.ckpt"), "{p:?}");
    assert!(p.sv.as_ref().unwrap().ends_with("sv/pretrained_eres2netv2w24s4ep4.ckpt"), "{p:?}");
    // Both generations in v2Pro/: the error lists them with their versions.
    let both =
        layout("both", &[("sovits_v2proplus.pth", "s2Gv2ProPlus.pth"), ("sovits_v2pro.pth", "s2Gv2Pro.pth")], true);
    let msg = ModelPaths::from_dir(&both).unwrap_err().to_string();
    assert!(msg.contains("v2Pro/s2Gv2Pro.pth (v2Pro)") && msg.contains("v2Pro/s2Gv2ProPlus.pth (v2ProPlus)"), "{msg}");
    assert!(!msg.contains("s2D"), "{msg}");
    let over = ModelOverrides { sovits: Some(both.join("v2Pro/s2Gv2Pro.pth")), ..Default::default() };
    let tts =
        Tts::<B>::load(&ModelPaths::from_dir_with(&both, over).unwrap(), &TtsOptions::default(), &Default::default())
            .unwrap();
    assert_eq!(tts.version(), ModelVersion::V2Pro);
}

#[test]
fn v2proplus_loads_by_its_detected_version_and_speaks() {
    let tts = tts_plus();
    assert_eq!(tts.version(), ModelVersion::V2ProPlus);
    assert_eq!(tts.speaker_model().unwrap().embedding_dim(), 2560);
    let voice = tts.voice(&ref_wav(), Some(&transcript()), &VoiceOptions::default()).unwrap();
    assert_eq!(voice.sv_embs.len(), 1);
    assert_eq!(voice.sv_emb_dim(), Some(2560));
    assert!(voice.sv_embs[0].iter().all(|v| v.is_finite()) && voice.sv_embs[0].iter().any(|&v| v != 0.0));
    let a = tts.synthesize(&voice, "Hello from the pro model.", Lang::En, &SynthesisParams::deterministic()).unwrap();
    assert_eq!(a.sample_rate, 32_000);
    assert!(a.samples.len() > 3200 && a.samples.iter().all(|v| v.is_finite()));
    let b = tts.synthesize(&voice, "Hello from the pro model.", Lang::En, &SynthesisParams::deterministic()).unwrap();
    assert_eq!(a.samples, b.samples, "deterministic parameters give the same audio");
}

#[test]
fn several_references_average_with_their_embeddings() {
    let tts = tts_plus();
    let mut voice = tts.voice(&ref_wav(), Some(&transcript()), &VoiceOptions::default()).unwrap();
    let one = tts.synthesize(&voice, "Two references.", Lang::En, &SynthesisParams::deterministic()).unwrap();
    let clip = ref_wav();
    let half = Audio { samples: clip.samples[..clip.samples.len() / 2].to_vec(), sample_rate: clip.sample_rate };
    let open = ReferenceOptions { allow_any_length: true, ..Default::default() };
    tts.add_reference(&mut voice, &half, &open).unwrap();
    assert_eq!((voice.refers.len(), voice.sv_embs.len()), (2, 2));
    assert_ne!(voice.sv_embs[0], voice.sv_embs[1]);
    let two = tts.synthesize(&voice, "Two references.", Lang::En, &SynthesisParams::deterministic()).unwrap();
    assert_ne!(one.samples, two.samples, "the second reference changes the timbre");
}

#[test]
fn voices_with_embeddings_save_and_old_voice_files_still_load() {
    let tts = tts_plus();
    let voice = tts.voice(&ref_wav(), Some(&transcript()), &VoiceOptions::default()).unwrap();
    let p = tmp("voices").join("pro.voice");
    voice.save(&p).unwrap();
    let back = Voice::load(&p).unwrap();
    assert_eq!(back, voice);
    // A voice file of the first format (version 1, before v2Pro) loads, without embeddings.
    let old = Voice::load(root().join("tests/fixtures/voice_v1/two_references.voice")).unwrap();
    assert_eq!(old.refers.len(), 2);
    assert!(old.sv_embs.is_empty());
    // Embeddings that do not pair with the references are refused on save and on load.
    let mut bad = voice.clone();
    bad.sv_embs.push(vec![0.0; 2560]);
    assert!(bad.to_bytes().is_err());
}

#[test]
fn voices_of_the_other_generation_are_refused_clearly() {
    let (v2, pro) = (tts_v2(), tts_plus());
    let v2_voice = v2.voice(&ref_wav(), Some(&transcript()), &VoiceOptions::default()).unwrap();
    let pro_voice = pro.voice(&ref_wav(), Some(&transcript()), &VoiceOptions::default()).unwrap();
    let p = SynthesisParams::deterministic();
    let err = pro.synthesize(&v2_voice, "Hello.", Lang::En, &p).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidArgument(_)), "{msg}");
    assert!(msg.contains("made with a v1/v2 model") && msg.contains("v2ProPlus"), "{msg}");
    let msg = v2.synthesize(&pro_voice, "Hello.", Lang::En, &p).unwrap_err().to_string();
    assert!(msg.contains("made with a v2Pro/v2ProPlus model") && msg.contains("v2 model"), "{msg}");
    // Adding a reference checks the voice first.
    let mut v = v2_voice.clone();
    assert!(pro.add_reference(&mut v, &ref_wav(), &ReferenceOptions::default()).is_err());
}

#[test]
fn a_v2pro_model_without_its_speaker_model_says_what_is_missing() {
    let d = layout("no_sv", &[("sovits_v2pro.pth", "s2Gv2Pro.pth")], false);
    let paths = ModelPaths::from_dir(&d).unwrap();
    assert!(paths.sv.is_none());
    let err = Tts::<B>::load(&paths, &TtsOptions::default(), &Default::default()).err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, Error::Io { .. }), "{msg}");
    assert!(
        msg.contains("v2Pro model") && msg.contains("pretrained_eres2netv2w24s4ep4.ckpt") && msg.contains("--sv"),
        "{msg}"
    );
    // A speaker model named explicitly that is not one.
    let wrong = ModelPaths { sv: Some(d.join("v2Pro/s2Gv2Pro.pth")), ..paths };
    let msg = Tts::<B>::load(&wrong, &TtsOptions::default(), &Default::default()).err().unwrap().to_string();
    assert!(msg.contains("speaker-verification"), "{msg}");
    // A speaker model given to a v2 model is refused by `with_speaker_model`.
    let set = root().join("tests/fixtures/parity/tiny_v2pro/official/sv/pretrained_eres2netv2w24s4ep4.ckpt");
    let sv = sovits_core::models::eres2net::ERes2NetV2::<B>::from_file(set, None, &Default::default()).unwrap();
    let v2 = Tts::<B>::from_dir(
        root().join("tests/fixtures/parity/tiny/official"),
        &TtsOptions::default(),
        &Default::default(),
    )
    .unwrap();
    let msg = v2.with_speaker_model(sv).err().unwrap().to_string();
    assert!(msg.contains("takes no speaker-verification model"), "{msg}");
}
