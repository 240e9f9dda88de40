//! Weight loading shared by every model: safetensors files, the official PyTorch files
//! (`.pth`, `.ckpt`, `pytorch_model.bin`) read directly, weight-norm folding, key tables and
//! version detection. See `docs/weights.md`.

pub mod files;
mod host;
pub mod keymap;
pub mod pickle;
mod store;
mod torch;
mod version;

pub use host::{DType, HostTensor};
pub use keymap::KeyMap;
pub use store::{TensorStore, Weights, WeightsLoader, expected_tensors, fold_weight_norm};
pub use torch::TorchFile;
pub use version::{
    HeaderTag, ModelVersion, SovitsVariant, VersionSpec, checkpoint_version, detect_sovits_version, upsample_kernel,
};

use std::path::Path;

use crate::Result;

/// The file formats [`load_state_dict`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.safetensors`.
    Safetensors,
    /// A PyTorch zip checkpoint (possibly with a GPT-SoVITS version tag instead of `PK`).
    Torch,
}

/// Guesses the format of a weight file from its first bytes (not its name).
pub fn sniff_format(path: &Path) -> Result<FileFormat> {
    let head = files::read_head(path, 9)?;
    let n = head.len();
    if n >= 4 && (&head[..2] == b"PK" || (&head[2..4] == b"\x03\x04" && head[0].is_ascii_digit())) {
        return Ok(FileFormat::Torch);
    }
    if n == 9 && head[8] == b'{' {
        return Ok(FileFormat::Safetensors);
    }
    Err(crate::Error::format(
        path,
        "weight",
        "neither a safetensors file nor a PyTorch zip checkpoint (is the file complete?)",
    ))
}

/// The GPT-SoVITS header tag of a PyTorch checkpoint (the two digits upstream writes instead
/// of `PK`), read from the file's first four bytes; `None` for a plain zip or another format.
/// Cheap: used to tell model files apart without loading them.
pub fn read_header_tag(path: &Path) -> Result<Option<HeaderTag>> {
    let head = files::read_head(path, 4)?;
    Ok(HeaderTag::detect(&head))
}

/// A loaded state dict plus what the file said about itself.
#[derive(Debug)]
pub struct LoadedFile {
    /// The tensors.
    pub tensors: TensorStore,
    /// The pickled `config` entry of GPT-SoVITS checkpoints, as JSON (objects such as
    /// `utils.HParams` become their attribute dicts).
    pub config: Option<serde_json::Value>,
    /// The GPT-SoVITS header tag when the file had one instead of `PK`.
    pub header_tag: Option<HeaderTag>,
}

/// Loads a weight file in any supported format. For PyTorch checkpoints, `top_level_key`
/// selects the state dict (`Some("weight")` for GPT-SoVITS `.pth`/`.ckpt`, `None` for
/// `pytorch_model.bin`); safetensors files ignore it.
pub fn load_state_dict(path: impl AsRef<Path>, top_level_key: Option<&str>) -> Result<LoadedFile> {
    let path = path.as_ref();
    match sniff_format(path)? {
        FileFormat::Safetensors => {
            Ok(LoadedFile { tensors: TensorStore::from_safetensors_file(path)?, config: None, header_tag: None })
        }
        FileFormat::Torch => {
            let tf = TorchFile::open(path)?;
            let tensors = tf.state_dict(top_level_key)?;
            let config = tf.root.get("config").map(pickle::Value::to_json);
            let header_tag = tf.header_tag.map(HeaderTag::parse);
            Ok(LoadedFile { tensors, config, header_tag })
        }
    }
}

thread_local! {
    static F16_AT_REST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (model loads) with fp16 weights kept in fp16 at rest (`on`) or not: on CPU
/// backends the `Linear` layers of models loaded inside then keep an fp16 checkpoint weight
/// as fp16 and widen it for each call (the same arithmetic, half the memory, a conversion per
/// call). `Tts::load` uses it with `TtsOptions::f16_weights_at_rest`; outside it, weights
/// are f32 at rest.
pub fn with_f16_at_rest<R>(on: bool, f: impl FnOnce() -> R) -> R {
    let before = F16_AT_REST.with(|c| c.replace(on));
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            F16_AT_REST.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(before);
    f()
}

/// Whether loads on this thread keep fp16 weights at rest ([`with_f16_at_rest`]).
pub fn f16_at_rest() -> bool {
    F16_AT_REST.with(|c| c.get())
}
