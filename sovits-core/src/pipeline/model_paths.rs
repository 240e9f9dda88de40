//! Where the model parts are: [`ModelPaths`], found in a folder laid out like upstream's
//! `pretrained_models/` or named one by one ([`ModelOverrides`]).

use std::path::{Path, PathBuf};

use crate::weights::{HeaderTag, read_header_tag};
use crate::{Error, Result};

/// Where the model parts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    /// GPT checkpoint (`s1bert25hz-*.ckpt`, `s1v3.ckpt` for v2Pro, `GPT_weights_v2/*.ckpt`,
    /// or safetensors).
    pub gpt: PathBuf,
    /// SoVITS checkpoint (`s2G2333k.pth`, `v2Pro/s2Gv2Pro.pth`, `v2Pro/s2Gv2ProPlus.pth`,
    /// `SoVITS_weights_v2Pro/*.pth`, or safetensors).
    pub sovits: PathBuf,
    /// `chinese-hubert-base` folder (config.json + model.safetensors or pytorch_model.bin).
    pub hubert: PathBuf,
    /// `chinese-roberta-wwm-ext-large` folder (config.json, weights, tokenizer.json/vocab.txt).
    pub bert: PathBuf,
    /// The speaker-verification model v2Pro/v2ProPlus need
    /// (`sv/pretrained_eres2netv2w24s4ep4.ckpt`); ignored by v1/v2 models.
    pub sv: Option<PathBuf>,
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
    /// The speaker-verification checkpoint.
    pub sv: Option<PathBuf>,
}

impl ModelPaths {
    /// Finds the parts in one directory laid out like upstream's `pretrained_models/`: a
    /// `*.ckpt` (GPT) at the top or in `gsv-v2final-pretrained/`, a SoVITS `*.pth` at the top,
    /// in `gsv-v2final-pretrained/` or in `v2Pro/` (discriminators, `s2D*.pth`, are skipped),
    /// the `chinese-hubert-base` and `chinese-roberta-wwm-ext-large` folders, and for
    /// v2Pro/v2ProPlus `sv/pretrained_eres2netv2w24s4ep4.ckpt` (or the one `.ckpt` in `sv/`).
    ///
    /// Where there are several `.pth` files, those whose version tag (the two bytes upstream
    /// writes instead of `PK`) names a version this build cannot run are set aside; of the
    /// rest, a single one, or a single `s2G*.pth`, is taken. Otherwise the error lists the
    /// files with their versions: name the one to use with [`ModelPaths::from_dir_with`].
    /// The same holds for several `.ckpt` files: `s1v3*.ckpt` is preferred for a v2Pro/v2ProPlus
    /// SoVITS model (upstream pairs them), otherwise `s1bert*`, then `s1*`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        Self::from_dir_with(dir, ModelOverrides::default())
    }

    /// [`ModelPaths::from_dir`] where the parts given in `over` are taken as they are (and not
    /// searched for), e.g. to pick one of several `.pth` files.
    pub fn from_dir_with(dir: impl AsRef<Path>, over: ModelOverrides) -> Result<Self> {
        let dir = dir.as_ref();
        use crate::weights::files;
        if !files::is_dir(dir) {
            return Err(Error::not_found(dir, "no such model folder; see docs/usage.md for the model files"));
        }
        let (mut ckpt, mut pth) = (Vec::new(), Vec::new());
        for sub in ["", "gsv-v2final-pretrained", "v2Pro"] {
            let d = dir.join(sub);
            let entries = match files::read_dir(&d) {
                Ok(entries) => entries,
                Err(e) if sub.is_empty() => return Err(e),
                Err(_) => continue,
            };
            for p in entries {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                match p.extension().and_then(|x| x.to_str()) {
                    Some("ckpt") if files::is_file(&p) => ckpt.push(p),
                    Some("pth") if files::is_file(&p) && !name.starts_with("s2D") => pth.push(p),
                    _ => {}
                }
            }
        }
        ckpt.sort();
        pth.sort();
        let folder = |name: &str| -> Result<PathBuf> {
            let p = dir.join(name);
            if files::is_dir(&p) {
                Ok(p)
            } else {
                Err(Error::not_found(
                    &p,
                    format!("the {name} folder is missing; see docs/usage.md for the model files"),
                ))
            }
        };
        if over.gpt.is_none() && ckpt.is_empty() {
            return Err(Error::not_found(
                dir,
                "no GPT .ckpt file in this folder; see docs/usage.md for the model files",
            ));
        }
        let sovits = match over.sovits {
            Some(p) => p,
            None => pick(dir, pth, "SoVITS .pth", &["s2G"])?,
        };
        // The GPT that goes with the SoVITS model: upstream pairs v2Pro/v2ProPlus with s1v3.ckpt.
        let pro =
            read_header_tag(&sovits).ok().flatten().and_then(|t| t.version).is_some_and(|v| v.spec().speaker_model);
        let gpt_prefer: &[&str] = if pro { &["s1v3", "s1"] } else { &["s1bert", "s1"] };
        Ok(ModelPaths {
            gpt: match over.gpt {
                Some(p) => p,
                None => pick(dir, ckpt, "GPT .ckpt", gpt_prefer)?,
            },
            sovits,
            hubert: match over.hubert {
                Some(p) => p,
                None => folder("chinese-hubert-base")?,
            },
            bert: match over.bert {
                Some(p) => p,
                None => folder("chinese-roberta-wwm-ext-large")?,
            },
            sv: over.sv.or_else(|| find_sv(&dir.join("sv"))),
        })
    }
}

