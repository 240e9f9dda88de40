//! `sovits_audio`: synthesized audio handed to the caller.

use crate::boundary;

/// Audio owned by the caller: free with `sovits_audio_free`.
#[repr(C)]
#[derive(Debug)]
pub struct sovits_audio {
    /// Mono samples in [-1, 1].
    pub samples: *mut f32,
    /// Number of samples.
    pub n_samples: u64,
    /// Sample rate in Hz (32000).
    pub sample_rate: i32,
}

impl sovits_audio {
    /// Hands `samples` to the caller.
    pub(crate) fn boxed(samples: Vec<f32>, sample_rate: u32) -> *mut sovits_audio {
        let n = samples.len() as u64;
        let ptr = Box::into_raw(samples.into_boxed_slice()) as *mut f32;
        Box::into_raw(Box::new(sovits_audio { samples: ptr, n_samples: n, sample_rate: sample_rate as i32 }))
    }
}

/// The samples belong to the struct: freeing it (`sovits_audio_free`) frees them.
impl Drop for sovits_audio {
    fn drop(&mut self) {
        if !self.samples.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(self.samples, self.n_samples as usize);
            // SAFETY: `samples`/`n_samples` are the boxed slice `boxed` handed out.
            drop(unsafe { Box::from_raw(slice) });
        }
    }
}

/// Frees audio from `sovits_synthesize` and sets `*audio` to NULL (NULL and repeated frees
/// are no-ops).
///
/// # Safety
/// `audio` is NULL or points to NULL or to audio of this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_audio_free(audio: *mut *mut sovits_audio) {
    unsafe { boundary::free(audio) }
}
