//! The burn backends this crate is built and tested with, chosen by Cargo features.

/// burn's fast pure-Rust CPU backend (feature `flex`, the default).
#[cfg(feature = "flex")]
pub type Flex = burn::backend::Flex;

/// burn's ndarray CPU backend (feature `ndarray`).
#[cfg(feature = "ndarray")]
pub type NdArray = burn::backend::NdArray;

/// NVIDIA GPUs through CUDA (feature `cuda`; the driver is loaded at run time).
#[cfg(feature = "cuda")]
pub type Cuda = burn::backend::Cuda;

/// The default CPU backend of this build: `flex` when enabled, else `ndarray`.
#[cfg(feature = "flex")]
pub type CpuBackend = Flex;

/// The default CPU backend of this build: `flex` when enabled, else `ndarray`.
#[cfg(all(feature = "ndarray", not(feature = "flex")))]
pub type CpuBackend = NdArray;

/// The CUDA device with this index (0 = the first GPU).
#[cfg(feature = "cuda")]
pub fn cuda_device(index: usize) -> burn::backend::cuda::CudaDevice {
    burn::backend::cuda::CudaDevice { index }
}

/// Whether models on backend `B` keep fp16 checkpoint weights in fp16 at rest (widened to f32
/// for each use, the same arithmetic): on the CPU backends, where memory is the scarce
/// resource and widening is cheap next to the matmul; not on GPU backends, where it would
/// upload the weights for every call.
pub fn keeps_f16_weights<B: burn::tensor::backend::Backend>() -> bool {
    is_cpu::<B>()
}

/// Whether the convolutions of models on backend `B` run on the host kernels of
/// [`crate::models::common::host_conv`] (direct convolutions, faster than burn's im2col on the
/// CPU): on the CPU backends; GPU backends keep burn's convolutions.
pub fn host_kernels<B: burn::tensor::backend::Backend>() -> bool {
    is_cpu::<B>()
}

/// Whether `B` is one of this crate's CPU backends (its tensors live in host memory).
fn is_cpu<B: burn::tensor::backend::Backend>() -> bool {
    let id = std::any::TypeId::of::<B>();
    #[cfg(feature = "flex")]
    if id == std::any::TypeId::of::<Flex>() {
        return true;
    }
    #[cfg(feature = "ndarray")]
    if id == std::any::TypeId::of::<NdArray>() {
        return true;
    }
    let _ = id;
    false
}
