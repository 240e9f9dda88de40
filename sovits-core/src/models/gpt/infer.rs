//! Loading and the autoregressive loop (`infer_panel_naive`) with upstream's stop and
//! slicing rules.

use std::path::Path;

use burn::tensor::{Tensor, backend::Backend};

use burn::tensor::TensorData;

use super::cache::KvCache;
use super::config::GptConfig;
use super::host::{HostDecoder, HostKvCache};
use super::model::Text2SemanticDecoder;
use super::sampler::{SamplingParams, apply_repetition_penalty, sample};
use super::state::{GptState, StepDecoder};
use super::stream::{Chunker, CutTest, TokenChunk, TokenChunking};
use crate::rng::Rng;
use crate::weights::{self, TensorStore, WeightsLoader, keymap};
use crate::{Error, Result};

/// Steps during which EOS cannot be produced (upstream drops the EOS column for them).
pub const EOS_BLOCKED_STEPS: usize = 11;

/// What one [`Text2SemanticDecoder::infer`] call produced, with upstream's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct InferOutput {
    /// Upstream's `y`: prompt tokens followed by the generated ones; when the run ended on
    /// EOS the last sampled token is removed (the EOS, or the token drawn when the penalised
    /// argmax was EOS).
    pub y: Vec<u32>,
    /// Upstream's second return value: the stop step, or 0 in reference-free mode.
    pub idx: usize,
    /// What the caller hands to SoVITS: `y[-idx:]` (all of `y` when `idx` is 0). When the run
    /// was cut by `early_stop_num` or the step cap, this drops the first generated token,
    /// exactly like upstream.
    pub pred_semantic: Vec<u32>,
    /// Whether the run ended on EOS.
    pub eos_reached: bool,
    /// Decode steps run.
    pub steps: usize,
}

/// The receiver of a streaming run's chunks.
type ChunkSink<'a> = dyn FnMut(TokenChunk<'_>) -> Result<bool> + 'a;

/// What [`Text2SemanticDecoder::infer_streaming`] returns besides the chunks.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOutput {
    /// The run's bookkeeping, as for the whole-sentence call.
    pub output: InferOutput,
    /// Every dynamic cut test ([`TokenChunking::AtMute`] only).
    pub cut_tests: Vec<CutTest>,
}

/// Optional per-step record of a run, for parity checks and debugging.
#[derive(Debug, Clone)]
pub struct InferTrace<B: Backend> {
    /// Raw `ar_predict_layer` output per step (vocab wide).
    pub step_logits: Vec<Vec<f32>>,
    /// After the repetition penalty; EOS is `-inf` during the first 11 steps.
    pub step_logits_penalized: Vec<Vec<f32>>,
    /// The sampled token per step (including a final EOS).
    pub step_tokens: Vec<u32>,
    /// Prefill input `[1, S, d]`.
    pub prompt_xy_pos: Option<Tensor<B, 3>>,
    /// Prefill output `[1, S, d]`.
    pub prompt_xy_dec: Option<Tensor<B, 3>>,
    /// Inputs of the cached steps, `[1, 1, d]` each.
    pub decode_xy_pos: Vec<Tensor<B, 3>>,
    /// Outputs of the cached steps, `[1, 1, d]` each.
    pub decode_xy_dec: Vec<Tensor<B, 3>>,
}

/// The inputs of one GPT run.
#[derive(Debug, Clone)]
pub struct GptInput<'a, B: Backend> {
    /// Phone ids of prompt text + target text, `[L]`.
    pub phones: &'a [u32],
    /// Their BERT features, `[bert_dim, L]`.
    pub bert: Tensor<B, 2>,
    /// The prompt's semantic tokens; `None` is reference-free mode.
    pub prompt: Option<&'a [u32]>,
}

impl<B: Backend> Default for InferTrace<B> {
    fn default() -> Self {
        InferTrace {
            step_logits: vec![],
            step_logits_penalized: vec![],
            step_tokens: vec![],
            prompt_xy_pos: None,
            prompt_xy_dec: None,
            decode_xy_pos: vec![],
            decode_xy_dec: vec![],
        }
    }
}

impl<B: Backend> Text2SemanticDecoder<B> {
    /// Builds the model from a state dict (keys with or without the `model.` prefix),
    /// checking every key and shape.
    pub fn load(store: &TensorStore, config: &GptConfig, device: &B::Device) -> Result<Self> {
        config.validate()?;
        let store = keymap::GPT.apply(store.clone());
        let loader = WeightsLoader::<B>::new(keymap::GPT.model, &store, device);
        let model = Self::build(&loader.root(), config)?;
        loader.finish(keymap::GPT.ignore)?;
        Ok(model)
    }

