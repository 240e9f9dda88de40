//! Token-chunk streaming through the public API on the tiny official-format model: the chunk
//! modes hand out pieces while a sentence is made, their tokens are the sentence mode's, the
//! pieces join to about the whole-sentence length, callbacks and cancels stop within a chunk,
//! and bad chunk settings are refused before any work; batched GPT decoding of a text's
//! sentences gives what one-by-one decoding gives.

use std::sync::OnceLock;

use sovits_core::Error;
use sovits_core::backend::CpuBackend;
use sovits_core::pipeline::{
    CancelToken, Chunk, StreamingMode, SynthesisParams, Transcript, Tts, TtsOptions, Voice, VoiceOptions,
};
use sovits_core::text::Lang;
use sovits_suite::fixtures::{tiny_model_paths, tiny_reference};

type B = CpuBackend;

fn tts() -> &'static Tts<B> {
    static T: OnceLock<Tts<B>> = OnceLock::new();
    T.get_or_init(|| Tts::load(&tiny_model_paths(), &TtsOptions::default(), &Default::default()).expect("tiny model"))
}

fn voice() -> Voice {
    let t = Transcript::new("Hello there, how are you today", Lang::En);
    tts().voice(&tiny_reference(), Some(&t), &VoiceOptions::default()).unwrap()
}

const TEXT: &str = "One sentence here. Another one follows.";

fn params(mode: StreamingMode, chunk: usize) -> SynthesisParams {
    SynthesisParams {
        split: "cut5".parse().unwrap(),
        streaming: mode,
        chunk_length: chunk,
        overlap_length: 2,
        ..SynthesisParams::deterministic()
    }
}

fn run(p: &SynthesisParams) -> Vec<Chunk> {
    let mut out = Vec::new();
    tts()
        .synthesize_stream(&voice(), TEXT, Lang::En, p, &CancelToken::new(), |c| {
            out.push(c);
            true
        })
        .unwrap();
    out
}

#[test]
fn fixed_chunks_match_the_sentence_tokens_and_length() {
    let whole = run(&params(StreamingMode::Sentence, 16));
    assert_eq!(whole.len(), 2);
    let chunks = run(&params(StreamingMode::FixedChunks, 4));
    for (i, w) in whole.iter().enumerate() {
        let parts: Vec<&Chunk> = chunks.iter().filter(|c| c.index == i).collect();
        assert!(parts.len() >= 3, "sentence {i}: {} pieces from {} tokens", parts.len(), w.tokens.len());
        assert_eq!(parts.iter().map(|c| c.part).collect::<Vec<_>>(), (0..parts.len()).collect::<Vec<_>>());
        assert_eq!(parts.iter().filter(|c| c.last_part).count(), 1);
        assert!(parts.last().unwrap().last_part);
        // Greedy: the chunks are the sentence's tokens, in order, each once (fixed chunks).
        let toks: Vec<u32> = parts.iter().flat_map(|c| c.tokens.iter().copied()).collect();
        assert_eq!(toks, w.tokens, "sentence {i}");
        // Pieces join to the whole length minus the SOLA lags (<= 320 samples per join).
        let n: usize = parts.iter().map(|c| c.samples.len()).sum();
        let joins = parts.len().saturating_sub(2);
        assert!(n <= w.samples.len() && n + joins * 320 >= w.samples.len(), "{n} vs {}", w.samples.len());
        assert!(parts.iter().all(|c| c.samples.iter().all(|v| v.is_finite() && v.abs() <= 1.0)));
    }
    // The same call twice gives the same pieces (per-frame noise from the seed).
    let noisy = SynthesisParams { noise_scale: 0.5, ..params(StreamingMode::FixedChunks, 4) };
    assert_eq!(run(&noisy), run(&noisy));
}

#[test]
fn a_shorter_first_chunk_comes_first() {
    let p = SynthesisParams { first_chunk_length: Some(3), ..params(StreamingMode::FixedChunks, 6) };
    let chunks = run(&p);
    let first: Vec<usize> = chunks.iter().filter(|c| c.index == 0).map(|c| c.tokens.len()).collect();
    assert_eq!(first[0], 3, "{first:?}");
    assert!(first[1..first.len() - 1].iter().all(|&n| n == 6), "{first:?}");
    let whole = run(&params(StreamingMode::Sentence, 16));
    let toks: Vec<u32> = chunks.iter().filter(|c| c.index == 0).flat_map(|c| c.tokens.iter().copied()).collect();
    assert_eq!(toks, whole[0].tokens);
}

