//! The models and clips the tests, examples and benchmarks share: the tiny official-format
//! model shipped in `tests/fixtures/parity/tiny/official`, and random models at the official v2
//! sizes built as `Tts::load` builds them.

use std::path::PathBuf;

use burn::tensor::backend::Backend;
use sovits_core::Result;
use sovits_core::audio::{Audio, read_wav};
use sovits_core::models::bert::{BertConfig, BertModel, BertTokenizer};
use sovits_core::models::gpt::{GptConfig, Text2SemanticDecoder};
use sovits_core::models::hubert::{HubertConfig, HubertModel};
use sovits_core::models::sovits::{SovitsConfig, SynthesizerTrn};
use sovits_core::pipeline::{ModelPaths, Tts, TtsOptions};

/// `tests/fixtures/parity/tiny/{rel}`.
pub fn tiny(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity/tiny").join(rel)
}

/// The four parts of the tiny model in the official file formats (its BERT is 64 wide while
/// its GPT expects 1024, so only English text, which gets zero BERT features, runs on it).
pub fn tiny_model_paths() -> ModelPaths {
    let d = tiny("official");
    ModelPaths {
        gpt: d.join("gpt_v2.ckpt"),
        sovits: d.join("sovits_v2.pth"),
        hubert: d.join("chinese-hubert-base"),
        bert: d.join("chinese-roberta-wwm-ext-large"),
        sv: None,
    }
}

/// The tiny set's reference clip (32 kHz), transcript "Hello there, how are you today".
pub fn tiny_reference() -> Audio {
    read_wav(tiny("io/ref_32k.wav")).expect("the tiny set's reference clip")
}

/// A 5 s 32 kHz harmonic tone with a moving pitch: a stand-in reference clip for benchmarks.
pub fn synthetic_reference() -> Audio {
    let sr = 32_000.0;
    let samples = (0..(5.0 * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            let f0 = 140.0 + 20.0 * (t * 3.0).sin();
            ((1..8).map(|h| (2.0 * std::f64::consts::PI * f0 * h as f64 * t).sin() / h as f64).sum::<f64>() * 0.2)
                as f32
        })
        .collect();
    Audio { samples, sample_rate: 32_000 }
}

/// A pipeline at the official v2 sizes with random weights (seed 0; fp16 values as the
/// official files), loaded as `Tts::load` loads with `opts` (fp16 at rest when asked), with
/// the tiny model's BERT tokenizer (the official vocabulary).
pub fn random_official_tts<B: Backend>(opts: &TtsOptions, dev: &B::Device) -> Result<Tts<B>> {
    let tok = BertTokenizer::from_folder(tiny("official/chinese-roberta-wwm-ext-large"))?;
    sovits_core::weights::with_f16_at_rest(opts.f16_weights_at_rest, || {
        Ok(Tts::from_parts(
            Text2SemanticDecoder::random(&GptConfig::v2(), 0, dev)?,
            SynthesizerTrn::random(&SovitsConfig::v2(), 0, dev)?,
            HubertModel::random(&HubertConfig::base(), 0, dev)?,
            BertModel::random(&BertConfig::large(), 0, dev)?,
            tok,
            opts,
            dev,
        ))
    })
}
