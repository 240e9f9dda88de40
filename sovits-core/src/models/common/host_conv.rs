//! Direct 1-D convolutions on the host CPU: the CPU backends' path for the HiFi-GAN vocoder
//! and HuBERT's feature extractor.
//!
//! burn's CPU convolutions (im2col + matrix product) run the narrow HiFi-GAN stages (16-64
//! channels over 40k-320k samples) at a fraction of the machine's speed: the im2col matrix is
//! `k` times the input and goes through memory. Here a convolution is a list of *taps* (an input
//! row and an offset into it) shared by every output channel: output `o[co][t] = bias[co] +
//! sum_tap w[co][tap] * x[row(tap)][t + off(tap)]`. A dilated tap `kk` of channel `ci` is row
//! `ci`, offset `kk * dilation`; a strided convolution first splits each padded input row into
//! its `stride` phases (row `ci * stride + p` holds samples `p, p + stride, ...`), so every
//! convolution runs as a stride-1 one. The micro-kernel keeps 2 output channels x 48 samples
//! in registers (12 AVX accumulators) and streams the taps (6 loads of `x`, 2 broadcast
//! weights, 12 fused multiply-adds each); taps come in chunks whose input window stays in
//! the L1/L2 cache.
//! Accumulation is f32 as in PyTorch; only the order of the sums differs (about 1e-7
//! relative).
//!
//! Transposed convolutions ([`HostConvTranspose1d`]) run as `stride` interleaved stride-1
//! convolutions (the polyphase form), one per output phase.
//!
//! Work is spread over threads with rayon in tiles of (samples x output channels).

use rayon::prelude::*;

/// Output channels per micro-tile.
const CO_B: usize = 2;
/// 8-lane vectors per micro-tile row.
const NV: usize = 6;
/// Samples per micro-tile.
const T_B: usize = 8 * NV;
/// Values of the input window one task works on at a time (64 KiB).
const WINDOW_FLOATS: usize = 16 * 1024;

/// What is applied to the input before the convolution reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PreAct {
    /// Nothing.
    None,
    /// `leaky_relu(x, slope)`.
    LeakyRelu(f32),
}

impl PreAct {
    /// `dst[i] = act(src[i])`.
    pub fn apply_slice(self, src: &[f32], dst: &mut [f32]) {
        match self {
            PreAct::None => dst.copy_from_slice(src),
            PreAct::LeakyRelu(s) => {
                for (o, &v) in dst.iter_mut().zip(src) {
                    *o = if v >= 0.0 { v } else { v * s };
                }
            }
        }
    }

    #[inline]
    fn apply(self, v: f32) -> f32 {
        match self {
            PreAct::None => v,
            PreAct::LeakyRelu(s) => {
                if v >= 0.0 {
                    v
                } else {
                    v * s
                }
            }
        }
    }
}

/// `torch.nn.Conv1d` with its weight packed for the host kernel.
///
/// # Shapes
/// input `[in, T]` (one batch item, row-major) -> output `[out, T']`,
/// `T' = (T + pad_l + pad_r - dilation * (k - 1) - 1) / stride + 1`.
#[derive(Debug, Clone)]
pub struct HostConv1d {
    c_in: usize,
    c_out: usize,
    k: usize,
    stride: usize,
    dilation: usize,
    pad: (usize, usize),
    groups: usize,
    /// Per group: `(row, offset)` of each tap (rows are the phase rows of the group's inputs).
    taps: Vec<(usize, usize)>,
    /// Per group, per block of `CO_B` output channels, per tap: the `CO_B` weights.
    packed: Vec<f32>,
    bias: Vec<f32>,
}

/// The arguments of a `torch.nn.Conv1d` that shape a [`HostConv1d`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Input channels.
    pub c_in: usize,
    /// Output channels.
    pub c_out: usize,
    /// Kernel size.
    pub k: usize,
    /// Stride (>= 1).
    pub stride: usize,
    /// Zeros added (left, right).
    pub pad: (usize, usize),
    /// Dilation (>= 1).
    pub dilation: usize,
    /// Groups (0 is taken as 1).
    pub groups: usize,
}

