//! OpenJTalk's frontend as pyopenjtalk 0.4.1 runs it: text normalisation for naist-jdic,
//! MeCab over the dictionary (this crate's lattice, [`crate::text::mecab`]), the NJD rules and
//! the full-context labels (`jpreprocess`), then [`super::prosody_from_labels`].
//!
//! The dictionary is OpenJTalk 1.11's naist-jdic (BSD-3), shipped compressed in
//! `data/ja/naist-jdic.svdic.zst` and unpacked into memory on first use (see
//! `docs/text-frontend.md` for its size, load time and memory).

use std::sync::OnceLock;

use jpreprocess::JPreprocess;
use jpreprocess_core::JPreprocessResult;
use jpreprocess_core::pronunciation::MoraEnum;
use jpreprocess_core::token::Tokenizer;
use jpreprocess_core::word_entry::WordEntry;
use jpreprocess_njd::NJDNode;

use crate::text::mecab::{Tagger, UserLexicon, UserWord};
use crate::{Error, Result};

static DICT: &[u8] = include_bytes!("../../../data/ja/naist-jdic.svdic.zst");

/// The tagger over the shipped dictionary, built on first use.
pub(crate) fn tagger() -> Result<&'static Tagger> {
    static T: OnceLock<std::result::Result<Tagger, String>> = OnceLock::new();
    T.get_or_init(|| Tagger::from_zstd(DICT))
        .as_ref()
        .map_err(|e| Error::Config(format!("the built-in Japanese dictionary could not be loaded: {e}")))
}

/// Loads the dictionary now (it is otherwise loaded by the first Japanese text) and returns
/// the bytes it holds in memory. About 0.2 s and 53 MB (see `docs/performance.md`).
pub fn load_dictionary() -> Result<usize> {
    Ok(tagger()?.lexicon.heap_bytes())
}

/// Words that take precedence over the dictionary's (upstream's `ja_userdic`, a MeCab user
/// dictionary): looked up beside the system dictionary, as MeCab does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserDictionary {
    words: UserLexicon,
}

/// `名詞,固有名詞,一般` in naist-jdic's context ids (left = right).
const PROPER_NOUN_ID: u16 = 1348;

impl UserDictionary {
    /// A proper noun read `pron` (katakana, as it is spoken: `トーキョー`), with the accent
    /// nucleus on mora `accent` (0: flat). `add("鬼滅", "キメツ", 0)`.
    pub fn add(&mut self, surface: &str, pron: &str, accent: u8) -> Result<()> {
        let moras = count_moras(pron).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "Japanese user dictionary: the reading {pron:?} of {surface:?} must be katakana (like トーキョー)"
            ))
        })?;
        if accent as usize > moras {
            return Err(Error::InvalidArgument(format!(
                "Japanese user dictionary: accent {accent} of {surface:?} is past its {moras} morae"
            )));
        }
        let line = format!(
            "{surface},{PROPER_NOUN_ID},{PROPER_NOUN_ID},1000,名詞,固有名詞,一般,*,*,*,{surface},{pron},{pron},{accent}/{moras},*"
        );
        self.add_mecab_line(&line)
    }

    /// An entry in MeCab/OpenJTalk's CSV format (what `pyopenjtalk.mecab_dict_index` takes):
    /// `surface,left_id,right_id,cost,pos,pos1,pos2,pos3,ctype,cform,base,read,pron,acc/mora,chain`.
    pub fn add_mecab_line(&mut self, line: &str) -> Result<()> {
        let bad = |why: &str| {
            let shown: String = line.chars().take(60).collect();
            Error::InvalidArgument(format!("Japanese user dictionary line {shown:?}: {why}"))
        };
        let cols: Vec<&str> = line.trim_end_matches(['\r', '\n']).split(',').collect();
        if cols.len() != 15 {
            return Err(bad("needs 15 comma-separated fields"));
        }
        if cols[0].is_empty() || cols[0].chars().any(char::is_whitespace) {
            return Err(bad("the surface must be non-empty, without spaces"));
        }
        let lexicon = &tagger()?.lexicon;
        let id = |s: &str, limit: usize| s.parse::<u16>().ok().filter(|&v| (v as usize) < limit);
        let (Some(lid), Some(rid)) = (id(cols[1], lexicon.rsize), id(cols[2], lexicon.lsize)) else {
            return Err(bad("left/right ids must be numbers below the dictionary's matrix size"));
        };
        let cost: i16 = cols[3].parse().map_err(|_| bad("the cost must be a 16-bit integer"))?;
        let feature = cols[4..].join(",");
        entry_of(&feature).map_err(|e| bad(&format!("not an OpenJTalk entry ({e})")))?;
        self.words.insert(UserWord { surface: cols[0].to_string(), lid, rid, cost, feature });
        Ok(())
    }

    /// Whether no words were added.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Morae of a katakana reading (small ャュョァィゥェォヮ join the previous one); `None` if it
