//! Upper bounds on every size read from an untrusted file (configs inside checkpoints, Hugging
//! Face `config.json`, voice files, WAV headers) and on the inputs of a call.
//!
//! The bounds are far above every released GPT-SoVITS model (the largest widths are 4096, the
//! deepest stacks 24 layers) but small enough that no arithmetic on them can overflow and no
//! single allocation they imply can exhaust memory before the weights are checked against
//! them. `docs/reliability.md` lists them with the reason for each.

use crate::{Error, Result};

/// Widest layer (channels, hidden sizes, FFN widths, embedding widths).
pub const MAX_WIDTH: usize = 1 << 16;
/// Most layers in one stack (transformer layers, flows, WN layers, conv stacks).
pub const MAX_LAYERS: usize = 256;
/// Most attention heads.
pub const MAX_HEADS: usize = 1024;
/// Largest vocabulary (phones, semantic tokens, BERT word pieces, codebook entries).
pub const MAX_VOCAB: usize = 1 << 22;
/// Largest convolution kernel, dilation or relative-attention window.
pub const MAX_KERNEL: usize = 4096;
/// Largest STFT size / hop, and the largest product of the upsampling or stride factors.
pub const MAX_FFT: usize = 1 << 16;
/// Lowest and highest sample rate (Hz) of an audio file or a model.
pub const SAMPLE_RATE_RANGE: (u32, u32) = (4_000, 768_000);
/// Longest audio file read ([`crate::audio::read_wav`]), in seconds.
pub const MAX_AUDIO_SECONDS: f64 = 600.0;
/// Longest reference clip, in seconds, even with `allow_any_length` (upstream refuses more than
/// 10 s; HuBERT's attention grows with the square of the length).
pub const MAX_REFERENCE_SECONDS: f64 = 30.0;
/// Longest text one `text::phonemize` call takes, in characters. Every stage of the
/// frontend is linear in its input, but some are slow on degenerate text (a 20 000-letter
/// "word" goes through the word segmenter and the neural G2P piece by piece); synthesis
/// phonemises sentence by sentence, so only a single sentence this long hits the limit.
pub const MAX_PHONEMIZE_CHARS: usize = 20_000;
/// Most phones of one sentence (and of a voice's transcript) fed to the GPT: its attention
/// grows with the square of the length, and 2048 phones are minutes of speech, beyond the
/// 1500-token (60 s) cap on what one sentence may produce.
pub const MAX_SENTENCE_PHONES: usize = 2048;
/// Default of [`crate::pipeline::SynthesisParams::max_text_chars`].
pub const DEFAULT_MAX_TEXT_CHARS: usize = 50_000;

/// Fails unless `lo <= value <= hi`, naming the field.
pub(crate) fn check(what: &str, field: &str, value: usize, lo: usize, hi: usize) -> Result<()> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(Error::Config(format!("{what}: `{field}` is {value}, it must be in {lo}..={hi}")))
    }
}

/// [`check`] for every element of a list, and the list length.
pub(crate) fn check_list(what: &str, field: &str, values: &[usize], lo: usize, hi: usize) -> Result<()> {
    check(what, &format!("{field} (length)"), values.len(), 1, 64)?;
    values.iter().try_for_each(|&v| check(what, field, v, lo, hi))
}

/// The product of `values` if it is at most `hi`.
pub(crate) fn bounded_product(what: &str, field: &str, values: &[usize], hi: usize) -> Result<usize> {
    values
        .iter()
        .try_fold(1usize, |a, &v| a.checked_mul(v).filter(|&p| p <= hi))
        .ok_or_else(|| Error::Config(format!("{what}: the product of `{field}` exceeds {hi}")))
}