impl HostConv1d {
    /// Packs a PyTorch weight `[out, in / groups, k]` (row-major) and an optional bias `[out]`.
    ///
    /// # Panics
    /// When the sizes disagree (a loader bug, not an input error: loaders check shapes first).
    pub fn new(weight: &[f32], bias: Option<&[f32]>, geometry: ConvGeometry) -> Self {
        let ConvGeometry { c_in, c_out, k, stride, pad, dilation, groups } = geometry;
        let groups = groups.max(1);
        assert!(c_in.is_multiple_of(groups) && c_out.is_multiple_of(groups) && stride >= 1 && dilation >= 1 && k >= 1);
        let (cig, cog) = (c_in / groups, c_out / groups);
        assert_eq!(weight.len(), c_out * cig * k, "conv weight size");
        // Taps of one group, relative to the group's first input channel.
        let taps: Vec<(usize, usize)> = (0..cig)
            .flat_map(|ci| (0..k).map(move |kk| (ci, kk)))
            .map(|(ci, kk)| {
                let pos = kk * dilation;
                (ci * stride + pos % stride, pos / stride)
            })
            .collect();
        let ncob = cog.div_ceil(CO_B);
        let n_taps = taps.len();
        let mut packed = vec![0.0f32; groups * ncob * n_taps * CO_B];
        for g in 0..groups {
            for co in 0..cog {
                let (cob, lane) = (co / CO_B, co % CO_B);
                for ci in 0..cig {
                    for kk in 0..k {
                        let tap = ci * k + kk;
                        let src = ((g * cog + co) * cig + ci) * k + kk;
                        packed[((g * ncob + cob) * n_taps + tap) * CO_B + lane] = weight[src];
                    }
                }
            }
        }
        let bias = match bias {
            Some(b) => {
                assert_eq!(b.len(), c_out, "conv bias size");
                b.to_vec()
            }
            None => vec![0.0; c_out],
        };
        HostConv1d { c_in, c_out, k, stride, dilation, pad, groups, taps, packed, bias }
    }

    /// Input channels.
    pub fn in_channels(&self) -> usize {
        self.c_in
    }

    /// Output channels.
    pub fn out_channels(&self) -> usize {
        self.c_out
    }

    /// The output length for an input of `t_in` samples (0 when the input is shorter than the
    /// kernel's reach).
    pub fn out_len(&self, t_in: usize) -> usize {
        let l = t_in + self.pad.0 + self.pad.1;
        let reach = self.dilation * (self.k - 1) + 1;
        if l < reach { 0 } else { (l - reach) / self.stride + 1 }
    }

    /// Parameters held (packed weights and bias), in f32 values.
    pub fn num_values(&self) -> usize {
        self.packed.len() + self.bias.len()
    }

    /// `out = conv(act(x)) + bias` (`accumulate == false`) or `out += conv(act(x)) + bias`;
    /// `x` is `[in, t_in]`, `out` `[out, out_len(t_in)]`. Returns the output length.
    ///
    /// # Panics
    /// When the slice lengths do not match the sizes.
    pub fn forward_into(&self, x: &[f32], t_in: usize, act: PreAct, out: &mut [f32], accumulate: bool) -> usize {
        assert_eq!(x.len(), self.c_in * t_in, "conv input size");
        let t_out = self.out_len(t_in);
        assert_eq!(out.len(), self.c_out * t_out, "conv output size");
        if t_out > 0 {
            self.run(x, t_in, act, t_out, out, accumulate);
        }
        t_out
    }

    /// Allocating [`HostConv1d::forward_into`].
    pub fn forward(&self, x: &[f32], t_in: usize, act: PreAct) -> (Vec<f32>, usize) {
        let t_out = self.out_len(t_in);
        let mut out = vec![0.0f32; self.c_out * t_out];
        self.forward_into(x, t_in, act, &mut out, false);
        (out, t_out)
    }