/// The speaker-verification checkpoint in upstream's `pretrained_models/sv/`: the released
/// name, else the only `.ckpt` there.
fn find_sv(dir: &Path) -> Option<PathBuf> {
    use crate::weights::files;
    let released = dir.join("pretrained_eres2netv2w24s4ep4.ckpt");
    if files::is_file(&released) {
        return Some(released);
    }
    let mut found: Vec<PathBuf> = files::read_dir(dir)
        .ok()?
        .into_iter()
        .filter(|p| files::is_file(p) && p.extension().is_some_and(|x| x == "ckpt" || x == "safetensors"))
        .collect();
    if found.len() == 1 { found.pop() } else { None }
}

/// One of the `files` of a kind: the only one; else the only one this build can run (by its
/// version tag); else the only one whose tag does not contradict its tensors; else the only
/// one whose name starts with the first of `prefer` that matches exactly one.
fn pick(dir: &Path, files: Vec<PathBuf>, what: &str, prefer: &[&str]) -> Result<PathBuf> {
    if files.len() <= 1 {
        return files.into_iter().next().ok_or_else(|| {
            Error::not_found(dir, format!("no {what} file in this folder; see docs/usage.md for the model files"))
        });
    }
    // (file, its header tag, how it is listed in the error, runnable)
    let mut entries = Vec::with_capacity(files.len());
    for f in files {
        let tag = read_header_tag(&f)?;
        let name = f.strip_prefix(dir).unwrap_or(&f).to_string_lossy().into_owned();
        let (label, runnable) = match tag.and_then(|t| t.version) {
            Some(v) if !v.is_supported() => (format!("{name} ({v}, not supported by this build)"), false),
            Some(v) => (format!("{name} ({v})"), true),
            None => (name, true),
        };
        entries.push((f, tag, label, runnable));
    }
    let runnable = |entries: &[(PathBuf, Option<HeaderTag>, String, bool)]| -> Vec<PathBuf> {
        entries.iter().filter(|e| e.3).map(|e| e.0.clone()).collect()
    };
    let mut run = runnable(&entries);
    if run.len() > 1 {
        // Still several: set aside tagged files whose tag contradicts their tensors (a `05`
        // tag around v2 weights); this reads those files, so it is done only here.
        for e in entries.iter_mut().filter(|e| e.3) {
            let contradicts = e.1.is_some_and(|tag| {
                crate::weights::load_state_dict(&e.0, Some("weight"))
                    .is_ok_and(|l| crate::weights::checkpoint_version(&l.tensors, Some(tag)).is_err())
            });
            if contradicts {
                e.2.push_str(" (its header tag contradicts its tensors)");
                e.3 = false;
            }
        }
        run = runnable(&entries);
    }
    if run.len() == 1 {
        return Ok(run.remove(0));
    }
    for p in prefer {
        let preferred: Vec<&PathBuf> =
            run.iter().filter(|f| f.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(p))).collect();
        if preferred.len() == 1 {
            return Ok(preferred[0].clone());
        }
    }
    let described: Vec<&str> = entries.iter().map(|e| e.2.as_str()).collect();
    Err(Error::Config(format!(
        "{} holds several {what} files ({}); name the one to use (ModelOverrides, --gpt/--sovits, or the \
         gpt_path/sovits_path fields of the C API)",
        dir.display(),
        described.join(", ")
    )))
}
