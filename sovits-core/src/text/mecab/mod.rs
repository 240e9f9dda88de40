//! A MeCab-compatible morphological analyser: the lattice of lexicon words and unknown-word
//! candidates over a sentence and its Viterbi best path, reproducing MeCab 0.996 (which
//! OpenJTalk bundles) node for node, ties included.
//!
//! What makes a port equal to MeCab rather than close to it (see `docs/text-frontend.md`):
//! candidates are looked up only where some node ends; leading `SPACE` characters are skipped
//! and belong to the next node; unknown-word candidates follow `char.def` (`invoke`, `group`
//! up to 24 further characters, `length`, and the literal `continue` once a length candidate
//! meets the group's end); characters above U+FFFF read as U+0000; each node takes the
//! cheapest left neighbour with a strict `<`, scanning the nodes that end there newest first.
//! With a dictionary that carries MeCab-ko's left-space penalties (mecab-ko-dic), a word that
//! spaces precede costs its part of speech's penalty more, as MeCab-ko's connector adds it.

pub mod chardef;
pub mod dict;

use chardef::{CharInfo, CharProperty};
use dict::Lexicon;

/// MeCab's `max_grouping_size`.
const MAX_GROUPING_SIZE: usize = 24;

/// A lexicon plus its character categories.
pub struct Tagger {
    pub lexicon: Lexicon,
    pub chars: CharProperty,
}

/// One morpheme of the best path.
#[derive(Debug, Clone, PartialEq)]
pub struct Morpheme {
    /// Its text (leading spaces not included).
    pub surface: String,
    /// The MeCab feature (`pos,...`); for an unknown word, its `unk.def` template's.
    pub feature: String,
    /// Whether it came from `unk.def`.
    pub unknown: bool,
}

#[derive(Clone, Copy)]
enum Source {
    Bos,
    Word(dict::Entry),
    User(u32),
    Unk(u8, u16),
}

/// A word of a user dictionary: MeCab's CSV fields.
#[derive(Debug, Clone, PartialEq)]
pub struct UserWord {
    pub surface: String,
    pub lid: u16,
    pub rid: u16,
    pub cost: i16,
    /// The feature fields after the cost.
    pub feature: String,
}

/// A user dictionary, looked up after the system lexicon as MeCab does with `userdic`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserLexicon {
    /// Sorted by surface bytes; one word per surface (a later entry replaces an earlier one).
    words: Vec<UserWord>,
}

impl UserLexicon {
    /// Adds (or replaces) a word.
    pub fn insert(&mut self, w: UserWord) {
        match self.words.binary_search_by(|x| x.surface.as_bytes().cmp(w.surface.as_bytes())) {
            Ok(i) => self.words[i] = w,
            Err(i) => self.words.insert(i, w),
        }
    }

    /// Whether it holds no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[derive(Clone, Copy)]
struct Node {
    begin: usize,
    end: usize,
    lid: u16,
    rid: u16,
    wcost: i32,
    total: i64,
    prev: u32,
    source: Source,
}

impl Tagger {
    /// Builds the tagger over a zstd-compressed lexicon (the form the crate embeds): one exact
    /// allocation for the unpacked bytes (the frame records its size), no window buffer beside it.
    pub fn from_zstd(compressed: &[u8]) -> std::result::Result<Self, String> {
        let mut dec = zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?;
        dec.set_parameter(zstd::zstd_safe::DParameter::WindowLogMax(27)).map_err(|e| e.to_string())?;
        let data = dec.decompress(compressed, 256 << 20).map_err(|e| e.to_string())?;
        Lexicon::new(data).map(Tagger::new).map_err(|e| e.to_string())
    }

    /// Builds the tagger over a lexicon (its `char.def`/`unk.def` parsed here).
    pub fn new(lexicon: Lexicon) -> Self {
        let char_def = String::from_utf8_lossy(lexicon.char_def()).into_owned();
        let unk_def = String::from_utf8_lossy(lexicon.unk_def()).into_owned();
        Tagger { chars: CharProperty::parse(&char_def, &unk_def), lexicon }
    }

