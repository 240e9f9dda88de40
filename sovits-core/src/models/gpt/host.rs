//! The GPT decode step on the host CPU, reading the weights in their checkpoint precision.
//!
//! One cached step reads every weight once (77.6 M parameters at the v2 size); on CPU it is
//! bound by memory bandwidth. The official checkpoints store fp16 weights, so keeping them as
//! fp16 and widening each piece to f32 just before it is used computes exactly what the f32
//! upcast computes, with half the memory traffic; the fp16 weight is the model's own copy
//! ([`Linear::f16_weight`]) when it keeps its weights at rest in fp16, so the host path costs
//! no memory of its own. Weights are in burn's `[in, out]` layout and each output column block
//! accumulates `x[i] * W[i, ..]` over a band of inputs, the bands are added in order (one
//! contiguous pass over the weight, shared by every sequence of a batch). Activations, accumulation, the KV cache, layer norms and
//! softmax stay in f32. Column blocks are spread over threads with rayon.
//!
//! The prefill still runs through burn (it is compute-bound); its keys and values are copied
//! here once.

use burn::tensor::{Tensor, backend::Backend};
use half::f16;
use rayon::prelude::*;

use super::model::Text2SemanticDecoder;
use crate::models::common::Linear;

/// A weight matrix in burn's `[in, out]` layout (one row per input feature) in f16 when every
/// value is exactly representable, else f32.
#[derive(Debug, Clone)]
enum Matrix {
    /// Shared with the model's [`Linear`] when it keeps its fp16 weight at rest.
    F16(std::sync::Arc<Vec<f16>>),
    F32(Vec<f32>),
}

#[derive(Debug, Clone)]
struct HostLinear {
    w: Matrix,
    b: Option<Vec<f32>>,
    n_in: usize,
    n_out: usize,
}

/// Input rows per task: each task streams a contiguous band of the weight.
const ROWS_PER_TASK: usize = 64;

impl HostLinear {
    /// From a burn `Linear` (`[in, out]`) weight.
    fn from_burn<B: Backend>(w: &Tensor<B, 2>, b: Option<&Tensor<B, 1>>) -> Self {
        let [n_in, n_out] = w.dims();
        let data = crate::models::common::to_vec_f32(w.clone());
        let exact_f16 = data.iter().all(|&x| f16::from_f32(x).to_f32() == x);
        let w = if exact_f16 {
            Matrix::F16(std::sync::Arc::new(data.iter().map(|&x| f16::from_f32(x)).collect()))
        } else {
            Matrix::F32(data)
        };
        HostLinear { w, b: b.map(|b| crate::models::common::to_vec_f32(b.clone())), n_in, n_out }
    }

    /// From a model layer: shares its fp16 weight when it keeps it at rest (no copy), else
    /// copies its weight as [`HostLinear::from_burn`].
    fn from_linear<B: Backend>(l: &Linear<B>) -> Self {
        match l.f16_weight() {
            Some(values) => {
                let [n_in, n_out] = l.weight_dims();
                HostLinear {
                    w: Matrix::F16(values.clone()),
                    b: l.bias.as_ref().map(|b| crate::models::common::to_vec_f32(b.clone())),
                    n_in,
                    n_out,
                }
            }
            None => Self::from_burn(&l.weight(), l.bias.as_ref()),
        }
    }

