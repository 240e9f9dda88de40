//! `sovits_model`: the loaded models (GPT, SoVITS, HuBERT, BERT, and the speaker model of
//! v2Pro/v2ProPlus) on a device.

use std::ffi::c_char;
use std::path::PathBuf;
use std::sync::Arc;

use sovits_core::pipeline::{ModelOverrides, ModelPaths, Tts, TtsOptions};
use sovits_core::weights::files::{MemoryFiles, with_memory_files};

use crate::boundary::{self, Fail, guard, opt_str, out};
use crate::engine::Engine;
use crate::{log, sovits_status};

/// `device` of `sovits_model_params`: the CPU (every build).
pub const SOVITS_DEVICE_CPU: i32 = 0;
/// `device` of `sovits_model_params`: an NVIDIA GPU through CUDA (`device_index` picks it);
/// only in libraries built with the `cuda` feature, others answer `SOVITS_STATUS_UNSUPPORTED`.
pub const SOVITS_DEVICE_CUDA: i32 = 1;

/// Where the models are and where they run. Start from `sovits_model_default_params()`.
/// `struct_size` is `sizeof(sovits_model_params)` of the caller's header: fields are only
/// ever appended, and a caller built against an older (smaller) struct gets the defaults for
/// the fields it does not have.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sovits_model_params {
    /// `sizeof(sovits_model_params)`.
    pub struct_size: u32,
    /// A directory laid out like upstream's `pretrained_models/`: one `*.ckpt` (`s1v3.ckpt`
    /// preferred for v2Pro), one runnable SoVITS `*.pth` at the top or in `v2Pro/` (files
    /// tagged with a version this build does not run are skipped; otherwise one `s2G*.pth`),
    /// `chinese-hubert-base/`, `chinese-roberta-wwm-ext-large/` and, for v2Pro/v2ProPlus,
    /// `sv/pretrained_eres2netv2w24s4ep4.ckpt`; may be NULL when the paths below are all
    /// given. Paths below override what the directory gives. The SoVITS file decides the
    /// version (v1, v2, v2Pro, v2ProPlus).
    pub model_dir: *const c_char,
    /// GPT checkpoint (`s1bert25hz-*.ckpt`, `s1v3.ckpt`), or NULL.
    pub gpt_path: *const c_char,
    /// SoVITS checkpoint (`s2G2333k.pth`, `s2Gv2ProPlus.pth`), or NULL.
    pub sovits_path: *const c_char,
    /// `chinese-hubert-base` folder, or NULL.
    pub hubert_dir: *const c_char,
    /// `chinese-roberta-wwm-ext-large` folder, or NULL.
    pub bert_dir: *const c_char,
    /// 1 (default): run the GPT's decode steps as host mat-vecs (fastest on CPUs); 0: on the
    /// device (use 0 with CUDA).
    pub host_gpt_decode: i32,
    /// `SOVITS_DEVICE_CPU` (default) or `SOVITS_DEVICE_CUDA`. Added in 0.1.1.
    pub device: i32,
    /// Which GPU with `SOVITS_DEVICE_CUDA` (0 = the first). Added in 0.1.1.
    pub device_index: i32,
    /// The speaker-verification checkpoint v2Pro/v2ProPlus need
    /// (`pretrained_eres2netv2w24s4ep4.ckpt`), or NULL (then `model_dir/sv/` is searched);
    /// ignored by v1/v2 models. Added in 0.1.1.
    pub sv_path: *const c_char,
}

/// `sizeof(sovits_model_params)` of the first release (before `device`): the smallest
/// `struct_size` accepted.
const MODEL_PARAMS_V1_SIZE: usize = std::mem::offset_of!(sovits_model_params, device);

/// The loaded models (opaque). Immutable: share one between threads and sessions.
pub struct sovits_model {
    pub(crate) tts: Arc<dyn Engine>,
}

/// The original's model settings: every path NULL, host GPT decode on, the CPU.
#[unsafe(no_mangle)]
pub extern "C" fn sovits_model_default_params() -> sovits_model_params {
    sovits_model_params {
        struct_size: size_of::<sovits_model_params>() as u32,
        model_dir: std::ptr::null(),
        gpt_path: std::ptr::null(),
        sovits_path: std::ptr::null(),
        hubert_dir: std::ptr::null(),
        bert_dir: std::ptr::null(),
        host_gpt_decode: 1,
        device: SOVITS_DEVICE_CPU,
        device_index: 0,
        sv_path: std::ptr::null(),
    }
}

