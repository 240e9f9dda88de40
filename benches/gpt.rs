//! GPT decode speed at the official v2 size (random weights from `GptConfig::v2()`), on the
//! CPU backend of the build: 60 phonemes + a 150-token prompt, then a fixed number of
//! cached steps with EOS ignored, versus recomputing the whole prefix for one token.
//!
//! `cargo bench --bench gpt`. Tokens per second = items/s in divan's output. Two decode
//! paths: burn ops on the backend (`cached_*`) and the host kernel over fp16 weights
//! (`host_*`, what `StepDecoder::Host` runs, the default of `TtsOptions`).

use std::sync::OnceLock;

use burn::tensor::{Tensor, TensorData};
use sovits_core::backend::CpuBackend;
use sovits_core::models::gpt::{GptConfig, HostDecoder, KvCache, Text2SemanticDecoder};

type B = CpuBackend;

const PHONES: usize = 60;
const PROMPT: usize = 150;

fn main() {
    divan::main();
}

fn model() -> &'static Text2SemanticDecoder<B> {
    static M: OnceLock<Text2SemanticDecoder<B>> = OnceLock::new();
    M.get_or_init(|| Text2SemanticDecoder::random(&GptConfig::v2(), 0, &Default::default()).expect("random v2 GPT"))
}

fn inputs() -> (Vec<u32>, Tensor<B, 2>, Vec<u32>) {
    let phones: Vec<u32> = (0..PHONES).map(|i| (i * 13 % 732) as u32).collect();
    let bert: Vec<f32> = (0..1024 * PHONES).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect();
    let bert = Tensor::from_data(TensorData::new(bert, [1024, PHONES]), &Default::default());
    let prompt: Vec<u32> = (0..PROMPT).map(|i| (i * 37 % 1024) as u32).collect();
    (phones, bert, prompt)
}

/// Prefill + `n` cached steps; the next input is the greedy token (EOS never stops it).
fn run_cached(n: usize) {
    let m = model();
    let (phones, bert, prompt) = inputs();
    let x = m.embed_text(&phones, bert);
    let xy = Tensor::cat(vec![x, m.embed_audio(&prompt, 0)], 1);
    let mut cache = KvCache::new();
    let h = m.prefill(xy, Some(m.attention_mask(PHONES, PROMPT)), &mut cache, n);
    let mut logits = m.logits_last(h);
    for step in 0..n {
        let tok = logits[..1024].iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0 as u32;
        let h = m.decode_step(m.embed_audio(&[tok], PROMPT + step), &mut cache);
        logits = m.logits_last(h);
    }
    divan::black_box(logits);
}

fn host() -> &'static HostDecoder {
    static H: OnceLock<HostDecoder> = OnceLock::new();
    H.get_or_init(|| HostDecoder::new(model()))
}

/// Prefill on the backend, then `n` steps of the host decode path (fp16 weights, f32 math).
fn run_host(n: usize) {
    let m = model();
    let h = host();
    let (phones, bert, prompt) = inputs();
    let x = m.embed_text(&phones, bert);
    let xy = Tensor::cat(vec![x, m.embed_audio(&prompt, 0)], 1);
    let mut cache = KvCache::new();
    let out = m.prefill(xy, Some(m.attention_mask(PHONES, PROMPT)), &mut cache, n);
    let mut logits = m.logits_last(out);
    let mut hc = h.cache_from(&cache, n);
    for step in 0..n {
        let tok = logits[..1024].iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0 as u32;
        let pe = m.ar_audio_position.scaled_table(PROMPT + step, 1);
        logits = h.step(tok, &pe, &mut hc);
    }
    divan::black_box(logits);
}

/// 300 generated tokens with the host decode path (includes the prefill).
#[divan::bench(sample_count = 3, sample_size = 1, counter = divan::counter::ItemsCount::new(300usize))]
fn host_300_tokens() {
    run_host(300);
}

/// 300 generated tokens with the KV cache (includes the prefill).
#[divan::bench(sample_count = 3, sample_size = 1, counter = divan::counter::ItemsCount::new(300usize))]
fn cached_300_tokens() {
    run_cached(300);
}

/// The prefill alone (60 phonemes + 150 prompt tokens).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn prefill_210() {
    run_cached(0);
}

/// One token by recomputing the whole sequence (60 + 150 + 300 positions), i.e. the cost
/// per token at 300 generated tokens without a cache.
#[divan::bench(sample_count = 3, sample_size = 1, counter = divan::counter::ItemsCount::new(1usize))]
fn recompute_one_token_at_300() {
    let m = model();
    let (phones, bert, mut prompt) = inputs();
    prompt.extend((0..300).map(|i| (i * 7 % 1024) as u32));
    divan::black_box(m.next_logits_uncached(&phones, bert, &prompt).unwrap());
}

/// `batch` sequences of 100 host steps each decoded together (`infer_batch`: one read of the
/// weights per step for the whole batch), prefills included; items = tokens generated.
fn run_batch(batch: usize) {
    use sovits_core::models::gpt::{GptInput, SamplingParams};
    let m = model();
    let (phones, bert, prompt) = inputs();
    let inputs = (0..batch).map(|_| GptInput { phones: &phones, bert: bert.clone(), prompt: Some(&prompt) }).collect();
    let params: Vec<SamplingParams> =
        (0..batch).map(|i| SamplingParams { seed: i as u64, max_steps: 100, ..Default::default() }).collect();
    divan::black_box(m.infer_batch(host(), inputs, &params, &|| false).expect("batch"));
}

/// Batched host decoding: 1, 4 and 8 sentences of 100 tokens (tokens/s = items/s).
#[divan::bench(args = [1, 4, 8], sample_count = 2, sample_size = 1)]
fn host_batch_100_tokens(bencher: divan::Bencher, batch: usize) {
    bencher.counter(divan::counter::ItemsCount::new(100 * batch)).bench(|| run_batch(batch));
}
