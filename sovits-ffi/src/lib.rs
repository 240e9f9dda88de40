//! C ABI for `sovits-core`.
//!
//! This crate is a placeholder until the C API lands (create / load-voice / synthesize with a
//! cbindgen-generated header in `include/`). It already exposes the version queries, wrapped
//! so that no panic can cross the boundary.

use std::ffi::c_char;

/// The library version as a NUL-terminated string (static storage; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn sovits_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version; bumped on any incompatible change of the C API.
#[unsafe(no_mangle)]
pub extern "C" fn sovits_abi_version() -> u32 {
    0
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_nul_terminated() {
        let s = unsafe { std::ffi::CStr::from_ptr(super::sovits_version()) };
        assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(super::sovits_abi_version(), 0);
    }
}
