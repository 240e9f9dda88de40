//! [`TensorStore`]: the tensors of one weight file by name, and [`Weights`]: checked,
//! path-scoped access to them while a model is built.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use burn::tensor::{Tensor, TensorData, backend::Backend};

use super::host::{Bytes, DType, HostTensor};
use crate::{Error, Result};

/// All tensors of a weight file, by key.
#[derive(Debug, Clone, Default)]
pub struct TensorStore {
    source: String,
    tensors: BTreeMap<String, HostTensor>,
    /// Free-form string metadata (safetensors `__metadata__`).
    pub metadata: BTreeMap<String, String>,
}

impl TensorStore {
    /// An empty store; `source` names it in error messages.
    pub fn new(source: impl Into<String>) -> Self {
        TensorStore { source: source.into(), ..Default::default() }
    }

    /// Reads a `.safetensors` file (f16, bf16, f32, f64 and integer tensors).
    pub fn from_safetensors_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::weights::files::read(path)?;
        Self::from_safetensors_bytes(bytes, path.display().to_string())
    }

    /// Reads safetensors data from memory; `source` names it in error messages.
    pub fn from_safetensors_bytes(bytes: Vec<u8>, source: impl Into<String>) -> Result<Self> {
        let source = source.into();
        let (n, meta) = safetensors::SafeTensors::read_metadata(&bytes)
            .map_err(|e| Error::format(&source, "safetensors", format!("{e:?}")))?;
        let data_start = 8 + n;
        let buf = Arc::new(bytes);
        let mut store = TensorStore::new(source.clone());
        if let Some(m) = meta.metadata() {
            store.metadata = m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        }
        for (name, info) in meta.tensors() {
            use safetensors::Dtype as S;
            let dtype = match info.dtype {
                S::F16 => DType::F16,
                S::BF16 => DType::BF16,
                S::F32 => DType::F32,
                S::F64 => DType::F64,
                S::I64 => DType::I64,
                S::I32 => DType::I32,
                S::I16 => DType::I16,
                S::I8 => DType::I8,
                S::U8 => DType::U8,
                S::BOOL => DType::Bool,
                other => {
                    return Err(Error::format(
                        &source,
                        "safetensors",
                        format!("tensor {name}: unsupported dtype {other:?}"),
                    ));
                }
            };
            let (a, b) = info.data_offsets;
            let bytes = info.shape.iter().try_fold(dtype.size(), |acc, &d| acc.checked_mul(d));
            let end = data_start.checked_add(b);
            if b < a || end.is_none_or(|e| e > buf.len()) || bytes != Some(b - a) {
                return Err(Error::format(
                    &source,
                    "safetensors",
                    format!("tensor {name}: data out of range (truncated file?)"),
                ));
            }
            store.tensors.insert(
                name.clone(),
                HostTensor { shape: info.shape.clone(), dtype, bytes: Bytes::new(buf.clone(), data_start + a, b - a) },
            );
        }
        Ok(store)
    }

    /// A store of fp16 tensors (like the official checkpoints) with these keys and shapes,
    /// filled with `N(0, std^2)` values from a seeded [`crate::rng::Rng`]: random-weight
    /// models for benchmarks and tests.
    pub fn random(shapes: &[(String, Vec<usize>)], std: f32, seed: u64) -> Self {
        let mut rng = crate::rng::Rng::new(seed);
        let mut store = TensorStore::new(format!("<random weights, seed {seed}>"));
        for (k, shape) in shapes {
            let n: usize = shape.iter().product();
            let bytes: Vec<u8> =
                (0..n).flat_map(|_| half::f16::from_f32(rng.normal() as f32 * std).to_le_bytes()).collect();
            store.insert(k.clone(), HostTensor { shape: shape.clone(), dtype: DType::F16, bytes: Bytes::owned(bytes) });
        }
        store
    }

    /// The store as a safetensors file (each tensor in its own dtype), for exports of
    /// converted or generated weights.
    pub fn to_safetensors_bytes(&self) -> Result<Vec<u8>> {
        use safetensors::tensor::TensorView;
        let dtype = |d: DType| match d {
            DType::F16 => safetensors::Dtype::F16,
            DType::BF16 => safetensors::Dtype::BF16,
            DType::F32 => safetensors::Dtype::F32,
            DType::F64 => safetensors::Dtype::F64,
            DType::I64 => safetensors::Dtype::I64,
            DType::I32 => safetensors::Dtype::I32,
            DType::I16 => safetensors::Dtype::I16,
            DType::I8 => safetensors::Dtype::I8,
            DType::U8 => safetensors::Dtype::U8,
            DType::Bool => safetensors::Dtype::BOOL,
        };
        let mut views = Vec::with_capacity(self.len());
        for k in self.keys() {
            let t = self.get(k).expect("a listed key");
            let v = TensorView::new(dtype(t.dtype), t.shape.clone(), t.bytes.as_slice())
                .map_err(|e| Error::InvalidArgument(format!("{k}: {e}")))?;
            views.push((k.to_string(), v));
        }
        safetensors::serialize(views, None).map_err(|e| Error::InvalidArgument(e.to_string()))
    }

    /// Where the tensors came from (for messages).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Adds (or replaces) a tensor.
    pub fn insert(&mut self, key: String, t: HostTensor) {
        self.tensors.insert(key, t);
    }

    /// The tensor called `key`.
    pub fn get(&self, key: &str) -> Option<&HostTensor> {
        self.tensors.get(key)
    }

    /// Whether a tensor called `key` exists.
    pub fn contains(&self, key: &str) -> bool {
        self.tensors.contains_key(key)
    }

    /// All keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.tensors.keys().map(String::as_str)
    }

    /// What the tensors take as f32 (the size a model built from them holds on the host).
    pub fn f32_bytes(&self) -> usize {
        self.tensors.values().fold(0usize, |a, t| a.saturating_add(t.numel().saturating_mul(4)))
    }

    /// Number of tensors.
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }

    /// Removes `prefix` from every key that has it (e.g. the GPT's `model.`); other keys are kept.
    pub fn strip_prefix(mut self, prefix: &str) -> Self {
        self.tensors = std::mem::take(&mut self.tensors)
            .into_iter()
            .map(|(k, v)| match k.strip_prefix(prefix) {
                Some(s) => (s.to_string(), v),
                None => (k, v),
            })
            .collect();
        self
    }

    /// Applies a rename table: every key containing `from` gets it replaced by `to`.
    pub fn rename(mut self, table: &[(&str, &str)]) -> Self {
        self.tensors = std::mem::take(&mut self.tensors)
            .into_iter()
            .map(|(mut k, v)| {
                for (from, to) in table {
                    if k.contains(from) {
                        k = k.replace(from, to);
                    }
                }
                (k, v)
            })
            .collect();
        self
    }
}

