//! Parity of token-chunk streaming (api_v2 `streaming_mode` 2 and 3) against the original
//! implementation (`tests/fixtures/parity/tiny_stream`, the tiny v2 weights with the GPT's EOS
//! row re-tuned so that a sentence runs 96 tokens).
//!
//! Chunk boundaries, tokens, the dynamic mode's cut tests and every SOLA lag must be identical;
//! floats (step logits, the mute similarity, each `decode_streaming` call's latent, audio and
//! SOLA scores, the joined audio) within the absolute 1e-4 of the v2 set. SOLA accumulates its
//! correlation in f64 (the README shows its peaks within 1e-5 of each other).

use sovits_core::backend::CpuBackend;

fn check(case: &str, min_checks: usize) {
    sovits_suite::parity::assert_set_case::<CpuBackend>("tiny_stream", case, min_checks);
}

/// Mode 3: six 16-token chunks, then the end marker (EOS on a chunk boundary); both decoders.
#[test]
fn gpt_infer_stream_fixed() {
    check("gpt_infer_stream_fixed", 40);
}

/// Mode 2: cuts after mute-like tokens (the whole window handed out, the pointer moved less),
/// a final chunk of 6 tokens; every cut test compared.
#[test]
fn gpt_infer_stream_dynamic() {
    check("gpt_infer_stream_dynamic", 40);
}

/// The chunk loop over mode 3's chunks: six `decode_streaming` calls, five SOLA joins, the
/// withheld tail.
#[test]
fn sovits_decode_streaming_fixed() {
    check("sovits_decode_streaming_fixed", 60);
}

/// The chunk loop over mode 2's chunks: the overlap extension of the short final chunk,
/// emitted whole.
#[test]
fn sovits_decode_streaming_dynamic() {
    check("sovits_decode_streaming_dynamic", 30);
}
