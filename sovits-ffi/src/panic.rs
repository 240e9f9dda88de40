//! Panics inside the library: caught at every export (`catch_unwind`), and kept off the host's
//! stderr. Rust's default panic hook prints the message (and, with `RUST_BACKTRACE`, a
//! backtrace) to stderr before unwinding starts; a game engine or server does not want that
//! from a library. A hook installed once, on the first call into the library, records the
//! message and location of a panic raised inside a call (on the calling thread, or on one of
//! the rayon workers it runs on) so that the boundary reports it through the log callback and
//! `sovits_last_error()`. Panics anywhere else go to the hook that was installed before, as if
//! this library were not there.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    /// Depth of library calls on this thread.
    static IN_CALL: Cell<usize> = const { Cell::new(0) };
    /// What the hook recorded for the last panic on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Library calls running on any thread (so that panics on rayon workers count as ours).
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

fn describe(info: &PanicHookInfo<'_>) -> String {
    let p = info.payload();
    let msg = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    match info.location() {
        Some(l) => format!("{msg} (at {}:{})", l.file(), l.line()),
        None => msg,
    }
}

fn install() {
    INSTALL.call_once(|| {
        let previous: Hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = IN_CALL.with(Cell::get) > 0;
            let worker = !ours && ACTIVE.load(Ordering::SeqCst) > 0 && rayon_worker();
            if ours {
                LAST_PANIC.with(|l| *l.borrow_mut() = Some(describe(info)));
            } else if worker {
                // Re-raised on the calling thread by rayon, where the boundary reports it.
                crate::log::error(&format!("internal error on a worker thread (please report): {}", describe(info)));
            } else {
                previous(info);
            }
        }));
    });
}

/// Whether this thread is a worker of rayon's global pool (which the CPU backends run on).
fn rayon_worker() -> bool {
    rayon::current_thread_index().is_some()
}

struct CallScope;

impl CallScope {
    fn enter() -> Self {
        IN_CALL.with(|c| c.set(c.get() + 1));
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        CallScope
    }
}

impl Drop for CallScope {
    fn drop(&mut self) {
        IN_CALL.with(|c| c.set(c.get() - 1));
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `f`, catching a panic; the error is the panic's message and location.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install();
    let scope = CallScope::enter();
    let r = catch_unwind(AssertUnwindSafe(f));
    drop(scope);
    r.map_err(|p| {
        LAST_PANIC.with(|l| l.borrow_mut().take()).unwrap_or_else(|| {
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into())
        })
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, c_char, c_void};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::sovits_status;

    static PREVIOUS_HOOK: AtomicUsize = AtomicUsize::new(0);
    static LOGGED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn on_log(level: i32, message: *const c_char, _: *mut c_void) {
        let m = unsafe { CStr::from_ptr(message) }.to_string_lossy();
        if level == 0 && m.contains("boom") && m.contains("panic.rs") {
            LOGGED.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_panic_in_a_call_goes_to_the_log_not_to_the_host_hook() {
        // The host's hook (here: a counter standing in for the default one printing to stderr).
        std::panic::set_hook(Box::new(|_| {
            PREVIOUS_HOOK.fetch_add(1, Ordering::SeqCst);
        }));
        crate::log::set(Some(on_log), std::ptr::null_mut());
        let status = crate::boundary::guard(|| panic!("boom"));
        assert_eq!(status, sovits_status::SOVITS_STATUS_PANIC);
        let last = unsafe { CStr::from_ptr(crate::boundary::last_error()) }.to_string_lossy().into_owned();
        assert!(last.contains("boom") && last.contains("panic.rs"), "{last}");
        assert_eq!(LOGGED.load(Ordering::SeqCst), 1, "the panic reached the log callback once");
        assert_eq!(PREVIOUS_HOOK.load(Ordering::SeqCst), 0, "the host's hook saw a panic caught inside a call");
        // A panic on a rayon worker during a call is logged too, and re-raised to the boundary.
        let status = crate::boundary::guard(|| {
            rayon::scope(|s| s.spawn(|_| panic!("boom on a worker")));
            Ok(())
        });
        assert_eq!(status, sovits_status::SOVITS_STATUS_PANIC);
        assert_eq!(PREVIOUS_HOOK.load(Ordering::SeqCst), 0, "a worker panic reached the host's hook");
        // Panics outside the library still reach the host's hook.
        let _ = std::panic::catch_unwind(|| panic!("the host's own panic"));
        assert_eq!(PREVIOUS_HOOK.load(Ordering::SeqCst), 1);
        crate::log::set(None, std::ptr::null_mut());
        let _ = std::panic::take_hook();
    }
}
