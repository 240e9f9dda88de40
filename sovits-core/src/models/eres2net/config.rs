//! `ERes2NetV2` hyper-parameters (the constructor arguments upstream's `sv.SV` passes).

use serde::Deserialize;
use serde_json::Value as Json;

use crate::limits::{MAX_LAYERS, MAX_WIDTH, check};
use crate::models::common::from_json;
use crate::weights::TensorStore;
use crate::{Error, Result};

/// Everything needed to build an [`super::ERes2NetV2`]; field names are the constructor's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvConfig {
    /// Stem width (64 officially).
    pub m_channels: usize,
    /// Mel bins of the input (80).
    pub feat_dim: usize,
    /// `seg_1` output size (192; unused by the embedding GPT-SoVITS takes).
    pub embedding_size: usize,
    /// Res2Net base width (24).
    pub base_width: usize,
    /// Res2Net groups per block (4).
    pub scale: usize,
    /// Block output expansion (4).
    pub expansion: usize,
    /// Blocks per stage (`[3, 4, 6, 3]`).
    pub num_blocks: [usize; 4],
}

impl SvConfig {
    /// `ERes2NetV2(baseWidth=24, scale=4, expansion=4)` with its other defaults, as
    /// upstream's `sv.py` builds it for `pretrained_eres2netv2w24s4ep4.ckpt`.
    pub fn official() -> Self {
        SvConfig {
            m_channels: 64,
            feat_dim: 80,
            embedding_size: 192,
            base_width: 24,
            scale: 4,
            expansion: 4,
            num_blocks: [3, 4, 6, 3],
        }
    }

    /// Reads the constructor arguments (a `ctor` block, as in the parity fixtures' `sv.json`,
    /// or a bare dict); missing fields take the official values.
    pub fn from_json(j: &Json) -> Result<Self> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Ctor {
            m_channels: Option<usize>,
            feat_dim: Option<usize>,
            embedding_size: Option<usize>,
            #[serde(rename = "baseWidth")]
            base_width: Option<usize>,
            scale: Option<usize>,
            expansion: Option<usize>,
            num_blocks: Option<[usize; 4]>,
        }
        let ctor: Ctor = match j.get("ctor") {
            Some(c) => from_json(c, "speaker-model config")?,
            None => from_json(j, "speaker-model config")?,
        };
        let o = Self::official();
        let c = SvConfig {
            m_channels: ctor.m_channels.unwrap_or(o.m_channels),
            feat_dim: ctor.feat_dim.unwrap_or(o.feat_dim),
            embedding_size: ctor.embedding_size.unwrap_or(o.embedding_size),
            base_width: ctor.base_width.unwrap_or(o.base_width),
            scale: ctor.scale.unwrap_or(o.scale),
            expansion: ctor.expansion.unwrap_or(o.expansion),
            num_blocks: ctor.num_blocks.unwrap_or(o.num_blocks),
        };
        c.validate()?;
        Ok(c)
    }

    /// Takes the widths a checkpoint fixes from its tensors (the stem width, the blocks per
    /// stage, the `seg_1` size); shapes that are absent are left to the load to report.
    pub fn infer_from_weights(&mut self, store: &TensorStore) {
        if let Some(&m) = store.get("conv1.weight").and_then(|t| t.shape.first()) {
            self.m_channels = m;
        }
        for (stage, n) in self.num_blocks.iter_mut().enumerate() {
            let prefix = format!("layer{}.", stage + 1);
            let blocks =
                store.keys().filter_map(|k| k.strip_prefix(&prefix)?.split('.').next()?.parse::<usize>().ok()).max();
            if let Some(b) = blocks {
                *n = b + 1;
            }
        }
        if let Some(&e) = store.get("seg_1.weight").and_then(|t| t.shape.first()) {
            self.embedding_size = e;
        }
    }

    /// Checks the sizes.
    pub fn validate(&self) -> Result<()> {
        let w = "speaker-model config";
        check(w, "m_channels", self.m_channels, 1, MAX_WIDTH / 64)?;
        check(w, "feat_dim", self.feat_dim, 8, 1024)?;
        check(w, "embedding_size", self.embedding_size, 1, MAX_WIDTH)?;
        check(w, "baseWidth", self.base_width, 1, 1024)?;
        check(w, "scale", self.scale, 1, 64)?;
        check(w, "expansion", self.expansion, 1, 64)?;
        for (i, &n) in self.num_blocks.iter().enumerate() {
            check(w, &format!("num_blocks[{i}]"), n, 1, MAX_LAYERS)?;
        }
        if (0..4).any(|s| self.width(s) == 0) {
            return Err(Error::Config(format!(
                "{w}: m_channels {} with baseWidth {} leaves a stage with no Res2Net width",
                self.m_channels, self.base_width
            )));
        }
        Ok(())
    }

    /// Output width of stage `s` (0-based) before expansion (`m_channels * 2^s`).
    pub fn planes(&self, s: usize) -> usize {
        self.m_channels << s
    }

    /// Res2Net split width of stage `s`: `floor(planes * baseWidth / 64)`.
    pub fn width(&self, s: usize) -> usize {
        self.planes(s) * self.base_width / 64
    }

    /// Frequency rows after the three stride-2 stages (10 for 80 mel bins).
    pub fn out_freq(&self) -> usize {
        (0..3).fold(self.feat_dim, |f, _| f.div_ceil(2))
    }

    /// Size of the embedding `forward3` gives (fused channels x frequency rows): 20480
    /// officially; the in-features of the SoVITS `sv_emb` layer.
    pub fn embedding_dim(&self) -> usize {
        self.planes(3) * self.expansion * self.out_freq()
    }
}
