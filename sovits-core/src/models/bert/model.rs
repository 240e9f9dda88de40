//! transformers `BertModel` (post-LN encoder) up to the layer GPT-SoVITS reads.

use std::path::Path;

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

use super::config::BertConfig;
use crate::models::common::attention::multi_head_attention;
use crate::models::common::hf::HfFolder;
use crate::models::common::{Embedding, LayerNorm, Linear, gelu};
use crate::weights::{KeyMap, TensorStore, Weights, WeightsLoader};
use crate::{Error, Result};

/// BERT keys: `BertForMaskedLM`'s `bert.` prefix is stripped; the MLM head, pooler and the
/// legacy `position_ids` buffer are unused. (Layers above the one used are ignored too.)
pub const BERT_KEYS: KeyMap = KeyMap {
    model: "BERT",
    strip_prefix: Some("bert."),
    renames: &[],
    ignore: &["cls.*", "pooler.*", "embeddings.position_ids"],
};

/// One post-LN encoder layer (`encoder.layer.{i}`).
#[derive(Debug, Clone)]
pub struct BertLayer<B: Backend> {
    /// `attention.self.query`.
    pub query: Linear<B>,
    /// `attention.self.key`.
    pub key: Linear<B>,
    /// `attention.self.value`.
    pub value: Linear<B>,
    /// `attention.output.dense`.
    pub attention_output: Linear<B>,
    /// `attention.output.LayerNorm`.
    pub attention_norm: LayerNorm<B>,
    /// `intermediate.dense`.
    pub intermediate: Linear<B>,
    /// `output.dense`.
    pub output: Linear<B>,
    /// `output.LayerNorm`.
    pub output_norm: LayerNorm<B>,
    heads: usize,
}

/// BERT, loaded up to the layers that are needed. Immutable after loading.
#[derive(Debug, Clone)]
pub struct BertModel<B: Backend> {
    /// `embeddings.word_embeddings`.
    pub word_embeddings: Embedding<B>,
    /// `embeddings.position_embeddings`.
    pub position_embeddings: Embedding<B>,
    /// `embeddings.token_type_embeddings` (row 0 is used).
    pub token_type_embeddings: Embedding<B>,
    /// `embeddings.LayerNorm`.
    pub embeddings_norm: LayerNorm<B>,
    /// `encoder.layer.*` (only the loaded ones).
    pub layers: Vec<BertLayer<B>>,
    config: BertConfig,
    device: B::Device,
}

impl<B: Backend> BertModel<B> {
    fn build(w: &Weights<B>, c: &BertConfig, n_layers: usize) -> Result<Self> {
        let h = c.hidden_size;
        let e = w.pp("embeddings");
        let layers = (0..n_layers)
            .map(|i| {
                let l = w.pp(format!("encoder.layer.{i}"));
                Ok(BertLayer {
                    query: Linear::load(&l.pp("attention.self.query"), h, h, true)?,
                    key: Linear::load(&l.pp("attention.self.key"), h, h, true)?,
                    value: Linear::load(&l.pp("attention.self.value"), h, h, true)?,
                    attention_output: Linear::load(&l.pp("attention.output.dense"), h, h, true)?,
                    attention_norm: LayerNorm::load(
                        &l.pp("attention.output.LayerNorm"),
                        h,
                        "weight",
                        "bias",
                        c.layer_norm_eps,
                    )?,
                    intermediate: Linear::load(&l.pp("intermediate.dense"), h, c.intermediate_size, true)?,
                    output: Linear::load(&l.pp("output.dense"), c.intermediate_size, h, true)?,
                    output_norm: LayerNorm::load(&l.pp("output.LayerNorm"), h, "weight", "bias", c.layer_norm_eps)?,
                    heads: c.num_attention_heads,
                })
            })
            .collect::<Result<_>>()?;
        Ok(BertModel {
            word_embeddings: Embedding::load(&e.pp("word_embeddings"), c.vocab_size, h)?,
            position_embeddings: Embedding::load(&e.pp("position_embeddings"), c.max_position_embeddings, h)?,
            token_type_embeddings: Embedding::load(&e.pp("token_type_embeddings"), c.type_vocab_size, h)?,
            embeddings_norm: LayerNorm::load(&e.pp("LayerNorm"), h, "weight", "bias", c.layer_norm_eps)?,
            layers,
            config: c.clone(),
            device: w.device().clone(),
        })
    }

    /// Builds the model with its first `n_layers` layers (`None`: the
    /// [`BertConfig::feature_layers`] GPT-SoVITS needs), checking every key and shape.
    pub fn load(store: &TensorStore, config: &BertConfig, n_layers: Option<usize>, device: &B::Device) -> Result<Self> {
        config.validate()?;
        let n = n_layers.unwrap_or(config.feature_layers());
        if n > config.num_hidden_layers {
            return Err(Error::InvalidArgument(format!(
                "asked for {n} BERT layers, the config has {}",
                config.num_hidden_layers
            )));
        }
        let store = BERT_KEYS.apply(store.clone());
        let loader = WeightsLoader::<B>::new(BERT_KEYS.model, &store, device);
        let model = Self::build(&loader.root(), config, n)?;
        let unused: Vec<String> = (n..config.num_hidden_layers).map(|i| format!("encoder.layer.{i}.*")).collect();
        let mut ignore: Vec<&str> = BERT_KEYS.ignore.to_vec();
        ignore.extend(unused.iter().map(String::as_str));
        loader.finish(&ignore)?;
        Ok(model)
    }

