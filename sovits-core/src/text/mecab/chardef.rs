//! MeCab's character categories (`char.def`) and unknown-word templates (`unk.def`), parsed as
//! `mecab-dict-index` compiles them into `char.bin` and `unk.dic`.

use std::collections::HashMap;

/// What MeCab knows of one character: the categories it belongs to (a bit set), its default
/// category and that category's unknown-word settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CharInfo {
    /// Bit `i` set: the character is in category `i`.
    pub kinds: u32,
    /// The first category listed for it (its unknown words take this category's templates).
    pub default: u8,
    /// Always make unknown-word candidates, even where the lexicon has words.
    pub invoke: bool,
    /// Make one candidate of the whole run of characters of the same kind.
    pub group: bool,
    /// Also make candidates of 1..=length characters.
    pub length: u8,
}

impl CharInfo {
    /// MeCab's `isKindOf`: the two share a category.
    pub fn is_kind_of(&self, other: &CharInfo) -> bool {
        self.kinds & other.kinds != 0
    }
}

/// An unknown-word template of `unk.def`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnkEntry {
    pub lid: u16,
    pub rid: u16,
    pub cost: i16,
    /// The feature fields after the cost.
    pub feature: String,
}

/// The parsed `char.def` + `unk.def`.
pub struct CharProperty {
    /// Code points 0..0xFFFF (MeCab's UCS-2 table; others read as U+0000).
    table: Vec<CharInfo>,
    /// Category id of `SPACE`.
    pub space: CharInfo,
    /// Templates per category id, in `unk.def` order.
    pub unk: Vec<Vec<UnkEntry>>,
}

impl CharProperty {
    /// Parses both files. Malformed lines are skipped (as `mecab-dict-index` would refuse the
    /// dictionary, the project's own files never have them).
    pub fn parse(char_def: &str, unk_def: &str) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut settings: Vec<(bool, bool, u8)> = Vec::new();
        let mut ranges: Vec<(u32, u32, Vec<usize>)> = Vec::new();
        for line in char_def.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split_whitespace().collect();
            if let Some(hex) = cols[0].strip_prefix("0x") {
                let (lo, hi) = match hex.split_once("..") {
                    Some((a, b)) => (parse_hex(a), b.strip_prefix("0x").and_then(parse_hex)),
                    None => (parse_hex(hex), parse_hex(hex)),
                };
                let (Some(lo), Some(hi)) = (lo, hi) else { continue };
                let cats: Vec<usize> = cols[1..].iter().filter_map(|c| names.iter().position(|n| n == c)).collect();
                if !cats.is_empty() && lo <= hi {
                    ranges.push((lo, hi, cats));
                }
            } else if cols.len() >= 4 {
                let num = |s: &str| s.parse::<u32>().ok();
                if let (Some(i), Some(g), Some(l)) = (num(cols[1]), num(cols[2]), num(cols[3])) {
                    names.push(cols[0].to_string());
                    settings.push((i != 0, g != 0, l.min(255) as u8));
                }
            }
        }
        let encode = |cats: &[usize]| {
            let first = cats[0];
            let (invoke, group, length) = settings[first];
            CharInfo {
                kinds: cats.iter().fold(0u32, |k, &c| k | (1u32 << (c % 32))),
                default: first as u8,
                invoke,
                group,
                length,
            }
        };
        let default = names.iter().position(|n| n == "DEFAULT").map(|i| encode(&[i])).unwrap_or_default();
        let mut table = vec![default; 0xFFFF];
        for (lo, hi, cats) in &ranges {
            let info = encode(cats);
            for c in *lo..=(*hi).min(0xFFFE) {
                table[c as usize] = info;
            }
        }
        let space = names.iter().position(|n| n == "SPACE").map(|i| encode(&[i])).unwrap_or_default();

        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let mut unk = vec![Vec::new(); names.len()];
        for line in unk_def.lines() {
            let cols: Vec<&str> = line.trim_end_matches('\r').splitn(5, ',').collect();
            if cols.len() < 4 {
                continue;
            }
            let (Some(&cat), Ok(lid), Ok(rid), Ok(cost)) =
                (index.get(cols[0]), cols[1].parse(), cols[2].parse(), cols[3].parse())
            else {
                continue;
            };
            unk[cat].push(UnkEntry { lid, rid, cost, feature: cols.get(4).unwrap_or(&"").to_string() });
        }
        CharProperty { table, space, unk }
    }

    /// The category info of `c` (MeCab reads the text as UCS-2: characters above U+FFFF read
    /// as U+0000).
    pub fn info(&self, c: char) -> CharInfo {
        let c = c as usize;
        if c < self.table.len() { self.table[c] } else { self.table[0] }
    }
}

fn parse_hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s, 16).ok()
}
