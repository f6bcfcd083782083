"""Sentences that look ahead, from TempEval-3's gold time expressions: a sentence whose dates all
fall after its document's date speaks of what is to come ("talks will resume next month"); one whose
dates all fall on or before it reports what was. Labels the look-ahead head of the consequence
model (training/consequence/) is trained and scored on: TimeBank documents to train and choose,
AQUAINT documents to report (evaluation/causal.py), so no choice is made on the reported split.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

CALENDAR = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # a year, month or day (not a week, season or quarter)
# A preposition left in front of a cut-out time expression goes with it ("resume [on Friday]").
LEFT_BEHIND = re.compile(r"\b(?:on|in|at|by|until|till|since|from|through|during|before|after|for|of|as of|"
                         r"early|late|mid|last|next|this|the)\s*$", re.IGNORECASE)


def undated(sentence: str, spans: list[tuple[int, int]]) -> str:
    """`sentence` with the character spans of its time expressions cut out, each with a preposition
    or determiner left in front of it ("the" stands for a possessive one: "Tuesday's vote"),
    whitespace and punctuation left doubled collapsed."""
    out, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        kept = sentence[at:start]
        if sentence.startswith("'s", end):
            out += [kept, "the"]
            at = end + 2
            continue
        while (m := LEFT_BEHIND.search(kept)):
            kept = kept[:m.start()]
        out.append(kept)
        at = end
    out.append(sentence[at:])
    text = re.sub(r"\s+([,.;:])", r"\1", " ".join(" ".join(out).split()))
    return re.sub(r"[,;:]+([,.;:])", r"\1", text)


def date_side(value: str, dct: str) -> str:
    """'F' after the document's date, 'P' before, 'S' the same (compared at the value's precision)."""
    width = min(len(value), len(dct))
    a, b = value[:width], dct[:width]
    return "F" if a > b else "P" if a < b else "S"


def labelled_sentences(path: Path) -> list[dict[str, Any]]:
    """{text, undated, ahead (0/1), corpus, doc_id} for each sentence with dated DATE expressions all
    on one side of its document's date (mixed sentences are left out)."""
    sides: dict[tuple[str, str], set[str]] = defaultdict(set)
    meta: dict[tuple[str, str], tuple[str, str]] = {}
    spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        spans[(r["doc_id"], r["sentence"])].append(tuple(r["char_span_in_sentence"]))
        if r["type"] != "DATE" or not CALENDAR.match(r["value"]):
            continue
        key = (r["doc_id"], r["sentence"])
        sides[key].add(date_side(r["value"], r["dct"]))
        meta[key] = (r["corpus"], r["doc_id"])
    out = []
    for key, seen in sorted(sides.items()):
        if seen == {"F"} or "F" not in seen:
            out.append({"text": " ".join(key[1].split()), "undated": undated(key[1], spans[key]),
                        "ahead": int(seen == {"F"}),
                        "corpus": meta[key][0], "doc_id": meta[key][1]})
    return out


def by_document(rows: list[dict[str, Any]], share: float = 0.2) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(fit, choice): every fifth document (sorted ids) to the choice part, where the consequence
    model's training keeps its epoch (training/consequence/train.py)."""
    docs = sorted({r["doc_id"] for r in rows})
    choice = set(docs[::round(1 / share)])
    return [r for r in rows if r["doc_id"] not in choice], [r for r in rows if r["doc_id"] in choice]
