#!/usr/bin/env python3
"""Write `sovits-core/data/ko/jamo_hcj.tsv`: what `jamo.j2hcj` (jamo 0.4.1, Apache-2.0, PyPI)
turns each conjoining jamo into, one `code<TAB>hcj` line (hex) per character it changes.

usage: gen_ko_jamo.py OUT.tsv     (with jamo 0.4.1 installed)

Characters it leaves alone are not listed; those it raises on (`InvalidJamoError`: the
Hangul Jamo Extended-A/B blocks U+A960-A97C, U+D7B0-D7C6, U+D7CB-D7FB) are checked here to be
exactly those ranges, which `sovits-core/src/text/ko/jamo.rs` names.
"""
import sys

import jamo

rows, raises = [], []
for c in range(0x110000):
    ch = chr(c)
    if not jamo.is_jamo(ch):
        continue
    try:
        r = jamo.j2hcj(ch)
    except jamo.InvalidJamoError:
        raises.append(c)
        continue
    if r != ch:
        rows.append((c, ord(r)))
expected = list(range(0xA960, 0xA97D)) + list(range(0xD7B0, 0xD7C7)) + list(range(0xD7CB, 0xD7FC))
if raises != expected:
    raise SystemExit("jamo raises on other characters than the Extended-A/B blocks")
with open(sys.argv[1], "w") as f:
    for a, b in rows:
        f.write(f"{a:04X}\t{b:04X}\n")
print(len(rows), "mapped,", len(raises), "raise")
