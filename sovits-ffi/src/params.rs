//! `sovits_synth_params`: the synthesis settings, and their conversion to the core's.

use sovits_core::models::gpt::SamplingParams;
use sovits_core::pipeline::{StreamingMode, SynthesisParams};
use sovits_core::text::split::CutMethod;

use crate::boundary::{self, Fail};

/// Synthesis settings; `sovits_synth_default_params()` gives the original's defaults.
/// `struct_size` as in `sovits_model_params`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sovits_synth_params {
    /// `sizeof(sovits_synth_params)`.
    pub struct_size: u32,
    /// Top-k, >= 1 (15).
    pub top_k: i32,
    /// Top-p in (0, 1] (1 = off).
    pub top_p: f32,
    /// Temperature > 0 (1).
    pub temperature: f32,
    /// Repetition penalty > 0 (1.35).
    pub repetition_penalty: f32,
    /// Speaking rate in (0, 4] (1).
    pub speed: f32,
    /// Sentence splitting: 0..5 = upstream's cut0..cut5 (1: groups of four clauses).
    pub split_method: i32,
    /// Silence after each sentence in seconds, 0..10 (0.3).
    pub pause_seconds: f32,
    /// Seed of the sampler and the vocoder noise (0).
    pub seed: u64,
    /// Vocoder noise scale >= 0 (0.5; 0 = deterministic).
    pub noise_scale: f32,
    /// Most semantic tokens per sentence, 1..1500 (1500 = 60 s).
    pub max_tokens: i32,
    /// Longest text one call accepts, in characters (50000); longer text fails with
    /// `SOVITS_STATUS_INVALID_ARG` before any work. Added in 0.1.1.
    pub max_text_chars: u32,
    /// How `sovits_synthesize_stream` hands out audio, api_v2's numbers: 0 (or 1) = whole
    /// sentences, 2 = token chunks cut at silence-like tokens, 3 = fixed token chunks (lowest
    /// latency). In modes 2 and 3 the callback gets each chunk's audio as it is made. Added in
    /// 0.1.2.
    pub streaming_mode: i32,
    /// Modes 2/3: the shortest chunk in semantic tokens, 1..500 (16 = 0.64 s). Added in 0.1.2.
    pub chunk_length: i32,
    /// Modes 2/3: the overlap between chunks in tokens, 1..chunk_length (2). Added in 0.1.2.
    pub overlap_length: i32,
    /// Modes 2/3: a shorter first chunk in tokens, overlap_length+1..chunk_length, for earlier
    /// first audio;
    /// 0 (the default) = `chunk_length`, the original's behaviour. Added in 0.1.2.
    pub first_chunk_length: i32,
    /// Sentences the GPT decodes together, 1..64 (1): the same audio as one by one, faster
    /// for long texts on the CPU (host GPT decode path, sentence mode only). Added in 0.1.2.
    pub batch_size: i32,
}

/// `sizeof(sovits_synth_params)` of the first release (before `max_text_chars`): the smallest
/// `struct_size` accepted.
const SYNTH_PARAMS_V1_SIZE: usize = std::mem::offset_of!(sovits_synth_params, max_text_chars);

/// The original's synthesis defaults (top_k 15, top_p 1, temperature 1, repetition penalty
/// 1.35, speed 1, cut1, 0.3 s pause, seed 0, noise 0.5, 1500 tokens, 50000 characters,
/// whole sentences; chunks of 16 tokens with an overlap of 2 in the chunk modes).
#[unsafe(no_mangle)]
pub extern "C" fn sovits_synth_default_params() -> sovits_synth_params {
    let d = SynthesisParams::default();
    sovits_synth_params {
        struct_size: size_of::<sovits_synth_params>() as u32,
        top_k: d.sampling.top_k as i32,
        top_p: d.sampling.top_p,
        temperature: d.sampling.temperature,
        repetition_penalty: d.sampling.repetition_penalty,
        speed: d.speed,
        split_method: 1,
        pause_seconds: d.pause_seconds,
        seed: d.sampling.seed,
        noise_scale: d.noise_scale,
        max_tokens: d.sampling.max_steps as i32,
        max_text_chars: d.max_text_chars as u32,
        streaming_mode: d.streaming.api_v2_number() as i32,
        chunk_length: d.chunk_length as i32,
        overlap_length: d.overlap_length as i32,
        first_chunk_length: 0,
        batch_size: d.batch_size as i32,
    }
}

fn cut_method(i: i32) -> Result<CutMethod, Fail> {
    Ok(match i {
        0 => CutMethod::Cut0,
        1 => CutMethod::Cut1,
        2 => CutMethod::Cut2,
        3 => CutMethod::Cut3,
        4 => CutMethod::Cut4,
        5 => CutMethod::Cut5,
        _ => return Err(Fail::invalid(format!("split_method must be 0..5 (cut0..cut5), got {i}"))),
    })
}

/// The synthesis settings `params` points to (NULL: the defaults), checked.
///
/// # Safety
/// `params` is NULL or points to at least `struct_size` readable bytes of a
/// `sovits_synth_params`.
pub unsafe fn synthesis_params(params: *const sovits_synth_params) -> Result<SynthesisParams, Fail> {
    if params.is_null() {
        return Ok(SynthesisParams::default());
    }
    let p =
        unsafe { boundary::params_appended(params, "params", SYNTH_PARAMS_V1_SIZE, sovits_synth_default_params())? };
    if p.top_k < 1 {
        return Err(Fail::invalid(format!("top_k must be at least 1, got {}", p.top_k)));
    }
    if p.chunk_length < 1 || p.overlap_length < 1 || p.batch_size < 1 {
        return Err(Fail::invalid(format!(
            "chunk_length ({}), overlap_length ({}) and batch_size ({}) must be at least 1",
            p.chunk_length, p.overlap_length, p.batch_size
        )));
    }
    if p.max_tokens < 1 {
        return Err(Fail::invalid(format!("max_tokens must be in 1..1500, got {}", p.max_tokens)));
    }
    let s = SynthesisParams {
        sampling: SamplingParams {
            top_k: p.top_k as usize,
            top_p: p.top_p,
            temperature: p.temperature,
            repetition_penalty: p.repetition_penalty,
            max_steps: p.max_tokens as usize,
            seed: p.seed,
            ..SamplingParams::default()
        },
        speed: p.speed,
        split: cut_method(p.split_method)?,
        pause_seconds: p.pause_seconds,
        noise_scale: p.noise_scale,
        max_text_chars: p.max_text_chars as usize,
        streaming: StreamingMode::from_api_v2_number(p.streaming_mode as i64)?,
        chunk_length: p.chunk_length as usize,
        overlap_length: p.overlap_length as usize,
        batch_size: p.batch_size as usize,
        first_chunk_length: match p.first_chunk_length {
            0 => None,
            n if n < 0 => return Err(Fail::invalid(format!("first_chunk_length must be >= 0, got {n}"))),
            n => Some(n as usize),
        },
        ..SynthesisParams::default()
    };
    s.validate()?;
    Ok(s)
}
