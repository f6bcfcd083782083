"""Weighted features of an analysed text: the shared vocabulary of indexing and retrieval."""

from __future__ import annotations

import math
from typing import Any

MAX_TERMS = 100
# The terms an archive article posts (besides its entities). Chosen with evaluation/archive_terms.py
# on the tuning half of gva_news's incidents: the fewest whose also-read recall@5, MRR@10 and nDCG@5
# stay within 0.005 of 100 terms' (0.885/0.904/0.879 against 0.884/0.904/0.883), at 6,274 B an
# article in Redis against 13,596; 10 terms lost 0.006 of recall@5. Measured after the choice: the
# story look-up reads these postings too, and gva_news implications in an allowed category went
# 0.820 -> 0.797 on the same half (docs/evaluation.md).
ARCHIVE_TERMS = 15
TITLE_BOOST = 1.0


def features(analysis: dict[str, Any], in_title: set[str] = frozenset(),  # type: ignore[assignment]
             max_terms: int | None = None) -> dict[str, float]:
    """Entity features ('e:PER:john smith') and the most frequent terms ('t:oil'), log-weighted;
    what the headline names counts extra (a page's body may be mostly boilerplate)."""
    max_terms = MAX_TERMS if max_terms is None else max_terms
    out: dict[str, float] = {}
    for ent in analysis["entities"]:
        for key in (ent["key"], *ent.get("aliases", ())):  # "Shell" matches articles on "Shell Oil"
            out["e:" + key] = 1.0 + math.log(max(1, len(ent["mentions"])))
    top_terms = sorted(analysis["terms"].items(), key=lambda kv: (-kv[1], kv[0]))[:max_terms]
    for term, count in top_terms:
        out["t:" + term] = 1.0 + math.log(count)
    for feature in in_title:
        out[feature] = out.get(feature, 1.0) + TITLE_BOOST
    return out


def sentence_entities(analysis: dict[str, Any]) -> list[list[Any]]:
    """Each sentence that mentions an entity, as [start, end, [entity keys]]."""
    mentions = sorted((start, ent["key"]) for ent in analysis["entities"]
                      for start, _ in ent["mentions"])
    out: list[list[Any]] = []
    i = 0
    for start, end in analysis["sentences"]:
        while i < len(mentions) and mentions[i][0] < start:
            i += 1
        keys: list[str] = []
        j = i
        while j < len(mentions) and mentions[j][0] < end:
            if mentions[j][1] not in keys:
                keys.append(mentions[j][1])
            j += 1
        if keys:
            out.append([start, end, keys])
    return out


def label(feature: str) -> str:
    """Human name of a feature key: 'e:ORG:opec' -> 'opec', 't:oil' -> 'oil'."""
    return feature.rsplit(":", 1)[1]


def unit(feats: dict[str, float], weights: dict[str, float]) -> dict[str, float]:
    """The features as an idf-weighted vector of length one."""
    vector = {f: w * weights.get(f, 0.0) for f, w in feats.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items() if v}


def dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[f] for f, v in a.items() if f in b)
