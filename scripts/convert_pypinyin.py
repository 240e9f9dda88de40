#!/usr/bin/env python3
"""Converts pypinyin's dictionaries into the compact tables sovits-core embeds.

Source: the `pypinyin` 0.55.0 wheel on PyPI (MIT licence): `pinyin_dict.json` (per character
readings) and `phrases_dict.json` (phrase readings). Only what GPT-SoVITS' pypinyin path uses is
kept: the first reading of each character and the first reading of each phrase syllable, already
split the way upstream splits them, i.e. `lazy_pinyin(style=INITIALS, strict=True)` and
`lazy_pinyin(style=FINALS_TONE3, strict=True, neutral_tone_with_five=True)`.

Usage (nothing is downloaded at build time; run by hand when updating the data):
    pip download --no-deps pypinyin==0.55.0 && pip install pypinyin==0.55.0
    python3 scripts/convert_pypinyin.py sovits-core/data/zh

Output (UTF-8, one entry per line):
    pinyin_chars.tsv    <char>\t<syllable id>
    pinyin_phrases.tsv  <phrase>\t<syllable id> <syllable id> ...
    pinyin_syllables.tsv  <syllable id>\t<initial>\t<final with tone digit>
"""
import json
import os
import sys

import pypinyin
from pypinyin import Style
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
from pypinyin.contrib.tone_convert import to_finals_tone3, to_initials

assert pypinyin.__version__ == "0.55.0", pypinyin.__version__

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

syllables = {}


def sid(py):
    """Id of a tone-marked pinyin syllable, split like upstream's lazy_pinyin calls."""
    if py not in syllables:
        ini = to_initials(py, strict=True)
        fin = to_finals_tone3(py, strict=True, neutral_tone_with_five=True)
        syllables[py] = (len(syllables), ini, fin)
    return syllables[py][0]


with open(os.path.join(out, "pinyin_chars.tsv"), "w", encoding="utf-8") as f:
    for code in sorted(PINYIN_DICT):
        first = PINYIN_DICT[code].split(",")[0]
        f.write(f"{chr(code)}\t{sid(first)}\n")

with open(os.path.join(out, "pinyin_phrases.tsv"), "w", encoding="utf-8") as f:
    for phrase in sorted(PHRASES_DICT):
        pys = [sid(p[0]) for p in PHRASES_DICT[phrase]]
        if len(pys) != len(phrase):
            continue  # malformed entry: pypinyin would misalign it too; none in 0.55.0
        f.write(phrase + "\t" + " ".join(map(str, pys)) + "\n")

with open(os.path.join(out, "pinyin_syllables.tsv"), "w", encoding="utf-8") as f:
    for py, (i, ini, fin) in sorted(syllables.items(), key=lambda kv: kv[1][0]):
        f.write(f"{i}\t{ini}\t{fin}\n")

# Self-check against pypinyin itself on a few words.
from pypinyin import lazy_pinyin
for w in ["你好", "重庆", "银行", "一个", "朋友们", "长城"]:
    a = lazy_pinyin(w, neutral_tone_with_five=True, style=Style.INITIALS)
    b = lazy_pinyin(w, neutral_tone_with_five=True, style=Style.FINALS_TONE3)
    print(w, a, b)
print(len(syllables), "syllables")