    /// `y_b = x_b W + b` for several inputs at once: every piece of the weight is read (and
    /// widened) once for all of them, the batched decode's mat-mat. Each output is accumulated
    /// over the inputs in order by the same kernel whatever the batch, so a sequence's result
    /// does not depend on what else is in the batch (a batch of one is the one-sequence step).
    fn forward_batch<X: AsRef<[f32]> + Sync>(&self, simd: kernels::Simd, xs: &[X], ys: &mut [Vec<f32>]) {
        let n = xs.len();
        let (n_in, n_out) = (self.n_in, self.n_out);
        let tasks = n_in.div_ceil(ROWS_PER_TASK);
        // Each task streams a contiguous band of input rows, four at a time, and keeps partial
        // sums [task][batch][n_out]; the bands are then added in order.
        let mut partial = vec![0f32; tasks * n * n_out];
        partial.par_chunks_mut(n * n_out).enumerate().for_each(|(t, acc)| {
            let mut wide = if n > 1 { vec![0f32; 4 * n_out] } else { Vec::new() };
            let end = ((t + 1) * ROWS_PER_TASK).min(n_in);
            let mut i = t * ROWS_PER_TASK;
            while i < end {
                let k = (end - i).min(4);
                // One sequence reads the fp16 rows directly; a batch widens them once for all
                // (widening is exact, so both give the same sums).
                let rows: Option<&[f32]> = match &self.w {
                    Matrix::F32(w) => Some(&w[i * n_out..(i + k) * n_out]),
                    Matrix::F16(w) if n > 1 => {
                        simd.widen(&w[i * n_out..(i + k) * n_out], &mut wide[..k * n_out]);
                        Some(&wide[..k * n_out])
                    }
                    Matrix::F16(_) => None,
                };
                for (x, a) in xs.iter().zip(acc.chunks_mut(n_out)) {
                    let mut coef = [0f32; 4];
                    coef[..k].copy_from_slice(&x.as_ref()[i..i + k]);
                    match (rows, &self.w) {
                        (Some(r), _) => simd.axpy4(coef, r, k, a),
                        (None, Matrix::F16(w)) => simd.axpy4_f16(coef, &w[i * n_out..(i + k) * n_out], k, a),
                        (None, Matrix::F32(_)) => unreachable!("f32 rows are always read directly"),
                    }
                }
                i += k;
            }
        });
        for (b, y) in ys.iter_mut().enumerate() {
            y.clear();
            match &self.b {
                Some(bias) => y.extend_from_slice(bias),
                None => y.resize(n_out, 0.0),
            }
            for t in 0..tasks {
                let p = &partial[(t * n + b) * n_out..(t * n + b + 1) * n_out];
                for (v, q) in y.iter_mut().zip(p) {
                    *v += q;
                }
            }
        }
    }
}

/// Dot products (attention) and the `acc += a * w` of the linear layers, f32: AVX2 + FMA where
/// the CPU has them (detected at run time), portable code elsewhere. fp16 weights are widened
/// by `half`'s slice conversion (F16C where available) just before use.
mod kernels {
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Simd {
        #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
        avx2: bool,
    }

    impl Simd {
        pub(super) fn detect() -> Self {
            #[cfg(target_arch = "x86_64")]
            let avx2 = std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("f16c");
            #[cfg(not(target_arch = "x86_64"))]
            let avx2 = false;
            Simd { avx2 }
        }

        /// `sum(x[i] * w[i])` over equal-length slices.
        pub(super) fn dot(self, x: &[f32], w: &[f32]) -> f32 {
            assert_eq!(x.len(), w.len());
            #[cfg(target_arch = "x86_64")]
            if self.avx2 {
                // SAFETY: the CPU supports AVX2, FMA and F16C (checked in `detect`), and the
                // slices have equal lengths (asserted above).
                return unsafe { avx2::dot(x, w) };
            }
            portable_dot(x, w.iter().copied())
        }

        /// `acc[j] += sum_r a[r] * w[r * acc.len() + j]` over the first `k` (<= 4) rows of `w`,
        /// the rows applied in order (fused where the CPU has FMA).
        pub(super) fn axpy4(self, a: [f32; 4], w: &[f32], k: usize, acc: &mut [f32]) {
            let n = acc.len();
            assert!(k <= 4 && w.len() >= k * n);
            #[cfg(target_arch = "x86_64")]
            if self.avx2 {
                // SAFETY: the CPU supports AVX2 and FMA (checked in `detect`); `w` holds `k`
                // rows of `n` (asserted).
                return unsafe { avx2::axpy4(a, w, k, acc) };
            }
            for r in 0..k {
                for (y, &x) in acc.iter_mut().zip(&w[r * n..(r + 1) * n]) {
                    *y += a[r] * x;
                }
            }
        }

        /// `out[j] = w[j]` widened exactly from fp16 (F16C where the CPU has it).
        pub(super) fn widen(self, w: &[half::f16], out: &mut [f32]) {
            assert_eq!(w.len(), out.len());
            #[cfg(target_arch = "x86_64")]
            if self.avx2 {
                // SAFETY: the CPU supports F16C (checked in `detect`); equal lengths.
                return unsafe { avx2::widen(w, out) };
            }
            for (o, v) in out.iter_mut().zip(w) {
                *o = v.to_f32();
            }
        }

