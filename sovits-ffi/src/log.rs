//! The log callback (`sovits_log_set`).

use std::ffi::{CString, c_char, c_void};
use std::sync::Mutex;

/// Log callback: `level` 0 error, 1 warning, 2 info, 3 debug; `message` is valid only during
/// the call.
pub type sovits_log_callback = Option<unsafe extern "C" fn(level: i32, message: *const c_char, user_data: *mut c_void)>;

struct Sink {
    callback: unsafe extern "C" fn(i32, *const c_char, *mut c_void),
    user_data: *mut c_void,
}

// The caller promises the callback may be called from any thread with its user_data.
unsafe impl Send for Sink {}

static SINK: Mutex<Option<Sink>> = Mutex::new(None);

pub fn set(callback: sovits_log_callback, user_data: *mut c_void) {
    let mut s = SINK.lock().unwrap_or_else(|e| e.into_inner());
    *s = callback.map(|callback| Sink { callback, user_data });
}

fn emit(level: i32, message: &str) {
    let s = SINK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(sink) = s.as_ref() {
        let c = CString::new(message.replace('\0', " ")).unwrap_or_default();
        unsafe { (sink.callback)(level, c.as_ptr(), sink.user_data) };
    }
}

pub fn error(message: &str) {
    emit(0, message);
}

pub fn info(message: &str) {
    emit(2, message);
}