    /// Loads an official GPT checkpoint (`s1bert25hz-*.ckpt`, fine-tuned `GPT_weights_v2/*.ckpt`)
    /// or a safetensors export of its `weight` dict. The config comes from `config` if
    /// given, else from the checkpoint's pickled `config`, else the v2 preset.
    pub fn from_file(path: impl AsRef<Path>, config: Option<&GptConfig>, device: &B::Device) -> Result<Self> {
        let path = path.as_ref();
        let loaded = weights::load_state_dict(path, Some("weight"))?;
        let config = match (config, &loaded.config) {
            (Some(c), _) => c.clone(),
            (None, Some(j)) => GptConfig::from_json(j).map_err(|e| e.in_file(path))?,
            (None, None) => GptConfig::v2(),
        };
        Self::load(&loaded.tensors, &config, device).map_err(|e| e.in_file(path))
    }

    /// The tensors (keys without the `model.` prefix, and shapes) a model of this config reads.
    pub fn expected_tensors(config: &GptConfig) -> Result<Vec<(String, Vec<usize>)>> {
        crate::weights::expected_tensors::<B>(|l, _| Self::build(&l.root(), config).map(drop))
    }

    /// A model with random weights (`N(0, 0.02^2)`, seeded): for benchmarks at real sizes.
    pub fn random(config: &GptConfig, seed: u64, device: &B::Device) -> Result<Self> {
        let store = TensorStore::random(&Self::expected_tensors(config)?, 0.02, seed);
        Self::load(&store, config, device)
    }

    fn check_inputs(&self, phones: &[u32], bert: &Tensor<B, 2>, prompt: Option<&[u32]>) -> Result<()> {
        let c = self.config();
        if phones.is_empty() {
            return Err(Error::InvalidArgument("no phones: the text produced no phonemes".into()));
        }
        let max = 2 * crate::limits::MAX_SENTENCE_PHONES;
        if phones.len() > max {
            return Err(Error::InvalidArgument(format!(
                "{} phones (prompt and sentence together) is more than the GPT takes ({max}); split the text \
                 into shorter sentences",
                phones.len()
            )));
        }
        if prompt.is_some_and(|p| p.len() > max) {
            return Err(Error::InvalidArgument(format!("the prompt has more than {max} semantic tokens")));
        }
        if let Some(&bad) = phones.iter().find(|&&p| p as usize >= c.phoneme_vocab_size) {
            return Err(Error::InvalidArgument(format!(
                "phone id {bad} out of range 0..{} for this GPT",
                c.phoneme_vocab_size
            )));
        }
        let [bd, bl] = bert.dims();
        if bd != c.bert_dim || bl != phones.len() {
            return Err(Error::InvalidArgument(format!(
                "BERT features must be [{}, {}] (one column per phone), got [{bd}, {bl}]",
                c.bert_dim,
                phones.len()
            )));
        }
        if let Some(p) = prompt {
            if p.is_empty() {
                return Err(Error::InvalidArgument(
                    "the prompt has no semantic tokens; pass None for reference-free mode".into(),
                ));
            }
            if let Some(&bad) = p.iter().find(|&&t| t >= c.eos) {
                return Err(Error::InvalidArgument(format!("prompt token {bad} out of range 0..{}", c.eos)));
            }
        }
        Ok(())
    }

    /// Generates semantic tokens like upstream's `infer_panel_naive` (batch 1): prefill of
    /// `phones` (+ `bert` features `[bert_dim, L]`) and the `prompt` tokens (`None` =
    /// reference-free), then one cached step per token with the original sampler, EOS blocked
    /// for 11 steps, stop on EOS / `early_stop_num` / the step cap. The steps run on the
    /// backend with a fresh state; see [`Text2SemanticDecoder::infer_with`].
    pub fn infer(
        &self,
        phones: &[u32],
        bert: Tensor<B, 2>,
        prompt: Option<&[u32]>,
        params: &SamplingParams,
        trace: Option<&mut InferTrace<B>>,
    ) -> Result<InferOutput> {
        let input = GptInput { phones, bert, prompt };
        self.infer_with(&StepDecoder::Backend, input, params, &mut GptState::new(), trace, &|| false)
    }

