//! The compact MeCab lexicon the project ships (`scripts/build_ja_dict.py` writes it from a
//! MeCab dictionary's CSV sources), read in place.
//!
//! Layout, little-endian:
//!
//! ```text
//! b"SVMECAB1"
//! u32 lsize, rsize, nkeys, nentries, npos, nfeat, char_def_len, unk_def_len
//! i16 matrix[lsize * rsize]            cost(left.rc, right.lc) = matrix[left.rc + lsize * right.lc]
//! u32 key_offsets[nkeys + 1]; key bytes surfaces, sorted by bytes, unique
//! u32 entry_start[nkeys + 1]           entries of key k: entry_start[k]..entry_start[k + 1]
//! entry[nentries]: u16 lid, u16 rid, i16 cost, u16 pos, u32 feat      (12 bytes)
//! u32 pos_offsets[npos + 1]; pos bytes  the first six feature fields ("名詞,一般,*,*,*,*")
//! u32 feat_offsets[nfeat + 1]; feat bytes  the rest; an empty first field is the surface
//! char.def, unk.def                     MeCab's text files, parsed by `chardef`
//! [b"SVPENAL1", u32 n, i32 penalty[n]] optional (MeCab-ko): per POS row, the cost added to a
//!                                       word that spaces precede (`left-space-penalty-factor`)
//! ```
//!
//! `scripts/build_ja_dict.py` writes naist-jdic's (no penalty section) and
//! `scripts/build_ko_dict.py` mecab-ko-dic's.

use crate::{Error, Result};

/// One lexicon entry: connection ids, word cost and where its feature lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub lid: u16,
    pub rid: u16,
    pub cost: i16,
    pub pos: u16,
    pub feat: u32,
}

/// A read-only view of the lexicon bytes.
pub struct Lexicon {
    data: Vec<u8>,
    pub lsize: usize,
    pub rsize: usize,
    /// Byte offset of the connection matrix (read in place: a copy would double its 20 MB for
    /// mecab-ko-dic).
    matrix: usize,
    nkeys: usize,
    key_offsets: usize,
    key_bytes: usize,
    entry_start: usize,
    entries: usize,
    nentries: usize,
    pos_offsets: usize,
    pos_bytes: usize,
    npos: usize,
    feat_offsets: usize,
    feat_bytes: usize,
    nfeat: usize,
    char_def: (usize, usize),
    unk_def: (usize, usize),
    /// MeCab-ko's left-space penalty per POS row (empty: none).
    penalties: Vec<i32>,
}

fn corrupt(what: &str) -> Error {
    Error::InvalidArgument(format!(
        "the built-in MeCab dictionary is corrupt ({what}); rebuild it with scripts/build_ja_dict.py or \
         scripts/build_ko_dict.py"
    ))
}

