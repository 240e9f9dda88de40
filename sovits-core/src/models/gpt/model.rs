//! `Text2SemanticDecoder` (`AR/models/t2s_model.py`): embeddings, the post-norm transformer
//! and the prediction head, with prefill and cached single-token decode.

use burn::tensor::activation::relu;
use burn::tensor::{Bool, Int, Tensor, TensorData, backend::Backend};

use super::cache::KvCache;
use super::config::GptConfig;
use crate::Result;
use crate::models::common::attention::{merge_heads, sdpa, split_heads};
use crate::models::common::{Embedding, LayerNorm, Linear};
use crate::weights::Weights;

/// `SinePositionalEmbedding` (`scale=False`, learned `alpha`): `x + alpha * PE[pos]`, with
/// `PE[p, 2i] = sin(p * exp(-2i ln(10000) / d))`, `PE[p, 2i+1] = cos(...)`, in f32.
#[derive(Debug, Clone)]
pub struct SinePositionalEmbedding {
    /// The learned scale.
    pub alpha: f32,
    dim: usize,
}

impl SinePositionalEmbedding {
    /// Rows `start..start+len` of `alpha * PE`, row-major `[len, dim]` on the host.
    pub fn scaled_table(&self, start: usize, len: usize) -> Vec<f32> {
        let d = self.dim;
        let mut out = vec![0f32; len * d];
        let k = -(10000f32.ln()) / d as f32;
        for p in 0..len {
            let pos = (start + p) as f32;
            for i in (0..d).step_by(2) {
                let div = (i as f32 * k).exp();
                let a = pos * div;
                out[p * d + i] = self.alpha * a.sin();
                if i + 1 < d {
                    out[p * d + i + 1] = self.alpha * a.cos();
                }
            }
        }
        out
    }
}

/// Multi-head self-attention with the packed `in_proj` (q|k|v) of `nn.MultiheadAttention`.
#[derive(Debug, Clone)]
pub struct SelfAttention<B: Backend> {
    /// `in_proj_weight`/`in_proj_bias` as one `[d, 3d]` linear.
    pub in_proj: Linear<B>,
    /// `out_proj`.
    pub out_proj: Linear<B>,
}

/// One post-norm `TransformerEncoderLayer` (ReLU FFN of width `4d`).
#[derive(Debug, Clone)]
pub struct TransformerEncoderLayer<B: Backend> {
    /// Attention.
    pub self_attn: SelfAttention<B>,
    /// FFN in (`d -> 4d`).
    pub linear1: Linear<B>,
    /// FFN out (`4d -> d`).
    pub linear2: Linear<B>,
    /// Norm after attention.
    pub norm1: LayerNorm<B>,
    /// Norm after the FFN.
    pub norm2: LayerNorm<B>,
}

/// The stage-1 GPT. Immutable after loading; per-call state lives in a
/// [`GptState`](super::GptState) (its [`KvCache`]).
#[derive(Debug, Clone)]
pub struct Text2SemanticDecoder<B: Backend> {
    /// BERT feature projection (`bert_dim -> d`).
    pub bert_proj: Linear<B>,
    /// Phone embedding.
    pub ar_text_embedding: Embedding<B>,
    /// Text positions.
    pub ar_text_position: SinePositionalEmbedding,
    /// Semantic-token embedding.
    pub ar_audio_embedding: Embedding<B>,
    /// Audio positions (restart at 0 after the text).
    pub ar_audio_position: SinePositionalEmbedding,
    /// The transformer layers (`h.layers.*`).
    pub layers: Vec<TransformerEncoderLayer<B>>,
    /// Prediction head (`d -> vocab`, no bias).
    pub ar_predict_layer: Linear<B>,
    config: GptConfig,
    device: B::Device,
}