    /// [`Text2SemanticDecoder::infer`] with the step decoder chosen for this model, a
    /// caller-owned state (reused between runs without reallocating when large enough; after
    /// the run it holds the run's cache) and a cancel check run before every step (returns
    /// [`Error::Cancelled`] when it answers true). `trace` records the same on both decoders.
    pub fn infer_with(
        &self,
        decoder: &StepDecoder,
        input: GptInput<'_, B>,
        params: &SamplingParams,
        state: &mut GptState<B>,
        trace: Option<&mut InferTrace<B>>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<InferOutput> {
        self.run(decoder, input, params, state, trace, cancelled, None)
    }

    /// [`Text2SemanticDecoder::infer_with`] that hands out the tokens in chunks while it
    /// decodes (upstream `infer_panel_naive` with `streaming_mode=True`): `on_chunk` gets every
    /// chunk as [`TokenChunking`] cuts it, the last one with `is_final` (its `tokens` are
    /// `None` when the run ended right after a chunk). `on_chunk` answering `Ok(false)` ends
    /// the run there (the output then has `eos_reached == false`); an error from it ends the
    /// run with that error. Unlike the whole-sentence call, a run cut by `early_stop_num` or
    /// the step cap hands out every generated token (upstream's streaming branch does).
    #[allow(clippy::too_many_arguments)]
    pub fn infer_streaming(
        &self,
        decoder: &StepDecoder,
        input: GptInput<'_, B>,
        params: &SamplingParams,
        state: &mut GptState<B>,
        chunking: &TokenChunking,
        trace: Option<&mut InferTrace<B>>,
        cancelled: &dyn Fn() -> bool,
        on_chunk: &mut dyn FnMut(TokenChunk<'_>) -> Result<bool>,
    ) -> Result<StreamOutput> {
        chunking.validate()?;
        let prompt_len = input.prompt.map_or(0, <[u32]>::len);
        let mut chunker = Chunker::new(chunking, prompt_len);
        let out = self.run(decoder, input, params, state, trace, cancelled, Some((&mut chunker, on_chunk)))?;
        Ok(StreamOutput { output: out, cut_tests: chunker.tests })
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        decoder: &StepDecoder,
        input: GptInput<'_, B>,
        params: &SamplingParams,
        state: &mut GptState<B>,
        mut trace: Option<&mut InferTrace<B>>,
        cancelled: &dyn Fn() -> bool,
        mut stream: Option<(&mut Chunker<'_>, &mut ChunkSink<'_>)>,
    ) -> Result<InferOutput> {
        let GptInput { phones, bert, prompt } = input;
        params.validate()?;
        self.check_inputs(phones, &bert, prompt)?;
        let c = self.config();
        let eos = c.eos;
        let ref_free = prompt.is_none();
        let prompt = prompt.unwrap_or(&[]);
        let tp = prompt.len();

        let x = self.embed_text(phones, bert);
        let xy = if tp > 0 { Tensor::cat(vec![x, self.embed_audio(prompt, 0)], 1) } else { x };
        let mask = self.attention_mask(phones.len(), tp);
        if let Some(t) = trace.as_deref_mut() {
            t.prompt_xy_pos = Some(xy.clone());
        }
        let hidden = self.prefill(xy, Some(mask), &mut state.cache, params.max_steps);
        let mut logits = self.logits_last(hidden.clone());
        if let Some(t) = trace.as_deref_mut() {
            t.prompt_xy_dec = Some(hidden);
        }

        state.host = match decoder {
            StepDecoder::Host(h) => Some(h.cache_from(&state.cache, params.max_steps)),
            StepDecoder::Backend => None,
        };
        let d = c.hidden_dim;
        let row = |v: Vec<f32>| Tensor::<B, 3>::from_data(TensorData::new(v, [1, 1, d]), self.device());
        let mut seq = Sequence::new(prompt, params);
        let mut idx = 0;
        for step in 0..params.max_steps {
            idx = step;
            if cancelled() {
                return Err(Error::Cancelled);
            }
            if let Some((chunker, _)) = stream.as_mut() {
                chunker.begin_step();
            }
            if step > 0 {
                let last = *seq.y.last().expect("a token was generated");
                match (decoder, state.host.as_mut()) {
                    (StepDecoder::Host(host), Some(hc)) => {
                        let pe = self.ar_audio_position.scaled_table(tp + step - 1, 1);
                        let (xy, h) = host.hidden_step(last, &pe, hc);
                        logits = host.logits(&h);
                        if let Some(t) = trace.as_deref_mut() {
                            t.decode_xy_pos.push(row(xy));
                            t.decode_xy_dec.push(row(h));
                        }
                    }
                    _ => {
                        let xy = self.embed_audio(&[last], tp + step - 1);
                        let h = self.decode_step(xy.clone(), &mut state.cache);
                        logits = self.logits_last(h.clone());
                        if let Some(t) = trace.as_deref_mut() {
                            t.decode_xy_pos.push(xy);
                            t.decode_xy_dec.push(h);
                        }
                    }
                }
            }
            let stop = seq.take(&logits, step, params, eos);
            if let Some(t) = trace.as_deref_mut() {
                t.step_logits.push(logits.clone());
                let mut p = seq.penalized.clone();
                p.resize(logits.len(), f32::NEG_INFINITY);
                t.step_logits_penalized.push(p);
                t.step_tokens.push(seq.last_sampled);
            }
            let y = &seq.y;
            if stop {
                if let Some((chunker, on_chunk)) = stream.as_mut() {
                    let rest = chunker.at_stop(y);
                    let tokens = rest.map(|s| &y[s..]);
                    on_chunk(TokenChunk { tokens, is_final: true, start: chunker.pointer(), advance: 0, step })?;
                }
                break;
            }
            if let Some((chunker, on_chunk)) = stream.as_mut()
                && let Some(cut) = chunker.after_step(y, step)
            {
                let tokens = Some(&y[tp + cut.start..]);
                let chunk = TokenChunk { tokens, is_final: false, start: cut.start, advance: cut.advance, step };
                if !on_chunk(chunk)? {
                    break;
                }
            }
        }
        Ok(seq.finish(ref_free, idx))
    }

    /// Several independent runs decoded together on the host (upstream's `parallel_infer`
    /// over the sentences of one text, without its padding): each input is prefilled on its
    /// own, then every step runs all unfinished sequences through one
    /// [`HostDecoder::hidden_step_batch`], which reads the weights once for the batch instead
    /// of once per sentence. Sequence `i` samples with `params[i]` (its own seed) and keeps
    /// its own cache, so its output is exactly what [`Text2SemanticDecoder::infer_with`] on
    /// the host decoder gives for it alone. `cancelled` is checked before every step.
    pub fn infer_batch(
        &self,
        host: &HostDecoder,
        inputs: Vec<GptInput<'_, B>>,
        params: &[SamplingParams],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<InferOutput>> {
        if inputs.len() != params.len() {
            return Err(Error::InvalidArgument(format!(
                "{} inputs but {} sampling settings; give one per input",
                inputs.len(),
                params.len()
            )));
        }
        let eos = self.config().eos;
        let mut seqs = Vec::with_capacity(inputs.len());
        for (input, p) in inputs.into_iter().zip(params) {
            p.validate()?;
            let GptInput { phones, bert, prompt } = input;
            self.check_inputs(phones, &bert, prompt)?;
            if cancelled() {
                return Err(Error::Cancelled);
            }
            let tp = prompt.map_or(0, <[u32]>::len);
            let x = self.embed_text(phones, bert);
            let xy = match prompt {
                Some(pr) => Tensor::cat(vec![x, self.embed_audio(pr, 0)], 1),
                None => x,
            };
            let mask = self.attention_mask(phones.len(), tp);
            let mut cache = KvCache::new();
            let hidden = self.prefill(xy, Some(mask), &mut cache, p.max_steps);
            let logits = self.logits_last(hidden);
            let hc = host.cache_from(&cache, p.max_steps);
            seqs.push((Sequence::new(prompt.unwrap_or(&[]), p), hc, logits, prompt.is_none(), tp));
        }
        let mut outputs: Vec<Option<InferOutput>> = (0..seqs.len()).map(|_| None).collect();
        let mut active: Vec<usize> = (0..seqs.len()).collect();
        let mut step = 0;
        while !active.is_empty() {
            if cancelled() {
                return Err(Error::Cancelled);
            }
            active.retain(|&i| {
                let (seq, _, logits, ref_free, _) = &mut seqs[i];
                if seq.take(logits, step, &params[i], eos) {
                    let done = std::mem::replace(seq, Sequence::new(&[], &params[i]));
                    outputs[i] = Some(done.finish(*ref_free, step));
                    false
                } else {
                    true
                }
            });
            if active.is_empty() {
                break;
            }
            let pes: Vec<Vec<f32>> =
                active.iter().map(|&i| self.ar_audio_position.scaled_table(seqs[i].4 + step, 1)).collect();
            let mut batch: Vec<(u32, &[f32], &mut HostKvCache)> = Vec::with_capacity(active.len());
            let mut pe_it = pes.iter();
            for (i, (seq, hc, _, _, _)) in seqs.iter_mut().enumerate() {
                if active.contains(&i) {
                    let last = *seq.y.last().expect("a token was generated");
                    batch.push((last, pe_it.next().expect("one row per active sequence"), hc));
                }
            }
            let hidden = host.hidden_step_batch(&mut batch);
            let logits = host.logits_batch(&hidden);
            for (&i, l) in active.iter().zip(logits) {
                seqs[i].2 = l;
            }
            step += 1;
        }
        Ok(outputs.into_iter().map(|o| o.expect("every sequence finished")).collect())
    }

    /// Logits for the next token computed from scratch (no cache) over text + `tokens`:
    /// the baseline the KV cache is measured against.
    pub fn next_logits_uncached(&self, phones: &[u32], bert: Tensor<B, 2>, tokens: &[u32]) -> Result<Vec<f32>> {
        self.check_inputs(phones, &bert, if tokens.is_empty() { None } else { Some(tokens) })?;
        let x = self.embed_text(phones, bert);
        let xy = if tokens.is_empty() { x } else { Tensor::cat(vec![x, self.embed_audio(tokens, 0)], 1) };
        let mask = self.attention_mask(phones.len(), tokens.len());
        let mut scratch = KvCache::new();
        let h = self.prefill(xy, Some(mask), &mut scratch, 0);
        Ok(self.logits_last(h))
    }
}

/// One sequence's sampling state (upstream's `y` and the sampler's), shared by the one-sentence
/// and the batched loops so both take the same decisions.
struct Sequence {
    y: Vec<u32>,
    prompt_len: usize,
    rng: Rng,
    seen: Vec<bool>,
    scratch: Vec<(f32, usize)>,
    /// The last step's logits after the EOS block and the repetition penalty.
    penalized: Vec<f32>,
    /// The last sampled token (the EOS included).
    last_sampled: u32,
    eos_reached: bool,
}

impl Sequence {
    fn new(prompt: &[u32], params: &SamplingParams) -> Self {
        Sequence {
            y: prompt.to_vec(),
            prompt_len: prompt.len(),
            rng: Rng::new(params.seed),
            seen: Vec::new(),
            scratch: Vec::new(),
            penalized: Vec::new(),
            last_sampled: 0,
            eos_reached: false,
        }
    }

    /// Step `step`'s logits in: EOS blocked for the first steps, repetition penalty, sample,
    /// append; returns whether the run stops here (EOS, removed again; `early_stop_num`; the
    /// step cap).
    fn take(&mut self, logits: &[f32], step: usize, params: &SamplingParams, eos: u32) -> bool {
        let l = &mut self.penalized;
        l.clear();
        l.extend_from_slice(logits);
        if step < EOS_BLOCKED_STEPS {
            l.truncate(eos as usize);
        }
        apply_repetition_penalty(l, &self.y, params.repetition_penalty, &mut self.seen);
        let tok = sample(l, params, &mut self.rng, &mut self.scratch);
        self.last_sampled = tok;
        self.y.push(tok);
        let mut stop = params.early_stop_num != -1 && (self.y.len() - self.prompt_len) as i64 > params.early_stop_num;
        if argmax(l) == eos as usize || tok == eos {
            stop = true;
            self.eos_reached = true;
            self.y.pop();
        }
        if step + 1 == params.max_steps {
            stop = true;
        }
        if stop && self.y.is_empty() {
            self.y.push(0);
        }
        stop
    }

    /// The output after the run ended at step `idx`.
    fn finish(self, ref_free: bool, idx: usize) -> InferOutput {
        let y = self.y;
        let idx_out = if ref_free { 0 } else { idx };
        let pred_semantic = if idx_out == 0 { y.clone() } else { y[y.len().saturating_sub(idx_out)..].to_vec() };
        InferOutput { y, idx: idx_out, pred_semantic, eos_reached: self.eos_reached, steps: idx + 1 }
    }
}

/// Index of the first maximum (like `torch.argmax`).
fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
