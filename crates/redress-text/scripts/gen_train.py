#!/usr/bin/env python3
"""Generates crates/redress-text/data/train.jsonl from the templates in scripts/lang_*.py.

Every template and slot filler was written for this project. Run from the repository root:

    python3 crates/redress-text/scripts/gen_train.py

The output is deterministic (fixed seed). The held-out file (data/heldout.jsonl) is written
separately by hand and is never produced or read here.

Template syntax: a leading "!" marks a negative message, "+" a positive one, nothing neutral.
Slots: {item} {ord} {size} {size2} {colour} {colour2} {days} {amount} {date} {carrier} {email}
{track}. A template may be a "|"-separated list of fragments; fragments are joined with spaces,
which lets one template combine a problem with context.
"""

import importlib.util
import json
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "train.jsonl")
LANGS = ["en", "es", "pt", "pl", "id"]
PER_KIND = 200  # examples per kind per language
SEED = 20261123
# Kinds where the message states a problem; a remedy request ("send a new one", "refund me")
# is appended at random so that the model learns the kind from the problem, not the request.
COMPLAINTS = {"not_received", "damaged_in_transit", "wrong_item_received", "missing_item", "not_as_described",
              "defective_item", "wrong_charge", "payment_not_reflected", "store_unavailable"}


def load_file(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load(lang):
    """Templates of lang_<lang>.py plus the extra phrasings of extra_<lang>.py."""
    mod = load_file(f"lang_{lang}")
    for name in (f"extra_{lang}", f"extra2_{lang}"):
        if not os.path.exists(os.path.join(HERE, f"{name}.py")):
            continue
        extra = load_file(name)
        for kind, templates in extra.KINDS.items():
            mod.KINDS[kind] = mod.KINDS[kind] + templates
    return mod


def strip_accents(s):
    out = []
    for c in s:
        if c in "łŁ":
            out.append("l" if c == "ł" else "L")
            continue
        d = unicodedata.normalize("NFD", c)
        out.append("".join(x for x in d if unicodedata.category(x) != "Mn"))
    return "".join(out)


def typo(rng, s):
    words = s.split(" ")
    cands = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not cands:
        return s
    i = rng.choice(cands)
    w = list(words[i])
    op = rng.randrange(3)
    j = rng.randrange(1, len(w) - 1)
    if op == 0:
        w[j], w[j + 1] = w[j + 1], w[j]
    elif op == 1:
        del w[j]
    else:
        w.insert(j, w[j])
    words[i] = "".join(w)
    return " ".join(words)


def order_number(rng):
    n = str(rng.randrange(1000, 99999999))
    return rng.choice([n, n, f"ORD-{n}", f"{rng.randrange(100, 999)}-{n}"])


def tracking(rng):
    c = rng.choice(["LX", "RR", "CP", "JD", "UA"])
    cc = rng.choice(["PL", "BR", "ES", "US", "ID", "CN"])
    return rng.choice([f"{c}{rng.randrange(100000000, 999999999)}{cc}", f"1Z{rng.randrange(10**15, 10**16)}",
                       str(rng.randrange(10**11, 10**13))])


def fill(rng, L, template):
    slots = {
        "item": lambda: rng.choice(L.ITEMS),
        "ord": lambda: rng.choice(L.ORDER_REFS).format(n=order_number(rng)).replace("##", "#"),
        "size": lambda: rng.choice(L.SIZES),
        "size2": lambda: rng.choice(L.SIZES),
        "colour": lambda: rng.choice(L.COLOURS),
        "colour2": lambda: rng.choice(L.COLOURS),
        "days": lambda: str(rng.choice([2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15, 20, 21, 30])),
        "amount": lambda: rng.choice(L.AMOUNTS)(rng),
        "date": lambda: rng.choice(L.DATES),
        "carrier": lambda: rng.choice(L.CARRIERS),
        "email": lambda: rng.choice(["ana", "jk.smith", "maria.g", "budi88", "kasia_w"]) + "@" + rng.choice(
            ["gmail.com", "outlook.com", "yahoo.com", "wp.pl", "uol.com.br"]),
        "track": lambda: tracking(rng),
    }
    out = template
    for name, f in slots.items():
        while "{" + name + "}" in out:
            out = out.replace("{" + name + "}", f(), 1)
    return out


# Templates that ask for speed in so many words ("cancel it asap") are urgent whether or not an
# escalation sentence was appended; without this they would teach the model that "asap" is not.
URGENT_WORDS = re.compile(r"(?<!\w)(asap|urgent\w*|immediately|right away|cuanto antes|inmediatamente|de inmediato|"
                          r"o quanto antes|imediatamente|pilne|pilnie|natychmiast\w*|segera|secepatnya)(?!\w)",
                          re.IGNORECASE)


def generate_one(rng, L, kind):
    raw = rng.choice(L.KINDS[kind])
    sentiment = "neutral"
    if raw.startswith("!"):
        sentiment, raw = "negative", raw[1:]
    elif raw.startswith("+"):
        sentiment, raw = "positive", raw[1:]
    body = " ".join(fill(rng, L, frag.strip()) for frag in raw.split("|"))
    parts = []
    if rng.random() < 0.5:
        parts.append(rng.choice(L.GREETINGS))
    if rng.random() < 0.25:
        parts.append(fill(rng, L, rng.choice(L.CONTEXT)))
    parts.append(body)
    if kind in COMPLAINTS and rng.random() < 0.4:
        parts.append(fill(rng, L, rng.choice(L.REQUESTS)))
    escalation = []
    # A threat or a reminder comes with a problem; on `other` (thanks, questions) it would teach
    # the model that such sentences mean `other`. The sentence is still drawn, so that the
    # random sequence (and every other example) stays the same.
    if rng.random() < 0.22:
        signal = rng.choice(list(L.ESCALATION))
        sentence = fill(rng, L, rng.choice(L.ESCALATION[signal]))
        if kind != "other":
            parts.append(sentence)
            escalation.append(signal)
            if signal in ("chargeback", "legal", "public_review", "repeat_contact"):
                sentiment = "negative"
    if rng.random() < 0.15 and sentiment != "positive":
        parts.append(rng.choice(L.ANGRY))
        sentiment = "negative"
    elif rng.random() < 0.35:
        parts.append(rng.choice(L.CLOSINGS))
    text = " ".join(p for p in parts if p)
    r = rng.random()
    if r < 0.25:
        text = text.lower()
    if L.ACCENTED and rng.random() < 0.3:
        text = strip_accents(text)
    if rng.random() < 0.2:
        text = typo(rng, text)
    if rng.random() < 0.15:
        text = "".join(c for c in text if c not in ",.!?¿¡")
    if "urgent" not in escalation and URGENT_WORDS.search(strip_accents(text)):
        escalation.append("urgent")
    return {"text": text, "lang": L.LANG, "kind": kind, "sentiment": sentiment, "escalation": escalation}


def main():
    rng = random.Random(SEED)
    rows = []
    for lang in LANGS:
        L = load(lang)
        for kind, templates in L.KINDS.items():
            assert templates, (lang, kind)
            seen = set()
            tries = 0
            n = 0
            while n < PER_KIND and tries < PER_KIND * 20:
                tries += 1
                ex = generate_one(rng, L, kind)
                if ex["text"] in seen:
                    continue
                seen.add(ex["text"])
                rows.append(ex)
                n += 1
    kinds = {k for lang in LANGS for k in load(lang).KINDS}
    assert len(kinds) == 20, sorted(kinds)
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            if not r["escalation"]:
                del r["escalation"]
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(rows)} examples to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
