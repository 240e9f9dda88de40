#!/usr/bin/env python3
"""Generate `tests/fixtures/text/ko_g2p_cases.jsonl.gz`: Korean inputs beyond the goldens with
what the original frontend makes of them: python-mecab-ko's `MeCab().pos` (the tags g2pk2
reads) and upstream's `text/korean.py` `g2p` (g2pk2 0.0.3 over mecab-ko-dic 2.1.1).

usage: gen_ko_g2p_cases.py GPT_SOVITS_DIR MECAB_KO_DIC_WHEEL OUT.jsonl.gz

Needs g2pk2 0.0.3, jamo 0.4.1, python-mecab-ko 1.3.7, python-mecab-ko-dic 2.1.1.post2, ko_pron,
nltk and numpy from PyPI. nltk's CMU dictionary is not downloaded: upstream's `latin_to_hangul`
runs before g2pk2, so g2pk2's English step never finds a Latin word and an empty dictionary
stands in for it.

Inputs (seeded, reproducible): the example words of g2pk2's `rules.txt` and its idioms, then
random sentences of dictionary words (nouns, verbs and adjectives with particles and endings
from the dictionary itself), numbers before counters, Latin letters, punctuation and spaces.
"""
import gzip
import json
import os
import random
import re
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_ko_dict import PREFIX, feature_at, read_dic, trie_keys  # noqa: E402


def stub_cmudict():
    import nltk
    import nltk.corpus

    class Empty:
        @staticmethod
        def dict():
            return {}

    nltk.data.find = lambda *a, **k: True
    nltk.corpus.cmudict = Empty
    sys.modules["nltk.corpus"].cmudict = Empty


def words_by_tag(wheel):
    _, _, da, tok, feats = read_dic(zipfile.ZipFile(wheel).read(PREFIX + "sys.dic"))
    by = {}
    for key, val in trie_keys(da):
        s = key.decode()
        start, cnt = val >> 8, val & 0xFF
        for t in tok[start : start + cnt]:
            tag = feature_at(feats, int(t["feat"])).split(",")[0]
            by.setdefault(tag, []).append(s)
    for v in by.values():
        v.sort()
    return by


def inputs(gpt_dir, wheel):
    import g2pk2

    base = os.path.dirname(g2pk2.__file__)
    out = []
    for line in open(os.path.join(base, "rules.txt"), encoding="utf8"):
        if line.startswith("->"):
            out.extend(w for w, _ in re.findall(r"([ㄱ-힣][ ㄱ-힣]*)\[([ㄱ-힣][ ㄱ-힣/]*)]", line))
    for line in open(os.path.join(base, "idioms.txt"), encoding="utf8"):
        line = line.split("#")[0].strip()
        if "===" in line:
            out.append(line.split("===")[0] + "이 좋다")
    rng = random.Random(18)
    by = words_by_tag(wheel)
    nouns = [w for t in ("NNG", "NNP", "NP") for w in by.get(t, []) if len(w) <= 4]
    verbs = [w for t in ("VV", "VA") for w in by.get(t, []) if len(w) <= 3]
    josa = sorted({w for t in ("JKS", "JKO", "JKB", "JX", "JKG", "JC") for w in by.get(t, []) if len(w) <= 3})
    endings = sorted({w for t in ("EC", "EF", "ETM", "ETN") for w in by.get(t, []) if len(w) <= 3})
    counters = ["개", "시", "분", "번", "살", "명", "마리", "권", "원", "년", "월", "일", "층", "장", "잔", "대"]
    puncts = [".", ",", "!", "?", "…", "~", "·", "、", "。", "？", "！", "：", "\"", "(", ")"]

    def word():
        r = rng.random()
        if r < 0.45:
            return rng.choice(nouns) + (rng.choice(josa) if rng.random() < 0.8 else "")
        if r < 0.8:
            return rng.choice(verbs) + rng.choice(endings)
        if r < 0.9:
            n = rng.choice([rng.randint(0, 99), rng.randint(100, 99999), rng.randint(10**5, 10**12)])
            s = f"{n:,}" if rng.random() < 0.3 else str(n)
            return s + rng.choice(counters)
        if r < 0.95:
            return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(1, 5)))
        return rng.choice(nouns)

    for _ in range(900):
        n = rng.randint(1, 8)
        s = ""
        for i in range(n):
            s += word()
            if i < n - 1:
                s += rng.choice([" ", " ", " ", "", ", "])
        if rng.random() < 0.8:
            s += rng.choice(puncts[:4])
        out.append(s)
    # Odd inputs: digits alone, long numbers, spaces at the ends, symbols, compatibility jamo.
    out += ["123", "3.14", "0", "20살", "20개", "10월 9일", "1번째", "6·25", " 안녕 ", "ㅋㅋㅋ 웃기다", "ㄱ", "ㅏ",
            "값이 없어요", "닭을 삶다", "읽고 있다", "넓죠", "밟다", "여덟 살", "12345678901234567개"]
    return out


def main(gpt_dir, wheel, out_path):
    stub_cmudict()
    sys.path.insert(0, os.path.join(gpt_dir, "GPT_SoVITS"))
    import mecab
    from text import korean

    tagger = mecab.MeCab()
    n = 0
    with gzip.open(out_path, "wt", encoding="utf-8") as f:
        for t in inputs(gpt_dir, wheel):
            rec = {"text": t, "pos": [list(p) for p in tagger.pos(t)]}
            try:
                rec["phones"] = korean.g2p(t)
            except Exception as e:  # upstream fails on some inputs; record it
                rec["error"] = type(e).__name__
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    print(n, "cases")


if __name__ == "__main__":
    main(*sys.argv[1:4])
