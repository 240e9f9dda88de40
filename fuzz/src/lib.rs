//! Shared pieces of the fuzz targets: the backend and micro model configs small enough that
//! building a model from fuzzed weights costs microseconds.

use sovits_core::models::bert::BertConfig;
use sovits_core::models::gpt::GptConfig;
use sovits_core::models::hubert::HubertConfig;
use sovits_core::models::sovits::{MrteConfig, SovitsConfig};

/// The backend the targets build models on.
pub type B = sovits_core::backend::NdArray;

/// A valid SoVITS config a few hundred parameters large.
pub fn micro_sovits() -> SovitsConfig {
    SovitsConfig {
        inter_channels: 4,
        hidden_channels: 4,
        filter_channels: 8,
        n_heads: 2,
        n_layers: 2,
        kernel_size: 3,
        resblock_kernel_sizes: vec![3],
        resblock_dilation_sizes: vec![vec![1]],
        upsample_rates: vec![2, 2],
        upsample_initial_channel: 8,
        upsample_kernel_sizes: vec![4, 4],
        gin_channels: 8,
        ssl_dim: 8,
        codebook_size: 4,
        text_vocab: 8,
        ref_enc_in_channels: 9,
        style_hidden: 4,
        style_kernel_size: 3,
        style_head: 2,
        mrte: MrteConfig { content_enc_channels: 4, hidden_size: 8, out_channels: 4, n_heads: 2 },
        n_flows: 1,
        wn_kernel: 3,
        wn_dilation_rate: 1,
        wn_layers: 1,
        attn_window: 1,
        sampling_rate: 8000,
        filter_length: 16,
        hop_length: 4,
        win_length: 16,
        ..SovitsConfig::v2()
    }
}

/// A valid GPT config with 8-wide layers.
pub fn micro_gpt() -> GptConfig {
    GptConfig {
        vocab_size: 9,
        phoneme_vocab_size: 8,
        embedding_dim: 8,
        hidden_dim: 8,
        head: 2,
        n_layer: 1,
        eos: 8,
        bert_dim: 8,
        max_sec: 1,
    }
}

/// A valid HuBERT config with 8-wide layers.
pub fn micro_hubert() -> HubertConfig {
    HubertConfig {
        hidden_size: 8,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 8,
        conv_dim: vec![4, 4],
        conv_kernel: vec![4, 2],
        conv_stride: vec![2, 2],
        num_conv_pos_embeddings: 4,
        num_conv_pos_embedding_groups: 2,
        ..HubertConfig::base()
    }
}

/// A valid BERT config with 8-wide layers and a 32-token vocabulary.
pub fn micro_bert() -> BertConfig {
    BertConfig {
        vocab_size: 32,
        hidden_size: 8,
        num_hidden_layers: 3,
        num_attention_heads: 2,
        intermediate_size: 8,
        max_position_embeddings: 16,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
    }
}
