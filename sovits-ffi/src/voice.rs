//! `sovits_voice`: a cloned voice, made from a reference clip (+ transcript), saved and loaded.

use std::ffi::c_char;

use sovits_core::audio::{Audio, read_wav, read_wav_bytes};
use sovits_core::pipeline::{ReferenceOptions, Transcript, Voice, VoiceOptions};
use sovits_core::text::Lang;

use crate::boundary::{self, Fail, guard, opt_str, out, req_str};
use crate::buffer::sovits_buffer;
use crate::model::sovits_model;
use crate::sovits_status;

/// How a voice is made from reference audio. Start from `sovits_voice_default_params()`;
/// `struct_size` as in `sovits_model_params`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sovits_voice_params {
    /// `sizeof(sovits_voice_params)`.
    pub struct_size: u32,
    /// 0 (default): the reference must be 3-10 s long, as upstream requires; 1: any length up
    /// to 30 s (shorter or longer clips give a weaker likeness).
    pub allow_any_length: i32,
}

/// `sizeof(sovits_voice_params)` of the first release.
const VOICE_PARAMS_V1_SIZE: usize = size_of::<sovits_voice_params>();

/// A cloned voice (opaque). Read-only during synthesis; do not free it while in use.
pub struct sovits_voice {
    pub(crate) voice: Voice,
}

/// The default voice settings (the 3-10 s window enforced).
#[unsafe(no_mangle)]
pub extern "C" fn sovits_voice_default_params() -> sovits_voice_params {
    sovits_voice_params { struct_size: size_of::<sovits_voice_params>() as u32, allow_any_length: 0 }
}

/// The voice options of `params` (NULL: the defaults).
unsafe fn voice_options(params: *const sovits_voice_params) -> Result<VoiceOptions, Fail> {
    if params.is_null() {
        return Ok(VoiceOptions::default());
    }
    let p =
        unsafe { boundary::params_appended(params, "params", VOICE_PARAMS_V1_SIZE, sovits_voice_default_params())? };
    Ok(VoiceOptions {
        reference: ReferenceOptions { allow_any_length: p.allow_any_length != 0, ..ReferenceOptions::default() },
        ..VoiceOptions::default()
    })
}

/// The transcript of `ref_text` in `ref_lang`; NULL text is reference-free mode (the language
/// is then ignored).
unsafe fn transcript(ref_text: *const c_char, ref_lang: *const c_char) -> Result<Option<Transcript>, Fail> {
    let Some(text) = (unsafe { opt_str(ref_text, "ref_text")? }) else { return Ok(None) };
    let lang: Lang = unsafe { req_str(ref_lang, "ref_lang")? }.parse()?;
    Ok(Some(Transcript::new(text, lang)))
}

/// Makes the voice and hands it out.
fn make(
    model: *const sovits_model,
    audio: impl FnOnce() -> Result<Audio, Fail>,
    ref_text: *const c_char,
    ref_lang: *const c_char,
    params: *const sovits_voice_params,
    out_voice: *mut *mut sovits_voice,
) -> Result<(), Fail> {
    let m = unsafe { boundary::handle(model, "model")? };
    let out_voice = out(out_voice, "out_voice")?;
    let opts = unsafe { voice_options(params)? };
    let transcript = unsafe { transcript(ref_text, ref_lang)? };
    let audio = audio()?;
    let voice = m.tts.voice(&audio, transcript.as_ref(), &opts)?;
    *out_voice = Box::into_raw(Box::new(sovits_voice { voice }));
    Ok(())
}

/// Makes a voice from reference audio (3-10 s of speech) and its transcript. `ref_text`
/// NULL is reference-free mode (`ref_lang` is then ignored). On success `*out_voice` is the
/// voice; free it with `sovits_voice_free`.
///
/// # Safety
/// `model` from `sovits_model_load`; `pcm` holds `n_samples` floats; strings NUL-terminated
/// UTF-8 or NULL; `out_voice` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_new(
    model: *const sovits_model,
    pcm: *const f32,
    n_samples: u64,
    sample_rate: i32,
    ref_text: *const c_char,
    ref_lang: *const c_char,
    out_voice: *mut *mut sovits_voice,
) -> sovits_status {
    unsafe {
        sovits_voice_new_with(model, pcm, n_samples, sample_rate, ref_text, ref_lang, std::ptr::null(), out_voice)
    }
}

/// `sovits_voice_new` with voice settings (`params` NULL: the defaults), e.g. to accept a
/// reference outside 3-10 s.
///
/// # Safety
/// As `sovits_voice_new`; `params` NULL or a `sovits_voice_params`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the C signature
pub unsafe extern "C" fn sovits_voice_new_with(
    model: *const sovits_model,
    pcm: *const f32,
    n_samples: u64,
    sample_rate: i32,
    ref_text: *const c_char,
    ref_lang: *const c_char,
    params: *const sovits_voice_params,
    out_voice: *mut *mut sovits_voice,
) -> sovits_status {
    guard(|| {
        let audio = || unsafe { boundary::audio(pcm, n_samples, sample_rate) };
        make(model, audio, ref_text, ref_lang, params, out_voice)
    })
}

/// `sovits_voice_new` from a WAV file (any rate, any channel count).
///
/// # Safety
/// As `sovits_voice_new`; `wav_path` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_from_wav(
    model: *const sovits_model,
    wav_path: *const c_char,
    ref_text: *const c_char,
    ref_lang: *const c_char,
    out_voice: *mut *mut sovits_voice,
) -> sovits_status {
    unsafe { sovits_voice_from_wav_with(model, wav_path, ref_text, ref_lang, std::ptr::null(), out_voice) }
}

