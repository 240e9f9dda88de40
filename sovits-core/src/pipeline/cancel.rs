//! [`CancelToken`]: how another thread (or the streaming callback) stops a synthesis.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A flag another thread can set to stop a synthesis; checked before every GPT step and
/// between sentences (the call then returns [`crate::Error::Cancelled`]).
///
/// The rule (the same for the C session, `sovits_session_cancel`): a request applies to the
/// call running on the token, or, when none is running, to the next call made with it; every
/// [`Tts::synthesize`](crate::pipeline::Tts::synthesize) /
/// [`Tts::synthesize_stream`](crate::pipeline::Tts::synthesize_stream) call clears the token
/// when it returns, so a token is reused call after call without [`CancelToken::reset`]. Clones
/// share one flag: give concurrent calls their own tokens.
///
/// It also counts the GPT decode steps of the calls made with it ([`CancelToken::steps`]), which
/// another thread can read to show progress inside a sentence.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    steps: AtomicU64,
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the synthesis to stop.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    /// Clears a cancel request.
    pub fn reset(&self) {
        self.0.cancelled.store(false, Ordering::SeqCst);
    }

    /// Whether [`CancelToken::cancel`] was called (and not cleared since).
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// GPT decode steps made so far by the calls on this token (cumulative over calls; a
    /// batched step of several sentences counts once). Read it from another thread for a
    /// progress bar that moves within a sentence.
    pub fn steps(&self) -> u64 {
        self.0.steps.load(Ordering::Relaxed)
    }

    /// What a GPT step asks before it runs: counts the step, then answers whether to stop.
    pub(crate) fn step(&self) -> bool {
        self.0.steps.fetch_add(1, Ordering::Relaxed);
        self.is_cancelled()
    }
}