/// Matches `key` against a pattern where `*` stands for any run of characters.
pub(crate) fn glob_match(pattern: &str, key: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == key;
    }
    let mut rest = key;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else { return false };
            rest = &rest[pos + part.len()..];
        }
    }
    true
}

struct LoadState {
    used: BTreeSet<String>,
    requested: Vec<(String, Vec<usize>)>,
    missing: Vec<String>,
    mis_shaped: Vec<String>,
    /// Bytes still available for the zero placeholders of missing / mis-shaped tensors.
    placeholder_budget: usize,
}

/// Zero placeholders a load may create beyond what the file itself holds (1 MiB).
const PLACEHOLDER_SLACK: usize = 1 << 20;

/// Checked access to a [`TensorStore`] while a model is built.
///
/// Every lookup records the key as used; a missing key or a shape mismatch is recorded (and a
/// zero tensor of the expected shape returned) so that [`WeightsLoader::finish`] can report
/// every problem at once instead of the first one. The placeholders are limited to the size
/// of the file's own tensors plus 1 MiB: a config that asks for far more than the file holds
/// (an empty checkpoint, or sizes that do not belong to it) fails at once with
/// [`Error::WeightsMismatch`] listing what was found so far, without allocating the rest.
pub struct Weights<'a, B: Backend> {
    store: &'a TensorStore,
    device: &'a B::Device,
    prefix: String,
    state: &'a RefCell<LoadState>,
    model: &'static str,
}

