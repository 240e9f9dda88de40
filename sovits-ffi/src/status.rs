//! `sovits_status`: the result of every fallible call, one code per kind of core error.

use sovits_core::ErrorKind;

/// Status of a call. `SOVITS_STATUS_OK` is 0; values are never renumbered.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sovits_status {
    /// Success.
    SOVITS_STATUS_OK = 0,
    /// A required pointer argument was NULL.
    SOVITS_STATUS_NULL_ARG = 1,
    /// An argument is out of range (params, empty text, bad UTF-8, unknown language, wrong
    /// struct_size, ...).
    SOVITS_STATUS_INVALID_ARG = 2,
    /// A file could not be read or written.
    SOVITS_STATUS_IO = 3,
    /// A model file is malformed or does not fit (missing/mis-shaped tensors, bad config).
    SOVITS_STATUS_WEIGHTS = 4,
    /// A model version, text language or device this build does not support.
    SOVITS_STATUS_UNSUPPORTED = 5,
    /// The call was cancelled with `sovits_session_cancel`.
    SOVITS_STATUS_CANCELLED = 6,
    /// Unusable audio (not a WAV, silent, outside 3-10 s for a reference).
    SOVITS_STATUS_AUDIO = 7,
    /// An internal error (a bug): the message says where.
    SOVITS_STATUS_PANIC = 8,
}

impl From<ErrorKind> for sovits_status {
    /// Every kind of core error has its status (no catch-all: a new kind fails to compile
    /// here until it is mapped).
    fn from(kind: ErrorKind) -> Self {
        use sovits_status::*;
        match kind {
            ErrorKind::Io => SOVITS_STATUS_IO,
            ErrorKind::Format | ErrorKind::WeightsMismatch | ErrorKind::Config => SOVITS_STATUS_WEIGHTS,
            ErrorKind::Unsupported | ErrorKind::UnsupportedLanguage => SOVITS_STATUS_UNSUPPORTED,
            ErrorKind::Audio => SOVITS_STATUS_AUDIO,
            ErrorKind::InvalidArgument => SOVITS_STATUS_INVALID_ARG,
            ErrorKind::Cancelled => SOVITS_STATUS_CANCELLED,
        }
    }
}
