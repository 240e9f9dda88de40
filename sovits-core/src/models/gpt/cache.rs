//! The per-call key/value cache of the GPT, kept outside the (immutable) model.

use burn::tensor::{Tensor, backend::Backend};

/// Keys and values of every layer for the positions processed so far, stored head-major
/// (`[1, heads, capacity, head_dim]`) so a decode step appends one row per head and attends
/// over a prefix slice. Capacity grows in chunks of [`KvCache::CHUNK`] positions; it is not
/// re-concatenated every step.
#[derive(Debug, Clone)]
pub struct KvCache<B: Backend> {
    k: Vec<Tensor<B, 4>>,
    v: Vec<Tensor<B, 4>>,
    len: usize,
    capacity: usize,
}

impl<B: Backend> Default for KvCache<B> {
    fn default() -> Self {
        KvCache { k: Vec::new(), v: Vec::new(), len: 0, capacity: 0 }
    }
}

impl<B: Backend> KvCache<B> {
    /// Growth step in positions.
    pub const CHUNK: usize = 256;

    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Positions stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Allocated positions.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets everything (keeps nothing allocated).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Stores the prefill's keys/values (`[1, heads, len, head_dim]` per layer), reserving
    /// room for `reserve` more positions.
    pub(crate) fn init(&mut self, k: Vec<Tensor<B, 4>>, v: Vec<Tensor<B, 4>>, reserve: usize) {
        let len = k.first().map(|t| t.dims()[2]).unwrap_or(0);
        let capacity = (len + reserve).div_ceil(Self::CHUNK).max(1) * Self::CHUNK;
        let grow = |t: Tensor<B, 4>| {
            let [b, h, l, d] = t.dims();
            let pad = Tensor::zeros([b, h, capacity - l, d], &t.device());
            Tensor::cat(vec![t, pad], 2)
        };
        self.k = k.into_iter().map(grow).collect();
        self.v = v.into_iter().map(grow).collect();
        self.len = len;
        self.capacity = capacity;
    }

    fn ensure_room(&mut self) {
        if self.len < self.capacity {
            return;
        }
        let extra = Self::CHUNK;
        let grow = |t: &Tensor<B, 4>| {
            let [b, h, _, d] = t.dims();
            Tensor::cat(vec![t.clone(), Tensor::zeros([b, h, extra, d], &t.device())], 2)
        };
        self.k = self.k.iter().map(grow).collect();
        self.v = self.v.iter().map(grow).collect();
        self.capacity += extra;
    }

    /// Appends one position to `layer` (`[1, heads, 1, head_dim]` each) and returns the keys
    /// and values of all positions so far. Call [`KvCache::advance`] after the last layer.
    pub(crate) fn append(&mut self, layer: usize, k: Tensor<B, 4>, v: Tensor<B, 4>) -> (Tensor<B, 4>, Tensor<B, 4>) {
        if layer == 0 {
            self.ensure_room();
        }
        let pos = self.len;
        let kc = std::mem::replace(&mut self.k[layer], k.clone());
        let vc = std::mem::replace(&mut self.v[layer], v.clone());
        self.k[layer] = kc.slice_assign([0..1, 0..k.dims()[1], pos..pos + 1, 0..k.dims()[3]], k);
        self.v[layer] = vc.slice_assign([0..1, 0..v.dims()[1], pos..pos + 1, 0..v.dims()[3]], v);
        (self.k[layer].clone().narrow(2, 0, pos + 1), self.v[layer].clone().narrow(2, 0, pos + 1))
    }

    /// Marks the position appended to every layer as stored.
    pub(crate) fn advance(&mut self) {
        self.len += 1;
    }

    /// Keys of `layer` for the stored positions, `[1, heads, len, head_dim]`.
    pub fn keys(&self, layer: usize) -> Option<Tensor<B, 4>> {
        self.k.get(layer).map(|t| t.clone().narrow(2, 0, self.len))
    }

    /// Values of `layer` for the stored positions, `[1, heads, len, head_dim]`.
    pub fn values(&self, layer: usize) -> Option<Tensor<B, 4>> {
        self.v.get(layer).map(|t| t.clone().narrow(2, 0, self.len))
    }
}
