//! g2p_en 2.1.0's neural G2P for words outside the dictionaries: a GRU encoder-decoder over
//! letters (`checkpoint20.npz`, shipped as `data/en/g2p_en.safetensors`), greedy decoding of at
//! most 20 phonemes, as its numpy `predict` does.

use std::sync::OnceLock;

const GRAPHEMES: &str = "abcdefghijklmnopqrstuvwxyz";
/// `<pad> <unk> <s> </s>` and the 70 ARPAbet symbols, in g2p_en's order.
const PHONEMES: [&str; 74] = [
    "<pad>", "<unk>", "<s>", "</s>", "AA0", "AA1", "AA2", "AE0", "AE1", "AE2", "AH0", "AH1", "AH2", "AO0", "AO1",
    "AO2", "AW0", "AW1", "AW2", "AY0", "AY1", "AY2", "B", "CH", "D", "DH", "EH0", "EH1", "EH2", "ER0", "ER1", "ER2",
    "EY0", "EY1", "EY2", "F", "G", "HH", "IH0", "IH1", "IH2", "IY0", "IY1", "IY2", "JH", "K", "L", "M", "N", "NG",
    "OW0", "OW1", "OW2", "OY0", "OY1", "OY2", "P", "R", "S", "SH", "T", "TH", "UH0", "UH1", "UH2", "UW", "UW0", "UW1",
    "UW2", "V", "W", "Y", "Z", "ZH",
];
const HIDDEN: usize = 256;

/// Weights of one GRU (PyTorch layout: gates r, z, n stacked on the rows).
struct Gru {
    w_ih: Vec<f32>,
    w_hh: Vec<f32>,
    b_ih: Vec<f32>,
    b_hh: Vec<f32>,
}

struct Model {
    enc_emb: Vec<f32>,
    enc: Gru,
    dec_emb: Vec<f32>,
    dec: Gru,
    fc_w: Vec<f32>,
    fc_b: Vec<f32>,
}

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let st = safetensors::SafeTensors::deserialize(include_bytes!("../../../data/en/g2p_en.safetensors"))
            .expect("embedded g2p_en weights are valid safetensors");
        let t = |name: &str| -> Vec<f32> {
            let v = st.tensor(name).expect("g2p_en tensor present");
            v.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
        };
        let gru = |p: &str| Gru {
            w_ih: t(&format!("{p}_w_ih")),
            w_hh: t(&format!("{p}_w_hh")),
            b_ih: t(&format!("{p}_b_ih")),
            b_hh: t(&format!("{p}_b_hh")),
        };
        Model {
            enc_emb: t("enc_emb"),
            enc: gru("enc"),
            dec_emb: t("dec_emb"),
            dec: gru("dec"),
            fc_w: t("fc_w"),
            fc_b: t("fc_b"),
        }
    })
}

/// `x @ w.T + b` for one row (accumulated in f64, rounded to f32). Four interleaved partial
/// sums let the compiler vectorise the loop; in f64 the order changes nothing that survives
/// the rounding to f32.
fn affine(x: &[f32], w: &[f32], b: &[f32]) -> Vec<f32> {
    let n = x.len();
    let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    b.iter()
        .enumerate()
        .map(|(o, &bias)| {
            let row = &w[o * n..(o + 1) * n];
            let mut acc = [0f64; 4];
            let (rows, xs) = (row.chunks_exact(4), xd.chunks_exact(4));
            let (rr, xr) = (rows.remainder(), xs.remainder());
            for (r, xv) in rows.zip(xs) {
                for k in 0..4 {
                    acc[k] += r[k] as f64 * xv[k];
                }
            }
            let tail: f64 = rr.iter().zip(xr).map(|(a, b)| *a as f64 * b).sum();
            let dot = (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
            (dot as f32) + bias
        })
        .collect()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `grucell`.
fn cell(g: &Gru, x: &[f32], h: &[f32]) -> Vec<f32> {
    let gi = affine(x, &g.w_ih, &g.b_ih);
    let gh = affine(h, &g.w_hh, &g.b_hh);
    (0..HIDDEN)
        .map(|j| {
            let r = sigmoid(gi[j] + gh[j]);
            let z = sigmoid(gi[HIDDEN + j] + gh[HIDDEN + j]);
            let n = (gi[2 * HIDDEN + j] + r * gh[2 * HIDDEN + j]).tanh();
            (1.0 - z) * n + z * h[j]
        })
        .collect()
}

/// `G2p.predict(word)`: phonemes for a lower-case word (other characters read as `<unk>`).
pub fn predict(word: &str) -> Vec<&'static str> {
    let m = model();
    let mut h = vec![0f32; HIDDEN];
    let ids = word.chars().map(|c| GRAPHEMES.find(c).map_or(1, |i| i + 3)).chain([2]);
    for id in ids {
        h = cell(&m.enc, &m.enc_emb[id * HIDDEN..(id + 1) * HIDDEN], &h);
    }
    let mut prev = 2; // <s>
    let mut out = Vec::new();
    for _ in 0..20 {
        h = cell(&m.dec, &m.dec_emb[prev * HIDDEN..(prev + 1) * HIDDEN], &h);
        let logits = affine(&h, &m.fc_w, &m.fc_b);
        // numpy's argmax: the first maximum
        let mut best = 0;
        for (i, &v) in logits.iter().enumerate() {
            if v > logits[best] {
                best = i;
            }
        }
        if best == 3 {
            break;
        }
        out.push(PHONEMES[best]);
        prev = best;
    }
    out
}