/// The `(key, shape)` list a model reads, in request order: `build` constructs the model from
/// a loader over an empty store (on the backend's default device), which records every
/// request. Used for random-weight models and for documenting what a checkpoint must hold.
/// Only for trusted configs: the placeholders are not limited here.
pub fn expected_tensors<B: Backend>(
    build: impl FnOnce(&WeightsLoader<'_, B>, &B::Device) -> Result<()>,
) -> Result<Vec<(String, Vec<usize>)>> {
    let empty = TensorStore::new("<none>");
    let device = B::Device::default();
    let loader = WeightsLoader::<B>::new("model", &empty, &device);
    loader.state.borrow_mut().placeholder_budget = usize::MAX;
    build(&loader, &device)?;
    Ok(loader.requested())
}

/// Owner of the bookkeeping behind [`Weights`].
pub struct WeightsLoader<'a, B: Backend> {
    store: &'a TensorStore,
    device: &'a B::Device,
    state: RefCell<LoadState>,
    model: &'static str,
}

impl<'a, B: Backend> WeightsLoader<'a, B> {
    /// Starts a checked load of `model` (`"SoVITS"`, `"GPT"`, ... for messages) from `store`
    /// onto `device`.
    pub fn new(model: &'static str, store: &'a TensorStore, device: &'a B::Device) -> Self {
        WeightsLoader {
            store,
            device,
            model,
            state: RefCell::new(LoadState {
                used: BTreeSet::new(),
                requested: Vec::new(),
                missing: Vec::new(),
                mis_shaped: Vec::new(),
                placeholder_budget: store.f32_bytes().saturating_add(PLACEHOLDER_SLACK),
            }),
        }
    }

    /// The root accessor (no prefix).
    pub fn root(&self) -> Weights<'_, B> {
        Weights { store: self.store, device: self.device, prefix: String::new(), state: &self.state, model: self.model }
    }

    /// Every `(key, shape)` requested so far, in request order (for a model built from an
    /// empty store, this is the list of tensors the model needs).
    pub fn requested(&self) -> Vec<(String, Vec<usize>)> {
        self.state.borrow().requested.clone()
    }

    /// Ends the load: fails with [`Error::WeightsMismatch`] naming every missing, mis-shaped
    /// and unexpected key. Keys matching one of `ignore` (glob patterns, `*` = anything) are
    /// known to be unused at inference (training state) and are not "unexpected".
    pub fn finish(self, ignore: &[&str]) -> Result<()> {
        let st = self.state.into_inner();
        let unexpected: Vec<String> = self
            .store
            .keys()
            .filter(|k| !st.used.contains(*k) && !ignore.iter().any(|p| glob_match(p, k)))
            .map(str::to_owned)
            .collect();
        if st.missing.is_empty() && st.mis_shaped.is_empty() && unexpected.is_empty() {
            Ok(())
        } else {
            Err(Error::WeightsMismatch {
                model: self.model,
                missing: st.missing,
                mis_shaped: st.mis_shaped,
                unexpected,
                stopped_early: false,
            })
        }
    }
}

