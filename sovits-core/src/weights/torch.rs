//! Reader for PyTorch zip checkpoints (`torch.save` since torch 1.6): the official
//! GPT-SoVITS `.pth` / `.ckpt` files and Hugging Face `pytorch_model.bin`.
//!
//! Handles the GPT-SoVITS quirk of files whose first two bytes are an ASCII version tag
//! (`"05"` = v2Pro, ...) instead of the zip magic `PK`: the tag is recorded and the bytes are
//! read as if they were `PK`, like upstream's `load_sovits_new` does.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::host::{Bytes, DType, HostTensor};
use super::pickle::{self, TensorRef, Value};
use super::store::TensorStore;
use crate::{Error, Result};

const FORMAT: &str = "PyTorch zip checkpoint";

/// A `torch.save` file: its pickled object tree and access to its tensor storages.
pub struct TorchFile {
    path: PathBuf,
    /// The first two bytes when they were not `PK` (a GPT-SoVITS version tag such as `b"05"`).
    pub header_tag: Option<[u8; 2]>,
    /// The unpickled object (tensors appear as [`Value::Tensor`]).
    pub root: Value,
    /// storage key -> (byte offset in `file` or an owned copy, length)
    storages: HashMap<String, Bytes>,
}

impl std::fmt::Debug for TorchFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TorchFile").field("path", &self.path).field("header_tag", &self.header_tag).finish()
    }
}