        /// [`Simd::axpy4`] with fp16 rows, widened exactly as they are read (F16C).
        pub(super) fn axpy4_f16(self, a: [f32; 4], w: &[half::f16], k: usize, acc: &mut [f32]) {
            let n = acc.len();
            assert!(k <= 4 && w.len() >= k * n);
            #[cfg(target_arch = "x86_64")]
            if self.avx2 {
                // SAFETY: the CPU supports AVX2, FMA and F16C (checked in `detect`); `w` holds
                // `k` rows of `n` (asserted).
                return unsafe { avx2::axpy4_f16(a, w, k, acc) };
            }
            for r in 0..k {
                for (y, x) in acc.iter_mut().zip(&w[r * n..(r + 1) * n]) {
                    *y += a[r] * x.to_f32();
                }
            }
        }
    }

    fn portable_dot(x: &[f32], w: impl Iterator<Item = f32>) -> f32 {
        let mut acc = [0f32; 8];
        for (i, (a, b)) in x.iter().zip(w).enumerate() {
            acc[i % 8] += a * b;
        }
        acc.iter().sum()
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use half::f16;

        /// The SIMD and portable kernels agree with an f64 reference on odd lengths (tails).
        #[test]
        fn kernels_match_reference() {
            let mut rng = crate::rng::Rng::new(7);
            for n in [1usize, 7, 8, 31, 32, 33, 512, 1025] {
                let x: Vec<f32> = (0..n).map(|_| rng.normal() as f32).collect();
                let w: Vec<f32> = (0..n).map(|_| f16::from_f32(rng.normal() as f32).to_f32()).collect();
                let exact: f64 = x.iter().zip(&w).map(|(a, b)| *a as f64 * *b as f64).sum();
                let tol = 1e-5 * (n as f64).sqrt() * 4.0;
                for simd in [Simd::detect(), Simd { avx2: false }] {
                    assert!((simd.dot(&x, &w) as f64 - exact).abs() < tol, "dot n={n} {simd:?}");
                    // Two rows (x, w) into acc = w / 2: f32 and fp16 rows agree with the plain sums.
                    let rows: Vec<f32> = x.iter().chain(&w).copied().collect();
                    let rows16: Vec<f16> = rows.iter().map(|&v| f16::from_f32(v)).collect();
                    let mut acc: Vec<f32> = w.iter().map(|v| v * 0.5).collect();
                    let mut acc16 = acc.clone();
                    simd.axpy4([1.5, -0.25, 0.0, 0.0], &rows, 2, &mut acc);
                    simd.axpy4_f16([1.5, -0.25, 0.0, 0.0], &rows16, 2, &mut acc16);
                    for (j, (a, a16)) in acc.iter().zip(&acc16).enumerate() {
                        let want = w[j] * 0.5 + 1.5 * x[j] - 0.25 * w[j];
                        assert!((a - want).abs() <= 1e-5 * (1.0 + want.abs()), "axpy4 n={n}");
                        let want16 = w[j] * 0.5 + 1.5 * rows16[j].to_f32() - 0.25 * w[j];
                        assert!((a16 - want16).abs() <= 1e-5 * (1.0 + want16.abs()), "axpy4_f16 n={n}");
                    }
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod avx2 {
        use std::arch::x86_64::*;

        #[target_feature(enable = "avx2,fma")]
        fn hsum(v: __m256) -> f32 {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
            _mm_cvtss_f32(s)
        }

        /// # Safety
        /// AVX2 and FMA must be available; `x.len() == w.len()`.
        #[target_feature(enable = "avx2,fma")]
        pub(super) unsafe fn dot(x: &[f32], w: &[f32]) -> f32 {
            // SAFETY: the caller guarantees the CPU features and equal lengths.
            unsafe {
                let n = x.len();
                let (xp, wp) = (x.as_ptr(), w.as_ptr());
                let mut acc = [_mm256_setzero_ps(); 4];
                let mut i = 0;
                while i + 32 <= n {
                    for (k, a) in acc.iter_mut().enumerate() {
                        let o = i + 8 * k;
                        *a = _mm256_fmadd_ps(_mm256_loadu_ps(xp.add(o)), _mm256_loadu_ps(wp.add(o)), *a);
                    }
                    i += 32;
                }
                while i + 8 <= n {
                    acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(xp.add(i)), _mm256_loadu_ps(wp.add(i)), acc[0]);
                    i += 8;
                }
                let v = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
                let mut s = hsum(v);
                while i < n {
                    s += *xp.add(i) * *wp.add(i);
                    i += 1;
                }
                s
            }
        }

        /// # Safety
        /// AVX2 and F16C must be available; `w.len() == out.len()`.
        #[target_feature(enable = "avx2,f16c")]
        pub(super) unsafe fn widen(w: &[half::f16], out: &mut [f32]) {
            // SAFETY: the caller guarantees the CPU features and equal lengths; every access
            // is within `0..n`.
            unsafe {
                let n = w.len();
                let (wp, op) = (w.as_ptr() as *const u16, out.as_mut_ptr());
                let mut i = 0;
                while i + 8 <= n {
                    _mm256_storeu_ps(op.add(i), _mm256_cvtph_ps(_mm_loadu_si128(wp.add(i) as *const __m128i)));
                    i += 8;
                }
                while i < n {
                    *op.add(i) = half::f16::from_bits(*wp.add(i)).to_f32();
                    i += 1;
                }
            }
        }

        /// # Safety
        /// AVX2, FMA and F16C must be available; `k <= 4`, `w.len() >= k * acc.len()`.
        #[target_feature(enable = "avx2,fma,f16c")]
        pub(super) unsafe fn axpy4_f16(a: [f32; 4], w: &[half::f16], k: usize, acc: &mut [f32]) {
            // SAFETY: as in `axpy4`.
            unsafe {
                let n = acc.len();
                let (wp, ap) = (w.as_ptr() as *const u16, acc.as_mut_ptr());
                let c = [_mm256_set1_ps(a[0]), _mm256_set1_ps(a[1]), _mm256_set1_ps(a[2]), _mm256_set1_ps(a[3])];
                let mut j = 0;
                while j + 8 <= n {
                    let mut v = _mm256_loadu_ps(ap.add(j));
                    for (r, cr) in c.iter().enumerate().take(k) {
                        let wv = _mm256_cvtph_ps(_mm_loadu_si128(wp.add(r * n + j) as *const __m128i));
                        v = _mm256_fmadd_ps(*cr, wv, v);
                    }
                    _mm256_storeu_ps(ap.add(j), v);
                    j += 8;
                }
                while j < n {
                    let mut v = *ap.add(j);
                    for (r, ar) in a.iter().enumerate().take(k) {
                        v = ar.mul_add(half::f16::from_bits(*wp.add(r * n + j)).to_f32(), v);
                    }
                    *ap.add(j) = v;
                    j += 1;
                }
            }
        }

        /// # Safety
        /// AVX2 and FMA must be available; `k <= 4`, `w.len() >= k * acc.len()`.
        #[target_feature(enable = "avx2,fma")]
        pub(super) unsafe fn axpy4(a: [f32; 4], w: &[f32], k: usize, acc: &mut [f32]) {
            // SAFETY: the caller guarantees the CPU features and the lengths; every access is
            // within `0..n` of `acc` and `0..k * n` of `w`.
            unsafe {
                let n = acc.len();
                let (wp, ap) = (w.as_ptr(), acc.as_mut_ptr());
                let c = [_mm256_set1_ps(a[0]), _mm256_set1_ps(a[1]), _mm256_set1_ps(a[2]), _mm256_set1_ps(a[3])];
                let mut j = 0;
                while j + 8 <= n {
                    let mut v = _mm256_loadu_ps(ap.add(j));
                    for (r, cr) in c.iter().enumerate().take(k) {
                        v = _mm256_fmadd_ps(*cr, _mm256_loadu_ps(wp.add(r * n + j)), v);
                    }
                    _mm256_storeu_ps(ap.add(j), v);
                    j += 8;
                }
                while j < n {
                    let mut v = *ap.add(j);
                    for (r, ar) in a.iter().enumerate().take(k) {
                        v = ar.mul_add(*wp.add(r * n + j), v);
                    }
                    *ap.add(j) = v;
                    j += 1;
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
struct HostLayer {
    in_proj: HostLinear,
    out_proj: HostLinear,
    linear1: HostLinear,
    linear2: HostLinear,
    norm1: (Vec<f32>, Vec<f32>),
    norm2: (Vec<f32>, Vec<f32>),
}

/// Host copies of the GPT weights for [`HostKvCache`] decoding.
#[derive(Debug, Clone)]
pub struct HostDecoder {
    layers: Vec<HostLayer>,
    head: HostLinear,
    audio_embedding: Vec<f32>,
    d: usize,
    heads: usize,
    /// The dot-product kernels this CPU runs, detected once.
    simd: kernels::Simd,
}

/// Keys and values of every layer on the host, `[positions, d]` per layer, grown in chunks.
#[derive(Debug, Clone, Default)]
pub struct HostKvCache {
    k: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    len: usize,
}

impl HostKvCache {
    /// Positions stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

fn layer_norm(x: &mut [f32], g: &[f32], b: &[f32]) {
    let n = x.len() as f32;
    let mean = x.iter().sum::<f32>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let r = 1.0 / (var + 1e-5).sqrt();
    for ((v, g), b) in x.iter_mut().zip(g).zip(b) {
        *v = (*v - mean) * r * g + b;
    }
}

impl HostDecoder {
    /// Copies the weights of `model` to the host.
    pub fn new<B: Backend>(model: &Text2SemanticDecoder<B>) -> Self {
        let v = |t: &Tensor<B, 1>| crate::models::common::to_vec_f32(t.clone());
        let layers = model
            .layers
            .iter()
            .map(|l| HostLayer {
                in_proj: HostLinear::from_linear(&l.self_attn.in_proj),
                out_proj: HostLinear::from_linear(&l.self_attn.out_proj),
                linear1: HostLinear::from_linear(&l.linear1),
                linear2: HostLinear::from_linear(&l.linear2),
                norm1: (v(&l.norm1.gamma), v(&l.norm1.beta)),
                norm2: (v(&l.norm2.gamma), v(&l.norm2.beta)),
            })
            .collect();
        let c = model.config();
        HostDecoder {
            layers,
            head: HostLinear::from_linear(&model.ar_predict_layer),
            audio_embedding: crate::models::common::to_vec_f32(model.ar_audio_embedding.weight.clone()),
            d: c.hidden_dim,
            heads: c.head,
            simd: kernels::Simd::detect(),
        }
    }

    /// Takes over a burn prefill cache (`[1, heads, len, head_dim]` per layer).
    pub fn cache_from<B: Backend>(&self, cache: &super::KvCache<B>, reserve: usize) -> HostKvCache {
        let len = cache.len();
        let mut out = HostKvCache { k: Vec::new(), v: Vec::new(), len };
        for layer in 0..self.layers.len() {
            for (dst, t) in [(&mut out.k, cache.keys(layer)), (&mut out.v, cache.values(layer))] {
                let t = t.expect("prefill filled every layer");
                // [1, H, L, dh] -> [L, H*dh]
                let flat = t.swap_dims(1, 2).reshape([len, self.d]);
                let mut v = crate::models::common::to_vec_f32(flat);
                v.reserve(reserve * self.d);
                dst.push(v);
            }
        }
        out
    }

    /// One decode step for `token` embedded at audio position `position`; `pe` is the scaled
    /// positional row (`alpha_audio * PE[position]`). Returns the logits.
    pub fn step(&self, token: u32, pe: &[f32], cache: &mut HostKvCache) -> Vec<f32> {
        self.logits(&self.hidden_step(token, pe, cache).1)
    }

    /// The prediction head over a hidden state `[d]` -> logits `[vocab]`.
    pub fn logits(&self, hidden: &[f32]) -> Vec<f32> {
        self.logits_batch(&[hidden]).remove(0)
    }

    /// [`HostDecoder::step`] up to the last layer: the step's input (embedding + position)
    /// and its hidden state, `[d]` each (what the inference trace records).
    pub fn hidden_step(&self, token: u32, pe: &[f32], cache: &mut HostKvCache) -> (Vec<f32>, Vec<f32>) {
        let d = self.d;
        let t = token as usize;
        let input: Vec<f32> = self.audio_embedding[t * d..(t + 1) * d].iter().zip(pe).map(|(e, p)| e + p).collect();
        let hidden = self.hidden_step_batch(&mut [(token, pe, cache)]).remove(0);
        (input, hidden)
    }

    /// [`HostDecoder::hidden_step`] for several sequences at once (batched decoding of
    /// independent sentences): `steps[i]` is sequence `i`'s token, its scaled positional row
    /// and its cache. The linear layers read each weight band once for the whole batch and
    /// compute every value as for a batch of one ([`HostDecoder::hidden_step`] is that), so a
    /// sequence's hidden state does not depend on the rest of the batch. Returns the hidden
    /// states.
    pub fn hidden_step_batch(&self, steps: &mut [(u32, &[f32], &mut HostKvCache)]) -> Vec<Vec<f32>> {
        let d = self.d;
        let simd = self.simd;
        let n = steps.len();
        let mut x: Vec<Vec<f32>> = steps
            .iter()
            .map(|(t, pe, _)| {
                let t = *t as usize;
                self.audio_embedding[t * d..(t + 1) * d].iter().zip(pe.iter()).map(|(e, p)| e + p).collect()
            })
            .collect();
        let mut qkv = vec![Vec::new(); n];
        let mut attn = vec![vec![0f32; d]; n];
        let mut tmp = vec![Vec::new(); n];
        let mut ffn = vec![Vec::new(); n];
        for (li, l) in self.layers.iter().enumerate() {
            l.in_proj.forward_batch(simd, &x, &mut qkv);
            for ((qkv, (_, _, cache)), out) in qkv.iter().zip(steps.iter_mut()).zip(attn.iter_mut()) {
                let (q, kv) = qkv.split_at(d);
                let (k, v) = kv.split_at(d);
                cache.k[li].extend_from_slice(k);
                cache.v[li].extend_from_slice(v);
                attend(simd, q, &cache.k[li], &cache.v[li], cache.len + 1, d, self.heads, out);
            }
            l.out_proj.forward_batch(simd, &attn, &mut tmp);
            for (x, t) in x.iter_mut().zip(&tmp) {
                for (a, b) in x.iter_mut().zip(t) {
                    *a += b;
                }
                layer_norm(x, &l.norm1.0, &l.norm1.1);
            }
            l.linear1.forward_batch(simd, &x, &mut ffn);
            ffn.iter_mut().for_each(|f| f.iter_mut().for_each(|v| *v = v.max(0.0)));
            l.linear2.forward_batch(simd, &ffn, &mut tmp);
            for (x, t) in x.iter_mut().zip(&tmp) {
                for (a, b) in x.iter_mut().zip(t) {
                    *a += b;
                }
                layer_norm(x, &l.norm2.0, &l.norm2.1);
            }
        }
        for (_, _, cache) in steps.iter_mut() {
            cache.len += 1;
        }
        x
    }

    /// [`HostDecoder::logits`] for several hidden states (one read of the head's weights).
    pub fn logits_batch<X: AsRef<[f32]> + Sync>(&self, hidden: &[X]) -> Vec<Vec<f32>> {
        let mut out = vec![Vec::new(); hidden.len()];
        self.head.forward_batch(self.simd, hidden, &mut out);
        out
    }
}

/// Causal attention of one query `q` `[d]` over the `n` cached keys/values (`[n, d]` each), per
/// head, into `out` `[d]`.
#[allow(clippy::too_many_arguments)]
fn attend(simd: kernels::Simd, q: &[f32], kc: &[f32], vc: &[f32], n: usize, d: usize, h: usize, out: &mut [f32]) {
    let dh = d / h;
    let scale = 1.0 / (dh as f32).sqrt();
    out.par_chunks_mut(dh).enumerate().for_each(|(hh, out)| {
        let qh = &q[hh * dh..(hh + 1) * dh];
        let mut scores: Vec<f32> = (0..n)
            .map(|j| {
                let kj = &kc[j * d + hh * dh..j * d + (hh + 1) * dh];
                simd.dot(qh, kj) * scale
            })
            .collect();
        let m = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0f32;
        for s in scores.iter_mut() {
            *s = (*s - m).exp();
            sum += *s;
        }
        out.iter_mut().for_each(|o| *o = 0.0);
        for (j, p) in scores.iter().enumerate() {
            let w = p / sum;
            let vj = &vc[j * d + hh * dh..j * d + (hh + 1) * dh];
            for (o, vv) in out.iter_mut().zip(vj) {
                *o += w * vv;
            }
        }
    });
}
