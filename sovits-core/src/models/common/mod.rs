//! Building blocks shared by the models: layers holding loaded weights, and small ops.

pub mod hf;
mod layers;
mod ops;

pub use layers::{Conv1d, ConvTranspose1d, Embedding, LayerNorm, Linear};
pub use ops::{interpolate_linear, layer_norm_dim, leaky_relu, repeat_interleave_time, to_vec_f32};