    /// Loads a Hugging Face folder (`config.json` + `model.safetensors` or
    /// `pytorch_model.bin`), e.g. GPT-SoVITS' `pretrained_models/chinese-roberta-wwm-ext-large`.
    pub fn from_folder(dir: impl AsRef<Path>, n_layers: Option<usize>, device: &B::Device) -> Result<Self> {
        let f = HfFolder::open(dir, "bert")?;
        let config = BertConfig::from_json(&f.config).map_err(|e| e.in_file(&f.dir.join("config.json")))?;
        Self::load(&f.tensors()?, &config, n_layers, device)
    }

    /// The tensors the feature layers read (for random-weight models).
    pub fn expected_tensors(config: &BertConfig) -> Result<Vec<(String, Vec<usize>)>> {
        crate::weights::expected_tensors::<B>(|l, _| Self::build(&l.root(), config, config.feature_layers()).map(drop))
    }

    /// A model with random weights (seeded), for benchmarks at real sizes.
    pub fn random(config: &BertConfig, seed: u64, device: &B::Device) -> Result<Self> {
        let store = TensorStore::random(&Self::expected_tensors(config)?, 0.02, seed);
        Self::load(&store, config, None, device)
    }

    /// The configuration.
    pub fn config(&self) -> &BertConfig {
        &self.config
    }

    /// `hidden_states[0..=n_layers]` for `ids` (with `[CLS]`/`[SEP]`), `[1, L, H]` each;
    /// attention mask all ones, token types all 0.
    pub fn hidden_states(&self, ids: &[u32]) -> Result<Vec<Tensor<B, 3>>> {
        let l = ids.len();
        if l == 0 {
            return Err(Error::InvalidArgument("no tokens".into()));
        }
        if l > self.config.max_position_embeddings {
            return Err(Error::InvalidArgument(format!(
                "{l} tokens exceed BERT's {} positions; split the text into shorter segments",
                self.config.max_position_embeddings
            )));
        }
        if let Some(&bad) = ids.iter().find(|&&i| i as usize >= self.config.vocab_size) {
            return Err(Error::InvalidArgument(format!("token id {bad} out of range 0..{}", self.config.vocab_size)));
        }
        let ints = |v: Vec<i64>| Tensor::<B, 2, Int>::from_data(TensorData::new(v, [1, l]), &self.device);
        let x = self.word_embeddings.forward(ints(ids.iter().map(|&i| i as i64).collect()))
            + self.token_type_embeddings.forward(ints(vec![0; l]))
            + self.position_embeddings.forward(ints((0..l as i64).collect()));
        let mut h = self.embeddings_norm.forward(x, 2);
        let mut out = vec![h.clone()];
        for layer in &self.layers {
            h = layer.forward(h);
            out.push(h.clone());
        }
        Ok(out)
    }

    /// The feature GPT-SoVITS uses: `hidden_states[-3]` of the full model (the output of
    /// layer `n - 2`), without `[CLS]`/`[SEP]`: `[L - 2, H]`.
    pub fn features(&self, ids: &[u32]) -> Result<Tensor<B, 2>> {
        let want = self.config.feature_layers();
        if self.layers.len() < want {
            return Err(Error::InvalidArgument(format!(
                "the model was loaded with {} layers; the feature needs {want}",
                self.layers.len()
            )));
        }
        if ids.len() < 3 {
            return Err(Error::InvalidArgument("no text tokens between [CLS] and [SEP]".into()));
        }
        let hs = self.hidden_states(ids)?;
        let [_, l, h] = hs[want].dims();
        Ok(hs[want].clone().reshape([l, h]).narrow(0, 1, l - 2))
    }
}

impl<B: Backend> BertLayer<B> {
    fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 3> {
        let [_, _, h] = x.dims();
        let nh = self.heads;
        let q = self.query.forward(x.clone());
        let k = self.key.forward(x.clone());
        let v = self.value.forward(x.clone());
        let a = multi_head_attention(q, k, v, nh, ((h / nh) as f64).sqrt());
        let x = self.attention_norm.forward(x + self.attention_output.forward(a), 2);
        let f = self.output.forward(gelu(self.intermediate.forward(x.clone())));
        self.output_norm.forward(x + f, 2)
    }
}

/// Repeats feature row `i` `word2ph[i]` times and transposes: `[n_chars, H]` ->
/// `[H, sum(word2ph)]`, the phone-level BERT input of the GPT.
pub fn phone_level_features<B: Backend>(features: Tensor<B, 2>, word2ph: &[usize]) -> Result<Tensor<B, 2>> {
    let [n, _] = features.dims();
    if word2ph.len() != n {
        return Err(Error::InvalidArgument(format!(
            "word2ph has {} entries for {n} characters (it must have one per character of the normalised text)",
            word2ph.len()
        )));
    }
    let idx: Vec<i64> = word2ph.iter().enumerate().flat_map(|(i, &k)| std::iter::repeat_n(i as i64, k)).collect();
    if idx.is_empty() {
        return Err(Error::InvalidArgument("word2ph sums to zero phones".into()));
    }
    let device = features.device();
    let m = idx.len();
    let idx = Tensor::<B, 1, Int>::from_data(TensorData::new(idx, [m]), &device);
    Ok(features.select(0, idx).transpose())
}