impl<'a, B: Backend> Weights<'a, B> {
    /// A child accessor for sub-module `name` (`"enc_p"`, `"layers.3"`, ...).
    pub fn pp(&self, name: impl AsRef<str>) -> Weights<'a, B> {
        let name = name.as_ref();
        let prefix = if self.prefix.is_empty() { name.to_string() } else { format!("{}.{name}", self.prefix) };
        Weights { store: self.store, device: self.device, prefix, state: self.state, model: self.model }
    }

    /// The device tensors are created on.
    pub fn device(&self) -> &'a B::Device {
        self.device
    }

    fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() { name.to_string() } else { format!("{}.{name}", self.prefix) }
    }

    /// Whether `name` (under this prefix) exists in the file.
    pub fn contains(&self, name: &str) -> bool {
        self.store.contains(&self.key(name))
    }

    /// The shape of `name` if present.
    pub fn shape_of(&self, name: &str) -> Option<Vec<usize>> {
        self.store.get(&self.key(name)).map(|t| t.shape.clone())
    }

    /// Host values of `name` (f32), checked against `shape`.
    pub fn host_f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let key = self.key(name);
        let mut st = self.state.borrow_mut();
        st.used.insert(key.clone());
        st.requested.push((key.clone(), shape.to_vec()));
        let problem = match self.store.get(&key) {
            Some(t) if t.shape == shape && t.dtype.is_float() => return Ok(t.to_f32()),
            None => (true, format!("{key} (expected {shape:?})")),
            Some(t) if t.shape != shape => (false, format!("{key}: expected {shape:?}, found {:?}", t.shape)),
            Some(t) => (false, format!("{key}: expected a float tensor, found {:?}", t.dtype)),
        };
        match problem {
            (true, m) => st.missing.push(m),
            (false, m) => st.mis_shaped.push(m),
        }
        let bytes = shape.iter().try_fold(4usize, |a, &d| a.checked_mul(d));
        match bytes.and_then(|b| st.placeholder_budget.checked_sub(b)) {
            Some(left) => {
                st.placeholder_budget = left;
                Ok(vec![0.0; bytes.unwrap_or(0) / 4])
            }
            None => {
                let st = &mut *st;
                Err(Error::WeightsMismatch {
                    model: self.model,
                    missing: std::mem::take(&mut st.missing),
                    mis_shaped: std::mem::take(&mut st.mis_shaped),
                    unexpected: Vec::new(),
                    stopped_early: true,
                })
            }
        }
    }

    /// Tensor `name`, checked against `shape`.
    pub fn tensor<const D: usize>(&self, name: &str, shape: [usize; D]) -> Result<Tensor<B, D>> {
        let v = self.host_f32(name, &shape)?;
        Ok(Tensor::from_data(TensorData::new(v, shape), self.device))
    }

    /// A PyTorch `nn.Linear` weight `[out, in]`, returned in burn's `[in, out]` layout.
    ///
    /// The transpose is done on the host so the tensor is contiguous: a transposed *view*
    /// makes every matrix-vector product strided (measured 19x slower on flex).
    pub fn linear_weight(&self, name: &str, out_features: usize, in_features: usize) -> Result<Tensor<B, 2>> {
        let v = self.host_f32(name, &[out_features, in_features])?;
        let t = transpose(&v, out_features, in_features);
        Ok(Tensor::<B, 2>::from_data(TensorData::new(t, [in_features, out_features]), self.device))
    }

    /// A PyTorch `nn.Linear` weight `[out, in]` that the file stores in fp16, as those fp16
    /// values in burn's `[in, out]` layout (as [`Weights::linear_weight`] lays them out);
    /// `None` (nothing recorded) when the tensor is missing, mis-shaped or not fp16, so that
    /// [`Weights::linear_weight`] then reads and reports it.
    pub fn linear_weight_f16(&self, name: &str, out_features: usize, in_features: usize) -> Option<Vec<half::f16>> {
        let key = self.key(name);
        let t = self.store.get(&key)?;
        if t.dtype != DType::F16 || t.shape != [out_features, in_features] {
            return None;
        }
        let mut st = self.state.borrow_mut();
        st.used.insert(key.clone());
        st.requested.push((key, t.shape.clone()));
        let rows: Vec<half::f16> = t
            .bytes
            .as_slice()
            .chunks_exact(2)
            .map(|b| half::f16::from_bits(u16::from_le_bytes([b[0], b[1]])))
            .collect();
        Some(transpose(&rows, out_features, in_features))
    }

    /// A (possibly weight-normed) weight: `{name}`, or `{name}_g` + `{name}_v` (legacy
    /// `torch.nn.utils.weight_norm`), or `parametrizations.{name}.original0/1` (the newer
    /// parametrization API), folded as `w = g * v / ||v||` where the norm is taken over every
    /// dimension except `dim`.
    pub fn weight_norm_host(&self, name: &str, shape: &[usize], dim: usize) -> Result<Vec<f32>> {
        let legacy = (format!("{name}_g"), format!("{name}_v"));
        let param = (format!("parametrizations.{name}.original0"), format!("parametrizations.{name}.original1"));
        let (gk, vk) = if self.contains(&legacy.0) || self.contains(&legacy.1) {
            legacy
        } else if self.contains(&param.0) || self.contains(&param.1) {
            param
        } else {
            return self.host_f32(name, shape);
        };
        let mut gshape = vec![1usize; shape.len()];
        gshape[dim] = shape[dim];
        let g = self.host_f32(&gk, &gshape)?;
        let v = self.host_f32(&vk, shape)?;
        Ok(fold_weight_norm(&g, &v, shape, dim))
    }

    /// [`Weights::weight_norm_host`] as a tensor.
    pub fn weight_norm<const D: usize>(&self, name: &str, shape: [usize; D], dim: usize) -> Result<Tensor<B, D>> {
        let v = self.weight_norm_host(name, &shape, dim)?;
        Ok(Tensor::from_data(TensorData::new(v, shape), self.device))
    }
}

