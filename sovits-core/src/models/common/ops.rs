//! Small tensor operations that PyTorch has and burn spells differently.

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

/// LayerNorm of `x` over `dim` with per-channel `gamma`/`beta` (biased variance, like PyTorch).
pub fn layer_norm_dim<B: Backend, const D: usize>(
    x: Tensor<B, D>,
    dim: usize,
    gamma: &Tensor<B, 1>,
    beta: &Tensor<B, 1>,
    eps: f64,
) -> Tensor<B, D> {
    let mean = x.clone().mean_dim(dim);
    let xc = x - mean;
    let var = xc.clone().powf_scalar(2.0).mean_dim(dim);
    // Division, not `recip()`: ndarray's SIMD reciprocal is approximate (3e-5 relative).
    let y = xc / (var + eps).sqrt();
    let mut shape = [1usize; D];
    shape[dim] = gamma.dims()[0];
    y * gamma.clone().reshape(shape) + beta.clone().reshape(shape)
}

/// `F.leaky_relu(x, slope)`.
pub fn leaky_relu<B: Backend, const D: usize>(x: Tensor<B, D>, slope: f64) -> Tensor<B, D> {
    burn::tensor::activation::leaky_relu(x, slope)
}

/// Nearest-neighbour upsampling of the last axis by an integer factor
/// (`F.interpolate(x, size=T*factor, mode="nearest")`).
pub fn repeat_interleave_time<B: Backend>(x: Tensor<B, 3>, factor: usize) -> Tensor<B, 3> {
    let [b, c, t] = x.dims();
    x.unsqueeze_dim::<4>(3).repeat_dim(3, factor).reshape([b, c, t * factor])
}

/// `F.interpolate(x, size=out_len, mode="linear", align_corners=False)` on the last axis.
///
/// The source positions and weights are computed on the host exactly as PyTorch does
/// (`src = max((dst + 0.5) * in/out - 0.5, 0)`), then applied with two gathers.
pub fn interpolate_linear<B: Backend>(x: Tensor<B, 3>, out_len: usize) -> Tensor<B, 3> {
    let [b, c, t_in] = x.dims();
    let device = x.device();
    let scale = t_in as f32 / out_len as f32;
    let mut i0 = Vec::with_capacity(out_len);
    let mut i1 = Vec::with_capacity(out_len);
    let mut w0 = Vec::with_capacity(out_len);
    let mut w1 = Vec::with_capacity(out_len);
    for d in 0..out_len {
        let src = ((d as f32 + 0.5) * scale - 0.5).max(0.0);
        let a = (src as usize).min(t_in - 1);
        let step = if a < t_in - 1 { 1 } else { 0 };
        let l1 = src - a as f32;
        i0.push(a as i64);
        i1.push((a + step) as i64);
        w0.push(1.0 - l1);
        w1.push(l1);
    }
    let idx = |v: Vec<i64>| Tensor::<B, 1, Int>::from_data(TensorData::new(v, [out_len]), &device);
    let wt = |v: Vec<f32>| Tensor::<B, 1>::from_data(TensorData::new(v, [out_len]), &device).reshape([1, 1, out_len]);
    let x0 = x.clone().select(2, idx(i0));
    let x1 = x.select(2, idx(i1));
    let _ = (b, c);
    x0 * wt(w0) + x1 * wt(w1)
}

/// Copies a tensor to the host as f32.
pub fn to_vec_f32<B: Backend, const D: usize>(x: Tensor<B, D>) -> Vec<f32> {
    x.into_data().convert::<f32>().into_vec::<f32>().expect("f32 tensor data")
}
