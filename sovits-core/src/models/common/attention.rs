//! Multi-head scaled dot-product attention, shared by the GPT, BERT, HuBERT and the SoVITS
//! reference encoder (the GPT's host decode path keeps its own fused kernel, and the SoVITS
//! text encoders their relative-position attention).

use burn::tensor::{Bool, Tensor, backend::Backend};

/// Splits the feature axis into heads.
///
/// # Shapes
/// `[B, T, heads * d]` -> `[B, heads, T, d]`.
pub fn split_heads<B: Backend>(x: Tensor<B, 3>, heads: usize) -> Tensor<B, 4> {
    let [b, t, c] = x.dims();
    x.reshape([b, t, heads, c / heads]).swap_dims(1, 2)
}

/// Joins the heads back into the feature axis (the inverse of [`split_heads`]).
///
/// # Shapes
/// `[B, heads, T, d]` -> `[B, T, heads * d]`.
pub fn merge_heads<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 3> {
    let [b, h, t, d] = x.dims();
    x.swap_dims(1, 2).reshape([b, t, h * d])
}

/// `softmax(q k^T / divisor, masked) v`. The scale is explicit, as each model's upstream
/// writes it: `divisor` is what the scores are divided by (`sqrt(head_dim)` for the GPT and
/// BERT, `sqrt(d_model)` for the reference encoder; `1` when `q` was scaled beforehand, as
/// HuBERT does, and then no division is done). `mask` is true where attention is not allowed.
///
/// # Shapes
/// `q` `[B, H, Tq, d]`, `k`/`v` `[B, H, Tk, d]`, `mask` `[B, H, Tq, Tk]` -> `[B, H, Tq, d]`.
pub fn sdpa<B: Backend>(
    q: Tensor<B, 4>,
    k: Tensor<B, 4>,
    v: Tensor<B, 4>,
    divisor: f64,
    mask: Option<Tensor<B, 4, Bool>>,
) -> Tensor<B, 4> {
    let mut scores = q.matmul(k.swap_dims(2, 3));
    if divisor != 1.0 {
        scores = scores.div_scalar(divisor);
    }
    if let Some(m) = mask {
        scores = scores.mask_fill(m, f32::NEG_INFINITY);
    }
    super::softmax_last(scores).matmul(v)
}

/// `merge_heads(sdpa(split_heads(q), split_heads(k), split_heads(v), divisor, None))` on
/// projections `[B, T, heads * d]` (keys and values may be longer than the queries). On the CPU
/// backends each head runs on the host: two strided matrix products (`gemm`) that read the
/// heads in place and write the merged output, and the host softmax between them; elsewhere
/// burn's operations.
///
/// # Shapes
/// `q` `[B, Tq, heads * d]`, `k`, `v` `[B, Tk, heads * d]` -> `[B, Tq, heads * d]`.
pub fn multi_head_attention<B: Backend>(
    q: Tensor<B, 3>,
    k: Tensor<B, 3>,
    v: Tensor<B, 3>,
    heads: usize,
    divisor: f64,
) -> Tensor<B, 3> {
    if !crate::backend::host_kernels::<B>() {
        return merge_heads(sdpa(split_heads(q, heads), split_heads(k, heads), split_heads(v, heads), divisor, None));
    }
    let [b, tq, c] = q.dims();
    let tk = k.dims()[1];
    let device = q.device();
    let (qv, kv, vv) = (super::to_vec_f32(q), super::to_vec_f32(k), super::to_vec_f32(v));
    let mut out = vec![0.0f32; b * tq * c];
    attention_host(&qv, &kv, &vv, &mut out, b, tq, tk, c, heads, divisor as f32);
    Tensor::from_data(burn::tensor::TensorData::new(out, [b, tq, c]), &device)
}