impl Lexicon {
    /// Checks the header and every section bound (offset tables included), so lookups cannot
    /// read out of range.
    pub fn new(data: Vec<u8>) -> Result<Self> {
        if data.len() < 40 || &data[..8] != b"SVMECAB1" {
            return Err(corrupt("bad magic"));
        }
        let h = |i: usize| u32::from_le_bytes(data[8 + 4 * i..12 + 4 * i].try_into().unwrap()) as usize;
        let (lsize, rsize, nkeys, nentries, npos, nfeat, cdl, udl) = (h(0), h(1), h(2), h(3), h(4), h(5), h(6), h(7));
        let mut at = 40usize;
        let mut take = |n: usize| -> Result<usize> {
            let start = at;
            at = at.checked_add(n).filter(|&e| e <= data.len()).ok_or_else(|| corrupt("truncated"))?;
            Ok(start)
        };
        let msize = lsize.checked_mul(rsize).ok_or_else(|| corrupt("matrix size"))?;
        let m = take(msize.checked_mul(2).ok_or_else(|| corrupt("matrix size"))?)?;
        let matrix = m;
        let key_offsets = take((nkeys + 1) * 4)?;
        let u32_at = |o: usize| u32::from_le_bytes(data[o..o + 4].try_into().unwrap()) as usize;
        let key_len = u32_at(key_offsets + nkeys * 4);
        let key_bytes = take(key_len)?;
        let entry_start = take((nkeys + 1) * 4)?;
        let entries = take(nentries.checked_mul(12).ok_or_else(|| corrupt("entries"))?)?;
        let pos_offsets = take((npos + 1) * 4)?;
        let pos_bytes = take(u32_at(pos_offsets + npos * 4))?;
        let feat_offsets = take((nfeat + 1) * 4)?;
        let feat_bytes = take(u32_at(feat_offsets + nfeat * 4))?;
        let c = take(cdl)?;
        let u = take(udl)?;
        let mut penalties = Vec::new();
        let rest = &data[u + udl..];
        if !rest.is_empty() {
            // Exactly the magic, the count and one penalty per POS row.
            if rest.len() != 12 + 4 * npos || &rest[..8] != b"SVPENAL1" || u32_at(u + udl + 8) != npos {
                return Err(corrupt("penalty section"));
            }
            penalties = rest[12..].chunks_exact(4).map(|c| i32::from_le_bytes(c.try_into().unwrap())).collect();
        }
        let lex = Lexicon {
            lsize,
            rsize,
            matrix,
            nkeys,
            key_offsets,
            key_bytes,
            entry_start,
            entries,
            nentries,
            pos_offsets,
            pos_bytes,
            npos,
            feat_offsets,
            feat_bytes,
            nfeat,
            char_def: (c, cdl),
            unk_def: (u, udl),
            penalties,
            data,
        };
        lex.validate()?;
        Ok(lex)
    }

    fn validate(&self) -> Result<()> {
        let monotone = |table: usize, n: usize, limit: usize| {
            let mut prev = 0;
            for i in 0..=n {
                let v = self.u32_at(table + 4 * i);
                if v < prev || v > limit {
                    return false;
                }
                prev = v;
            }
            true
        };
        let key_len = self.u32_at(self.key_offsets + 4 * self.nkeys);
        if !monotone(self.key_offsets, self.nkeys, key_len)
            || !monotone(self.entry_start, self.nkeys, self.nentries)
            || self.u32_at(self.entry_start + 4 * self.nkeys) != self.nentries
            || !monotone(self.pos_offsets, self.npos, usize::MAX)
            || !monotone(self.feat_offsets, self.nfeat, usize::MAX)
        {
            return Err(corrupt("offset tables"));
        }
        for i in 0..self.nentries {
            let e = self.entry(i);
            if e.lid as usize >= self.rsize
                || e.rid as usize >= self.lsize
                || e.pos as usize >= self.npos
                || e.feat as usize >= self.nfeat
            {
                return Err(corrupt("entry ids out of range"));
            }
        }
        if std::str::from_utf8(self.char_def()).is_err() || std::str::from_utf8(self.unk_def()).is_err() {
            return Err(corrupt("char.def/unk.def are not UTF-8"));
        }
        Ok(())
    }

    fn u32_at(&self, o: usize) -> usize {
        u32::from_le_bytes(self.data[o..o + 4].try_into().unwrap()) as usize
    }

    /// Connection cost between a left node's right id and a right node's left id.
    pub fn connect(&self, left_rid: u16, right_lid: u16) -> i32 {
        let i = left_rid as usize + self.lsize * right_lid as usize;
        if i >= self.lsize * self.rsize {
            return 0;
        }
        let o = self.matrix + 2 * i;
        i16::from_le_bytes([self.data[o], self.data[o + 1]]) as i32
    }

    /// MeCab-ko's left-space penalty of an entry: added to its cost when spaces precede it.
    pub fn left_space_penalty(&self, e: Entry) -> i32 {
        self.penalties.get(e.pos as usize).copied().unwrap_or(0)
    }

