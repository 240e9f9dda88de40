#!/usr/bin/env python3
"""Writes sovits-core/data/yue/jyutping.tsv.gz from the ToJyutping 3.2.0 wheel (PyPI,
BSD-2-Clause): every key of its trie that has a reading, with the first reading (what
`get_jyutping_list` uses), as `key<TAB>syllable syllable ...`, sorted.

usage: python convert_tojyutping.py <unpacked wheel dir containing ToJyutping/> OUT.tsv.gz
"""
import gzip
import sys

sys.path.insert(0, sys.argv[1])
from ToJyutping import Trie  # noqa: E402

rows = []


def walk(node, key):
    if node.v:
        first = node.v[0]
        syllables = [first.jyutping] if hasattr(first, "jyutping") else [j.jyutping for j in first]
        rows.append((key, " ".join(syllables)))
    for c, child in node.items():
        walk(child, key + c)


sys.setrecursionlimit(10000)
walk(Trie.root, "")
rows.sort()
with gzip.open(sys.argv[2], "wt", encoding="utf-8", compresslevel=9) as f:
    for k, v in rows:
        f.write(f"{k}\t{v}\n")
print(len(rows), "entries")
