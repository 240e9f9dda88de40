//! `flow`: `ResidualCouplingBlock` of mean-only coupling layers with WaveNet (`WN`) nets,
//! run in reverse at inference (`module/models.py`, `module/modules.py`).

use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::{Tensor, backend::Backend};

use super::config::SovitsConfig;
use crate::Result;
use crate::models::common::{Conv1d, ConvOptions};
use crate::weights::Weights;

/// `modules.WN` with global conditioning.
#[derive(Debug, Clone)]
pub struct Wn<B: Backend> {
    /// Dilated convs (hidden -> 2*hidden).
    pub in_layers: Vec<Conv1d<B>>,
    /// 1x1 convs to residual + skip (the last one to skip only).
    pub res_skip_layers: Vec<Conv1d<B>>,
    /// Conditioning projection of `g` (gin -> 2*hidden*n_layers).
    pub cond_layer: Conv1d<B>,
    hidden: usize,
}

impl<B: Backend> Wn<B> {
    /// Loads a WN stack.
    pub fn load(
        w: &Weights<B>,
        hidden: usize,
        kernel: usize,
        dilation_rate: usize,
        n_layers: usize,
        gin: usize,
    ) -> Result<Self> {
        let mut in_layers = Vec::new();
        let mut res_skip_layers = Vec::new();
        for i in 0..n_layers {
            let dilation = dilation_rate.pow(i as u32);
            let pad = (kernel * dilation - dilation) / 2;
            in_layers.push(Conv1d::load_with(
                &w.pp(format!("in_layers.{i}")),
                hidden,
                2 * hidden,
                kernel,
                ConvOptions { padding: (pad, pad), dilation, ..Default::default() },
            )?);
            let rs = if i < n_layers - 1 { 2 * hidden } else { hidden };
            res_skip_layers.push(Conv1d::load(&w.pp(format!("res_skip_layers.{i}")), hidden, rs, 1, 0)?);
        }
        let cond_layer = Conv1d::load(&w.pp("cond_layer"), gin, 2 * hidden * n_layers, 1, 0)?;
        Ok(Wn { in_layers, res_skip_layers, cond_layer, hidden })
    }

    /// # Shapes
    /// `x` `[B, H, T]`, `g` `[B, gin, 1]` -> `[B, H, T]`.
    pub fn forward(&self, mut x: Tensor<B, 3>, g: Tensor<B, 3>) -> Tensor<B, 3> {
        let h = self.hidden;
        let g = self.cond_layer.forward(g);
        let n = self.in_layers.len();
        let mut output: Option<Tensor<B, 3>> = None;
        for i in 0..n {
            let x_in = self.in_layers[i].forward(x.clone());
            let g_l = g.clone().narrow(1, i * 2 * h, 2 * h);
            let a = x_in + g_l;
            let acts = tanh(a.clone().narrow(1, 0, h)) * sigmoid(a.narrow(1, h, h));
            let rs = self.res_skip_layers[i].forward(acts);
            let skip = if i < n - 1 {
                x = x + rs.clone().narrow(1, 0, h);
                rs.narrow(1, h, h)
            } else {
                rs
            };
            output = Some(match output {
                None => skip,
                Some(o) => o + skip,
            });
        }
        output.expect("WN has at least one layer")
    }
}

/// `modules.ResidualCouplingLayer` with `mean_only=True`.
#[derive(Debug, Clone)]
pub struct ResidualCouplingLayer<B: Backend> {
    /// 1x1 conv, half channels -> hidden.
    pub pre: Conv1d<B>,
    /// The WN net.
    pub enc: Wn<B>,
    /// 1x1 conv, hidden -> half channels (the mean).
    pub post: Conv1d<B>,
    half: usize,
}

impl<B: Backend> ResidualCouplingLayer<B> {
    /// Inverse coupling: `x1 = x1 - m(x0)`.
    ///
    /// # Shapes
    /// `[B, C, T]` -> `[B, C, T]`.
    pub fn reverse(&self, x: Tensor<B, 3>, g: Tensor<B, 3>) -> Tensor<B, 3> {
        let x0 = x.clone().narrow(1, 0, self.half);
        let x1 = x.narrow(1, self.half, self.half);
        let h = self.pre.forward(x0.clone());
        let h = self.enc.forward(h, g);
        let m = self.post.forward(h);
        Tensor::cat(vec![x0, x1 - m], 1)
    }
}

/// `flow`: `[coupling, flip] x n_flows`, state-dict indices 0, 2, 4, 6 for the couplings.
#[derive(Debug, Clone)]
pub struct ResidualCouplingBlock<B: Backend> {
    /// The coupling layers in forward order (upstream `flows.0`, `flows.2`, ...).
    pub flows: Vec<ResidualCouplingLayer<B>>,
}

impl<B: Backend> ResidualCouplingBlock<B> {
    /// Loads `flow`.
    pub fn load(w: &Weights<B>, c: &SovitsConfig) -> Result<Self> {
        let half = c.inter_channels / 2;
        let flows = (0..c.n_flows)
            .map(|i| {
                let f = w.pp(format!("flows.{}", 2 * i));
                Ok(ResidualCouplingLayer {
                    pre: Conv1d::load(&f.pp("pre"), half, c.hidden_channels, 1, 0)?,
                    enc: Wn::load(
                        &f.pp("enc"),
                        c.hidden_channels,
                        c.wn_kernel,
                        c.wn_dilation_rate,
                        c.wn_layers,
                        c.gin_channels,
                    )?,
                    post: Conv1d::load(&f.pp("post"), c.hidden_channels, half, 1, 0)?,
                    half,
                })
            })
            .collect::<Result<_>>()?;
        Ok(ResidualCouplingBlock { flows })
    }

    /// The inverse flow: for each (coupling, flip) pair from the last: flip the channel
    /// axis, then invert the coupling.
    ///
    /// # Shapes
    /// `z_p` `[B, C, T]`, `g` `[B, gin, 1]` -> `[B, C, T]`.
    pub fn reverse(&self, mut x: Tensor<B, 3>, g: Tensor<B, 3>) -> Tensor<B, 3> {
        for layer in self.flows.iter().rev() {
            x = x.flip([1]);
            x = layer.reverse(x, g.clone());
        }
        x
    }
}
