//! `enc_p`: the prior `TextEncoder` (`module/models.py`) with its MRTE (`module/mrte_model.py`).

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

use super::attentions::{Encoder, EncoderDims, MultiHeadAttention};
use super::config::SovitsConfig;
use crate::Result;
use crate::models::common::{Conv1d, Embedding, interpolate_linear};
use crate::weights::Weights;

/// MRTE: cross-attention from the SSL content to the phones, plus the timbre vector.
#[derive(Debug, Clone)]
pub struct Mrte<B: Backend> {
    /// Cross attention (no relative positions).
    pub cross_attention: MultiHeadAttention<B>,
    /// Content projection (1x1).
    pub c_pre: Conv1d<B>,
    /// Text projection (1x1).
    pub text_pre: Conv1d<B>,
    /// Output projection (1x1).
    pub c_post: Conv1d<B>,
}

impl<B: Backend> Mrte<B> {
    /// Loads `enc_p.mrte`.
    pub fn load(w: &Weights<B>, c: &SovitsConfig) -> Result<Self> {
        let m = &c.mrte;
        Ok(Mrte {
            cross_attention: MultiHeadAttention::load(
                &w.pp("cross_attention"),
                m.hidden_size,
                m.hidden_size,
                m.n_heads,
                None,
            )?,
            c_pre: Conv1d::load(&w.pp("c_pre"), m.content_enc_channels, m.hidden_size, 1, 0)?,
            text_pre: Conv1d::load(&w.pp("text_pre"), m.content_enc_channels, m.hidden_size, 1, 0)?,
            c_post: Conv1d::load(&w.pp("c_post"), m.hidden_size, m.out_channels, 1, 0)?,
        })
    }

    /// # Shapes
    /// `ssl` `[B, C, T]`, `text` `[B, C, L]`, `ge` `[B, hidden, 1]` -> `[B, C_out, T]`.
    pub fn forward(&self, ssl: Tensor<B, 3>, text: Tensor<B, 3>, ge: Tensor<B, 3>) -> Tensor<B, 3> {
        let s = self.c_pre.forward(ssl);
        let t = self.text_pre.forward(text);
        let x = self.cross_attention.forward(s.clone(), t) + s + ge;
        self.c_post.forward(x)
    }
}

/// Outputs of [`TextEncoder::forward`].
#[derive(Debug, Clone)]
pub struct PriorStats<B: Backend> {
    /// Encoder output before `proj` (after the speed resampling) `[B, hidden, T']`.
    pub x: Tensor<B, 3>,
    /// Prior mean `[B, inter, T']`.
    pub m_p: Tensor<B, 3>,
    /// Prior log-std `[B, inter, T']`.
    pub logs_p: Tensor<B, 3>,
    /// Encoder output before the speed resampling (cut and cross-faded in streaming, see
    /// [`TextEncoder::forward_window`]) `[B, hidden, T]`: upstream's `y_`.
    pub latent: Tensor<B, 3>,
}

/// `TextEncoder` (`enc_p`).
#[derive(Debug, Clone)]
pub struct TextEncoder<B: Backend> {
    /// SSL feature projection (1x1, ssl_dim -> hidden).
    pub ssl_proj: Conv1d<B>,
    /// Encoder over the SSL content.
    pub encoder_ssl: Encoder<B>,
    /// Phone embedding.
    pub text_embedding: Embedding<B>,
    /// Encoder over the phones.
    pub encoder_text: Encoder<B>,
    /// Multi-reference timbre encoder.
    pub mrte: Mrte<B>,
    /// Encoder after MRTE.
    pub encoder2: Encoder<B>,
    /// Projection to mean and log-std (1x1, hidden -> 2*inter).
    pub proj: Conv1d<B>,
    inter_channels: usize,
}

