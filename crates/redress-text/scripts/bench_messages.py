#!/usr/bin/env python3
"""Writes JSONL requests for `redress understand` whose texts are 500 bytes long (typical email
length), made by joining held-out messages of one language, to standard output:

    python3 crates/redress-text/scripts/bench_messages.py 20000 > /tmp/m500.jsonl
    time redress understand < /tmp/m500.jsonl > /dev/null
"""

import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rows = [json.loads(l) for l in open(os.path.join(HERE, "..", "data", "heldout.jsonl"), encoding="utf-8")]
    by_lang = {}
    for r in rows:
        by_lang.setdefault(r["lang"], []).append(r["text"])
    rng = random.Random(500)
    langs = sorted(by_lang)
    for i in range(n):
        texts = by_lang[langs[i % len(langs)]]
        out = ""
        while len(out.encode()) < 500:
            out += rng.choice(texts) + " "
        b = out.encode()[:500]
        while True:
            try:
                text = b.decode()
                break
            except UnicodeDecodeError:
                b = b[:-1]
        print(json.dumps({"id": i, "text": text}, ensure_ascii=False))


main()