/// The host path of [`multi_head_attention`] on row-major `[B, T, C]` slices.
#[allow(clippy::too_many_arguments)]
fn attention_host(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    out: &mut [f32],
    b: usize,
    tq: usize,
    tk: usize,
    c: usize,
    heads: usize,
    divisor: f32,
) {
    use rayon::prelude::*;
    assert!(heads > 0 && c.is_multiple_of(heads), "channels must split into heads");
    assert!(q.len() == b * tq * c && k.len() == b * tk * c && v.len() == b * tk * c && out.len() == b * tq * c);
    if tq == 0 || tk == 0 {
        return;
    }
    let d = c / heads;
    let out_ptr = super::host_conv::SyncPtr(out.as_mut_ptr());
    (0..b * heads).into_par_iter().for_each(|task| {
        let (bi, h) = (task / heads, task % heads);
        let qh = &q[bi * tq * c + h * d..];
        let kh = &k[bi * tk * c + h * d..];
        let vh = &v[bi * tk * c + h * d..];
        let mut s = vec![0.0f32; tq * tk];
        // SAFETY: every matrix lies inside its slice: rows of `q`/`k`/`v` are `c` apart and
        // each head reads `d` contiguous values of a row (asserted sizes above); `s` is `tq x
        // tk`. Tasks write disjoint column bands `h * d .. (h + 1) * d` of batch `bi` of `out`.
        unsafe {
            // s = q_h k_h^T: lhs rows are queries, rhs[kk][j] = k[j][kk].
            let (qm, km) = (Strided { ptr: qh.as_ptr(), rs: c, cs: 1 }, Strided { ptr: kh.as_ptr(), rs: 1, cs: c });
            matmul_serial(tq, tk, d, s.as_mut_ptr(), tk, qm, km);
        }
        if divisor != 1.0 {
            s.iter_mut().for_each(|x| *x /= divisor);
        }
        super::softmax_rows_serial(&mut s, tk);
        // SAFETY: as above; the destination is this task's band of `out`.
        unsafe {
            let (sm, vm) = (Strided { ptr: s.as_ptr(), rs: tk, cs: 1 }, Strided { ptr: vh.as_ptr(), rs: c, cs: 1 });
            matmul_serial(tq, d, tk, out_ptr.get().add(bi * tq * c + h * d), c, sm, vm);
        }
    });
}

/// A read-only matrix: element `(i, j)` at `ptr + i * rs + j * cs`.
#[derive(Clone, Copy)]
struct Strided {
    ptr: *const f32,
    rs: usize,
    cs: usize,
}

/// `dst = lhs @ rhs` (`m x k` times `k x n`) on this thread; `dst` has row stride `dst_rs` and
/// unit column stride.
///
/// # Safety
/// Every element the strides address (`m x k` of `lhs`, `k x n` of `rhs`, `m x n` of `dst`)
/// must be in bounds, and `dst` must not overlap the inputs.
unsafe fn matmul_serial(m: usize, n: usize, k: usize, dst: *mut f32, dst_rs: usize, lhs: Strided, rhs: Strided) {
    // SAFETY: as the caller guarantees.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            1,
            dst_rs as isize,
            false,
            lhs.ptr,
            lhs.cs as isize,
            lhs.rs as isize,
            rhs.ptr,
            rhs.cs as isize,
            rhs.rs as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::CpuBackend;
    use burn::tensor::Distribution;

    #[test]
    fn host_attention_equals_burn() {
        let dev = Default::default();
        for (b, tq, tk, heads, d, div) in [(2, 7, 7, 3, 4, 2.0), (1, 5, 9, 2, 8, 1.0), (1, 1, 1, 1, 3, 1.5)] {
            let c = heads * d;
            let q = Tensor::<CpuBackend, 3>::random([b, tq, c], Distribution::Normal(0.0, 1.0), &dev);
            let k = Tensor::<CpuBackend, 3>::random([b, tk, c], Distribution::Normal(0.0, 1.0), &dev);
            let v = Tensor::<CpuBackend, 3>::random([b, tk, c], Distribution::Normal(0.0, 1.0), &dev);
            let want = merge_heads(sdpa(
                split_heads(q.clone(), heads),
                split_heads(k.clone(), heads),
                split_heads(v.clone(), heads),
                div,
                None,
            ));
            let got = multi_head_attention(q, k, v, heads, div);
            assert_eq!(got.dims(), want.dims());
            let (g, w) = (crate::models::common::to_vec_f32(got), crate::models::common::to_vec_f32(want));
            let m = g.iter().zip(&w).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
            assert!(m < 1e-5, "{m}");
        }
    }
}
