//! The side models at the official sizes (random weights), CPU backend of the build:
//! CN-HuBERT on 10 s of 16 kHz audio (+ the 0.6 s pad GPT-SoVITS appends) and
//! chinese-roberta-wwm-ext-large features (22 of 24 layers) for 100 characters.
//!
//! `cargo bench --bench features`.

use std::sync::OnceLock;

use sovits_core::backend::CpuBackend;
use sovits_core::models::bert::{BertConfig, BertModel};
use sovits_core::models::hubert::{HubertConfig, HubertModel};

type B = CpuBackend;

fn main() {
    divan::main();
}

fn hubert() -> &'static HubertModel<B> {
    static M: OnceLock<HubertModel<B>> = OnceLock::new();
    M.get_or_init(|| HubertModel::random(&HubertConfig::base(), 0, &Default::default()).expect("random HuBERT"))
}

fn bert() -> &'static BertModel<B> {
    static M: OnceLock<BertModel<B>> = OnceLock::new();
    M.get_or_init(|| BertModel::random(&BertConfig::large(), 0, &Default::default()).expect("random BERT"))
}

/// 10 s + 9600 zero samples at 16 kHz -> 529 frames of 768.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn hubert_10s(bencher: divan::Bencher) {
    let m = hubert();
    let wav: Vec<f32> = (0..160_000 + 9600).map(|i| ((i as f32) * 0.0173).sin() * 0.3).collect();
    bencher.bench(|| {
        let out = m.forward(&wav).unwrap();
        divan::black_box(out.last_hidden_state().into_data());
    });
}

/// `[CLS]` + 100 characters + `[SEP]` -> the layer-22 feature `[100, 1024]`.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn bert_100_chars(bencher: divan::Bencher) {
    let m = bert();
    let mut ids = vec![101u32];
    ids.extend((0..100).map(|i| 670 + (i * 37 % 5000) as u32));
    ids.push(102);
    bencher.bench(|| divan::black_box(m.features(&ids).unwrap().into_data()));
}
