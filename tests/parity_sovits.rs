//! Parity of the audio front and SoVITS v2 against the original implementation
//! (`tests/fixtures/parity/tiny`, random weights at tiny sizes).
//!
//! Tolerance: max |ours - reference| <= 1e-4 (absolute, f32) for every compared tensor
//! ([`sovits_suite::parity::TOLERANCE`]); codes must be identical.

use sovits_core::backend::CpuBackend;

fn check(case: &str) {
    sovits_suite::parity::assert_tiny_case::<CpuBackend>(case, 1);
}

#[test]
fn spectrogram() {
    check("spectrogram");
}

#[test]
fn sovits_extract_latent() {
    check("sovits_extract_latent");
}

#[test]
fn sovits_quantizer_decode() {
    check("sovits_quantizer_decode");
}

#[test]
fn sovits_ref_enc() {
    check("sovits_ref_enc");
}

#[test]
fn sovits_decode() {
    check("sovits_decode");
}

#[test]
fn sovits_decode_noise() {
    check("sovits_decode_noise");
}

#[test]
fn sovits_decode_speed() {
    check("sovits_decode_speed");
}

#[test]
fn sovits_decode_multiref() {
    check("sovits_decode_multiref");
}
