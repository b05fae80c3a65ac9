#!/usr/bin/env python3
"""Converts the hand-written sources scripts/heldout_*.txt, scripts/handwritten_*.txt and
scripts/fresh*_*.txt to data/heldout.jsonl, data/handwritten.jsonl and data/fresh*.jsonl, and
scripts/otherlang_fresh*.txt (lines lang|text) to data/fresh*_other_languages.jsonl.

Line format: lang|kind|sentiment (- 0 +)|escalation signals, comma separated|text
Lines starting with # are comments. Run from anywhere; output is deterministic.
"""

import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SENT = {"-": "negative", "0": "neutral", "+": "positive"}
KINDS = {"cancel_order", "change_shipping_address", "change_order_items", "billing_info_error", "order_status",
         "not_received", "damaged_in_transit", "wrong_item_received", "missing_item", "not_as_described",
         "defective_item", "return_request", "exchange_request", "return_policy_question", "refund_status",
         "wrong_charge", "payment_not_reflected", "store_unavailable", "phishing_report", "other"}
SIGNALS = {"chargeback", "legal", "public_review", "repeat_contact", "urgent"}


def convert(prefix, out_name):
    rows = []
    for path in sorted(glob.glob(os.path.join(HERE, f"{prefix}_*.txt"))):
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            lang, kind, sent, esc, text = line.split("|", 4)
            assert kind in KINDS, (path, n, kind)
            assert lang in {"en", "es", "pt", "pl", "id"}, (path, n)
            signals = [s for s in esc.split(",") if s]
            assert all(s in SIGNALS for s in signals), (path, n, signals)
            rows.append({"text": text, "lang": lang, "kind": kind, "sentiment": SENT[sent], "escalation": signals})
    with open(os.path.join(HERE, "..", "data", out_name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{out_name}: {len(rows)} rows")


def convert_other(src, out_name):
    rows = []
    for n, line in enumerate(open(os.path.join(HERE, src), encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        lang, text = line.split("|", 1)
        assert lang not in {"en", "es", "pt", "pl", "id"}, (src, n)
        rows.append({"text": text, "lang": lang})
    with open(os.path.join(HERE, "..", "data", out_name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{out_name}: {len(rows)} rows")


convert("heldout", "heldout.jsonl")
convert("handwritten", "handwritten.jsonl")
convert("fresh", "fresh.jsonl")
convert_other("otherlang_fresh.txt", "fresh_other_languages.jsonl")
convert("fresh2", "fresh2.jsonl")
convert_other("otherlang_fresh2.txt", "fresh2_other_languages.jsonl")
convert("fresh3", "fresh3.jsonl")
convert_other("otherlang_fresh3.txt", "fresh3_other_languages.jsonl")
convert("fresh4", "fresh4.jsonl")
convert_other("otherlang_fresh4.txt", "fresh4_other_languages.jsonl")