    /// Fills `win` with the input window that output samples `t0..t1` read: for each input
    /// channel of group `g` and stride phase `p`, `act(padded[ci][(t0 + j) * s + p])` for
    /// `j < w`, zeros outside the samples. Returns the row length `w`.
    #[allow(clippy::too_many_arguments)]
    fn window(
        &self,
        x: &[f32],
        t_in: usize,
        act: PreAct,
        g: usize,
        chans: std::ops::Range<usize>,
        t0: usize,
        w: usize,
        win: &mut Vec<f32>,
    ) {
        let s = self.stride;
        let cig = self.c_in / self.groups;
        // Every value of the window is written below (zeros outside the samples), so stale
        // values of the reused buffer never leak in.
        win.resize(chans.len() * s * w, 0.0);
        let pad_l = self.pad.0;
        for (cw, ci) in chans.enumerate() {
            let src = &x[(g * cig + ci) * t_in..][..t_in];
            for p in 0..s {
                let row = &mut win[(cw * s + p) * w..][..w];
                // Padded position u = (t0 + j) * s + p holds x[u - pad_l] when 0 <= u - pad_l < t_in.
                let u0 = t0 * s + p;
                // First j with u >= pad_l, and the end of the j with u - pad_l < t_in.
                let j_lo = pad_l.saturating_sub(u0).div_ceil(s).min(w);
                let j_hi = (t_in + pad_l).saturating_sub(u0).div_ceil(s).clamp(j_lo, w);
                row[..j_lo].fill(0.0);
                row[j_hi..].fill(0.0);
                if j_lo == j_hi {
                    continue;
                }
                let first = u0 + j_lo * s - pad_l;
                if s == 1 {
                    act.apply_slice(&src[first..first + (j_hi - j_lo)], &mut row[j_lo..j_hi]);
                } else {
                    for (o, &v) in row[j_lo..j_hi].iter_mut().zip(src[first..].iter().step_by(s)) {
                        *o = act.apply(v);
                    }
                }
            }
        }
    }

    /// The tiled, threaded loop over groups, channel blocks and time. Each task builds the
    /// input window of its samples (in a per-thread buffer that stays in cache) and runs the
    /// micro-kernel over it.
    fn run(&self, x: &[f32], t_in: usize, act: PreAct, t_out: usize, out: &mut [f32], acc: bool) {
        let cog = self.c_out / self.groups;
        let cig = self.c_in / self.groups;
        let ncob = cog.div_ceil(CO_B);
        let n_taps = self.taps.len();
        // Tiles of samples x runs of channel blocks, enough to feed every thread several times;
        // the sample tile is longer for narrow convolutions, whose windows are small.
        let threads = rayon::current_num_threads();
        let tile_t = if self.c_in / self.groups * self.k <= 256 { T_B * 8 } else { T_B * 4 };
        let tile_t = tile_t.min(t_out.div_ceil(threads).next_multiple_of(T_B)).max(T_B);
        let n_tt = t_out.div_ceil(tile_t);
        let want = threads * 4;
        let per_task = (self.groups * ncob * n_tt).div_ceil(want).clamp(1, ncob);
        let per_task = if n_tt >= want { ncob } else { per_task };
        let n_cg = ncob.div_ceil(per_task);
        let n_tasks = self.groups * n_cg * n_tt;
        let out_ptr = SyncPtr(out.as_mut_ptr());
        let simd = Simd::detect();
        (0..n_tasks).into_par_iter().for_each(|task| {
            let tt = task % n_tt;
            let cg = (task / n_tt) % n_cg;
            let g = task / (n_tt * n_cg);
            let (t0, t1) = (tt * tile_t, ((tt + 1) * tile_t).min(t_out));
            let (b0, b1) = (cg * per_task, ((cg + 1) * per_task).min(ncob));
            let s = self.stride;
            // A full micro-tile at the end reads up to T_B - 1 samples past t1 - 1.
            let w = (t1 - t0) + (self.k - 1) * self.dilation / s + T_B;
            // Input channels per window: the window stays within WINDOW_FLOATS (in cache).
            let per_chunk = (WINDOW_FLOATS / (s * w)).clamp(1, cig);
            WINDOW.with_borrow_mut(|win| {
                for c0 in (0..cig).step_by(per_chunk) {
                    let c1 = (c0 + per_chunk).min(cig);
                    self.window(x, t_in, act, g, c0..c1, t0, w, win);
                    // Taps are channel-major, `k` per channel; rows relative to the window.
                    let first_tap = c0 * self.k;
                    let chunk: Vec<usize> =
                        self.taps[first_tap..c1 * self.k].iter().map(|&(row, off)| (row - c0 * s) * w + off).collect();
                    let chunk = &chunk[..];
                    let first = c0 == 0;
                    for cob in b0..b1 {
                        let wts = &self.packed[((g * ncob + cob) * n_taps + first_tap) * CO_B..][..chunk.len() * CO_B];
                        let co0 = g * cog + cob * CO_B;
                        let lanes = (cog - cob * CO_B).min(CO_B);
                        let mut bias = [0.0f32; CO_B];
                        if first {
                            bias[..lanes].copy_from_slice(&self.bias[co0..co0 + lanes]);
                        }
                        let load = acc || !first;
                        let mut t = t0;
                        while t < t1 {
                            let n = (t1 - t).min(T_B);
                            let xs = &win[t - t0..];
                            // SAFETY: tasks write disjoint (channel, sample) ranges of `out`,
                            // whose length is `c_out * t_out` (asserted by the caller); rows
                            // `co0..co0 + lanes`, samples `t..t + n` are inside it. The window
                            // has T_B readable values past every tap's last sample.
                            unsafe {
                                let o = out_ptr.get().add(co0 * t_out + t);
                                if n == T_B && lanes == CO_B {
                                    simd.tile(xs, chunk, wts, o, t_out, bias, load);
                                } else {
                                    let mut tmp = [0.0f32; CO_B * T_B];
                                    if load {
                                        for c in 0..lanes {
                                            for j in 0..n {
                                                tmp[c * T_B + j] = *o.add(c * t_out + j);
                                            }
                                        }
                                    }
                                    simd.tile(xs, chunk, wts, tmp.as_mut_ptr(), T_B, bias, load);
                                    for c in 0..lanes {
                                        for j in 0..n {
                                            *o.add(c * t_out + j) = tmp[c * T_B + j];
                                        }
                                    }
                                }
                            }
                            t += n;
                        }
                    }
                }
            });
        });
    }
}