/// is not all katakana.
fn count_moras(pron: &str) -> Option<usize> {
    let mut n = 0;
    for c in pron.chars() {
        match c {
            'ャ' | 'ュ' | 'ョ' | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ヮ' if n > 0 => {}
            '\u{30A1}'..='\u{30FA}' | 'ー' => n += 1,
            _ => return None,
        }
    }
    (n > 0).then_some(n)
}

/// The jpreprocess entry of a MeCab feature (`pos,...,chain_rule`), missing fields as `*`
/// (unknown words carry only the part of speech).
fn entry_of(feature: &str) -> JPreprocessResult<WordEntry> {
    const DEFAULTS: [&str; 12] = ["名詞", "*", "*", "*", "*", "*", "*", "*", "*", "*/*", "*", ""];
    let mut cols: Vec<&str> = feature.split(',').collect();
    cols.truncate(12);
    while cols.len() < 12 {
        cols.push(DEFAULTS[cols.len()]);
    }
    let rules = readable_chain_rules(cols[10]);
    cols[10] = &rules;
    WordEntry::load(&cols)
}

/// The accent chain rules (`名詞%F1/動詞%F2@1/C3`) without the parts jpreprocess cannot read
/// (it would print a warning for each). A few dictionary entries carry such parts (`-1`,
/// `動詞F4`, `特殊助動詞%F2@0`); OpenJTalk never applies them either: the first two name no
/// accent type, and no part of speech contains `特殊助動詞`.
fn readable_chain_rules(rules: &str) -> String {
    let readable = |rule: &str| {
        let (pos, rest) = match rule.split_once('%') {
            Some((p, r)) => (Some(p), r),
            None => (None, rule),
        };
        let (accent, add) = match rest.split_once('@') {
            Some((a, d)) => (a, Some(d)),
            None => (rest, None),
        };
        pos.is_none_or(|p| matches!(p, "名詞" | "形容詞" | "助詞" | "動詞"))
            && matches!(
                accent,
                "" | "F1" | "F2" | "F3" | "F4" | "F5" | "C1" | "C2" | "C3" | "C4" | "C5" | "P1" | "P2" | "P6" | "P14"
            )
            && add.is_none_or(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit() || c == '-'))
    };
    if rules.is_empty() || rules == "*" {
        return rules.to_string();
    }
    let kept: Vec<&str> = rules.split('/').filter(|r| readable(r)).collect();
    if kept.is_empty() { "*".to_string() } else { kept.join("/") }
}

/// The MeCab step of OpenJTalk, as jpreprocess's tokenizer.
struct MecabTokenizer<'a> {
    tagger: &'a Tagger,
    user: &'a UserDictionary,
}

