#!/usr/bin/env python3
"""Convert the compiled mecab-ko-dic 2.1.1 of the PyPI wheel `python-mecab-ko-dic` 2.1.1.post2
into the compact lexicon sovits reads (`sovits-core/data/ko/mecab-ko-dic.svdic.zst`; format in
`sovits-core/src/text/mecab/dict.rs`, including the left-space penalty section MeCab-ko adds).

usage: build_ko_dict.py python_mecab_ko_dic-2.1.1.post2-py3-none-any.whl OUT.svdic
       (then: zstd -19 --long=27 OUT.svdic)

The wheel holds no CSV sources, only MeCab 0.996's binary files; this reads them directly
(mecab/src/dictionary.cpp's layout):
  sys.dic / unk.dic: header 10 x u32 (magic, version, type, lexsize, lsize, rsize, dsize, tsize,
      fsize, dummy), charset[32], a Darts double array (dsize bytes of {i32 base, u32 check}),
      tokens (16 bytes: u16 lcAttr, u16 rcAttr, u16 posid, i16 wcost, u32 feature, u32 compound),
      NUL-terminated feature strings. A trie value is (first token << 8) | token count.
  matrix.bin: u16 lsize, u16 rsize, i16 cost[lsize * rsize] (cost[left.rc + lsize * right.lc]).
  char.bin: u32 ncat, char[32] names[ncat], u32 info[0xFFFF] (bits 0-17 category set,
      18-25 default category, 26-29 length, 30 group, 31 invoke).
  dicrc: `left-space-penalty-factor = posid,penalty,...` (MeCab-ko only).

What is kept of a word is what the Korean frontend reads: the surface, its connection ids, cost,
its part of speech (the feature's first field, e.g. `NNG` or `VV+EP`) and its left-space penalty
(from its posid). Entries of one surface keep their compiled order, which decides lattice ties.
Needs numpy (the double array has 3.8 M units).
"""
import re
import struct
import sys
import zipfile

import numpy as np

PREFIX = "mecab_ko_dic/dictionary/"


