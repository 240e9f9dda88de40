//! Where the four model parts are: [`ModelPaths`], found in a folder laid out like upstream's
//! `pretrained_models/` or named one by one ([`ModelOverrides`]).

use std::path::{Path, PathBuf};

use crate::weights::read_header_tag;
use crate::{Error, Result};

/// Where the four model parts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    /// GPT checkpoint (`s1bert25hz-*.ckpt`, `GPT_weights_v2/*.ckpt`, or safetensors).
    pub gpt: PathBuf,
    /// SoVITS checkpoint (`s2G2333k.pth`, `SoVITS_weights_v2/*.pth`, or safetensors).
    pub sovits: PathBuf,
    /// `chinese-hubert-base` folder (config.json + model.safetensors or pytorch_model.bin).
    pub hubert: PathBuf,
    /// `chinese-roberta-wwm-ext-large` folder (config.json, weights, tokenizer.json/vocab.txt).
    pub bert: PathBuf,
}

/// Parts named explicitly, for [`ModelPaths::from_dir_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelOverrides {
    /// The GPT checkpoint.
    pub gpt: Option<PathBuf>,
    /// The SoVITS checkpoint.
    pub sovits: Option<PathBuf>,
    /// The HuBERT folder.
    pub hubert: Option<PathBuf>,
    /// The BERT folder.
    pub bert: Option<PathBuf>,
}

impl ModelPaths {
    /// Finds the parts in one directory laid out like upstream's `pretrained_models/`: one
    /// `*.ckpt` (GPT), one `*.pth` (SoVITS), and the `chinese-hubert-base` and
    /// `chinese-roberta-wwm-ext-large` folders.
    ///
    /// Where there are several `.pth` files, those whose version tag (the two bytes upstream
    /// writes instead of `PK`) names a version this build cannot run are set aside; of the
    /// rest, a single one, or a single `s2G*.pth`, is taken. Otherwise the error lists the
    /// files: name the one to use with [`ModelPaths::from_dir_with`]. The same holds for
    /// several `.ckpt` files (`s1*.ckpt` preferred).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        Self::from_dir_with(dir, ModelOverrides::default())
    }

    /// [`ModelPaths::from_dir`] where the parts given in `over` are taken as they are (and not
    /// searched for), e.g. to pick one of several `.pth` files.
    pub fn from_dir_with(dir: impl AsRef<Path>, over: ModelOverrides) -> Result<Self> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let (mut ckpt, mut pth) = (Vec::new(), Vec::new());
        for e in entries.flatten() {
            let p = e.path();
            match p.extension().and_then(|x| x.to_str()) {
                Some("ckpt") => ckpt.push(p),
                Some("pth") => pth.push(p),
                _ => {}
            }
        }
        ckpt.sort();
        pth.sort();
        let folder = |name: &str| -> Result<PathBuf> {
            let p = dir.join(name);
            if p.is_dir() {
                Ok(p)
            } else {
                Err(Error::not_found(
                    &p,
                    format!("the {name} folder is missing; see docs/usage.md for the model files"),
                ))
            }
        };
        Ok(ModelPaths {
            gpt: match over.gpt {
                Some(p) => p,
                None => pick(dir, ckpt, "GPT .ckpt", "s1")?,
            },
            sovits: match over.sovits {
                Some(p) => p,
                None => pick(dir, pth, "SoVITS .pth", "s2G")?,
            },
            hubert: match over.hubert {
                Some(p) => p,
                None => folder("chinese-hubert-base")?,
            },
            bert: match over.bert {
                Some(p) => p,
                None => folder("chinese-roberta-wwm-ext-large")?,
            },
        })
    }
}

/// One of the `files` of a kind: the only one; else the only one this build can run (by its
/// version tag); else the only one whose name starts with `prefer`.
fn pick(dir: &Path, files: Vec<PathBuf>, what: &str, prefer: &str) -> Result<PathBuf> {
    if files.len() <= 1 {
        return files.into_iter().next().ok_or_else(|| {
            Error::not_found(dir, format!("no {what} file in this folder; see docs/usage.md for the model files"))
        });
    }
    let mut described = Vec::new();
    let mut runnable = Vec::new();
    for f in &files {
        let tag = read_header_tag(f)?;
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match tag.and_then(|t| t.version) {
            Some(v) if !v.is_supported() => described.push(format!("{name} ({v}, not supported by this build)")),
            _ => {
                described.push(name);
                runnable.push(f.clone());
            }
        }
    }
    if runnable.len() == 1 {
        return Ok(runnable.remove(0));
    }
    let preferred: Vec<&PathBuf> = runnable
        .iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefer)))
        .collect();
    if preferred.len() == 1 {
        return Ok(preferred[0].clone());
    }
    Err(Error::Config(format!(
        "{} holds several {what} files ({}); name the one to use (ModelOverrides, --gpt/--sovits, or the \
         gpt_path/sovits_path fields of the C API)",
        dir.display(),
        described.join(", ")
    )))
}