impl Tokenizer for MecabTokenizer<'_> {
    fn tokenize<'a>(&'a self, text: &'a str) -> JPreprocessResult<Vec<impl 'a + jpreprocess_core::token::Token>> {
        let morphemes = self.tagger.parse_with(text, &self.user.words);
        let mut out: Vec<(String, WordEntry)> = Vec::with_capacity(morphemes.len());
        let mut prev_pos = "";
        for m in &morphemes {
            // An entry jpreprocess cannot read (a malformed pronunciation) falls back to its
            // default, an unread noun, rather than failing the sentence.
            let mut entry = entry_of(&m.feature).unwrap_or_default();
            if prev_pos == "感動詞" {
                after_interjection(&mut entry);
            }
            prev_pos = m.feature.split(',').next().unwrap_or("");
            out.push((m.surface.clone(), entry));
        }
        Ok(out)
    }
}

/// OpenJTalk picks a word's accent chain rule by the part of speech of the word before it, and
/// matches the rule's part of speech as a substring of that one (`strstr` in
/// `njd_set_accent_type.c`): after a `感動詞` (interjection) the `動詞` rule applies.
/// jpreprocess matches whole parts of speech and would take the default rule there; giving the
/// word its `動詞` rule as the default makes the two agree (in naist-jdic a rule without a part
/// of speech always comes last, so a `動詞` rule, where there is one, is the one OpenJTalk finds
/// first).
fn after_interjection(entry: &mut WordEntry) {
    let details = match entry {
        WordEntry::Single(d) => d,
        WordEntry::Multiple(v) => match v.first_mut() {
            Some((_, d)) => d,
            None => return,
        },
    };
    if let Some(rule) = details.chain_rule.doushi.clone() {
        details.chain_rule.default = Some(rule);
    }
}

/// The full-context labels of one sentence (`pyopenjtalk.extract_fullcontext`).
pub fn labels(text: &str, user: &UserDictionary) -> Result<Vec<String>> {
    let tokenizer = MecabTokenizer { tagger: tagger()?, user };
    let jp = JPreprocess::from_tokenizer(tokenizer);
    let mut njd = jp.text_to_njd(text).map_err(|e| {
        let shown: String = text.chars().take(40).collect();
        Error::InvalidArgument(format!("the Japanese frontend could not read {shown:?}: {e}"))
    })?;
    njd.preprocess();
    let joins = openjtalk_pauses(&mut njd.nodes);
    let mut labels: Vec<String> =
        jpreprocess_jpcommon::njdnodes_to_features(&njd.nodes).iter().map(|l| l.to_string()).collect();
    // Put the pauses taken out of accent phrases back, last first so earlier indices hold.
    for &k in joins.iter().rev() {
        let before = jpreprocess_jpcommon::njdnodes_to_features(&njd.nodes[..k]);
        let phonemes_before = before.iter().filter(|l| is_phoneme(&l.to_string())).count();
        let mut seen = 0;
        let at = labels
            .iter()
            .position(|l| {
                let p = is_phoneme(l);
                seen += p as usize;
                p && seen > phonemes_before
            })
            .unwrap_or(labels.len());
        labels.insert(at, PAUSE_LABEL.to_string());
    }
    Ok(labels)
}

/// The phoneme of a label (`a^b-PHONEME+c=d/...`).
fn label_phoneme(l: &str) -> &str {
    l.split_once('-').and_then(|(_, r)| r.split_once('+')).map_or("", |(p, _)| p)
}

fn is_phoneme(l: &str) -> bool {
    !matches!(label_phoneme(l), "sil" | "pau" | "")
}

/// A pause inside an accent phrase, as OpenJTalk labels it (no accent-phrase features).
const PAUSE_LABEL: &str = "xx^xx-pau+xx=xx/A:xx+xx+xx/B:xx-xx_xx/C:xx_xx+xx/D:xx+xx_xx/E:xx_xx!xx_xx-xx/\
F:xx_xx#xx_xx@xx_xx|xx_xx/G:xx_xx%xx_xx_xx/H:xx_xx/I:xx-xx@xx+xx&xx-xx|xx+xx/J:xx_xx/K:xx+xx-xx";