/// `sovits_voice_from_wav` with voice settings (`params` NULL: the defaults).
///
/// # Safety
/// As `sovits_voice_from_wav`; `params` NULL or a `sovits_voice_params`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_from_wav_with(
    model: *const sovits_model,
    wav_path: *const c_char,
    ref_text: *const c_char,
    ref_lang: *const c_char,
    params: *const sovits_voice_params,
    out_voice: *mut *mut sovits_voice,
) -> sovits_status {
    guard(|| {
        let path = unsafe { req_str(wav_path, "wav_path")? };
        make(model, || Ok(read_wav(path)?), ref_text, ref_lang, params, out_voice)
    })
}

/// `sovits_voice_from_wav_with` from the bytes of a WAV file in memory (any rate, any channel
/// count; `params` NULL: the defaults).
///
/// # Safety
/// As `sovits_voice_new`; `wav` holds `wav_size` bytes.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the C signature
pub unsafe extern "C" fn sovits_voice_from_wav_memory(
    model: *const sovits_model,
    wav: *const u8,
    wav_size: u64,
    ref_text: *const c_char,
    ref_lang: *const c_char,
    params: *const sovits_voice_params,
    out_voice: *mut *mut sovits_voice,
) -> sovits_status {
    guard(|| {
        let bytes = unsafe { boundary::bytes(wav, wav_size, "wav")? };
        make(model, || Ok(read_wav_bytes(bytes)?), ref_text, ref_lang, params, out_voice)
    })
}

/// Adds another reference clip to a voice (the timbre becomes the mean over the clips); the
/// clip passes the same checks as the first.
///
/// # Safety
/// `model`, `voice` valid handles; `pcm` holds `n_samples` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_add_reference(
    model: *const sovits_model,
    voice: *mut sovits_voice,
    pcm: *const f32,
    n_samples: u64,
    sample_rate: i32,
) -> sovits_status {
    unsafe { sovits_voice_add_reference_with(model, voice, pcm, n_samples, sample_rate, std::ptr::null()) }
}

/// `sovits_voice_add_reference` with voice settings (`params` NULL: the defaults).
///
/// # Safety
/// As `sovits_voice_add_reference`; `params` NULL or a `sovits_voice_params`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_add_reference_with(
    model: *const sovits_model,
    voice: *mut sovits_voice,
    pcm: *const f32,
    n_samples: u64,
    sample_rate: i32,
    params: *const sovits_voice_params,
) -> sovits_status {
    guard(|| {
        let m = unsafe { boundary::handle(model, "model")? };
        let v = unsafe { voice.as_mut() }.ok_or_else(|| Fail::null("voice"))?;
        let opts = unsafe { voice_options(params)? };
        let audio = unsafe { boundary::audio(pcm, n_samples, sample_rate)? };
        m.tts.add_reference(&mut v.voice, &audio, &opts.reference)?;
        Ok(())
    })
}

/// Saves a voice to a file (about 2 MB for a 10 s reference, mostly its spectrogram) so it
/// can be loaded without the reference clip.
///
/// # Safety
/// `voice` a valid handle; `path` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_save(voice: *const sovits_voice, path: *const c_char) -> sovits_status {
    guard(|| {
        let v = unsafe { boundary::handle(voice, "voice")? };
        let path = unsafe { req_str(path, "path")? };
        v.voice.save(path)?;
        Ok(())
    })
}

/// A voice as the bytes `sovits_voice_save` writes, in a buffer the caller frees with
/// `sovits_buffer_free`: to keep voices in a database, a pack file or an app's storage.
///
/// # Safety
/// `voice` a valid handle; `out_buffer` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_save_to_memory(
    voice: *const sovits_voice,
    out_buffer: *mut *mut sovits_buffer,
) -> sovits_status {
    guard(|| {
        let v = unsafe { boundary::handle(voice, "voice")? };
        let out_buffer = out(out_buffer, "out_buffer")?;
        *out_buffer = sovits_buffer::boxed(v.voice.to_bytes()?);
        Ok(())
    })
}

/// Loads a voice from the bytes of a saved voice (`sovits_voice_save`,
/// `sovits_voice_save_to_memory`); the bytes are copied, the caller keeps them.
///
/// # Safety
/// `data` holds `size` bytes; `out_voice` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_load_from_memory(
    data: *const u8,
    size: u64,
    out_voice: *mut *mut sovits_voice,
) -> sovits_status {
    guard(|| {
        let out_voice = out(out_voice, "out_voice")?;
        let bytes = unsafe { boundary::bytes(data, size, "data")? };
        let voice = Voice::from_bytes(bytes)?;
        *out_voice = Box::into_raw(Box::new(sovits_voice { voice }));
        Ok(())
    })
}

/// Loads a voice saved by `sovits_voice_save`.
///
/// # Safety
/// `path` NUL-terminated; `out_voice` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_load(path: *const c_char, out_voice: *mut *mut sovits_voice) -> sovits_status {
    guard(|| {
        let out_voice = out(out_voice, "out_voice")?;
        let path = unsafe { req_str(path, "path")? };
        let voice = Voice::load(path)?;
        *out_voice = Box::into_raw(Box::new(sovits_voice { voice }));
        Ok(())
    })
}

/// Frees a voice and sets `*voice` to NULL (NULL and repeated frees are no-ops).
///
/// # Safety
/// `voice` is NULL or points to NULL or to a voice of this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_voice_free(voice: *mut *mut sovits_voice) {
    unsafe { boundary::free(voice) }
}
