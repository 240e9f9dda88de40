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

/// `erf(x)` in f32 as a rational function of `x` (the one Eigen and XLA use for f32; inputs
/// clamped to [-4, 4], where erf is +-1 in f32): within 4.5e-7 of the exact value and
/// branch-free so loops over it vectorize.
#[inline]
pub fn erf_f32(x: f32) -> f32 {
    // Odd numerator and even denominator coefficients, highest power first.
    const P: [f64; 7] = [
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    ];
    const Q: [f64; 5] = [
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    ];
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = P[0] as f32;
    for &c in &P[1..] {
        p = x2 * p + c as f32;
    }
    let mut q = Q[0] as f32;
    for &c in &Q[1..] {
        q = x2 * q + c as f32;
    }
    x * p / q
}

/// Exact (erf) GELU in place, `x * 0.5 * (1 + erf(x / sqrt(2)))`, threaded.
pub fn gelu_in_place(v: &mut [f32]) {
    use rayon::prelude::*;
    #[inline(always)]
    fn body(c: &mut [f32]) {
        for x in c {
            *x = *x * 0.5 * (1.0 + erf_f32(*x * std::f32::consts::FRAC_1_SQRT_2));
        }
    }
    v.par_chunks_mut(16 * 1024).for_each(|c| with_avx2(c, body));
}

/// Runs `f(c)` compiled for AVX2 when the CPU has it (8 lanes instead of SSE2's 4; no FMA
/// contraction, so the results are the same either way).
#[inline(always)]
fn with_avx2<F: Fn(&mut [f32])>(c: &mut [f32], f: F) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        unsafe fn run<F: Fn(&mut [f32])>(c: &mut [f32], f: F) {
            f(c)
        }
        // SAFETY: the CPU has AVX2 (checked above).
        return unsafe { run(c, f) };
    }
    f(c)
}

/// `torch.nn.functional.gelu` (erf form): on the CPU backends computed on the host with
/// [`erf_f32`] (burn's CPU erf is scalar libm, the largest cost after the matrix products
/// in HuBERT and BERT), elsewhere burn's.
pub fn gelu<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    if !crate::backend::host_kernels::<B>() {
        return burn::tensor::activation::gelu(x);
    }
    let dims = x.dims();
    let device = x.device();
    let mut v = to_vec_f32(x);
    gelu_in_place(&mut v);
    Tensor::from_data(TensorData::new(v, dims), &device)
}

/// `exp(x)` in f32 by Cephes' range reduction and polynomial (about 1 ulp; 0 below -87.3,
/// so masked scores of `-inf` give exactly 0), branch-free so loops over it vectorize.
#[inline]
pub fn exp_f32(x: f32) -> f32 {
    let xc = x.clamp(-87.3, 88.3);
    // Round to nearest by the 1.5 * 2^23 trick (vectorizes; `f32::round` is a libm call on
    // baseline x86-64).
    const MAGIC: f32 = 12_582_912.0;
    let n = (xc * std::f32::consts::LOG2_E + MAGIC) - MAGIC;
    let r = xc - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5; // Cephes: 5.0000001201e-1, which is 0.5 in f32
    let y = p * r * r + r + 1.0;
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    if x < -87.3 { 0.0 } else { y * scale }
}

/// `torch.softmax(x, dim=-1)` in place over rows of `n`: max-subtracted, [`exp_f32`], sum in
/// f32, division; threaded over rows.
pub fn softmax_rows_in_place(v: &mut [f32], n: usize) {
    use rayon::prelude::*;
    if n == 0 {
        return;
    }
    let rows_per_task = (16 * 1024 / n).max(1);
    v.par_chunks_mut(rows_per_task * n).for_each(|c| softmax_rows_serial(c, n));
}

/// [`softmax_rows_in_place`] on the calling thread.
pub fn softmax_rows_serial(v: &mut [f32], n: usize) {
    if n == 0 {
        return;
    }
    with_avx2(v, |c| {
        for row in c.chunks_exact_mut(n) {
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            // A row of -inf only (everything masked) gives NaN, as PyTorch does.
            for x in row.iter_mut() {
                *x = exp_f32(*x - m);
            }
            let s: f32 = row.iter().sum();
            for x in row.iter_mut() {
                *x /= s;
            }
        }
    })
}

/// `torch.softmax` over the last dimension: on the CPU backends on the host
/// ([`softmax_rows_in_place`]; burn's CPU exp is scalar libm), elsewhere burn's.
pub fn softmax_last<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    if !crate::backend::host_kernels::<B>() {
        return burn::tensor::activation::softmax(x, D - 1);
    }
    let dims = x.dims();
    let device = x.device();
    let mut v = to_vec_f32(x);
    softmax_rows_in_place(&mut v, dims[D - 1]);
    Tensor::from_data(TensorData::new(v, dims), &device)
}

#[cfg(test)]
mod gelu_tests {
    use super::*;

    /// libm's f64 erf is the reference; the rational function's largest error is 4.5e-7 near
    /// |x| = 3.3 (a few ulp of values near 1).
    #[test]
    fn erf_is_close_to_exact() {
        let mut worst = 0.0f64;
        for i in -60_000..=60_000 {
            let x = i as f64 * 1e-4;
            let want = libm::erf(x);
            let got = erf_f32(x as f32) as f64;
            worst = worst.max((got - want).abs());
        }
        assert!(worst < 5e-7, "max |erf error| {worst}");
    }

    #[test]
    fn exp_is_within_two_ulp() {
        let mut worst = 0.0f64;
        for i in -87_000..=88_000 {
            let x = i as f32 * 1e-3;
            let want = (x as f64).exp();
            let rel = ((exp_f32(x) as f64 - want) / want).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 2.5e-7, "max relative exp error {worst}");
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(0.0), 1.0);
    }

    #[test]
    fn softmax_matches_burn() {
        let dev = Default::default();
        let x = Tensor::<crate::backend::CpuBackend, 3>::random(
            [3, 5, 77],
            burn::tensor::Distribution::Normal(0.0, 4.0),
            &dev,
        );
        let a = to_vec_f32(softmax_last(x.clone()));
        let b = to_vec_f32(burn::tensor::activation::softmax(x, 2));
        // Two f32 implementations of the same formula: a few ulp of probabilities <= 1.
        let m = a.iter().zip(&b).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
        assert!(m < 3e-7, "{m}");
        let mut masked = vec![0.5, f32::NEG_INFINITY, 1.5];
        softmax_rows_in_place(&mut masked, 3);
        assert_eq!(masked[1], 0.0);
    }

    #[test]
    fn gelu_matches_burn() {
        let dev = Default::default();
        let x = Tensor::<crate::backend::CpuBackend, 2>::random(
            [7, 333],
            burn::tensor::Distribution::Normal(0.0, 3.0),
            &dev,
        );
        let a = to_vec_f32(gelu(x.clone()));
        let b = to_vec_f32(burn::tensor::activation::gelu(x.clone()));
        let xs = to_vec_f32(x);
        // Relative to max(1, |x|): the erf error times |x| / 2.
        let m = a.iter().zip(&b).zip(&xs).map(|((p, q), x)| (p - q).abs() / x.abs().max(1.0)).fold(0.0f32, f32::max);
        assert!(m < 5e-7, "{m}");
    }
}
