//! Bytes -> the safetensors tensor store, then micro models of all four kinds built from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovits_core::models::bert::BertModel;
use sovits_core::models::gpt::Text2SemanticDecoder;
use sovits_core::models::hubert::HubertModel;
use sovits_core::models::sovits::SynthesizerTrn;
use sovits_core::weights::{TensorStore, detect_sovits_version};
use sovits_fuzz::{B, micro_bert, micro_gpt, micro_hubert, micro_sovits};

fuzz_target!(|data: &[u8]| {
    let Ok(store) = TensorStore::from_safetensors_bytes(data.to_vec(), "<fuzz>") else { return };
    let device = Default::default();
    for k in store.keys() {
        let t = store.get(k).expect("listed key");
        let _ = (t.to_f32(), t.numel());
    }
    let _ = detect_sovits_version(&store, None);
    let mut cfg = micro_sovits();
    cfg.infer_from_weights(&store);
    if cfg.validate().is_ok() {
        let _ = SynthesizerTrn::<B>::load(&store, &cfg, &device);
    }
    let _ = SynthesizerTrn::<B>::load(&store, &micro_sovits(), &device);
    let _ = Text2SemanticDecoder::<B>::load(&store, &micro_gpt(), &device);
    let _ = HubertModel::<B>::load(&store, &micro_hubert(), &device);
    let _ = BertModel::<B>::load(&store, &micro_bert(), None, &device);
});