impl<B: Backend> TextEncoder<B> {
    /// Loads `enc_p`.
    pub fn load(w: &Weights<B>, c: &SovitsConfig) -> Result<Self> {
        let dims = |layers| EncoderDims {
            hidden: c.hidden_channels,
            filter: c.filter_channels,
            heads: c.n_heads,
            layers,
            kernel: c.kernel_size,
            window: c.attn_window,
        };
        Ok(TextEncoder {
            ssl_proj: Conv1d::load(&w.pp("ssl_proj"), c.ssl_dim, c.hidden_channels, 1, 0)?,
            encoder_ssl: Encoder::load(&w.pp("encoder_ssl"), dims(c.n_layers / 2))?,
            text_embedding: Embedding::load(&w.pp("text_embedding"), c.text_vocab, c.hidden_channels)?,
            encoder_text: Encoder::load(&w.pp("encoder_text"), dims(c.n_layers))?,
            mrte: Mrte::load(&w.pp("mrte"), c)?,
            encoder2: Encoder::load(&w.pp("encoder2"), dims(c.n_layers / 2))?,
            proj: Conv1d::load(&w.pp("proj"), c.hidden_channels, 2 * c.inter_channels, 1, 0)?,
            inter_channels: c.inter_channels,
        })
    }

    /// Encodes the upsampled codebook vectors `y` `[1, ssl_dim, T]` against phone ids `text`
    /// `[1, L]` with timbre `ge` `[1, gin, 1]`. With `speed != 1` the encoder output is
    /// linearly resampled to `int(T / speed) + 1` frames, as upstream does.
    pub fn forward(&self, y: Tensor<B, 3>, text: Tensor<B, 2, Int>, ge: Tensor<B, 3>, speed: f32) -> PriorStats<B> {
        self.forward_window(y, text, ge, speed, None, None)
    }

    /// [`TextEncoder::forward`] as `decode_streaming` calls it: the `encoder2` output cut to
    /// its last `result_frames` frames, then its first `F` frames cross-faded into
    /// `overlap_frames` `[1, hidden, F]` with the sine window `w = sin(pi * i / 2F)`, `i <
    /// 2F`: `y[:F] = w[:F] * y[:F] + w[F:] * overlap`. [`PriorStats::latent`] is that
    /// tensor (before the speed resampling), the next chunk's overlap source.
    ///
    /// # Shapes
    /// `y` `[1, ssl_dim, T]` -> stats over `min(result_frames, T)` frames (before speed).
    pub fn forward_window(
        &self,
        y: Tensor<B, 3>,
        text: Tensor<B, 2, Int>,
        ge: Tensor<B, 3>,
        speed: f32,
        result_frames: Option<usize>,
        overlap_frames: Option<Tensor<B, 3>>,
    ) -> PriorStats<B> {
        let y = self.ssl_proj.forward(y);
        let y = self.encoder_ssl.forward(y);
        let t = self.text_embedding.forward(text).swap_dims(1, 2);
        let t = self.encoder_text.forward(t);
        let y = self.mrte.forward(y, t, ge);
        let mut y = self.encoder2.forward(y);
        if let Some(r) = result_frames {
            let n = y.dims()[2];
            let r = r.min(n);
            y = y.narrow(2, n - r, r);
        }
        if let Some(prev) = overlap_frames {
            let [_, c, n] = y.dims();
            let f = prev.dims()[2].min(n);
            let prev = prev.clone().narrow(2, prev.dims()[2] - f, f);
            if f > 0 {
                let w: Vec<f32> =
                    (0..2 * f).map(|i| (i as f32 * std::f32::consts::PI / (2 * f) as f32).sin()).collect();
                let dev = y.device();
                let head_w = Tensor::<B, 3>::from_data(TensorData::new(w[..f].to_vec(), [1, 1, f]), &dev);
                let prev_w = Tensor::<B, 3>::from_data(TensorData::new(w[f..].to_vec(), [1, 1, f]), &dev);
                let head = y.clone().narrow(2, 0, f) * head_w + prev * prev_w;
                y = if n > f { Tensor::cat(vec![head, y.narrow(2, f, n - f)], 2) } else { head };
                debug_assert_eq!(y.dims(), [1, c, n]);
            }
        }
        let latent = y.clone();
        if speed != 1.0 {
            let t_in = y.dims()[2];
            let out_len = (t_in as f64 / speed as f64) as usize + 1;
            y = interpolate_linear(y, out_len);
        }
        let stats = self.proj.forward(y.clone());
        let mut parts = stats.split(self.inter_channels, 1).into_iter();
        let m_p = parts.next().expect("proj output has 2*inter channels");
        let logs_p = parts.next().expect("proj output has 2*inter channels");
        PriorStats { x: y, m_p, logs_p, latent }
    }
}
