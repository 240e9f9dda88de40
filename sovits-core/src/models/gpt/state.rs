//! The GPT's run state, kept outside the (immutable, `&self`) model as in llama-burn's
//! `transformer.rs` + `cache.rs`: which step decoder runs the cached steps ([`StepDecoder`],
//! chosen once when the models are set up) and the per-synthesis [`GptState`] (the KV cache,
//! on the backend or on the host).

use std::sync::Arc;

use burn::tensor::backend::Backend;

use super::cache::KvCache;
use super::host::{HostDecoder, HostKvCache};
use super::model::Text2SemanticDecoder;

/// How the cached decode steps of a GPT run.
#[derive(Debug, Clone, Default)]
pub enum StepDecoder {
    /// burn ops on the model's backend (the GPU path).
    #[default]
    Backend,
    /// Matrix-vector products on the host CPU over host copies of the weights, kept in fp16
    /// when the checkpoint's values are fp16 (the official files are), which halves a step's
    /// memory traffic without changing its arithmetic (docs/performance.md). The prefill
    /// still runs on the backend.
    Host(Arc<HostDecoder>),
}

impl StepDecoder {
    /// The host decoder for `model` (copies its weights to the host once).
    pub fn host<B: Backend>(model: &Text2SemanticDecoder<B>) -> Self {
        StepDecoder::Host(Arc::new(HostDecoder::new(model)))
    }

    /// Whether steps run on the host.
    pub fn is_host(&self) -> bool {
        matches!(self, StepDecoder::Host(_))
    }
}

/// The state of one GPT run (one sentence): the keys and values of every position so far.
/// Every run starts by replacing it; after a run it holds that run's caches (for traces and
/// tests).
#[derive(Debug, Clone)]
pub struct GptState<B: Backend> {
    /// The prefill's cache (and the steps' on the backend path).
    pub(crate) cache: KvCache<B>,
    /// The steps' cache on the host path (taken over from `cache` after the prefill).
    pub(crate) host: Option<HostKvCache>,
}

impl<B: Backend> Default for GptState<B> {
    fn default() -> Self {
        GptState { cache: KvCache::new(), host: None }
    }
}

impl<B: Backend> GptState<B> {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// The backend cache: the prefill's positions, plus every step's on the backend path.
    pub fn cache(&self) -> &KvCache<B> {
        &self.cache
    }

    /// The host cache of the last run on the host path.
    pub fn host_cache(&self) -> Option<&HostKvCache> {
        self.host.as_ref()
    }
}
