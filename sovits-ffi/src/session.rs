//! `sovits_session`: the state of one synthesis at a time over a model (its cancel flag), and
//! the synthesis calls.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};

use sovits_core::pipeline::{CancelToken, Chunk, SynthesisParams};
use sovits_core::text::Lang;

use crate::audio::sovits_audio;
use crate::boundary::{self, Fail, guard, out, req_str};
use crate::engine::{AnySession, Engine};
use crate::model::sovits_model;
use crate::params::{sovits_synth_params, synthesis_params};
use crate::voice::sovits_voice;
use crate::{log, sovits_status};

/// Streaming callback: one piece of audio, mono float samples in [-1, 1] at `sample_rate`: a
/// whole sentence (followed by its pause), or with `streaming_mode` 2/3 one token chunk of a
/// sentence (a sentence's last chunk is followed by its pause). Playing the pieces one after
/// another gives the whole utterance. `pcm` is valid only during the call. Return non-zero to
/// go on, 0 to stop. Runs on the calling thread.
pub type sovits_audio_callback =
    Option<unsafe extern "C" fn(pcm: *const f32, n_samples: u64, sample_rate: i32, user_data: *mut c_void) -> i32>;

/// Per-call state (opaque): the cancel flag and the GPT state its syntheses run in.
/// One thread at a time; `sovits_session_cancel` from any thread.
pub struct sovits_session {
    tts: Arc<dyn Engine>,
    /// Shared with `state` (and read by `sovits_session_cancel` while a synthesis runs).
    cancel: CancelToken,
    /// Locked by a synthesis: a second thread misusing the session waits instead of racing.
    state: Mutex<AnySession>,
}

/// A session over a model: the state of one synthesis at a time. Make one per thread.
///
/// # Safety
/// `model` a valid handle; `out_session` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_session_new(
    model: *const sovits_model,
    out_session: *mut *mut sovits_session,
) -> sovits_status {
    guard(|| {
        let m = unsafe { boundary::handle(model, "model")? };
        let out_session = out(out_session, "out_session")?;
        let cancel = CancelToken::new();
        let state = m.tts.new_session(cancel.clone());
        let state = Mutex::new(state);
        *out_session = Box::into_raw(Box::new(sovits_session { tts: m.tts.clone(), cancel, state }));
        Ok(())
    })
}

/// Asks the session's synthesis to stop (it returns `SOVITS_STATUS_CANCELLED`). Safe to call
/// from any thread while the session is alive; a no-op for NULL. The rule is the Rust
/// `CancelToken`'s: a request applies to the synthesis running on the session, or, when none
/// is running, to the next one; every synthesis call clears it when it returns.
///
/// # Safety
/// `session` is NULL or a live session.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_session_cancel(session: *const sovits_session) {
    boundary::catch((), || {
        if let Some(s) = unsafe { session.as_ref() } {
            s.cancel.cancel();
        }
    })
}

/// Frees a session and sets `*session` to NULL (NULL and repeated frees are no-ops).
///
/// # Safety
/// `session` is NULL or points to NULL or to a session of this library, not in use.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_session_free(session: *mut *mut sovits_session) {
    unsafe { boundary::free(session) }
}

/// The checked arguments of a synthesis call.
struct Synthesis<'a> {
    session: &'a sovits_session,
    voice: &'a sovits_voice,
    text: &'a str,
    lang: Lang,
    params: SynthesisParams,
}

impl Synthesis<'_> {
    /// Checks and converts the arguments every synthesis call takes.
    ///
    /// # Safety
    /// Handles NULL or valid; strings NULL or NUL-terminated; `params` NULL or a
    /// `sovits_synth_params`.
    unsafe fn unpack<'a>(
        session: *const sovits_session,
        voice: *const sovits_voice,
        text: *const c_char,
        text_lang: *const c_char,
        params: *const sovits_synth_params,
    ) -> Result<Synthesis<'a>, Fail> {
        Ok(Synthesis {
            session: unsafe { boundary::handle(session, "session")? },
            voice: unsafe { boundary::handle(voice, "voice")? },
            text: unsafe { req_str(text, "text")? },
            lang: unsafe { req_str(text_lang, "text_lang")? }.parse()?,
            params: unsafe { synthesis_params(params)? },
        })
    }

    fn run(&self, on_chunk: &mut dyn FnMut(Chunk) -> bool) -> Result<(), Fail> {
        let s = self.session;
        // A panic inside an earlier call may have poisoned the lock; the state it guards is
        // overwritten by every run, so it is safe to go on.
        let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
        let t0 = std::time::Instant::now();
        let n = s.tts.synthesize_in(&mut state, &self.voice.voice, self.text, self.lang, &self.params, on_chunk)?;
        log::info(&format!("synthesized {n} sentence(s) in {:.2} s", t0.elapsed().as_secs_f64()));
        Ok(())
    }
}

/// Synthesizes `text` in `text_lang` (`"all_zh"`, `"zh"`, `"en"`, `"all_ja"`, `"ja"`, `"all_ko"`,
/// `"ko"`, `"all_yue"`, `"yue"`, `"auto"`, `"auto_yue"`, any case; UTF-8) with a voice. On success `*out_audio` holds the whole utterance; free it with
/// `sovits_audio_free`. `params` NULL means the defaults.
///
/// # Safety
/// Valid handles; strings NUL-terminated UTF-8; `out_audio` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_synthesize(
    session: *mut sovits_session,
    voice: *const sovits_voice,
    text: *const c_char,
    text_lang: *const c_char,
    params: *const sovits_synth_params,
    out_audio: *mut *mut sovits_audio,
) -> sovits_status {
    guard(|| {
        let call = unsafe { Synthesis::unpack(session, voice, text, text_lang, params)? };
        let out_audio = out(out_audio, "out_audio")?;
        let mut samples: Vec<f32> = Vec::new();
        call.run(&mut |c| {
            samples.extend_from_slice(&c.samples);
            true
        })?;
        *out_audio = sovits_audio::boxed(samples, call.session.tts.sample_rate());
        Ok(())
    })
}

/// Synthesizes and calls `callback` with audio as soon as it is ready (on this thread): each
/// sentence, or with `params->streaming_mode` 2 or 3 each token chunk (about 0.64 s of speech
/// with the default `chunk_length` of 16), so playback can start after the first chunk. The
/// callback returning 0 stops early (still `SOVITS_STATUS_OK`); `sovits_session_cancel`
/// stops with `SOVITS_STATUS_CANCELLED` within one chunk.
///
/// # Safety
/// Valid handles; strings NUL-terminated UTF-8; `callback` non-NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_synthesize_stream(
    session: *mut sovits_session,
    voice: *const sovits_voice,
    text: *const c_char,
    text_lang: *const c_char,
    params: *const sovits_synth_params,
    callback: sovits_audio_callback,
    user_data: *mut c_void,
) -> sovits_status {
    guard(|| {
        let call = unsafe { Synthesis::unpack(session, voice, text, text_lang, params)? };
        let cb = callback.ok_or_else(|| Fail::null("callback"))?;
        let rate = call.session.tts.sample_rate() as i32;
        call.run(&mut |c| unsafe { cb(c.samples.as_ptr(), c.samples.len() as u64, rate, user_data) != 0 })
    })
}