#[test]
fn dynamic_chunks_cover_the_sentence() {
    let whole = run(&params(StreamingMode::Sentence, 16));
    let chunks = run(&params(StreamingMode::DynamicChunks, 3));
    for (i, w) in whole.iter().enumerate() {
        let parts: Vec<&Chunk> = chunks.iter().filter(|c| c.index == i).collect();
        assert!(!parts.is_empty() && parts.last().unwrap().last_part);
        // Each dynamic chunk may repeat the tokens its predecessor ended on; without them the
        // sentence's tokens remain, and the last token is the sentence's.
        let toks: Vec<u32> = parts.iter().flat_map(|c| c.tokens.iter().copied()).collect();
        assert!(toks.len() >= w.tokens.len());
        assert_eq!(toks.last(), w.tokens.last());
    }
}

#[test]
fn callbacks_and_cancels_stop_within_a_chunk() {
    let v = voice();
    let p = params(StreamingMode::FixedChunks, 4);
    let mut seen = 0;
    let n = tts()
        .synthesize_stream(&v, TEXT, Lang::En, &p, &CancelToken::new(), |_| {
            seen += 1;
            false
        })
        .unwrap();
    assert_eq!((n, seen), (1, 1));
    let cancel = CancelToken::new();
    let mut seen = 0;
    let r = tts().synthesize_stream(&v, TEXT, Lang::En, &p, &cancel, |_| {
        seen += 1;
        cancel.cancel();
        true
    });
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert_eq!(seen, 1, "no piece after the cancel");
}

#[test]
fn bad_chunk_settings_are_refused() {
    let v = voice();
    for first in [5, 2] {
        let p = SynthesisParams { first_chunk_length: Some(first), ..params(StreamingMode::FixedChunks, 4) };
        let e = tts().synthesize(&v, TEXT, Lang::En, &p).unwrap_err();
        assert!(matches!(&e, Error::InvalidArgument(m) if m.contains("first_chunk_length")), "{e}");
    }
    for (chunk, overlap, what) in
        [(0, 1, "chunk_length"), (501, 2, "chunk_length"), (4, 5, "overlap_length"), (4, 0, "overlap_length")]
    {
        let p =
            SynthesisParams { chunk_length: chunk, overlap_length: overlap, ..params(StreamingMode::FixedChunks, 4) };
        let e = tts().synthesize(&v, TEXT, Lang::En, &p).unwrap_err();
        assert!(matches!(&e, Error::InvalidArgument(m) if m.contains(what)), "{chunk}/{overlap}: {e}");
    }
    assert_eq!("fixed".parse::<StreamingMode>().unwrap(), StreamingMode::FixedChunks);
    assert_eq!("2".parse::<StreamingMode>().unwrap(), StreamingMode::DynamicChunks);
    assert!("4".parse::<StreamingMode>().is_err() && "fast".parse::<StreamingMode>().is_err());
}

/// Batched GPT decoding of a text's sentences (sampled, with SoVITS noise) hands out exactly
/// what one-by-one decoding does, for batches that divide the sentences or not.
#[test]
fn batched_sentences_equal_one_by_one() {
    let v = voice();
    let text = "One sentence here. Another one follows. A third. Then a fourth one. And the last.";
    let base = SynthesisParams { split: "cut5".parse().unwrap(), ..SynthesisParams::default() };
    let one = tts().synthesize(&v, text, Lang::En, &base).unwrap();
    for batch in [2, 5, 8] {
        let p = SynthesisParams { batch_size: batch, ..base.clone() };
        assert_eq!(tts().synthesize(&v, text, Lang::En, &p).unwrap(), one, "batch_size {batch}");
    }
    for bad in [0, 65] {
        let p = SynthesisParams { batch_size: bad, ..base.clone() };
        let e = tts().synthesize(&v, text, Lang::En, &p).unwrap_err();
        assert!(matches!(&e, Error::InvalidArgument(m) if m.contains("batch_size")), "{e}");
    }
}

/// Loading with the fp16 weights kept fp16 at rest (the default on CPU) gives the same audio
/// as f32 weights.
#[test]
fn f16_at_rest_changes_nothing_but_memory() {
    let opts = TtsOptions { f16_weights_at_rest: false, ..Default::default() };
    let f32_tts = Tts::<B>::load(&tiny_model_paths(), &opts, &Default::default()).unwrap();
    let t = Transcript::new("Hello there, how are you today", Lang::En);
    let va = tts().voice(&tiny_reference(), Some(&t), &VoiceOptions::default()).unwrap();
    let vb = f32_tts.voice(&tiny_reference(), Some(&t), &VoiceOptions::default()).unwrap();
    assert_eq!(va, vb);
    let p = SynthesisParams::default();
    assert_eq!(
        tts().synthesize(&va, TEXT, Lang::En, &p).unwrap(),
        f32_tts.synthesize(&vb, TEXT, Lang::En, &p).unwrap()
    );
}
