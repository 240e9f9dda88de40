//! The one error type of `sovits-core`.
//!
//! Every message says what went wrong and, where there is one, what to do about it.

use std::path::PathBuf;

/// Errors returned by `sovits-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("cannot {} {path}: {source}", if *writing { "write" } else { "read" })]
    Io {
        /// The file.
        path: PathBuf,
        /// Whether it was being written (else read).
        writing: bool,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// A weight file is not in a format we can read (corrupt, truncated, wrong kind of file).
    #[error("{path}: not a valid {format} file: {reason}")]
    Format {
        /// The file (or a description of the in-memory source).
        path: PathBuf,
        /// The format we expected (`safetensors`, `PyTorch zip checkpoint`, ...).
        format: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The tensors in a weight file do not match the model being loaded.
    #[error(
        "{model} weights do not match the model ({} missing, {} with the wrong shape, {} unexpected{}):{}\n\
         Check that the file is a GPT-SoVITS {model} checkpoint of a supported version and that the config matches it.",
        missing.len(), mis_shaped.len(), unexpected.len(),
        if *stopped_early { "; the load stopped early: the model asks for far more than the file holds" } else { "" },
        render_key_problems(missing, mis_shaped, unexpected)
    )]
    WeightsMismatch {
        /// Which model was loaded (`SoVITS`, `GPT`, ...).
        model: &'static str,
        /// Keys the model needs that the file does not have.
        missing: Vec<String>,
        /// Keys present with the wrong shape: `key: expected [..], found [..]`.
        mis_shaped: Vec<String>,
        /// Keys in the file that the model does not use and that are not known training-only keys.
        unexpected: Vec<String>,
        /// The load stopped before the whole model was built, because the config asks for far
        /// more than the file holds (the lists then cover only the part built so far).
        stopped_early: bool,
    },

    /// The checkpoint is a GPT-SoVITS version this library does not run.
    #[error(
        "{what} is a GPT-SoVITS {version} model, which is not supported yet; supported: {} \
         (e.g. s2G2333k.pth / s2G488k.pth and fine-tunes of them)",
        crate::weights::ModelVersion::supported_list()
    )]
    Unsupported {
        /// The file or model.
        what: String,
        /// The detected version (`v2Pro`, `v3`, ...).
        version: String,
    },

    /// A text language the frontend knows but does not implement yet.
    #[error(
        "text language {lang:?} is not implemented in the text frontend yet; \
         supported now: {supported} (see docs/text-frontend.md)"
    )]
    UnsupportedLanguage {
        /// The language code asked for.
        lang: String,
        /// What works today.
        supported: String,
    },

    /// A configuration is missing a field or has an impossible value.
    #[error("invalid config: {0}")]
    Config(String),

    /// Audio input that cannot be used (empty, not a WAV, unsupported encoding, ...).
    #[error("audio: {0}")]
    Audio(String),

    /// An argument of a call is out of range or has the wrong shape.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The caller cancelled the call.
    #[error("cancelled")]
    Cancelled,
}

fn render_key_problems(missing: &[String], mis_shaped: &[String], unexpected: &[String]) -> String {
    const SHOW: usize = 12;
    let mut out = String::new();
    for (label, list) in [("missing", missing), ("wrong shape", mis_shaped), ("unexpected", unexpected)] {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n  {label}:"));
        for k in list.iter().take(SHOW) {
            out.push_str(&format!("\n    {k}"));
        }
        if list.len() > SHOW {
            out.push_str(&format!("\n    ... and {} more", list.len() - SHOW));
        }
    }
    out
}

/// The kinds of [`Error`], one per variant (see [`Error::kind`]). Not `non_exhaustive` on
/// purpose: a new kind must be mapped by every caller that matches on them (the C API's
/// status codes), so adding one is a breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// [`Error::Io`].
    Io,
    /// [`Error::Format`].
    Format,
    /// [`Error::WeightsMismatch`].
    WeightsMismatch,
    /// [`Error::Unsupported`].
    Unsupported,
    /// [`Error::UnsupportedLanguage`].
    UnsupportedLanguage,
    /// [`Error::Config`].
    Config,
    /// [`Error::Audio`].
    Audio,
    /// [`Error::InvalidArgument`].
    InvalidArgument,
    /// [`Error::Cancelled`].
    Cancelled,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), writing: false, source }
    }

    /// An [`Error::Io`] from writing a file.
    pub(crate) fn io_write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), writing: true, source }
    }

    /// What kind of error this is, for callers that branch on it (the C API maps each kind to
    /// one status code).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::Format { .. } => ErrorKind::Format,
            Error::WeightsMismatch { .. } => ErrorKind::WeightsMismatch,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::UnsupportedLanguage { .. } => ErrorKind::UnsupportedLanguage,
            Error::Config(_) => ErrorKind::Config,
            Error::Audio(_) => ErrorKind::Audio,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::Cancelled => ErrorKind::Cancelled,
        }
    }

    /// An [`Error::Io`] for a file or folder that is not there; `why` says what was expected.
    pub(crate) fn not_found(path: impl Into<PathBuf>, why: impl Into<String>) -> Self {
        Error::io(path, std::io::Error::new(std::io::ErrorKind::NotFound, why.into()))
    }

    /// Names the file a config error came from (other errors already name theirs or need none).
    pub(crate) fn in_file(self, path: &std::path::Path) -> Self {
        match self {
            Error::Config(m) if !m.starts_with(&*path.to_string_lossy()) => {
                Error::Config(format!("{}: {m}", path.display()))
            }
            e => e,
        }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, format: &'static str, reason: impl Into<String>) -> Self {
        Error::Format { path: path.into(), format, reason: reason.into() }
    }
}