impl<B: Backend> Text2SemanticDecoder<B> {
    /// Builds the model from weights with the `model.` prefix already stripped.
    pub(crate) fn build(w: &Weights<B>, c: &GptConfig) -> Result<Self> {
        let d = c.hidden_dim;
        let alpha = |name: &str| -> Result<f32> { Ok(w.host_f32(&format!("{name}.alpha"), &[1])?[0]) };
        let layers = (0..c.n_layer)
            .map(|i| {
                let l = w.pp(format!("h.layers.{i}"));
                let a = l.pp("self_attn");
                Ok(TransformerEncoderLayer {
                    self_attn: SelfAttention {
                        in_proj: Linear::load_keys(&a, "in_proj_weight", Some("in_proj_bias"), d, 3 * d)?,
                        out_proj: Linear::load_keys(&a.pp("out_proj"), "weight", Some("bias"), d, d)?,
                    },
                    linear1: Linear::load_keys(&l.pp("linear1"), "weight", Some("bias"), d, c.ffn_dim())?,
                    linear2: Linear::load_keys(&l.pp("linear2"), "weight", Some("bias"), c.ffn_dim(), d)?,
                    norm1: LayerNorm::load(&l.pp("norm1"), d, "weight", "bias", 1e-5)?,
                    norm2: LayerNorm::load(&l.pp("norm2"), d, "weight", "bias", 1e-5)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Text2SemanticDecoder {
            bert_proj: Linear::load(&w.pp("bert_proj"), c.bert_dim, d, true)?,
            ar_text_embedding: Embedding::load(&w.pp("ar_text_embedding.word_embeddings"), c.phoneme_vocab_size, d)?,
            ar_text_position: SinePositionalEmbedding { alpha: alpha("ar_text_position")?, dim: d },
            ar_audio_embedding: Embedding::load(&w.pp("ar_audio_embedding.word_embeddings"), c.vocab_size, d)?,
            ar_audio_position: SinePositionalEmbedding { alpha: alpha("ar_audio_position")?, dim: d },
            layers,
            ar_predict_layer: Linear::load_keys(&w.pp("ar_predict_layer"), "weight", None, d, c.vocab_size)?,
            config: c.clone(),
            device: w.device().clone(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GptConfig {
        &self.config
    }

    /// The device the weights live on.
    pub fn device(&self) -> &B::Device {
        &self.device
    }

    fn table(&self, pe: &SinePositionalEmbedding, start: usize, len: usize) -> Tensor<B, 3> {
        let d = self.config.hidden_dim;
        Tensor::from_data(TensorData::new(pe.scaled_table(start, len), [1, len, d]), &self.device)
    }

    fn ids(&self, v: &[u32]) -> Tensor<B, 2, Int> {
        Tensor::from_data(TensorData::new(v.iter().map(|&x| x as i64).collect::<Vec<_>>(), [1, v.len()]), &self.device)
    }

    /// Text side: `TextEmb(phones) + bert_proj(bert^T) + alpha_t * PE[0..L]`.
    ///
    /// # Shapes
    /// `phones` `[L]`, `bert` `[bert_dim, L]` -> `[1, L, d]`.
    pub fn embed_text(&self, phones: &[u32], bert: Tensor<B, 2>) -> Tensor<B, 3> {
        let l = phones.len();
        let x = self.ar_text_embedding.forward(self.ids(phones));
        let b = self.bert_proj.forward(bert.transpose().unsqueeze_dim::<3>(0));
        x + b + self.table(&self.ar_text_position, 0, l)
    }

    /// Audio side: `AudioEmb(tokens) + alpha_a * PE[start..start+T]`.
    ///
    /// # Shapes
    /// `tokens` `[T]` -> `[1, T, d]`.
    pub fn embed_audio(&self, tokens: &[u32], start: usize) -> Tensor<B, 3> {
        let y = self.ar_audio_embedding.forward(self.ids(tokens));
        y + self.table(&self.ar_audio_position, start, tokens.len())
    }

    /// The prefix-LM mask for `text_len` text and `audio_len` audio positions (true = masked):
    /// text rows see all text and no audio; audio rows see all text and audio causally.
    pub fn attention_mask(&self, text_len: usize, audio_len: usize) -> Tensor<B, 2, Bool> {
        let s = text_len + audio_len;
        let mut m = vec![false; s * s];
        for r in 0..s {
            for c in 0..s {
                m[r * s + c] = if r < text_len { c >= text_len } else { c >= text_len && c > r };
            }
        }
        Tensor::from_data(TensorData::new(m, [s, s]), &self.device)
    }

    /// Runs all layers over a whole sequence `xy` `[1, S, d]` with `mask` `[S, S]`, storing
    /// every layer's keys/values in `cache` (reserving `reserve` more positions). Returns the
    /// hidden states `[1, S, d]`.
    pub fn prefill(
        &self,
        xy: Tensor<B, 3>,
        mask: Option<Tensor<B, 2, Bool>>,
        cache: &mut KvCache<B>,
        reserve: usize,
    ) -> Tensor<B, 3> {
        let [_, s, d] = xy.dims();
        let h = self.config.head;
        let scale = ((d / h) as f64).sqrt();
        let mask4 = mask.map(|m| m.reshape([1, 1, s, s]).expand([1, h, s, s]));
        let mut x = xy;
        let mut ks = Vec::with_capacity(self.layers.len());
        let mut vs = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let qkv = layer.self_attn.in_proj.forward(x.clone());
            let q = split_heads(qkv.clone().narrow(2, 0, d), h);
            let k = split_heads(qkv.clone().narrow(2, d, d), h);
            let v = split_heads(qkv.narrow(2, 2 * d, d), h);
            let a = merge_heads(sdpa(q, k.clone(), v.clone(), scale, mask4.clone()));
            x = layer.finish(x, a);
            ks.push(k);
            vs.push(v);
        }
        cache.init(ks, vs, reserve);
        x
    }

    /// One cached step: the new position `xy` `[1, 1, d]` attends to every cached position
    /// and itself; its keys/values are appended. Returns the hidden state `[1, 1, d]`.
    pub fn decode_step(&self, xy: Tensor<B, 3>, cache: &mut KvCache<B>) -> Tensor<B, 3> {
        let d = self.config.hidden_dim;
        let h = self.config.head;
        let scale = ((d / h) as f64).sqrt();
        let mut x = xy;
        for (i, layer) in self.layers.iter().enumerate() {
            let qkv = layer.self_attn.in_proj.forward(x.clone());
            let q = split_heads(qkv.clone().narrow(2, 0, d), h);
            let k = split_heads(qkv.clone().narrow(2, d, d), h);
            let v = split_heads(qkv.narrow(2, 2 * d, d), h);
            let (k_all, v_all) = cache.append(i, k, v);
            let a = merge_heads(sdpa(q, k_all, v_all, scale, None));
            x = layer.finish(x, a);
        }
        cache.advance();
        x
    }

    /// Logits of the last position of `hidden` `[1, S, d]` -> `[vocab]` on the host.
    pub fn logits_last(&self, hidden: Tensor<B, 3>) -> Vec<f32> {
        let [_, s, d] = hidden.dims();
        let last = hidden.narrow(1, s - 1, 1).reshape([1, d]);
        crate::models::common::to_vec_f32(self.ar_predict_layer.forward(last))
    }
}

impl<B: Backend> TransformerEncoderLayer<B> {
    /// `x = norm1(x + out_proj(attn)); x = norm2(x + linear2(relu(linear1(x))))`.
    fn finish(&self, x: Tensor<B, 3>, attn: Tensor<B, 3>) -> Tensor<B, 3> {
        let x = self.norm1.forward(x + self.self_attn.out_proj.forward(attn), 2);
        let f = self.linear2.forward(relu(self.linear1.forward(x.clone())));
        self.norm2.forward(x + f, 2)
    }
}