impl TorchFile {
    /// Reads a checkpoint from disk.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::weights::files::read(path)?;
        Self::from_bytes(bytes, path)
    }

    /// Reads a checkpoint from memory; `name` is used in error messages.
    pub fn from_bytes(mut bytes: Vec<u8>, name: impl Into<PathBuf>) -> Result<Self> {
        let path: PathBuf = name.into();
        let bad = |reason: String| Error::format(path.clone(), FORMAT, reason);
        if bytes.len() < 4 {
            return Err(bad(format!("file is only {} bytes long", bytes.len())));
        }
        let mut header_tag = None;
        if &bytes[..2] != b"PK" {
            if let Some(tag) = super::HeaderTag::detect(&bytes) {
                header_tag = Some(tag.bytes);
                bytes[0] = b'P';
                bytes[1] = b'K';
            } else if bytes.starts_with(&[0x80]) || bytes.starts_with(b"\x8a\x0a") {
                return Err(bad("this is a legacy (torch < 1.6) pickle file; re-save it with a current torch \
                     (`torch.save(torch.load(f), f)`) or convert it to safetensors"
                    .into()));
            } else {
                return Err(bad("does not start with a zip header (PK) or a GPT-SoVITS version tag".into()));
            }
        }
        let file = Arc::new(bytes);
        let mut zip = zip::ZipArchive::new(Cursor::new(file.as_slice()))
            .map_err(|e| bad(format!("cannot read the zip archive ({e}); the file may be truncated")))?;

        let names: Vec<String> = zip
            .file_names()
            .map(|n| n.map(|c| c.into_owned()))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| bad(format!("bad zip entry name: {e}")))?;
        let pkl_name = names
            .iter()
            .find(|n| n.ends_with("/data.pkl") || n.as_str() == "data.pkl")
            .cloned()
            .ok_or_else(|| bad("no data.pkl entry in the archive".into()))?;
        let prefix = pkl_name.strip_suffix("data.pkl").unwrap_or("").to_string();

        let file_len = file.len() as u64;
        // Compressed entries together may inflate to at most MAX_INFLATION times the file.
        let mut inflate_budget = file_len.saturating_mul(MAX_INFLATION);
        if let Some(bo) = names.iter().find(|n| **n == format!("{prefix}byteorder")).cloned() {
            let entry = zip.by_name(&bo).map_err(|e| bad(e.to_string()))?;
            let s = read_entry(entry, file_len, &mut inflate_budget).map_err(bad)?;
            if s.trim_ascii() != b"little" {
                return Err(bad(format!(
                    "big-endian checkpoints are not supported (byteorder {:?})",
                    String::from_utf8_lossy(&s[..s.len().min(16)])
                )));
            }
        }

        let entry = zip.by_name(&pkl_name).map_err(|e| bad(e.to_string()))?;
        let pkl = read_entry(entry, file_len, &mut inflate_budget).map_err(bad)?;
        let root = pickle::load(&pkl).map_err(|e| bad(format!("{pkl_name}: {}", e.0)))?;

        let mut storages = HashMap::new();
        let data_prefix = format!("{prefix}data/");
        for i in 0..zip.len() {
            let entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
            let name = entry.name().map_err(|e| bad(e.to_string()))?.into_owned();
            let Some(key) = name.strip_prefix(&data_prefix).map(str::to_owned) else { continue };
            let stored =
                entry.compression() == zip::CompressionMethod::Stored && entry.compressed_size() == entry.size();
            let range = entry.data_start().and_then(|start| {
                let end = start.checked_add(entry.size())?;
                (end <= file_len).then_some((start as usize, entry.size() as usize))
            });
            let bytes = match (stored, range) {
                (true, Some((start, size))) => Bytes::new(file.clone(), start, size),
                _ => Bytes::owned(
                    read_entry(entry, file_len, &mut inflate_budget).map_err(|r| bad(format!("storage {key}: {r}")))?,
                ),
            };
            storages.insert(key, bytes);
        }
        Ok(TorchFile { path, header_tag, root, storages })
    }

    /// The file's path (or name).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Collects the tensors of the state dict at `key` of the root dict (e.g. `"weight"` for
    /// GPT-SoVITS files), or of the root itself when `key` is `None` (`pytorch_model.bin`).
    pub fn state_dict(&self, key: Option<&str>) -> Result<TensorStore> {
        let bad = |reason: String| Error::format(self.path.clone(), FORMAT, reason);
        let dict = match key {
            Some(k) => self.root.get(k).ok_or_else(|| {
                bad(format!("no \"{k}\" entry at the top level (is this the right kind of checkpoint?)"))
            })?,
            None => &self.root,
        };
        let items = match dict {
            Value::Dict(items) => items,
            Value::Object { state: Some(s), .. } => match s.as_ref() {
                Value::Dict(items) => items,
                _ => return Err(bad("the state dict is not a dict".into())),
            },
            _ => return Err(bad("the state dict is not a dict".into())),
        };
        let mut store = TensorStore::new(self.path.display().to_string());
        for (k, v) in items {
            let Value::Str(name) = k else { continue };
            let Value::Tensor(t) = v else { continue };
            store.insert(name.clone(), self.resolve(t).map_err(|r| bad(format!("tensor {name}: {r}")))?);
        }
        Ok(store)
    }

    fn resolve(&self, t: &TensorRef) -> std::result::Result<HostTensor, String> {
        let dtype =
            storage_dtype(&t.storage_type).ok_or_else(|| format!("unsupported storage type {}", t.storage_type))?;
        let storage =
            self.storages.get(&t.storage_key).ok_or_else(|| format!("storage data/{} is missing", t.storage_key))?;
        let es = dtype.size();
        let raw = storage.as_slice();
        let overflow = || format!("shape {:?} with strides {:?} overflows", t.shape, t.stride);
        let numel = t.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or_else(overflow)?;
        let bytes = numel.checked_mul(es).ok_or_else(overflow)?;
        if numel == 0 {
            return Ok(HostTensor { shape: t.shape.clone(), dtype, bytes: Bytes::owned(Vec::new()) });
        }
        // The last element the view touches must lie inside the storage; checked before any copy.
        let last = t
            .shape
            .iter()
            .zip(&t.stride)
            .try_fold(t.offset, |a, (&d, &s)| a.checked_add((d - 1).checked_mul(s)?))
            .ok_or_else(overflow)?;
        let end = last.checked_add(1).and_then(|e| e.checked_mul(es)).ok_or_else(overflow)?;
        if end > raw.len() {
            return Err(format!(
                "the view (offset {}, shape {:?}, strides {:?}) reaches past the end of storage data/{} \
                 ({} bytes; truncated or corrupt file?)",
                t.offset,
                t.shape,
                t.stride,
                t.storage_key,
                raw.len()
            ));
        }
        // Contiguous (row-major) strides, ignoring size-1 dims.
        let mut contiguous = true;
        let mut expect = 1usize;
        for (&d, &s) in t.shape.iter().zip(&t.stride).rev() {
            if d != 1 && s != expect {
                contiguous = false;
                break;
            }
            expect = expect.saturating_mul(d);
        }
        if contiguous {
            // `end` above is exactly `(offset + numel) * es` here.
            return Ok(HostTensor { shape: t.shape.clone(), dtype, bytes: storage.slice(t.offset * es, bytes) });
        }
        // A strided view is gathered into a new buffer. Views that repeat elements (expanded
        // tensors, stride 0) could claim far more than their storage holds: refuse them.
        if bytes > raw.len() {
            return Err(format!(
                "tensor of shape {:?} is a view with repeated elements (strides {:?}) larger than its storage; \
                 save it with .contiguous()",
                t.shape, t.stride
            ));
        }
        let mut out = Vec::with_capacity(bytes);
        let mut idx = vec![0usize; t.shape.len()];
        for _ in 0..numel {
            // In range: every index is below its dim, so the offset is at most `last`.
            let off = t.offset + idx.iter().zip(&t.stride).map(|(i, s)| i * s).sum::<usize>();
            let b = off * es;
            out.extend_from_slice(&raw[b..b + es]);
            for d in (0..idx.len()).rev() {
                idx[d] += 1;
                if idx[d] < t.shape[d] {
                    break;
                }
                idx[d] = 0;
            }
        }
        Ok(HostTensor { shape: t.shape.clone(), dtype, bytes: Bytes::owned(out) })
    }
}

