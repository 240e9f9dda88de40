#!/usr/bin/env python3
"""Writes tests/fixtures/text/yue_jyutping_cases.jsonl.gz: 400 random strings (common Cantonese
characters, all of U+4E00-9FA5, and the 19 without a reading) and ToJyutping 3.2.0's
get_jyutping_list of each. usage: gen_yue_jyutping_cases.py OUT.jsonl.gz WHEEL_DIR"""
import gzip, json, random, sys
sys.path.insert(0, sys.argv[2])  # the unpacked ToJyutping 3.2.0 wheel
import ToJyutping
random.seed(20261202)
chars = [chr(c) for c in range(0x4E00, 0x9FA6)]
common = list("你我佢哋嘅咗喺唔係好食飯未呀嗰度點解咩啲乜嘢屋企返工今日天氣香港廣東話粵語重慶銀行覺得長大樂")
missing = [c for c in chars if ToJyutping.get_jyutping_list(c)[0][1] is None]
cases = []
for _ in range(400):
    n = random.randint(1, 12)
    pool = random.choice([common, chars, common + chars[:2000], common + missing])
    s = "".join(random.choice(pool) for _ in range(n))
    cases.append({"text": s, "list": ToJyutping.get_jyutping_list(s)})
with gzip.open(sys.argv[1], "wt", encoding="utf-8") as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases), "cases;", len(missing), "characters without a reading:", "".join(missing))
