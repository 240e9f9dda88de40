//! The English frontend's embedded data (`sovits-core/data/en/`, made by
//! `scripts/convert_english.py`), decompressed on first use and kept for the process.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

/// Decompresses an embedded gzip file into a string that lives for the rest of the process,
/// so the tables below can borrow from it.
fn gunzip_static(bytes: &[u8]) -> &'static str {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut s).expect("embedded English data is valid gzip UTF-8");
    Box::leak(s.into_boxed_str())
}

fn tsv_map(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines().filter_map(|l| l.split_once('\t')).collect()
}

/// Upstream's English dictionary: `cmudict.rep` (from line 57), `cmudict-fast.rep` for the
/// words it lacks and `engdict-hot.rep` on top, minus the entries upstream deletes.
pub fn cmudict() -> &'static HashMap<&'static str, &'static str> {
    static D: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    D.get_or_init(|| {
        let mut d = tsv_map(gunzip_static(include_bytes!("../../../data/en/cmudict.tsv.gz")));
        // `en_G2p.__init__`: "AE AI AR IOS HUD OS" are read as letters instead.
        for w in ["ae", "ai", "ar", "ios", "hud", "os"] {
            d.remove(w);
        }
        d
    })
}

/// Upstream's name dictionary (`namedict_cache.pickle`), used for Title-case words.
pub fn namedict() -> &'static HashMap<&'static str, &'static str> {
    static D: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    D.get_or_init(|| tsv_map(gunzip_static(include_bytes!("../../../data/en/namedict.tsv.gz"))))
}

/// A homograph: the pronunciation for tags starting with `pos`, and the other one.
#[derive(Debug)]
pub struct Homograph {
    pub pron1: Vec<&'static str>,
    pub pron2: Vec<&'static str>,
    pub pos: &'static str,
}

/// g2p_en's `homographs.en` plus upstream's overrides for `read` and `complex`.
pub fn homographs() -> &'static HashMap<String, Homograph> {
    static D: OnceLock<HashMap<String, Homograph>> = OnceLock::new();
    D.get_or_init(|| {
        let mut d = HashMap::new();
        for line in include_str!("../../../data/en/homographs.en").lines() {
            if line.starts_with('#') {
                continue;
            }
            let f: Vec<&'static str> = line.trim().split('|').collect();
            if let [head, p1, p2, pos] = f[..] {
                let entry =
                    Homograph { pron1: p1.split_whitespace().collect(), pron2: p2.split_whitespace().collect(), pos };
                d.insert(head.to_lowercase(), entry);
            }
        }
        d.insert("read".into(), Homograph { pron1: vec!["R", "IY1", "D"], pron2: vec!["R", "EH1", "D"], pos: "VBP" });
        d.insert(
            "complex".into(),
            Homograph {
                pron1: vec!["K", "AH0", "M", "P", "L", "EH1", "K", "S"],
                pron2: vec!["K", "AA1", "M", "P", "L", "EH0", "K", "S"],
                pos: "JJ",
            },
        );
        d
    })
}

/// wordsegment 1.3.1's unigram and bigram counts.
pub struct NGrams {
    pub unigrams: HashMap<&'static str, f64>,
    pub bigrams: HashMap<&'static str, f64>,
}

pub fn ngrams() -> &'static NGrams {
    static D: OnceLock<NGrams> = OnceLock::new();
    D.get_or_init(|| {
        let counts = |text: &'static str| -> HashMap<&'static str, f64> {
            text.lines()
                .filter_map(|l| l.split_once('\t'))
                .map(|(w, n)| (w, n.trim().parse::<f64>().expect("wordsegment count")))
                .collect()
        };
        NGrams {
            unigrams: counts(gunzip_static(include_bytes!("../../../data/en/wordsegment_unigrams.tsv.gz"))),
            bigrams: counts(gunzip_static(include_bytes!("../../../data/en/wordsegment_bigrams.tsv.gz"))),
        }
    })
}

/// NLTK's averaged-perceptron English tagger (`averaged_perceptron_tagger_eng`).
pub struct TaggerModel {
    /// Tag names, sorted.
    pub classes: Vec<&'static str>,
    /// feature -> (class index, weight)
    pub weights: HashMap<&'static str, Vec<(u8, f64)>>,
    /// Words with a fixed tag.
    pub tagdict: HashMap<&'static str, &'static str>,
}

pub fn tagger() -> &'static TaggerModel {
    static D: OnceLock<TaggerModel> = OnceLock::new();
    D.get_or_init(|| {
        let classes: Vec<&'static str> = include_str!("../../../data/en/tagger_classes.txt").lines().collect();
        let index: HashMap<&str, u8> = classes.iter().enumerate().map(|(i, c)| (*c, i as u8)).collect();
        let mut weights = HashMap::new();
        for line in gunzip_static(include_bytes!("../../../data/en/tagger_weights.tsv.gz")).lines() {
            let Some((feat, rest)) = line.split_once('\t') else { continue };
            let mut it = rest.split(' ');
            let mut w = Vec::new();
            while let (Some(label), Some(value)) = (it.next(), it.next()) {
                w.push((index[label], value.parse::<f64>().expect("tagger weight")));
            }
            weights.insert(feat, w);
        }
        let tagdict = tsv_map(gunzip_static(include_bytes!("../../../data/en/tagger_tagdict.tsv.gz")));
        TaggerModel { classes, weights, tagdict }
    })
}
