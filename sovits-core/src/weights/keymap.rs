//! Per-model key tables: how checkpoint keys map onto the Rust module tree, kept as data.
//!
//! Rust field names mirror the upstream module names, so most keys need no mapping at all;
//! what remains is a prefix to strip, a few renames, and the keys inference does not use.

use super::store::TensorStore;

/// How one sub-model's checkpoint keys map onto its Rust modules.
#[derive(Debug, Clone, Copy)]
pub struct KeyMap {
    /// Name used in error messages.
    pub model: &'static str,
    /// Prefix every key carries in the official file (e.g. the GPT's Lightning `model.`).
    pub strip_prefix: Option<&'static str>,
    /// Substring renames applied to every key (`from`, `to`).
    pub renames: &'static [(&'static str, &'static str)],
    /// Glob patterns (`*` = anything) of keys present in official files but unused at inference.
    pub ignore: &'static [&'static str],
}

/// The newer `torch.nn.utils.parametrizations.weight_norm` spelling of `weight_g`/`weight_v`
/// is accepted by the loader directly, so no table needs it.
impl KeyMap {
    /// Applies the prefix strip and renames.
    pub fn apply(&self, store: TensorStore) -> TensorStore {
        let store = match self.strip_prefix {
            Some(p) => store.strip_prefix(p),
            None => store,
        };
        if self.renames.is_empty() { store } else { store.rename(self.renames) }
    }
}

/// SoVITS `SynthesizerTrn` (`s2G*.pth`, `dict_s2["weight"]`): keys are the module paths.
pub const SOVITS: KeyMap = KeyMap {
    model: "SoVITS",
    strip_prefix: None,
    renames: &[],
    ignore: &[
        // posterior encoder: training only (kept in the pretrained s2G2333k.pth)
        "enc_q.*",
        // EMA k-means state of the codebook: training only
        "quantizer.vq.layers.*._codebook.embed_avg",
        "quantizer.vq.layers.*._codebook.cluster_size",
        "quantizer.vq.layers.*._codebook.inited",
    ],
};

/// GPT `Text2SemanticDecoder` (`s1bert25hz-*.ckpt`, `dict_s1["weight"]`): Lightning's
/// `model.` prefix.
pub const GPT: KeyMap = KeyMap { model: "GPT", strip_prefix: Some("model."), renames: &[], ignore: &[] };

/// The speaker-verification `ERes2NetV2` (`pretrained_eres2netv2w24s4ep4.ckpt`, a bare state
/// dict): keys are the module paths; the BatchNorms' step counters are training state.
pub const SV: KeyMap = KeyMap {
    model: "speaker-verification (ERes2NetV2)",
    strip_prefix: None,
    renames: &[],
    ignore: &["*.num_batches_tracked"],
};
