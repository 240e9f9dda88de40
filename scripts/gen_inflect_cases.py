import inflect, json, random
e = inflect.engine()
random.seed(7)
nums = list(range(0, 1100)) + list(range(1100, 3000, 7)) + [random.randrange(3000, 10**7) for _ in range(300)] + [random.randrange(10**7, 10**20) for _ in range(100)] + [10**k for k in range(1, 36)] + [10**k + 1 for k in range(1,36)]
out = []
for n in nums:
    s = str(n)
    out.append({"n": s, "g0": e.number_to_words(n, andword=""), "g0and": e.number_to_words(n), "g2": e.number_to_words(n, andword="", zero="oh", group=2) if n > 9 else None,
                "ord": e.number_to_words(e.ordinal(s)), "ordw": e.ordinal(e.number_to_words(n)), "ordd": e.ordinal(s)})
with open('tests/fixtures/inflect_cases.jsonl','w') as f:
    for o in out: f.write(json.dumps(o)+"\n")
print(len(out))
