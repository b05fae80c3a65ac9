#!/usr/bin/env python3
"""Generates crates/redress-text/data/inbox.jsonl: messages in the style of real shop inboxes,
from the phrase banks in scripts/inbox_*.py (written for this project), in all five languages.

What it adds over gen_train.py: long messages whose request comes last (a story first), a side
remark on another topic, SMS abbreviations, dropped accents and Polish letters, code-switching
(Indonesian–English, Spanglish), sarcasm, local payment and carrier terms, escalation phrased
without keywords ("it's a gift for tomorrow", "nobody answers me"), and calm sentences that look
like escalation but are not ("I paid by bank transfer", "first time ordering"), so that the
escalation model learns where the line is. Run from the repository root:

    python3 crates/redress-text/scripts/gen_inbox.py

Deterministic (fixed seed). Slots are filled with the lists of scripts/lang_*.py.
"""

import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_train import HERE, LANGS, fill, load_file, strip_accents, typo  # noqa: E402

OUT = os.path.join(HERE, "..", "data", "inbox.jsonl")
PER_KIND = 120
POSITIVE_PER_LANG = 100
SEED = 20261205
# How often a message carries a signal, and which one (urgency and repeated contact are the
# ones missed most, so they come up most).
ESCALATION_RATE = 0.38
SIGNAL_WEIGHTS = {"urgent": 0.32, "repeat_contact": 0.32, "chargeback": 0.12, "legal": 0.12, "public_review": 0.12}
# Code-switching rates per language (Indonesian shop chats switch most).
MIX_RATE = {"en": 0.0, "es": 0.15, "pt": 0.05, "pl": 0.05, "id": 0.35}


def replace_words(rng, text, pairs, p):
    """Replaces whole words or phrases of `pairs` (case-insensitive), each hit with probability p."""
    for src, dst in pairs:
        pattern = re.compile(r"(?<!\w)" + re.escape(src) + r"(?!\w)", re.IGNORECASE)
        text = pattern.sub(lambda m: dst if rng.random() < p else m.group(0), text)
    return text


def sentiment_of(raw):
    if raw.startswith("!"):
        return "negative", raw[1:]
    if raw.startswith("+"):
        return "positive", raw[1:]
    return "neutral", raw


def pick_signal(rng):
    r = rng.random()
    for s, w in SIGNAL_WEIGHTS.items():
        if r < w:
            return s
        r -= w
    return "urgent"


def composed(rng, lang, signal):
    """An urgency or repeated-contact sentence put together from its parts (inbox_more.py)."""
    if signal == "urgent" and rng.random() < 0.4:
        event = rng.choice(MORE.URGENT_EVENT[lang])
        return f"{event[0].upper()}{event[1:]}, {rng.choice(MORE.URGENT_BY_THEN[lang])}"
    if signal == "repeat_contact" and rng.random() < 0.4:
        return rng.choice(MORE.REPEAT_MORE[lang])
    if signal == "urgent":
        need, when = rng.choice(MORE.URGENT_NEED[lang]), rng.choice(MORE.URGENT_WHEN[lang])
        text = f"{need} {when}" if rng.random() < 0.7 else f"{when[0].upper()}{when[1:]} {need}"
        return text[0].upper() + text[1:] + rng.choice([".", "!", "!!", ""])
    count = rng.choice(MORE.REPEAT_COUNT[lang])
    if count.endswith(".") and rng.random() < 0.5:
        return count
    return count.rstrip(".,") + " " + rng.choice(MORE.REPEAT_SILENCE[lang])