    /// The best path over `text` with a user dictionary.
    pub fn parse_with(&self, text: &str, user: &UserLexicon) -> Vec<Morpheme> {
        let n = text.len();
        let mut nodes: Vec<Node> =
            vec![Node { begin: 0, end: 0, lid: 0, rid: 0, wcost: 0, total: 0, prev: u32::MAX, source: Source::Bos }];
        let mut ends: Vec<Vec<u32>> = vec![Vec::new(); n + 1];
        ends[0].push(0);
        let mut cands: Vec<Node> = Vec::new();
        let mut prefixes = Vec::new();
        for pos in 0..n {
            if ends[pos].is_empty() || !text.is_char_boundary(pos) {
                continue;
            }
            self.lookup(text, pos, user, &mut cands, &mut prefixes);
            // MeCab prepends each candidate to its list: connect them newest first.
            for c in cands.iter().rev() {
                let mut best = (i64::MAX, u32::MAX);
                for &l in ends[pos].iter().rev() {
                    let left = &nodes[l as usize];
                    let cost = left.total + self.lexicon.connect(left.rid, c.lid) as i64;
                    if cost < best.0 {
                        best = (cost, l);
                    }
                }
                let mut node = *c;
                node.total = best.0 + c.wcost as i64;
                node.prev = best.1;
                let id = nodes.len() as u32;
                nodes.push(node);
                if node.end <= n {
                    ends[node.end].push(id);
                }
            }
        }
        // EOS connects at the last position some node ends at (trailing spaces are skipped).
        let Some(last) = (0..=n).rev().find(|&p| !ends[p].is_empty()) else { return Vec::new() };
        let mut best = (i64::MAX, u32::MAX);
        for &l in ends[last].iter().rev() {
            let left = &nodes[l as usize];
            let cost = left.total + self.lexicon.connect(left.rid, 0) as i64;
            if cost < best.0 {
                best = (cost, l);
            }
        }
        let mut path = Vec::new();
        let mut at = best.1;
        while at != u32::MAX && at != 0 {
            path.push(nodes[at as usize]);
            at = nodes[at as usize].prev;
        }
        path.reverse();
        path.into_iter()
            .map(|nd| {
                let surface = text[nd.begin..nd.end].to_string();
                let (feature, unknown) = match nd.source {
                    Source::Word(e) => (self.lexicon.feature(&surface, e), false),
                    Source::User(i) => (user.words[i as usize].feature.clone(), false),
                    Source::Unk(cat, k) => (self.chars.unk[cat as usize][k as usize].feature.clone(), true),
                    Source::Bos => (String::new(), false),
                };
                Morpheme { surface, feature, unknown }
            })
            .collect()
    }

    /// MeCab's `Tokenizer::lookup`: the candidates starting at byte `pos`, in MeCab's
    /// insertion order (the caller reverses it).
    fn lookup(
        &self,
        text: &str,
        pos: usize,
        user: &UserLexicon,
        out: &mut Vec<Node>,
        prefixes: &mut Vec<(usize, usize)>,
    ) {
        out.clear();
        let n = text.len();
        // Skip leading spaces.
        let mut begin = pos;
        for c in text[pos..].chars() {
            if !self.chars.space.is_kind_of(&self.chars.info(c)) {
                break;
            }
            begin += c.len_utf8();
        }
        let Some(first) = text[begin..].chars().next() else { return };
        let cinfo = self.chars.info(first);
        self.lexicon.common_prefixes(&text.as_bytes()[begin..], prefixes);
        // MeCab-ko: a word that spaces precede costs its POS's left-space penalty more (a
        // constant of the node, so it is part of its word cost here).
        let spaced = begin > pos;
        for &(len, k) in prefixes.iter() {
            for e in self.lexicon.entries_of(k) {
                out.push(Node {
                    begin,
                    end: begin + len,
                    lid: e.lid,
                    rid: e.rid,
                    wcost: e.cost as i32 + if spaced { self.lexicon.left_space_penalty(e) } else { 0 },
                    total: 0,
                    prev: 0,
                    source: Source::Word(e),
                });
            }
        }
        if !user.words.is_empty() {
            dict::common_prefixes_by(
                user.words.len(),
                |k| user.words[k].surface.as_bytes(),
                &text.as_bytes()[begin..],
                prefixes,
            );
            for &(len, k) in prefixes.iter() {
                let w = &user.words[k];
                out.push(Node {
                    begin,
                    end: begin + len,
                    lid: w.lid,
                    rid: w.rid,
                    wcost: w.cost as i32,
                    total: 0,
                    prev: 0,
                    source: Source::User(k as u32),
                });
            }
        }
        if !out.is_empty() && !cinfo.invoke {
            return;
        }
        let add_unknown = |out: &mut Vec<Node>, end: usize| {
            let cat = cinfo.default;
            for (k, u) in self.chars.unk.get(cat as usize).into_iter().flatten().enumerate() {
                out.push(Node {
                    begin,
                    end,
                    lid: u.lid,
                    rid: u.rid,
                    wcost: u.cost as i32,
                    total: 0,
                    prev: 0,
                    source: Source::Unk(cat, k as u16),
                });
            }
        };
        let mut end3 = begin + first.len_utf8();
        let mut group_end = None;
        if cinfo.group {
            let (e, clen) = self.seek_to_other_type(text, end3, &cinfo);
            if clen <= MAX_GROUPING_SIZE {
                add_unknown(out, e);
            }
            group_end = Some(e);
        }
        for _ in 1..=cinfo.length {
            if end3 > n {
                break;
            }
            if Some(end3) == group_end {
                continue;
            }
            add_unknown(out, end3);
            let Some(next) = text[end3..].chars().next() else { break };
            if !cinfo.is_kind_of(&self.chars.info(next)) {
                break;
            }
            end3 += next.len_utf8();
        }
        if out.is_empty() {
            add_unknown(out, begin + first.len_utf8());
        }
    }