    fn key(&self, k: usize) -> &[u8] {
        let (a, b) = (self.u32_at(self.key_offsets + 4 * k), self.u32_at(self.key_offsets + 4 * k + 4));
        &self.data[self.key_bytes + a..self.key_bytes + b]
    }

    /// The entries of key `k`.
    pub fn entries_of(&self, k: usize) -> impl Iterator<Item = Entry> + '_ {
        let (a, b) = (self.u32_at(self.entry_start + 4 * k), self.u32_at(self.entry_start + 4 * k + 4));
        (a..b).map(|i| self.entry(i))
    }

    fn entry(&self, i: usize) -> Entry {
        let o = self.entries + 12 * i;
        let d = &self.data[o..o + 12];
        Entry {
            lid: u16::from_le_bytes([d[0], d[1]]),
            rid: u16::from_le_bytes([d[2], d[3]]),
            cost: i16::from_le_bytes([d[4], d[5]]),
            pos: u16::from_le_bytes([d[6], d[7]]),
            feat: u32::from_le_bytes([d[8], d[9], d[10], d[11]]),
        }
    }

    /// Every key that is a prefix of `text`, shortest first: `(byte length, key index)`.
    pub fn common_prefixes(&self, text: &[u8], out: &mut Vec<(usize, usize)>) {
        common_prefixes_by(self.nkeys, |k| self.key(k), text, out)
    }

    /// The full MeCab feature of an entry (`pos,...,chain_rule`), the base form restored.
    pub fn feature(&self, surface: &str, e: Entry) -> String {
        let pos = self.slice(self.pos_offsets, self.pos_bytes, e.pos as usize);
        let rest = self.slice(self.feat_offsets, self.feat_bytes, e.feat as usize);
        let pos = String::from_utf8_lossy(pos);
        let rest = String::from_utf8_lossy(rest);
        match rest.strip_prefix(',') {
            Some(tail) => format!("{pos},{surface},{tail}"),
            None if rest.is_empty() => format!("{pos},{surface}"),
            None => format!("{pos},{rest}"),
        }
    }

    fn slice(&self, offsets: usize, bytes: usize, i: usize) -> &[u8] {
        let (a, b) = (self.u32_at(offsets + 4 * i), self.u32_at(offsets + 4 * i + 4));
        &self.data[bytes + a..bytes + b]
    }

    pub fn char_def(&self) -> &[u8] {
        &self.data[self.char_def.0..self.char_def.0 + self.char_def.1]
    }

    pub fn unk_def(&self) -> &[u8] {
        &self.data[self.unk_def.0..self.unk_def.0 + self.unk_def.1]
    }

    /// Bytes held in memory.
    pub fn heap_bytes(&self) -> usize {
        self.data.len() + self.penalties.len() * 4
    }
}

/// The number of leading `i in 0..n` for which `pred` holds (`pred` true then false).
fn partition(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) { lo = mid + 1 } else { hi = mid }
    }
    lo
}

/// Every one of `n` sorted, unique keys that is a prefix of `text`, shortest first:
/// `(byte length, key index)`. The keys sharing `text[..d]` form one range, which each further
/// byte narrows by binary search (a trie over the sorted array).
pub fn common_prefixes_by<'k>(n: usize, key: impl Fn(usize) -> &'k [u8], text: &[u8], out: &mut Vec<(usize, usize)>) {
    out.clear();
    let (mut lo, mut hi) = (0usize, n);
    for d in 0..=text.len() {
        if lo >= hi {
            break;
        }
        // Within the range every key starts with text[..d]; one of exactly that length sorts
        // first.
        if key(lo).len() == d {
            if d > 0 {
                out.push((d, lo));
            }
            lo += 1;
        }
        if d == text.len() {
            break;
        }
        let c = text[d] as i32;
        let byte = |k: usize| key(k).get(d).map_or(-1, |&b| b as i32);
        let first = lo + partition(hi - lo, |i| byte(lo + i) < c);
        let last = first + partition(hi - first, |i| byte(first + i) <= c);
        lo = first;
        hi = last;
    }
}