def generate_one(rng, L, B, kind):
    sentiment, raw = sentiment_of(rng.choice(B.KINDS[kind]))
    body = fill(rng, L, raw)
    before, after = [], []
    if rng.random() < 0.45:
        before.append(rng.choice(L.GREETINGS))
    r = rng.random()
    if r < 0.12:
        before.extend(fill(rng, L, s) for s in rng.sample(B.PREAMBLE, 3))
    elif r < 0.5:
        before.extend(fill(rng, L, s) for s in rng.sample(B.PREAMBLE, rng.choice([1, 1, 2])))
    if rng.random() < 0.1:
        (before if rng.random() < 0.5 else after).append(rng.choice(B.SIDE))
    escalation = []
    # Escalation comes with a problem: on `other` it would teach that threats mean `other`.
    if kind != "other" and rng.random() < ESCALATION_RATE:
        signals = [pick_signal(rng)]
        if rng.random() < 0.12:
            signals.append(pick_signal(rng))
        for s in dict.fromkeys(signals):
            bank = B.ESC[s] if rng.random() < 0.8 else L.ESCALATION[s]
            sentence = fill(rng, L, rng.choice(bank))
            if s in ("urgent", "repeat_contact") and rng.random() < 0.5:
                sentence = composed(rng, L.LANG, s)
            (before if rng.random() < 0.3 else after).append(sentence)
            escalation.append(s)
            # Threats and having to write again are negative; urgency alone need not be.
            if s in ("chargeback", "legal", "public_review", "repeat_contact"):
                sentiment = "negative"
            elif sentiment == "positive":
                sentiment = "neutral"
    if rng.random() < 0.2:
        calm = B.CALM if rng.random() < 0.7 else MORE.CALM_MORE[L.LANG]
        (before if rng.random() < 0.5 else after).append(fill(rng, L, rng.choice(calm)))
    if sentiment != "positive" and rng.random() < 0.08:
        after.append(rng.choice(B.SARCASM))
        sentiment = "negative"
    elif rng.random() < 0.3:
        after.append(rng.choice(B.POLITE))
    text = " ".join(p for p in before + [body] + after if p)
    if B.MIX and rng.random() < MIX_RATE[L.LANG]:
        text = replace_words(rng, text, B.MIX, 0.6)
    if rng.random() < 0.35:
        text = replace_words(rng, text, B.ABBREV, 0.7)
    if rng.random() < 0.35:
        text = text.lower()
    if L.ACCENTED and rng.random() < 0.4:
        text = strip_accents(text)
    if rng.random() < 0.2:
        text = typo(rng, text)
    if rng.random() < 0.2:
        text = "".join(c for c in text if c not in ",.!?¿¡")
    return {"text": text, "lang": L.LANG, "kind": kind, "sentiment": sentiment, "escalation": sorted(escalation)}


def main():
    rng = random.Random(SEED)
    global MORE
    MORE = load_file("inbox_more")
    rows = []
    for lang in LANGS:
        L = load_file(f"lang_{lang}")
        B = load_file(f"inbox_{lang}")
        assert set(B.KINDS) == set(L.KINDS), (lang, set(L.KINDS) ^ set(B.KINDS))
        for kind, templates in MORE.KINDS[lang].items():
            B.KINDS[kind] = B.KINDS[kind] + templates
        for kind in B.KINDS:
            seen = set()
            tries = 0
            while len(seen) < PER_KIND and tries < PER_KIND * 20:
                tries += 1
                ex = generate_one(rng, L, B, kind)
                if ex["text"] in seen:
                    continue
                seen.add(ex["text"])
                rows.append(ex)
        # Happy messages are rare in an inbox but must not read as complaints.
        for _ in range(POSITIVE_PER_LANG):
            parts = []
            if rng.random() < 0.5:
                parts.append(rng.choice(L.GREETINGS))
            if rng.random() < 0.25:
                parts.append(fill(rng, L, rng.choice(B.PREAMBLE)))
            parts.extend(rng.sample(B.POSITIVE, rng.choice([1, 1, 2])))
            if rng.random() < 0.3:
                parts.append(rng.choice(B.POLITE))
            text = " ".join(parts)
            if rng.random() < 0.35:
                text = replace_words(rng, text, B.ABBREV, 0.7)
            if rng.random() < 0.35:
                text = text.lower()
            if L.ACCENTED and rng.random() < 0.4:
                text = strip_accents(text)
            rows.append({"text": text, "lang": L.LANG, "kind": "other", "sentiment": "positive", "escalation": []})
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            if not r["escalation"]:
                del r["escalation"]
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(rows)} examples to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