/// Reads one zip entry into memory. The claimed size is only a hint: the read stops at the
/// entry's real end, a stored entry cannot be larger than the file, and compressed entries
/// draw on `inflate_budget` (zip bombs; PyTorch itself writes every entry uncompressed).
fn read_entry<R: Read>(
    entry: zip::read::ZipFile<'_, R>,
    file_len: u64,
    inflate_budget: &mut u64,
) -> std::result::Result<Vec<u8>, String> {
    let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
    let claimed = entry.size();
    let stored = entry.compression() == zip::CompressionMethod::Stored;
    let limit = if stored { file_len } else { *inflate_budget };
    if claimed > limit {
        return Err(format!(
            "{name} claims {claimed} bytes, more than the file can hold ({file_len} bytes); the file is corrupt"
        ));
    }
    let mut v = Vec::with_capacity(claimed.min(file_len) as usize);
    entry.take(claimed.saturating_add(1)).read_to_end(&mut v).map_err(|e| format!("cannot read {name}: {e}"))?;
    if v.len() as u64 != claimed {
        return Err(format!("{name} holds {} bytes but claims {claimed}; the file is corrupt", v.len()));
    }
    if !stored {
        *inflate_budget -= claimed;
    }
    Ok(v)
}

/// How many times its file size a compressed zip entry may inflate to.
const MAX_INFLATION: u64 = 16;

fn storage_dtype(name: &str) -> Option<DType> {
    Some(match name {
        "HalfStorage" => DType::F16,
        "BFloat16Storage" => DType::BF16,
        "FloatStorage" => DType::F32,
        "DoubleStorage" => DType::F64,
        "LongStorage" => DType::I64,
        "IntStorage" => DType::I32,
        "ShortStorage" => DType::I16,
        "CharStorage" => DType::I8,
        "ByteStorage" => DType::U8,
        "BoolStorage" => DType::Bool,
        _ => return None,
    })
}
