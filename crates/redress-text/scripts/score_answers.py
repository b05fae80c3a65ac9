#!/usr/bin/env python3
"""Scores the answers of any `redress understand` (this build or an older one) on one of the
project's labelled sets, so that models that cannot be loaded by the same code can be compared
on the same messages:

    python3 crates/redress-text/scripts/score_answers.py requests data/fresh4.jsonl > /tmp/req.jsonl
    redress understand < /tmp/req.jsonl > /tmp/ans.jsonl
    python3 crates/redress-text/scripts/score_answers.py score data/fresh4.jsonl /tmp/ans.jsonl

A set whose lines have no `kind` (messages in other languages) is scored on how many are
reported as not one of the five languages.
"""

import collections
import json
import sys

FIVE = {"en", "es", "pt", "pl", "id"}


def macro_f1(pairs):
    gold = collections.Counter(g for g, _ in pairs)
    pred = collections.Counter(p for _, p in pairs)
    tp = collections.Counter(g for g, p in pairs if g == p)
    f1s = []
    for c in gold:
        prec = tp[c] / pred[c] if pred[c] else 0.0
        rec = tp[c] / gold[c]
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return 100 * sum(f1s) / len(f1s) if f1s else 0.0


def main():
    mode, gold_path = sys.argv[1], sys.argv[2]
    gold = [json.loads(l) for l in open(gold_path, encoding="utf-8") if l.strip()]
    if mode == "requests":
        for i, g in enumerate(gold):
            print(json.dumps({"id": i, "text": g["text"]}, ensure_ascii=False))
        return
    answers = {}
    for l in open(sys.argv[3], encoding="utf-8"):
        a = json.loads(l)
        answers[a["id"]] = a["analysis"]
    if "kind" not in gold[0]:
        by = collections.defaultdict(lambda: [0, 0])
        for i, g in enumerate(gold):
            lang = answers[i]["language"]
            other = not lang.get("supported", lang["tag"] in FIVE) or lang["tag"] not in FIVE
            by[g["lang"]][0] += other
            by[g["lang"]][1] += 1
        total = [sum(v[0] for v in by.values()), sum(v[1] for v in by.values())]
        print("reported as not one of the five:", {k: f"{v[0]}/{v[1]}" for k, v in sorted(by.items())},
              f"all {100 * total[0] / total[1]:.1f}%")
        return
    kinds, sents = collections.defaultdict(list), collections.defaultdict(list)
    rec, fa = collections.defaultdict(lambda: [0, 0]), [0, 0]
    for i, g in enumerate(gold):
        a = answers[i]
        kinds[g["lang"]].append((g["kind"], a["kind"]))
        sents[g["lang"]].append((g["sentiment"], a["sentiment"]))
        found = {e["signal"] for e in a["escalation"]}
        for s in g.get("escalation", []):
            rec[s][1] += 1
            rec[s][0] += s in found
        if not g.get("escalation"):
            fa[1] += 1
            fa[0] += bool(found)
    for lang in sorted(kinds):
        print(f"{lang}: kind macro-F1 {macro_f1(kinds[lang]):.1f}%  sentiment macro-F1 {macro_f1(sents[lang]):.1f}%")
    allk = [p for v in kinds.values() for p in v]
    alls = [p for v in sents.values() for p in v]
    print(f"all: kind macro-F1 {macro_f1(allk):.1f}%  sentiment macro-F1 {macro_f1(alls):.1f}%")
    print("escalation recall:", {s: f"{a}/{b} = {100 * a / b:.0f}%" for s, (a, b) in sorted(rec.items())},
          f"false alarms {fa[0]}/{fa[1]} = {100 * fa[0] / max(fa[1], 1):.1f}%")


main()
