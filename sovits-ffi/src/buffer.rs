//! `sovits_buffer`: bytes handed to the caller (a saved voice).

use crate::boundary;

/// Bytes owned by the caller: free with `sovits_buffer_free`.
#[repr(C)]
#[derive(Debug)]
pub struct sovits_buffer {
    /// The bytes.
    pub data: *mut u8,
    /// Their number.
    pub size: u64,
}

impl sovits_buffer {
    /// Hands `bytes` to the caller.
    pub(crate) fn boxed(bytes: Vec<u8>) -> *mut sovits_buffer {
        let size = bytes.len() as u64;
        let data = Box::into_raw(bytes.into_boxed_slice()) as *mut u8;
        Box::into_raw(Box::new(sovits_buffer { data, size }))
    }
}

/// The bytes belong to the struct: freeing it (`sovits_buffer_free`) frees them.
impl Drop for sovits_buffer {
    fn drop(&mut self) {
        if !self.data.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(self.data, self.size as usize);
            // SAFETY: `data`/`size` are the boxed slice `boxed` handed out.
            drop(unsafe { Box::from_raw(slice) });
        }
    }
}

/// Frees a buffer from this library and sets `*buffer` to NULL (NULL and repeated frees are
/// no-ops).
///
/// # Safety
/// `buffer` is NULL or points to NULL or to a buffer of this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_buffer_free(buffer: *mut *mut sovits_buffer) {
    unsafe { boundary::free(buffer) }
}
