//! Writes the model-shaped seed inputs of the fuzz corpora (`fuzz/corpus/safetensors`,
//! `fuzz/corpus/voice`): safetensors files holding exactly the tensors of the micro models the
//! targets build, and small voice files. The other seeds come from `fuzz/make_seeds.py`.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example make_seeds` (from the repository root).

use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use sovits_core::models::bert::BertModel;
use sovits_core::models::gpt::Text2SemanticDecoder;
use sovits_core::models::hubert::HubertModel;
use sovits_core::models::sovits::SynthesizerTrn;
use sovits_core::pipeline::{Spectrogram, Transcript, Voice};
use sovits_core::text::Lang;
use sovits_core::weights::TensorStore;
use sovits_fuzz::{B, micro_bert, micro_gpt, micro_hubert, micro_sovits};

fn write_store(path: &Path, shapes: &[(String, Vec<usize>)], seed: u64) {
    let store = TensorStore::random(shapes, 0.1, seed);
    let blobs: Vec<(String, Vec<usize>, Vec<u8>)> = store
        .keys()
        .map(|k| {
            let t = store.get(k).expect("key");
            (k.to_string(), t.shape.clone(), t.to_f32().iter().flat_map(|v| v.to_le_bytes()).collect())
        })
        .collect();
    let views: Vec<(String, TensorView<'_>)> =
        blobs.iter().map(|(k, s, b)| (k.clone(), TensorView::new(Dtype::F32, s.clone(), b).expect("view"))).collect();
    std::fs::write(path, safetensors::serialize(views, None).expect("serialize")).expect("write");
}

fn main() {
    let root = Path::new("fuzz/corpus");
    let st = root.join("safetensors");
    std::fs::create_dir_all(&st).expect("corpus dir");
    write_store(&st.join("sovits.safetensors"), &SynthesizerTrn::<B>::expected_tensors(&micro_sovits()).unwrap(), 1);
    write_store(&st.join("gpt.safetensors"), &Text2SemanticDecoder::<B>::expected_tensors(&micro_gpt()).unwrap(), 2);
    write_store(&st.join("hubert.safetensors"), &HubertModel::<B>::expected_tensors(&micro_hubert()).unwrap(), 3);
    write_store(&st.join("bert.safetensors"), &BertModel::<B>::expected_tensors(&micro_bert()).unwrap(), 4);

    let voice = root.join("voice");
    std::fs::create_dir_all(&voice).expect("corpus dir");
    let refer: Vec<f32> = (0..27).map(|i| i as f32 * 0.25).collect();
    let free = Voice {
        prompt_tokens: vec![],
        prompt_phones: vec![],
        prompt_bert: vec![],
        bert_dim: 8,
        refers: vec![Spectrogram { data: refer.clone(), bins: 9, frames: 3 }],
        transcript: None,
        sv_embs: vec![],
    };
    std::fs::write(voice.join("reference_free.voice"), free.to_bytes().unwrap()).unwrap();
    let prompted = Voice {
        prompt_tokens: vec![1, 2, 3, 0],
        prompt_phones: vec![5, 6],
        prompt_bert: (0..16).map(|i| i as f32).collect(),
        bert_dim: 8,
        refers: vec![
            Spectrogram { data: refer.clone(), bins: 9, frames: 3 },
            Spectrogram { data: refer[..18].to_vec(), bins: 9, frames: 2 },
        ],
        transcript: Some(Transcript::new("你好。", Lang::Zh)),
        sv_embs: vec![vec![0.5; 6], vec![-0.25; 6]],
    };
    std::fs::write(voice.join("two_references.voice"), prompted.to_bytes().unwrap()).unwrap();
    println!("wrote the safetensors and voice seeds under {}", root.display());
}
