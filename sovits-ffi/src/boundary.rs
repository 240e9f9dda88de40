//! The FFI boundary: panic catching, status codes and the thread-local last error, pointer
//! and string checks, and NULL-safe frees.

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};

use sovits_core::Error;
use sovits_core::audio::Audio;

use crate::sovits_status;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// A failure: its status and message.
pub struct Fail {
    pub status: sovits_status,
    pub message: String,
}

impl Fail {
    pub fn null(what: &str) -> Self {
        Fail { status: sovits_status::SOVITS_STATUS_NULL_ARG, message: format!("{what} is NULL") }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Fail { status: sovits_status::SOVITS_STATUS_INVALID_ARG, message: message.into() }
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail { status: e.kind().into(), message: e.to_string() }
    }
}

fn set_last_error(message: &str) {
    let c = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|l| *l.borrow_mut() = c);
}

pub fn last_error() -> *const c_char {
    LAST_ERROR.with(|l| l.borrow().as_ptr())
}

/// Runs an export body: clears the last error, catches panics, maps failures to a status
/// and records the message.
pub fn guard(f: impl FnOnce() -> Result<(), Fail>) -> sovits_status {
    set_last_error("");
    match crate::panic::catch(f) {
        Ok(Ok(())) => sovits_status::SOVITS_STATUS_OK,
        Ok(Err(fail)) => {
            crate::log::error(&fail.message);
            set_last_error(&fail.message);
            fail.status
        }
        Err(p) => {
            let m = format!("internal error (please report): {p}");
            crate::log::error(&m);
            set_last_error(&m);
            sovits_status::SOVITS_STATUS_PANIC
        }
    }
}

/// Runs a body that has no status to return; a panic gives `default`.
pub fn catch<T>(default: T, f: impl FnOnce() -> T) -> T {
    match crate::panic::catch(|| Ok::<T, Fail>(f())) {
        Ok(Ok(v)) => v,
        Ok(Err(_)) => default,
        Err(m) => {
            crate::log::error(&format!("internal error (please report): {m}"));
            default
        }
    }
}

/// A non-NULL handle.
///
/// # Safety
/// `p` is NULL or valid for reads.
pub unsafe fn handle<'a, T>(p: *const T, what: &str) -> Result<&'a T, Fail> {
    unsafe { p.as_ref() }.ok_or_else(|| Fail::null(what))
}

/// A params struct that has grown by appending fields: `struct_size` must be at least
/// `min_size` (the first release's size); the bytes the caller's version has are copied over
/// `defaults`, so fields appended later keep their defaults for older callers.
///
/// # Safety
/// `p` is NULL or points to at least `struct_size` readable bytes starting with a `u32`.
pub unsafe fn params_appended<T: Copy>(p: *const T, what: &str, min_size: usize, defaults: T) -> Result<T, Fail> {
    if p.is_null() {
        return Err(Fail::null(what));
    }
    let size = unsafe { (p as *const u32).read_unaligned() } as usize;
    if size < min_size {
        return Err(Fail::invalid(format!(
            "{what}.struct_size is {size}, this library needs at least {min_size} (start from the \
             *_default_params() of its header)"
        )));
    }
    let mut out = defaults;
    let n = size.min(size_of::<T>());
    // The caller's first `n` bytes are its version of the struct; the rest stay defaults.
    unsafe { std::ptr::copy_nonoverlapping(p as *const u8, (&mut out as *mut T).cast::<u8>(), n) };
    // struct_size itself must describe this copy.
    unsafe { (&mut out as *mut T).cast::<u32>().write_unaligned(size_of::<T>() as u32) };
    Ok(out)
}

/// An output pointer, checked non-NULL.
pub fn out<'a, T>(p: *mut *mut T, what: &str) -> Result<&'a mut *mut T, Fail> {
    unsafe { p.as_mut() }.ok_or_else(|| Fail::null(what))
}

/// A NUL-terminated UTF-8 string, or `None` for NULL.
///
/// # Safety
/// `s` is NULL or NUL-terminated.
pub unsafe fn opt_str<'a>(s: *const c_char, what: &str) -> Result<Option<&'a str>, Fail> {
    if s.is_null() {
        return Ok(None);
    }
    unsafe { CStr::from_ptr(s) }
        .to_str()
        .map(Some)
        .map_err(|e| Fail::invalid(format!("{what} is not valid UTF-8 ({e})")))
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// `s` is NULL or NUL-terminated.
pub unsafe fn req_str<'a>(s: *const c_char, what: &str) -> Result<&'a str, Fail> {
    unsafe { opt_str(s, what) }?.ok_or_else(|| Fail::null(what))
}

/// PCM samples as [`Audio`].
///
/// # Safety
/// `pcm` is NULL or holds `n` floats.
pub unsafe fn audio(pcm: *const f32, n: u64, sample_rate: i32) -> Result<Audio, Fail> {
    if pcm.is_null() {
        return Err(Fail::null("pcm"));
    }
    if n == 0 || n > (1u64 << 31) {
        return Err(Fail::invalid(format!("n_samples must be in 1..2^31, got {n}")));
    }
    let (lo, hi) = sovits_core::limits::SAMPLE_RATE_RANGE;
    if !(lo as i64..=hi as i64).contains(&(sample_rate as i64)) {
        return Err(Fail::invalid(format!("sample_rate must be {lo}..{hi} Hz, got {sample_rate}")));
    }
    let samples = unsafe { std::slice::from_raw_parts(pcm, n as usize) }.to_vec();
    if samples.iter().any(|s| !s.is_finite()) {
        return Err(Fail::invalid("pcm holds NaN or infinite samples"));
    }
    Ok(Audio { samples, sample_rate: sample_rate as u32 })
}

/// The most bytes one memory argument may hold (a model file, a WAV, a saved voice): 16 GiB.
pub const MAX_BYTES: u64 = 16 << 30;

/// `size` bytes at `data` (copied out), checked: non-NULL unless empty, at most [`MAX_BYTES`].
///
/// # Safety
/// `data` is NULL or holds `size` readable bytes.
pub unsafe fn bytes<'a>(data: *const u8, size: u64, what: &str) -> Result<&'a [u8], Fail> {
    if size > MAX_BYTES {
        return Err(Fail::invalid(format!("{what}: {size} bytes is more than the {MAX_BYTES} one argument may hold")));
    }
    if size == 0 {
        return Err(Fail::invalid(format!("{what} is empty (size 0)")));
    }
    if data.is_null() {
        return Err(Fail::null(what));
    }
    Ok(unsafe { std::slice::from_raw_parts(data, size as usize) })
}

/// Frees a boxed handle through its address and NULLs it; NULL or an already NULL handle is
/// a no-op.
///
/// # Safety
/// `p` is NULL or points to NULL or to a pointer from `Box::into_raw::<T>`.
pub unsafe fn free<T>(p: *mut *mut T) {
    catch((), || {
        let Some(slot) = (unsafe { p.as_mut() }) else { return };
        if !slot.is_null() {
            drop(unsafe { Box::from_raw(*slot) });
            *slot = std::ptr::null_mut();
        }
    })
}
