#!/usr/bin/env python3
"""Writes tests/fixtures/text/ja_openjtalk_labels.jsonl(.gz): 500 Japanese inputs and the
full-context labels pyopenjtalk 0.4.1 gives them (the original's Japanese dependency).

usage: OPEN_JTALK_DICT_DIR=<naist-jdic 1.11 compiled, e.g. Debian open-jtalk-mecab-naist-jdic:
       /var/lib/mecab/dic/open-jtalk/naist-jdic> python gen_ja_openjtalk_labels.py \
       <mecab-naist-jdic>/naist-jdic.csv OUT.jsonl && gzip -9 OUT.jsonl

The inputs: 250 sentences of random dictionary words with particles and endings, 150 random
strings of kana, kanji, digits, Latin letters and symbols, 100 numbers, dates, times, money and
counters (fixed seed). Each is given to pyopenjtalk.extract_fullcontext as it is.
"""
import json
import random
import sys

import pyopenjtalk

random.seed(20261202)
src = sys.argv[1]
bypos = {}
for line in open(src, encoding="utf-8"):
    c = line.rstrip("\n").split(",")
    key = (c[4], c[5]) if c[4] in ("名詞",) else (c[4], c[9] if c[4] in ("動詞", "形容詞") else "")
    if c[4] in ("動詞", "形容詞") and c[9] not in ("基本形", "連用形", "連用タ接続"):
        continue
    if c[4] == "記号":
        continue
    bypos.setdefault(key, []).append(c[0])
keys = list(bypos)
def pick(pos):
    cands = [k for k in keys if k[0] == pos]
    k = random.choice(cands)
    return random.choice(bypos[k])
texts = set()
particles = ["は", "が", "を", "に", "で", "と", "も", "の", "へ", "から", "まで", "より"]
ends = ["です", "ます", "でした", "ました", "だ", "ない", "たい", "でしょう", "ですか", "ませんか", "よね", ""]
while len(texts) < 250:
    n = random.randint(1, 4)
    parts = []
    for _ in range(n):
        parts.append(pick("名詞") + random.choice(particles))
    parts.append(random.choice([pick("動詞"), pick("形容詞"), pick("名詞")]) + random.choice(ends))
    sep = random.choice(["", "、"])
    texts.add(sep.join(parts))
kana = [chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x30A1, 0x30FB)] + ["ー"]
kanji = [chr(random.randint(0x4E00, 0x9FA5)) for _ in range(3000)]
other = list("0123456789abcXYZ０１２３ＡＢｃ 　!?.,-%&@#()「」『』・〜…％＄￥") + ["😀", "𠮷", "Ω", "é"]
while len(texts) < 400:
    n = random.randint(1, 12)
    pool = random.choice([kana, kanji, kana + kanji, kana + kanji + other, other + kana])
    texts.add("".join(random.choice(pool) for _ in range(n)))
for _ in range(100):
    kind = random.randint(0, 6)
    if kind == 0: t = f"{random.randint(0, 10**random.randint(1, 13))}"
    elif kind == 1: t = f"{random.randint(1900, 2100)}年{random.randint(1, 12)}月{random.randint(1, 31)}日"
    elif kind == 2: t = f"{random.randint(0, 23)}時{random.randint(0, 59)}分"
    elif kind == 3: t = f"{random.randint(0, 9999)}.{random.randint(0, 999)}"
    elif kind == 4: t = f"{random.randint(1, 99999):,}円"
    elif kind == 5: t = f"第{random.randint(1, 300)}回"
    else: t = f"{random.randint(1, 100)}人の{pick('名詞')}が{random.randint(2, 50)}個"
    texts.add(t)
out = open(sys.argv[2], "w", encoding="utf-8")
for t in sorted(texts):
    labels = pyopenjtalk.extract_fullcontext(t)
    out.write(json.dumps({"text": t, "labels": labels}, ensure_ascii=False) + "\n")
