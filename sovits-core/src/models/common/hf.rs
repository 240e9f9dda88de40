//! Hugging Face model folders: `config.json` + `model.safetensors` or `pytorch_model.bin`.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::weights::{self, TensorStore};
use crate::{Error, Result};

/// A Hugging Face model folder as `from_pretrained` reads it.
#[derive(Debug)]
pub struct HfFolder {
    /// The folder.
    pub dir: PathBuf,
    /// Parsed `config.json`.
    pub config: Json,
    /// The weights file used (`model.safetensors` when present, like transformers).
    pub weights_path: PathBuf,
}

impl HfFolder {
    /// Opens `dir`, checking that `config.json` says `model_type == expected_type`.
    pub fn open(dir: impl AsRef<Path>, expected_type: &str) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        use crate::weights::files;
        if !files::exists(&dir) {
            return Err(Error::not_found(
                &dir,
                "no such folder; expected a Hugging Face model folder with config.json and model weights",
            ));
        }
        if !files::is_dir(&dir) {
            return Err(Error::Config(format!(
                "{}: not a folder; expected a Hugging Face model folder with config.json and model weights",
                dir.display()
            )));
        }
        let cfg_path = dir.join("config.json");
        if !files::is_file(&cfg_path) {
            return Err(Error::Config(format!(
                "{}: config.json is missing (expected a Hugging Face {expected_type} folder)",
                dir.display()
            )));
        }
        let text = files::read_to_string(&cfg_path)?;
        let config: Json =
            serde_json::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", cfg_path.display())))?;
        check_model_type(&config, expected_type, &cfg_path)?;
        let st = dir.join("model.safetensors");
        let bin = dir.join("pytorch_model.bin");
        let weights_path = if files::is_file(&st) {
            st
        } else if files::is_file(&bin) {
            bin
        } else {
            return Err(Error::Config(format!(
                "{}: neither model.safetensors nor pytorch_model.bin is present",
                dir.display()
            )));
        };
        Ok(HfFolder { dir, config, weights_path })
    }

    /// Reads the weights.
    pub fn tensors(&self) -> Result<TensorStore> {
        Ok(weights::load_state_dict(&self.weights_path, None)?.tensors)
    }
}

/// Fails unless `config["model_type"] == expected`.
pub fn check_model_type(config: &Json, expected: &str, path: &Path) -> Result<()> {
    match config.get("model_type").and_then(Json::as_str) {
        Some(t) if t == expected => Ok(()),
        Some(t) => Err(Error::Config(format!(
            "{}: this is a `{t}` model, expected `{expected}` (is this the right folder?)",
            path.display()
        ))),
        None => Err(Error::Config(format!("{}: no model_type field; expected `{expected}`", path.display()))),
    }
}

/// The variant fields of a transformers `config.json` that decide whether this port can run
/// the model (each model's config checks the ones it needs; absent ones read as empty).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HfArchitecture {
    /// `model_type` (`bert`, `hubert`).
    pub model_type: String,
    /// `hidden_act`.
    pub hidden_act: String,
    /// `position_embedding_type` (BERT).
    pub position_embedding_type: String,
    /// `feat_extract_norm` (HuBERT).
    pub feat_extract_norm: String,
    /// `feat_extract_activation` (HuBERT).
    pub feat_extract_activation: String,
    /// `do_stable_layer_norm` (HuBERT).
    pub do_stable_layer_norm: bool,
}

impl HfArchitecture {
    /// Reads them from a `config.json`.
    pub fn read(j: &Json) -> Result<Self> {
        super::from_json(j, "config.json")
    }
}