fn load_on(paths: &ModelPaths, opts: &TtsOptions, device: i32, index: i32) -> Result<Arc<dyn Engine>, Fail> {
    match device {
        SOVITS_DEVICE_CPU => load_cpu(paths, opts),
        SOVITS_DEVICE_CUDA => {
            let index =
                usize::try_from(index).map_err(|_| Fail::invalid(format!("device_index must be >= 0, got {index}")))?;
            load_cuda(paths, opts, index)
        }
        other => {
            Err(Fail::invalid(format!("device must be SOVITS_DEVICE_CPU (0) or SOVITS_DEVICE_CUDA (1), got {other}")))
        }
    }
}

#[cfg(any(feature = "flex", feature = "ndarray"))]
fn load_cpu(paths: &ModelPaths, opts: &TtsOptions) -> Result<Arc<dyn Engine>, Fail> {
    Ok(Arc::new(Tts::<sovits_core::backend::CpuBackend>::load(paths, opts, &Default::default())?))
}

#[cfg(not(any(feature = "flex", feature = "ndarray")))]
fn load_cpu(_: &ModelPaths, _: &TtsOptions) -> Result<Arc<dyn Engine>, Fail> {
    Err(unsupported("this library was built without a CPU backend (features flex or ndarray); use SOVITS_DEVICE_CUDA"))
}

fn unsupported(message: &str) -> Fail {
    Fail { status: sovits_status::SOVITS_STATUS_UNSUPPORTED, message: message.into() }
}

#[cfg(feature = "cuda")]
fn load_cuda(paths: &ModelPaths, opts: &TtsOptions, index: usize) -> Result<Arc<dyn Engine>, Fail> {
    let device = sovits_core::backend::cuda_device(index);
    Ok(Arc::new(Tts::<sovits_core::backend::Cuda>::load(paths, opts, &device)?))
}

#[cfg(not(feature = "cuda"))]
fn load_cuda(_: &ModelPaths, _: &TtsOptions, _: usize) -> Result<Arc<dyn Engine>, Fail> {
    Err(unsupported(
        "this library was built without CUDA (build sovits-ffi with --features cuda); use SOVITS_DEVICE_CPU",
    ))
}

/// The per-part paths of `params` (NULL: not given), each made a path by `to_path`.
///
/// # Safety
/// The string fields of `p` are NULL or NUL-terminated.
unsafe fn overrides(p: &sovits_model_params, to_path: impl Fn(&str) -> PathBuf) -> Result<ModelOverrides, Fail> {
    let path = |s: *const c_char, what: &str| unsafe { opt_str(s, what) }.map(|o| o.map(&to_path));
    Ok(ModelOverrides {
        gpt: path(p.gpt_path, "gpt_path")?,
        sovits: path(p.sovits_path, "sovits_path")?,
        hubert: path(p.hubert_dir, "hubert_dir")?,
        bert: path(p.bert_dir, "bert_dir")?,
        sv: path(p.sv_path, "sv_path")?,
    })
}

/// Loads the models. On success `*out_model` is the model; free it with `sovits_model_free`.
///
/// # Safety
/// `params` must point to a `sovits_model_params` whose strings are NUL-terminated or NULL;
/// `out_model` must be a valid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_model_load(
    params: *const sovits_model_params,
    out_model: *mut *mut sovits_model,
) -> sovits_status {
    guard(|| {
        let p = unsafe {
            boundary::params_appended(params, "params", MODEL_PARAMS_V1_SIZE, sovits_model_default_params())?
        };
        let out_model = out(out_model, "out_model")?;
        let dir = unsafe { opt_str(p.model_dir, "model_dir")? }.map(PathBuf::from);
        let over = unsafe { overrides(&p, |s: &str| PathBuf::from(s))? };
        let paths = match dir {
            Some(d) => ModelPaths::from_dir_with(d, over)?,
            None => ModelPaths {
                gpt: over.gpt.ok_or_else(|| Fail::null("gpt_path (or model_dir)"))?,
                sovits: over.sovits.ok_or_else(|| Fail::null("sovits_path (or model_dir)"))?,
                hubert: over.hubert.ok_or_else(|| Fail::null("hubert_dir (or model_dir)"))?,
                bert: over.bert.ok_or_else(|| Fail::null("bert_dir (or model_dir)"))?,
                sv: over.sv,
            },
        };
        let opts = TtsOptions { host_gpt_decode: p.host_gpt_decode != 0, ..TtsOptions::default() };
        let t0 = std::time::Instant::now();
        let tts = load_on(&paths, &opts, p.device, p.device_index)?;
        log::info(&format!("loaded the models in {:.2} s", t0.elapsed().as_secs_f64()));
        *out_model = Box::into_raw(Box::new(sovits_model { tts }));
        Ok(())
    })
}

