//! Building blocks shared by the models: layers holding loaded weights, and small ops.

pub mod attention;
pub mod hf;
pub mod host_conv;
mod layers;
mod ops;

pub use layers::{Conv1d, ConvOptions, ConvTranspose1d, Embedding, LayerNorm, Linear};
pub use ops::{
    erf_f32, exp_f32, gelu, gelu_in_place, interpolate_linear, layer_norm_dim, leaky_relu, repeat_interleave_time,
    softmax_last, softmax_rows_in_place, softmax_rows_serial, to_vec_f32,
};

/// Deserializes a config section, naming the field in the error (`model.EOS: invalid value:
/// ...`) and what was read (`what`: `GPT config`, ...).
pub(crate) fn from_json<'de, T: serde::Deserialize<'de>>(j: &'de serde_json::Value, what: &str) -> crate::Result<T> {
    serde_path_to_error::deserialize(j).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            crate::Error::Config(format!("{what}: {inner}"))
        } else {
            crate::Error::Config(format!("{what}: `{path}`: {inner}"))
        }
    })
}
