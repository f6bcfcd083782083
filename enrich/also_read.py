"""Rank archive candidates as "also read" links: why each was chosen and where it fits."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from enrich import controls
from enrich.features import label
from schemas.enrichment import OptionsSchema

# Coverage of one story clusters in time: most earlier pieces on it appeared within days.
RECENCY_DAYS = 5.0
RECENCY_WEIGHT = 0.85
SELF_COPY = 0.95  # this similar to the article, a candidate is the article itself
NEAR_DUPLICATE = 0.95  # this similar to a link already kept, a candidate is a copy of it
TITLE_NOISE = re.compile(r"[^a-z0-9]+")
DEFAULT_OPTIONS = OptionsSchema().load({})  # what a request that sets no options gets


def idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 0.5))


def _epoch(published: str) -> float:
    return datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()


def unit(feats: dict[str, float], weights: dict[str, float]) -> dict[str, float]:
    """The features as an idf-weighted vector of length one."""
    vector = {f: w * weights.get(f, 0.0) for f, w in feats.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items() if v}


def dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[f] for f, v in a.items() if f in b)


def recency(age_days: float) -> float:
    """Coverage of the same story clusters in time: closer earlier articles rank a little higher."""
    return 1.0 - RECENCY_WEIGHT + RECENCY_WEIGHT * math.exp(-age_days / RECENCY_DAYS)


def reason(shared: list[str], names: dict[str, str]) -> str:
    entities = [names.get(f, label(f)) for f in shared if f.startswith("e:")][:3]
    terms = [label(f) for f in shared if f.startswith("t:")][:3]
    parts = []
    if entities:
        parts.append("mentions " + ", ".join(entities))
    if terms:
        parts.append("shares the topics " + ", ".join(terms))
    return "Also " + " and ".join(parts) + "." if parts else "Related coverage."


def placement(shared: list[str], mentions: dict[str, list[list[int]]],
              paragraphs: list[list[int]], weights: dict[str, float]) -> int:
    """Index of the paragraph with the most weight of shared entity mentions (0 if none)."""
    best, best_score = 0, 0.0
    for index, (start, end) in enumerate(paragraphs):
        total = sum(weights[f] for f in shared for s, _ in mentions.get(f, []) if start <= s < end)
        if total > best_score:
            best, best_score = index, total
    return best


def rank(query: dict[str, float], weights: dict[str, float], docs: dict[str, dict[str, Any]],
         prepared: dict[str, Any], as_of: float, limit: int,
         options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Score candidates, collapse near-duplicates to one, and explain each link kept.

    A copy of the article itself (a re-post or syndicated copy under another id) is no link; of
    several copies of one archive story (same headline, or nearly the same features) the best
    scored stands for all. The editor's `options` (enrich/controls.py) exclude articles, set a
    window and a score floor, and prefer sections or tags; without them, the defaults apply.
    """
    options = DEFAULT_OPTIONS if options is None else options
    names = {"e:" + e["key"]: e["name"] for e in prepared["entities"]}
    mentions = {"e:" + e["key"]: e["mentions"] for e in prepared["entities"]}
    query_unit = unit(query, weights)
    keep = set(options.get("keep") or ())  # an editor accepted these for this article: they stay, first
    scored = []
    for doc_id, doc in docs.items():
        accepted = doc.get("id") in keep
        published = _epoch(doc["published_at"])
        if controls.excluded(doc, options) or not (accepted or controls.in_window(published, options, as_of)):
            continue
        doc_unit = unit(doc["features"], weights)
        value = dot(query_unit, doc_unit)
        if not accepted and (value <= 0 or value >= SELF_COPY):
            continue
        value *= recency(max(0.0, (as_of - published) / 86400)) * controls.preference(doc, options)
        scored.append((accepted, value, doc_id, doc, doc_unit))
    scored.sort(key=lambda item: (not item[0], -item[1], item[2]))
    lowest = controls.floor(max((item[1] for item in scored if not item[0]), default=0.0), options)
    seen_titles: set[str] = set()
    kept: list[dict[str, float]] = []
    out: list[dict[str, Any]] = []
    for accepted, value, doc_id, doc, doc_unit in scored:
        if value < lowest and not accepted:
            break
        title_key = TITLE_NOISE.sub(" ", doc["title"].lower()).strip()
        if title_key in seen_titles or any(dot(doc_unit, other) >= NEAR_DUPLICATE for other in kept):
            continue
        seen_titles.add(title_key)
        kept.append(doc_unit)
        shared = sorted(query.keys() & doc["features"].keys(),
                        key=lambda f: -weights[f] * query[f] * doc["features"][f])
        out.append({
            "archive_id": doc_id, "title": doc["title"], "url": doc.get("url") or None,
            "published_at": doc["published_at"], "score": round(min(value, 1.0), 4),
            "reason": "kept: an editor accepted it for this article" if accepted else reason(shared, names),
            "insert_after_paragraph": placement(shared, mentions, prepared["paragraphs"], weights),
        })
        if len(out) == limit:
            break
    return out
