//! Multi-head scaled dot-product attention, shared by the GPT, BERT, HuBERT and the SoVITS
//! reference encoder (the GPT's host decode path keeps its own fused kernel, and the SoVITS
//! text encoders their relative-position attention).

use burn::tensor::activation::softmax;
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
    softmax(scores, 3).matmul(v)
}
