//! Bytes -> the `.pth`/`.ckpt` reader (zip, pickle, tensor views, the 2-byte version headers),
//! then what the loaders do with it: the config, version detection, and micro model builds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::models::gpt::{GptConfig, Text2SemanticDecoder};
use sovits_core::models::sovits::{SovitsConfig, SynthesizerTrn};
use sovits_core::weights::{HeaderTag, TorchFile, detect_sovits_version, keymap};
use sovits_fuzz::{B, micro_gpt, micro_sovits};

fuzz_target!(|data: &[u8]| {
    let Ok(file) = TorchFile::from_bytes(data.to_vec(), "<fuzz>") else { return };
    let hint = file.header_tag.map(HeaderTag::parse).and_then(|h| h.version);
    if let Some(j) = file.root.get("config").map(|c| c.to_json()) {
        let _ = SovitsConfig::from_json(&j);
        let _ = GptConfig::from_json(&j);
    }
    let device = Default::default();
    for key in [Some("weight"), None] {
        let Ok(store) = file.state_dict(key) else { continue };
        let _ = detect_sovits_version(&store, hint);
        let mut cfg = micro_sovits();
        cfg.infer_from_weights(&store);
        let _ = SynthesizerTrn::<B>::load(&keymap::SOVITS.apply(store.clone()), &micro_sovits(), &device);
        if cfg.validate().is_ok() {
            let _ = SynthesizerTrn::<B>::load(&store, &cfg, &device);
        }
        let _ = Text2SemanticDecoder::<B>::load(&store, &micro_gpt(), &device);
    }
});