def read_dic(b):
    _magic, _version, _typ, _lexsize, lsize, rsize, dsize, tsize, fsize, _ = struct.unpack_from("<10I", b, 0)
    off = 72
    da = np.frombuffer(b, dtype=np.dtype([("base", "<i4"), ("check", "<u4")]), count=dsize // 8, offset=off)
    off += dsize
    tok = np.frombuffer(
        b,
        dtype=np.dtype(
            [("lc", "<u2"), ("rc", "<u2"), ("pos", "<u2"), ("cost", "<i2"), ("feat", "<u4"), ("comp", "<u4")]
        ),
        count=tsize // 16,
        offset=off,
    )
    off += tsize
    return lsize, rsize, da, tok, b[off : off + fsize]


def trie_keys(da):
    """Every (key bytes, value) of a Darts double array."""
    base = da["base"].astype(np.int64)
    check = da["check"].astype(np.int64)
    n = len(base)
    # Children of a state are the units whose check is that state's base.
    p = np.arange(n, dtype=np.int64)
    c = p - check - 1
    valid = (c >= -1) & (c < 256) & (check < n)
    order = np.argsort(check[valid], kind="stable")
    units = p[valid][order]
    parents = check[valid][order]
    starts = np.searchsorted(parents, np.arange(n + 1))
    out = []
    stack = [(int(base[0]), b"")]
    while stack:
        b, key = stack.pop()
        for u in units[starts[b] : starts[b + 1]].tolist():
            ch = u - b - 1
            if ch == -1:
                if base[u] < 0:
                    out.append((key, int(-base[u] - 1)))
            elif ch >= 0:
                stack.append((int(base[u]), key + bytes([ch])))
    return out


def feature_at(feats, off):
    return feats[off : feats.index(b"\0", off)].decode("utf-8")


def char_def_text(b):
    (ncat,) = struct.unpack_from("<I", b, 0)
    names = [b[4 + 32 * i : 36 + 32 * i].split(b"\0")[0].decode() for i in range(ncat)]
    info = np.frombuffer(b, dtype="<u4", count=0xFFFF, offset=4 + 32 * ncat).astype(np.int64)
    typ, dflt = info & 0x3FFFF, (info >> 18) & 0xFF
    length, group, invoke = (info >> 26) & 0xF, (info >> 30) & 1, (info >> 31) & 1
    if names[0] != "DEFAULT":
        raise SystemExit("char.bin: the first category is not DEFAULT")
    lines = []
    for ci, name in enumerate(names):
        sel = np.nonzero(dflt == ci)[0]
        # Only a character's default category's settings are read; a category that is never a
        # default gets zeros.
        i = sel[0] if len(sel) else None
        s = (0, 0, 0) if i is None else (int(invoke[i]), int(group[i]), int(length[i]))
        if i is not None and np.any((dflt == ci) & ((invoke != s[0]) | (group != s[1]) | (length != s[2]))):
            raise SystemExit(f"char.bin: category {name} has two settings")
        lines.append(f"{name} {s[0]} {s[1]} {s[2]}")
    start = 0
    for cp in range(1, 0x10000):
        if cp == 0xFFFF or typ[cp] != typ[start] or dflt[cp] != dflt[start]:
            a, z = start, cp - 1
            start = cp
            if dflt[a] == 0 and typ[a] == 1:
                continue  # DEFAULT alone: the implicit category
            d = int(dflt[a])
            cats = [names[d]] + [names[k] for k in range(ncat) if (int(typ[a]) >> k) & 1 and k != d]
            lines.append((f"0x{a:04X}" if a == z else f"0x{a:04X}..0x{z:04X}") + " " + " ".join(cats))
    return ("\n".join(lines) + "\n").encode(), names


def main(wheel, out):
    z = zipfile.ZipFile(wheel)
    read = lambda name: z.read(PREFIX + name)  # noqa: E731
    lsize, rsize, da, tok, feats = read_dic(read("sys.dic"))
    dicrc = read("dicrc").decode("utf-8")
    m = re.search(r"^left-space-penalty-factor\s*=\s*(.+)$", dicrc, re.M)
    vals = [int(x) for x in m.group(1).split(",")] if m else []
    penalty_of = dict(zip(vals[0::2], vals[1::2]))

    mb = read("matrix.bin")
    ml, mr = struct.unpack_from("<2H", mb, 0)
    if (ml, mr) != (lsize, rsize):
        raise SystemExit("matrix.bin does not match sys.dic")
    matrix = mb[4 : 4 + 2 * lsize * rsize]

    poses, pos_index, penalties = [], {}, []
    keys, entry_start, packed = [], [], bytearray()
    for key, val in sorted(trie_keys(da)):
        start, cnt = val >> 8, val & 0xFF
        keys.append(key)
        entry_start.append(len(packed) // 12)
        for t in tok[start : start + cnt]:
            pos = feature_at(feats, int(t["feat"])).split(",")[0]
            pen = penalty_of.get(int(t["pos"]), 0)
            pi = pos_index.setdefault((pos, pen), len(poses))
            if pi == len(poses):
                poses.append(pos.encode())
                penalties.append(pen)
            packed += struct.pack("<HHhHI", int(t["lc"]), int(t["rc"]), int(t["cost"]), pi, 0)
    nentries = len(packed) // 12
    entry_start.append(nentries)

    char_def, names = char_def_text(read("char.bin"))
    _, _, uda, utok, ufeats = read_dic(read("unk.dic"))
    unk_rows = []
    for key, val in trie_keys(uda):
        start, cnt = val >> 8, val & 0xFF
        for i in range(start, start + cnt):
            t = utok[i]
            if penalty_of.get(int(t["pos"]), 0):
                raise SystemExit("an unknown-word template has a left-space penalty; the format cannot hold it")
            feat = feature_at(ufeats, int(t["feat"]))
            unk_rows.append((i, f"{key.decode()},{int(t['lc'])},{int(t['rc'])},{int(t['cost'])},{feat}"))
    unk_def = ("\n".join(r for _, r in sorted(unk_rows)) + "\n").encode()
    if not set(r.split(",")[0] for _, r in unk_rows) <= set(names):
        raise SystemExit("unk.dic names a category char.bin lacks")

    def blob(items):
        offs, data, o = [], bytearray(), 0
        for it in items:
            offs.append(o)
            data += it
            o += len(it)
        offs.append(o)
        return struct.pack(f"<{len(offs)}I", *offs), bytes(data)

    key_offs, key_data = blob(keys)
    pos_offs, pos_data = blob(poses)
    feat_offs, feat_data = blob([b"*"])
    with open(out, "wb") as f:
        f.write(b"SVMECAB1")
        f.write(struct.pack("<8I", lsize, rsize, len(keys), nentries, len(poses), 1, len(char_def), len(unk_def)))
        f.write(matrix)
        f.write(key_offs)
        f.write(key_data)
        f.write(struct.pack(f"<{len(entry_start)}I", *entry_start))
        f.write(packed)
        f.write(pos_offs)
        f.write(pos_data)
        f.write(feat_offs)
        f.write(feat_data)
        f.write(char_def)
        f.write(unk_def)
        # MeCab-ko's left-space penalty per POS row (added to a word's cost when spaces precede it).
        f.write(b"SVPENAL1")
        f.write(struct.pack(f"<I{len(penalties)}i", len(penalties), *penalties))
    print(f"{nentries} entries, {len(keys)} surfaces, {len(poses)} POS rows, matrix {lsize}x{rsize}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
