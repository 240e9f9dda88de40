#!/usr/bin/env python3
"""Compile OpenJTalk's naist-jdic 1.11 sources into the compact lexicon sovits reads
(`sovits-core/data/ja/naist-jdic.svdic.zst`; format in `sovits-core/src/text/mecab/dict.rs`).

usage: build_ja_dict.py MECAB_NAIST_JDIC_DIR OUT.svdic      (then: zstd -19 --long=27 OUT.svdic)

MECAB_NAIST_JDIC_DIR is the `mecab-naist-jdic/` folder of OpenJTalk 1.11's source (BSD-3; see
docs/text-frontend.md). Like `mecab-dict-index`, every `*.csv` of the folder is read in file-name
order and the entries are stably sorted by surface bytes, so entries of one surface keep their
CSV order (which decides ties in the lattice). Only the standard library is used.
"""
import glob
import os
import struct
import sys


def main(src, out):
    entries = []  # (surface bytes, lid, rid, cost, feature)
    for path in sorted(glob.glob(os.path.join(src, "*.csv"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                cols = line.split(",")
                if len(cols) < 5:
                    raise SystemExit(f"{path}: malformed line {line!r}")
                surface = cols[0]
                lid, rid, cost = int(cols[1]), int(cols[2]), int(cols[3])
                feature = ",".join(cols[4:])
                entries.append((surface.encode(), lid, rid, cost, feature))
    entries.sort(key=lambda e: e[0])  # stable

    with open(os.path.join(src, "matrix.def"), encoding="utf-8") as f:
        lsize, rsize = map(int, f.readline().split())
        matrix = [0] * (lsize * rsize)
        for line in f:
            p = line.split()
            if len(p) == 3:
                # `left-node right-id, right-node left-id, cost`, stored as MeCab's matrix.bin.
                matrix[int(p[0]) + lsize * int(p[1])] = int(p[2])

    keys, key_start, entry_start = [], [], []
    feats, feat_index = [], {}
    poses, pos_index = [], {}
    packed = bytearray()
    prev = None
    for i, (surface, lid, rid, cost, feature) in enumerate(entries):
        if surface != prev:
            keys.append(surface)
            entry_start.append(i)
            prev = surface
        # The first six fields (part of speech, conjugation) come from a small table; the base
        # form is the surface for almost every word and is stored as empty then.
        cols = feature.split(",")
        head, tail = ",".join(cols[:6]), cols[6:]
        if tail and tail[0].encode() == surface:
            tail[0] = ""
        pi = pos_index.setdefault(head, len(poses))
        if pi == len(poses):
            poses.append(head.encode())
        rest = ",".join(tail)
        fi = feat_index.setdefault(rest, len(feats))
        if fi == len(feats):
            feats.append(rest.encode())
        packed += struct.pack("<HHhHI", lid, rid, cost, pi, fi)
    entry_start.append(len(entries))

    def blob(items):
        offs, data, o = [], bytearray(), 0
        for it in items:
            offs.append(o)
            data += it
            o += len(it)
        offs.append(o)
        return struct.pack(f"<{len(offs)}I", *offs), bytes(data)

    key_offs, key_data = blob(keys)
    feat_offs, feat_data = blob(feats)
    pos_offs, pos_data = blob(poses)
    char_def = open(os.path.join(src, "char.def"), "rb").read()
    unk_def = open(os.path.join(src, "unk.def"), "rb").read()
    with open(out, "wb") as f:
        f.write(b"SVMECAB1")
        f.write(
            struct.pack(
                "<8I", lsize, rsize, len(keys), len(entries), len(poses), len(feats), len(char_def), len(unk_def)
            )
        )
        f.write(struct.pack(f"<{len(matrix)}h", *matrix))
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
    print(f"{len(entries)} entries, {len(keys)} surfaces, {len(poses)} POS rows, {len(feats)} feature rows, matrix {lsize}x{rsize}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