thread_local! {
    /// The per-thread input window of [`HostConv1d::run`].
    static WINDOW: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `torch.nn.ConvTranspose1d` (one group, dilation 1, no output padding) as `stride` stride-1
/// convolutions, one per output phase, interleaved.
///
/// # Shapes
/// input `[in, T]` -> output `[out, (T - 1) * stride - 2 * padding + k]`.
#[derive(Debug, Clone)]
pub struct HostConvTranspose1d {
    c_out: usize,
    bias: Vec<f32>,
    k: usize,
    stride: usize,
    padding: usize,
    /// Per output phase `r`: the convolution over the input and the first output sample
    /// index it lands on, in phase steps.
    phases: Vec<Phase>,
}

#[derive(Debug, Clone)]
struct Phase {
    conv: Option<HostConv1d>,
    /// Kernel taps `kk = r0 + m * stride`, `m = 0..n_m` (0 taps: the phase is the bias).
    n_m: usize,
    /// `(t + padding) % stride` of the outputs of this phase.
    r0: usize,
}

impl HostConvTranspose1d {
    /// Packs a PyTorch weight `[in, out, k]` and a bias `[out]`.
    pub fn new(
        weight: &[f32],
        bias: Option<&[f32]>,
        c_in: usize,
        c_out: usize,
        k: usize,
        stride: usize,
        padding: usize,
    ) -> Self {
        assert!(stride >= 1 && k >= 1);
        assert_eq!(weight.len(), c_in * c_out * k, "conv transpose weight size");
        let zero = vec![0.0f32; c_out];
        let bias = bias.unwrap_or(&zero);
        let phases = (0..stride)
            .map(|r0| {
                let n_m = if r0 < k { (k - r0).div_ceil(stride) } else { 0 };
                // out[t] with (t + pad) = q * stride + r0 reads x[q - m] * w[ci][co][r0 + m * stride]:
                // a correlation over x with the taps reversed (tap j = n_m - 1 - m reads x[q - n_m + 1 + j]).
                let conv = (n_m > 0).then(|| {
                    let mut w = vec![0.0f32; c_out * c_in * n_m];
                    for co in 0..c_out {
                        for ci in 0..c_in {
                            for m in 0..n_m {
                                let j = n_m - 1 - m;
                                w[(co * c_in + ci) * n_m + j] = weight[(ci * c_out + co) * k + r0 + m * stride];
                            }
                        }
                    }
                    let geometry = ConvGeometry {
                        c_in,
                        c_out,
                        k: n_m,
                        stride: 1,
                        pad: (n_m - 1, n_m - 1),
                        dilation: 1,
                        groups: 1,
                    };
                    HostConv1d::new(&w, Some(bias), geometry)
                });
                Phase { conv, n_m, r0 }
            })
            .collect();
        HostConvTranspose1d { c_out, bias: bias.to_vec(), k, stride, padding, phases }
    }

    /// Output channels.
    pub fn out_channels(&self) -> usize {
        self.c_out
    }

    /// The output length for `t_in` input samples.
    pub fn out_len(&self, t_in: usize) -> usize {
        if t_in == 0 {
            return 0;
        }
        ((t_in - 1) * self.stride + self.k).saturating_sub(2 * self.padding)
    }

    /// `conv_transpose(act(x)) + bias`; `x` `[in, t_in]` -> (`[out, t_out]`, `t_out`).
    pub fn forward(&self, x: &[f32], t_in: usize, act: PreAct) -> (Vec<f32>, usize) {
        let bias = &self.bias;
        let t_out = self.out_len(t_in);
        let mut out = vec![0.0f32; self.c_out * t_out];
        let s = self.stride;
        for ph in &self.phases {
            // Outputs t = q * s + r0 - padding for the q with 0 <= t < t_out.
            let q_first = self.padding.saturating_sub(ph.r0).div_ceil(s);
            let q_end = (t_out + self.padding).saturating_sub(ph.r0).div_ceil(s);
            if q_end <= q_first {
                continue;
            }
            match &ph.conv {
                // Full correlation (padding n_m - 1 both sides) gives q = 0 .. t_in + n_m - 1.
                Some(conv) => {
                    let (y, ty) = conv.forward(x, t_in, act);
                    debug_assert_eq!(ty, t_in + ph.n_m - 1);
                    for co in 0..self.c_out {
                        let src = &y[co * ty..(co + 1) * ty];
                        let dst = &mut out[co * t_out..(co + 1) * t_out];
                        for q in q_first..q_end {
                            let t = q * s + ph.r0 - self.padding;
                            dst[t] = src.get(q).copied().unwrap_or(bias[co]);
                        }
                    }
                }
                None => {
                    for co in 0..self.c_out {
                        for q in q_first..q_end {
                            out[co * t_out + q * s + ph.r0 - self.padding] = bias[co];
                        }
                    }
                }
            }
        }
        (out, t_out)
    }
}

/// A pointer that threaded tasks write disjoint regions through (here and in the host
/// attention).
#[derive(Clone, Copy)]
pub(crate) struct SyncPtr(pub(crate) *mut f32);

impl SyncPtr {
    pub(crate) fn get(self) -> *mut f32 {
        self.0
    }
}
// SAFETY: the pointer is only used to write disjoint regions from different tasks (see `run`
// and `attention_host`).
unsafe impl Send for SyncPtr {}
// SAFETY: as above.
unsafe impl Sync for SyncPtr {}

/// The micro-kernel, AVX2 + FMA where the CPU has them (detected at run time), portable code
/// elsewhere.
#[derive(Debug, Clone, Copy)]
struct Simd {
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    avx2: bool,
}

impl Simd {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        let avx2 = std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let avx2 = false;
        Simd { avx2 }
    }

    /// `o[c][j] = (load ? o[c][j] : 0) + bias[c] + sum_i w[i][c] * x[taps[i] + j]` for `CO_B`
    /// rows `c` (stride `os`) and `T_B` samples `j`.
    ///
    /// # Safety
    /// `o` must address `CO_B` rows of `T_B` writable values at row stride `os`;
    /// `x[taps[i] + T_B - 1]` must be in bounds for every tap; `w` holds `CO_B * taps.len()`
    /// values.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile(self, x: &[f32], taps: &[usize], w: &[f32], o: *mut f32, os: usize, bias: [f32; CO_B], load: bool) {
        debug_assert!(w.len() >= taps.len() * CO_B);
        debug_assert!(taps.iter().all(|&t| t + T_B <= x.len()));
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the CPU has AVX2 and FMA (checked in `detect`); bounds as the caller
            // guarantees.
            return unsafe { avx2::tile(x.as_ptr(), taps, w.as_ptr(), o, os, bias, load) };
        }
        let mut acc = [[0.0f32; T_B]; CO_B];
        for (i, &off) in taps.iter().enumerate() {
            let xs: &[f32; T_B] = x[off..off + T_B].try_into().expect("tile row");
            for c in 0..CO_B {
                let wv = w[i * CO_B + c];
                for j in 0..T_B {
                    acc[c][j] += wv * xs[j];
                }
            }
        }
        for (c, row) in acc.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                // SAFETY: inside the CO_B x T_B block the caller guarantees.
                unsafe {
                    let p = o.add(c * os + j);
                    *p = if load { *p } else { 0.0 } + bias[c] + v;
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{CO_B, NV, T_B};
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX2 and FMA must be available; bounds as in `Simd::tile`.
    #[target_feature(enable = "avx2,fma")]
    // Indexing by lane keeps the two accumulator rows in registers.
    #[allow(clippy::needless_range_loop)]
    pub(super) unsafe fn tile(
        x: *const f32,
        taps: &[usize],
        w: *const f32,
        o: *mut f32,
        os: usize,
        bias: [f32; CO_B],
        load: bool,
    ) {
        // SAFETY: the caller guarantees the CPU features and every bound.
        unsafe {
            let mut acc = [[_mm256_setzero_ps(); NV]; CO_B];
            for (i, &off) in taps.iter().enumerate() {
                let xp = x.add(off);
                let wp = w.add(i * CO_B);
                let w0 = _mm256_broadcast_ss(&*wp);
                let w1 = _mm256_broadcast_ss(&*wp.add(1));
                for v in 0..NV {
                    let xv = _mm256_loadu_ps(xp.add(8 * v));
                    acc[0][v] = _mm256_fmadd_ps(w0, xv, acc[0][v]);
                    acc[1][v] = _mm256_fmadd_ps(w1, xv, acc[1][v]);
                }
            }
            for (c, a) in acc.iter().enumerate() {
                let b = _mm256_set1_ps(bias[c]);
                for (v, &av) in a.iter().enumerate() {
                    let p = o.add(c * os + v * 8);
                    let base = if load { _mm256_loadu_ps(p) } else { _mm256_setzero_ps() };
                    _mm256_storeu_ps(p, _mm256_add_ps(_mm256_add_ps(base, b), av));
                }
            }
            let _ = T_B;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, in f64.
    #[allow(clippy::too_many_arguments)]
    fn reference(
        x: &[f32],
        t_in: usize,
        w: &[f32],
        b: &[f32],
        c_in: usize,
        c_out: usize,
        k: usize,
        stride: usize,
        pad: (usize, usize),
        d: usize,
        groups: usize,
        act: PreAct,
    ) -> Vec<f32> {
        let (cig, cog) = (c_in / groups, c_out / groups);
        let l = t_in + pad.0 + pad.1;
        let reach = d * (k - 1) + 1;
        let t_out = if l < reach { 0 } else { (l - reach) / stride + 1 };
        let mut out = vec![0.0f32; c_out * t_out];
        for co in 0..c_out {
            let g = co / cog;
            for t in 0..t_out {
                let mut s = b[co] as f64;
                for ci in 0..cig {
                    for kk in 0..k {
                        let u = t * stride + kk * d;
                        if u >= pad.0 && u - pad.0 < t_in {
                            let v = act.apply(x[(g * cig + ci) * t_in + u - pad.0]);
                            s += w[(co * cig + ci) * k + kk] as f64 * v as f64;
                        }
                    }
                }
                out[co * t_out + t] = s as f32;
            }
        }
        out
    }

    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut r = crate::rng::Rng::new(seed);
        (0..n).map(|_| r.normal() as f32).collect()
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn conv_matches_definition() {
        // (c_in, c_out, k, stride, pad, dilation, groups, t_in)
        let cases = [
            (16, 16, 11, 1, (25, 25), 5, 1, 200),
            (8, 12, 3, 1, (1, 1), 1, 1, 61),
            (3, 5, 7, 1, (3, 3), 3, 1, 7),
            (1, 8, 10, 5, (0, 0), 1, 1, 143),
            (6, 6, 3, 2, (0, 0), 1, 1, 50),
            (6, 6, 2, 2, (0, 0), 1, 1, 51),
            (8, 8, 4, 1, (2, 2), 1, 4, 40),
            (300, 9, 3, 1, (1, 1), 1, 1, 30),
            (4, 4, 5, 1, (0, 0), 1, 1, 3),
            // Long enough for many tiles and tasks, strided and not.
            (5, 6, 11, 1, (25, 25), 5, 1, 3001),
            (2, 6, 10, 5, (3, 4), 1, 1, 4003),
            (40, 8, 3, 1, (1, 1), 1, 1, 997),
        ];
        for (i, &(c_in, c_out, k, s, pad, d, g, t_in)) in cases.iter().enumerate() {
            let x = values(c_in * t_in, i as u64);
            let w = values(c_out * c_in / g * k, 100 + i as u64);
            let b = values(c_out, 200 + i as u64);
            for act in [PreAct::None, PreAct::LeakyRelu(0.1)] {
                let geometry = ConvGeometry { c_in, c_out, k, stride: s, pad, dilation: d, groups: g };
                let conv = HostConv1d::new(&w, Some(&b), geometry);
                let (y, t_out) = conv.forward(&x, t_in, act);
                let r = reference(&x, t_in, &w, &b, c_in, c_out, k, s, pad, d, g, act);
                assert_eq!(y.len(), r.len(), "case {i}");
                assert_eq!(t_out * c_out, r.len());
                let m = max_diff(&y, &r);
                assert!(m < 1e-4, "case {i} {act:?}: {m}");
                // Accumulating adds onto what is there.
                let mut acc = vec![1.5f32; y.len()];
                conv.forward_into(&x, t_in, act, &mut acc, true);
                let m = max_diff(&acc, &r.iter().map(|v| v + 1.5).collect::<Vec<_>>());
                assert!(m < 1e-4, "case {i} accumulate: {m}");
            }
        }
    }

    #[test]
    fn portable_tile_matches_simd() {
        let x = values(400, 11);
        let taps: Vec<usize> = (0..37).map(|i| (i * 7) % 300).collect();
        let w = values(taps.len() * CO_B, 12);
        let bias = [0.25f32; CO_B];
        for load in [false, true] {
            let mut a = values(CO_B * T_B, 13);
            let mut b = a.clone();
            // SAFETY: `a`/`b` hold CO_B rows of T_B values; every tap + T_B <= 400.
            unsafe {
                Simd::detect().tile(&x, &taps, &w, a.as_mut_ptr(), T_B, bias, load);
                Simd { avx2: false }.tile(&x, &taps, &w, b.as_mut_ptr(), T_B, bias, load);
            }
            assert!(max_diff(&a, &b) < 1e-5);
        }
    }

    #[test]
    fn too_short_input_gives_nothing() {
        let geometry = ConvGeometry { c_in: 1, c_out: 1, k: 7, stride: 1, pad: (0, 0), dilation: 1, groups: 1 };
        let conv = HostConv1d::new(&[1.0; 7], None, geometry);
        assert_eq!(conv.out_len(6), 0);
        assert_eq!(conv.forward(&[0.0; 6], 6, PreAct::None).0.len(), 0);
    }

    #[allow(clippy::too_many_arguments)]
    fn reference_transpose(
        x: &[f32],
        t_in: usize,
        w: &[f32],
        b: &[f32],
        c_in: usize,
        c_out: usize,
        k: usize,
        s: usize,
        p: usize,
    ) -> Vec<f32> {
        let full = (t_in - 1) * s + k;
        let t_out = full - 2 * p;
        let mut y = vec![0.0f64; c_out * full];
        for ci in 0..c_in {
            for t in 0..t_in {
                let v = PreAct::LeakyRelu(0.1).apply(x[ci * t_in + t]) as f64;
                for co in 0..c_out {
                    for kk in 0..k {
                        y[co * full + t * s + kk] += v * w[(ci * c_out + co) * k + kk] as f64;
                    }
                }
            }
        }
        let mut out = vec![0.0f32; c_out * t_out];
        for co in 0..c_out {
            for t in 0..t_out {
                out[co * t_out + t] = (y[co * full + t + p] + b[co] as f64) as f32;
            }
        }
        out
    }

    #[test]
    fn conv_transpose_matches_definition() {
        // (c_in, c_out, k, stride, padding, t_in): the HiFi-GAN upsamplers and odd ones.
        let cases =
            [(16, 8, 16, 10, 3, 9), (8, 4, 16, 8, 4, 13), (6, 3, 4, 2, 1, 30), (5, 3, 3, 4, 0, 7), (4, 2, 5, 2, 2, 1)];
        for (i, &(c_in, c_out, k, s, p, t_in)) in cases.iter().enumerate() {
            let x = values(c_in * t_in, 300 + i as u64);
            let w = values(c_in * c_out * k, 400 + i as u64);
            let b = values(c_out, 500 + i as u64);
            let conv = HostConvTranspose1d::new(&w, Some(&b), c_in, c_out, k, s, p);
            let (y, t_out) = conv.forward(&x, t_in, PreAct::LeakyRelu(0.1));
            let r = reference_transpose(&x, t_in, &w, &b, c_in, c_out, k, s, p);
            assert_eq!(t_out * c_out, r.len(), "case {i}");
            let m = max_diff(&y, &r);
            assert!(m < 1e-4, "case {i}: {m}");
        }
    }
}