/// Where OpenJTalk's label builder (`jpcommon_label.c`) and jpreprocess's differ, made to agree
/// before the labels are built. Returns the node indices (after the edit) where a pause was
/// taken out and must be put back into the labels.
///
/// - A pause (a word read `、`, e.g. a character the dictionary lacks) before any phoneme is
///   dropped by OpenJTalk ("First mora should not be short pause"); jpreprocess keeps it.
/// - A word chained to the accent phrase before a pause (a suffix such as `回` after such a
///   character) continues that phrase across the pause in OpenJTalk: the pause becomes a
///   phoneme inside the phrase, which keeps counting morae. jpreprocess starts a new phrase
///   (with a warning on stderr). Here the pause node is taken out, so the phrase is built whole,
///   and its label is put back at the same place.
/// - A word chained where no phrase is open starts one in both (jpreprocess warns): its chain
///   flag is cleared. A question mark where no phrase is open does nothing in either
///   (jpreprocess warns): it is dropped.
fn openjtalk_pauses(nodes: &mut Vec<NJDNode>) -> Vec<usize> {
    let mut out: Vec<NJDNode> = Vec::with_capacity(nodes.len());
    let mut joins = Vec::new();
    let mut any_phoneme = false;
    // Whether an accent phrase is open (a word since the last pause or question mark).
    let mut open = false;
    let mut pending_pause: Option<NJDNode> = None;
    for mut node in std::mem::take(nodes) {
        let (question, touten) = (node.get_pron().is_question(), node.get_pron().is_touten());
        if question || touten {
            if (touten && !any_phoneme) || (question && !open && pending_pause.is_none()) {
                continue;
            }
            if touten && open && pending_pause.is_none() {
                // The next word decides whether the phrase goes on across it.
                pending_pause = Some(node);
                continue;
            }
            if let Some(p) = pending_pause.take() {
                out.push(p);
            }
            open = false;
            out.push(node);
            continue;
        }
        if let Some(p) = pending_pause.take() {
            if node.get_chain_flag() == Some(true) {
                joins.push(out.len());
            } else {
                out.push(p);
                open = false;
            }
        }
        if node.get_chain_flag() == Some(true) && !open {
            node.set_chain_flag(false);
        }
        open = true;
        // A long-vowel mark with nothing before it gives no phoneme (OpenJTalk skips it: "First
        // mora should not be long vowel symbol").
        any_phoneme |= node.get_pron().moras().iter().any(|m| any_phoneme || m.mora_enum != MoraEnum::Long);
        out.push(node);
    }
    if let Some(p) = pending_pause.take() {
        out.push(p);
    }
    *nodes = out;
    joins
}

/// `pyopenjtalk_g2p_prosody(text)`: phonemes with prosody marks, `^` first and `$`/`?` last.
pub fn g2p_prosody(text: &str, user: &UserDictionary) -> Result<Vec<String>> {
    Ok(super::prosody_from_labels(&labels(text, user)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_words_win_over_the_dictionary() {
        let base = g2p_prosody("鬼滅の刃", &UserDictionary::default()).unwrap();
        let mut u = UserDictionary::default();
        u.add("鬼滅", "キメツ", 0).unwrap();
        let p = g2p_prosody("鬼滅の刃", &u).unwrap();
        assert!(p.join(" ").starts_with("^ k i [ m e ts u n o"), "{p:?} (without: {base:?})");
        assert!(u.add("x", "abc", 0).is_err());
        assert!(u.add("x", "キ", 3).is_err());
        assert!(u.add_mecab_line("a,1,2").is_err());
        assert!(u.add_mecab_line("a,99999,1,0,名詞,一般,*,*,*,*,a,ア,ア,1/1,*").is_err());
    }
}