    /// From byte `at`, the end of the run of characters sharing a category with `cinfo`, and
    /// the run's length in characters.
    fn seek_to_other_type(&self, text: &str, at: usize, cinfo: &CharInfo) -> (usize, usize) {
        let mut end = at;
        let mut count = 0;
        for c in text[at..].chars() {
            if !cinfo.is_kind_of(&self.chars.info(c)) {
                break;
            }
            end += c.len_utf8();
            count += 1;
        }
        (end, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagger() -> &'static Tagger {
        crate::text::ja::openjtalk::tagger().expect("the shipped dictionary loads")
    }

    fn surfaces(text: &str) -> Vec<String> {
        tagger().parse_with(text, &UserLexicon::default()).into_iter().map(|m| m.surface).collect()
    }

    #[test]
    fn segments_like_mecab() {
        assert_eq!(surfaces("すもももももももものうち"), ["すもも", "も", "もも", "も", "もも", "の", "うち"]);
        // Leading and inner spaces belong to no morpheme.
        assert_eq!(surfaces("  今日は 晴れ"), ["今日", "は", "晴れ"]);
        let m = tagger().parse_with("東京に行く", &UserLexicon::default());
        assert!(m[0].feature.starts_with("名詞,固有名詞,地域") && !m[0].unknown, "{m:?}");
        // Kanji the dictionary lacks: unknown words of 1..=2 characters (char.def `KANJI 0 0 2`),
        // as OpenJTalk groups them.
        let m = tagger().parse_with("鶼鶼鶼", &UserLexicon::default());
        let s: Vec<&str> = m.iter().map(|m| m.surface.as_str()).collect();
        assert_eq!(s, ["鶼鶼", "鶼"]);
        assert!(m.iter().all(|m| m.unknown), "{m:?}");
        assert!(surfaces("").is_empty() && surfaces("   ").is_empty());
    }

    #[test]
    fn user_words_are_candidates() {
        let mut user = UserLexicon::default();
        user.insert(UserWord {
            surface: "すもももも".into(),
            lid: 1348,
            rid: 1348,
            cost: -20000,
            feature: "名詞,固有名詞,一般,*,*,*,すもももも,スモモモモ,スモモモモ,0/5,*".into(),
        });
        let m = tagger().parse_with("すもももももももものうち", &user);
        assert_eq!(m[0].surface, "すもももも");
        assert!(m[0].feature.contains("スモモモモ"));
    }

    #[test]
    fn character_categories() {
        let c = &tagger().chars;
        // `0x4E00 KANJINUMERIC KANJI` comes after the KANJI range: 一 is both, KANJINUMERIC first.
        let one = c.info('一');
        let kan = c.info('漢');
        assert!(one.is_kind_of(&kan) && one.default != kan.default);
        // Characters above U+FFFF read as U+0000 (MeCab's UCS-2 table).
        assert_eq!(c.info('😀'), c.info('\u{0}'));
        assert!(c.space.is_kind_of(&c.info(' ')) && !c.space.is_kind_of(&c.info('あ')));
    }

    #[test]
    fn corrupt_dictionaries_are_errors() {
        for bytes in
            [&b""[..], b"SVMECAB1", b"XXXXXXXX\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"]
        {
            assert!(dict::Lexicon::new(bytes.to_vec()).is_err());
        }
        // A header that promises more than there is.
        let mut h = b"SVMECAB1".to_vec();
        for v in [2u32, 2, 1, 1, 1, 1, 0, 0] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        assert!(dict::Lexicon::new(h.clone()).is_err());
        // Sizes whose products overflow.
        let mut o = b"SVMECAB1".to_vec();
        for v in [u32::MAX, u32::MAX, u32::MAX, u32::MAX, 1, 1, 0, 0] {
            o.extend_from_slice(&v.to_le_bytes());
        }
        assert!(dict::Lexicon::new(o).is_err());
    }
}