/// One model file in memory for `sovits_model_load_from_memory`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sovits_model_file {
    /// Its path inside a model folder laid out like upstream's `pretrained_models/`, UTF-8,
    /// `/`-separated: `"s1v3.ckpt"`, `"s2G2333k.pth"`, `"chinese-hubert-base/config.json"`,
    /// `"chinese-hubert-base/pytorch_model.bin"`, `"chinese-roberta-wwm-ext-large/tokenizer.json"`,
    /// `"sv/pretrained_eres2netv2w24s4ep4.ckpt"`, ...
    pub name: *const c_char,
    /// The file's bytes (copied during the call; the caller may free them afterwards).
    pub data: *const u8,
    /// Their number.
    pub size: u64,
}

/// The most files `sovits_model_load_from_memory` takes.
const MAX_MODEL_FILES: u64 = 4096;

/// Loads the models from files in memory (e.g. an Android APK's assets or a game's pack
/// file): `files` is the model folder `sovits_model_load`'s `model_dir` would be, file by
/// file. The same rules pick the files and detect the version; errors name `<memory>/...`.
/// `params` NULL means the defaults; its `model_dir` must be NULL, and its other path fields
/// are NULL or names among `files` (to pick one of several). On success `*out_model` is the
/// model; free it with `sovits_model_free`.
///
/// # Safety
/// `files` holds `n_files` entries whose `name` is NUL-terminated and whose `data` holds
/// `size` bytes; `params` NULL or a `sovits_model_params`; `out_model` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_model_load_from_memory(
    files: *const sovits_model_file,
    n_files: u64,
    params: *const sovits_model_params,
    out_model: *mut *mut sovits_model,
) -> sovits_status {
    guard(|| {
        let defaults = sovits_model_default_params();
        let p = if params.is_null() {
            defaults
        } else {
            unsafe { boundary::params_appended(params, "params", MODEL_PARAMS_V1_SIZE, defaults)? }
        };
        let out_model = out(out_model, "out_model")?;
        if files.is_null() {
            return Err(Fail::null("files"));
        }
        if n_files == 0 || n_files > MAX_MODEL_FILES {
            return Err(Fail::invalid(format!("n_files must be 1..{MAX_MODEL_FILES}, got {n_files}")));
        }
        if !p.model_dir.is_null() {
            return Err(Fail::invalid("params.model_dir must be NULL when loading from memory"));
        }
        let mut mem = MemoryFiles::new();
        for (i, f) in unsafe { std::slice::from_raw_parts(files, n_files as usize) }.iter().enumerate() {
            let name = unsafe { boundary::req_str(f.name, &format!("files[{i}].name"))? };
            let data = unsafe { boundary::bytes(f.data, f.size, &format!("files[{i}] ({name})"))? };
            mem.insert(name, data)?;
        }
        let root = std::path::Path::new(MemoryFiles::ROOT);
        let over = unsafe { overrides(&p, |n| root.join(n))? };
        let opts = TtsOptions { host_gpt_decode: p.host_gpt_decode != 0, ..TtsOptions::default() };
        let t0 = std::time::Instant::now();
        let tts = with_memory_files(Arc::new(mem), || {
            let paths = ModelPaths::from_dir_with(root, over)?;
            load_on(&paths, &opts, p.device, p.device_index)
        })?;
        log::info(&format!("loaded the models from memory in {:.2} s", t0.elapsed().as_secs_f64()));
        *out_model = Box::into_raw(Box::new(sovits_model { tts }));
        Ok(())
    })
}

/// The output sample rate of a model (32000), or 0 for NULL.
///
/// # Safety
/// `model` is NULL or a model from `sovits_model_load`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_model_sample_rate(model: *const sovits_model) -> i32 {
    boundary::catch(0, || unsafe { model.as_ref() }.map_or(0, |m| m.tts.sample_rate() as i32))
}

/// Frees a model and sets `*model` to NULL (NULL and an already freed handle are no-ops).
/// Sessions made from it keep the models alive until they are freed.
///
/// # Safety
/// `model` is NULL or points to NULL or to a model from `sovits_model_load`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sovits_model_free(model: *mut *mut sovits_model) {
    unsafe { boundary::free(model) }
}
