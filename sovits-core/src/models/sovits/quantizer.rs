//! The residual vector quantizer (`module/quantize.py`, `module/core_vq.py`) with its single
//! codebook, and `ssl_proj`.

use burn::tensor::{Int, Tensor, backend::Backend};

use crate::Result;
use crate::models::common::repeat_interleave_time;
use crate::weights::Weights;

/// `quantizer`: one `EuclideanCodebook` (`vq.layers.0._codebook.embed`).
#[derive(Debug, Clone)]
pub struct ResidualVectorQuantizer<B: Backend> {
    /// Codebook `[bins, dim]`.
    pub embed: Tensor<B, 2>,
}

impl<B: Backend> ResidualVectorQuantizer<B> {
    /// Loads the codebook.
    pub fn load(w: &Weights<B>, bins: usize, dim: usize) -> Result<Self> {
        Ok(ResidualVectorQuantizer { embed: w.tensor("vq.layers.0._codebook.embed", [bins, dim])? })
    }

    /// Nearest codebook entry per frame: `argmax(-(|x|^2 - 2 x.e + |e|^2))`, computed in that
    /// expanded form like upstream.
    ///
    /// # Shapes
    /// `x` `[1, dim, T]` -> codes `[T]`.
    pub fn encode(&self, x: Tensor<B, 3>) -> Tensor<B, 1, Int> {
        let [_, d, t] = x.dims();
        let x = x.swap_dims(1, 2).reshape([t, d]);
        let e = self.embed.clone();
        let x2 = x.clone().powf_scalar(2.0).sum_dim(1); // [T, 1]
        let e2 = e.clone().powf_scalar(2.0).sum_dim(1).reshape([1, -1]); // [1, bins]
        let xe = x.matmul(e.transpose()); // [T, bins]
        let dist = (x2 - xe.mul_scalar(2.0) + e2).neg();
        dist.argmax(1).reshape([t])
    }

    /// Codebook lookup.
    ///
    /// # Shapes
    /// codes `[T]` -> `[1, dim, T]`.
    pub fn decode(&self, codes: Tensor<B, 1, Int>) -> Tensor<B, 3> {
        let t = codes.dims()[0];
        let d = self.embed.dims()[1];
        self.embed.clone().select(0, codes).reshape([1, t, d]).swap_dims(1, 2)
    }

    /// Lookup followed by the 25 Hz -> 50 Hz nearest upsampling that `decode` applies.
    pub fn decode_x2(&self, codes: Tensor<B, 1, Int>) -> Tensor<B, 3> {
        repeat_interleave_time(self.decode(codes), 2)
    }
}