/// `[rows, cols]` row-major -> `[cols, rows]`.
fn transpose<T: Copy + Default>(v: &[T], rows: usize, cols: usize) -> Vec<T> {
    let mut t = vec![T::default(); v.len()];
    for (r, row) in v.chunks_exact(cols.max(1)).enumerate() {
        for (c, &x) in row.iter().enumerate() {
            t[c * rows + r] = x;
        }
    }
    t
}

/// `w = g * (v / ||v||)` per slice of `dim` (PyTorch's `_weight_norm` computes
/// `v * (g / norm)`; the norm is accumulated in f64 here).
pub fn fold_weight_norm(g: &[f32], v: &[f32], shape: &[usize], dim: usize) -> Vec<f32> {
    let n = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    let mut norms = vec![0f64; n];
    for o in 0..outer {
        for (d, norm) in norms.iter_mut().enumerate() {
            let base = (o * n + d) * inner;
            *norm += v[base..base + inner].iter().map(|&x| (x as f64) * (x as f64)).sum::<f64>();
        }
    }
    let scale: Vec<f32> = norms.iter().zip(g).map(|(&s, &gv)| gv / (s.sqrt() as f32)).collect();
    let mut out = vec![0f32; v.len()];
    for o in 0..outer {
        for (d, &sc) in scale.iter().enumerate() {
            let base = (o * n + d) * inner;
            for (dst, &src) in out[base..base + inner].iter_mut().zip(&v[base..base + inner]) {
                *dst = src * sc;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("enc_q.*", "enc_q.pre.weight"));
        assert!(!glob_match("enc_q.*", "enc_p.pre.weight"));
        assert!(glob_match("*._codebook.embed_avg", "quantizer.vq.layers.0._codebook.embed_avg"));
        assert!(glob_match("a.b", "a.b"));
        assert!(glob_match("a*c*e", "abcde"));
    }

    #[test]
    fn weight_norm_dim0_and_dim2() {
        // v: [2, 1, 2]; dim 0 -> norms per output channel.
        let v = [3.0, 4.0, 0.0, 2.0];
        let w = fold_weight_norm(&[10.0, 1.0], &v, &[2, 1, 2], 0);
        assert_eq!(w, vec![6.0, 8.0, 0.0, 1.0]);
        // dim 2 -> norms per kernel tap, over dims 0 and 1.
        let w = fold_weight_norm(&[1.0, 1.0], &v, &[2, 1, 2], 2);
        let n1 = (4f32 * 4.0 + 4.0).sqrt();
        assert!((w[0] - 1.0).abs() < 1e-6 && (w[2]).abs() < 1e-6);
        assert!((w[1] - 4.0 / n1).abs() < 1e-6 && (w[3] - 2.0 / n1).abs() < 1e-6);
    }
}
