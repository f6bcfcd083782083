"""Rank archive candidates as "also read" links: why each was chosen and where it fits."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from enrich import controls, versions
from enrich.features import dot, label, unit
from schemas.enrichment import OptionsSchema

# Coverage of one story clusters in time: most earlier pieces on it appeared within days.
RECENCY_DAYS = 5.0
RECENCY_WEIGHT = 0.85
SELF_COPY = 0.95  # this similar to the article, a candidate is the article itself
DEFAULT_OPTIONS = OptionsSchema().load({})  # what a request that sets no options gets


def idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 0.5))


def recency(age_days: Any) -> Any:
    """Coverage of the same story clusters in time: closer earlier articles rank a little higher
    (a number of days, or a numpy array of them)."""
    value = 1.0 - RECENCY_WEIGHT + RECENCY_WEIGHT * np.exp(-np.asarray(age_days) / RECENCY_DAYS)
    return value if np.ndim(value) else float(value)


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
        total = sum(weights.get(f, 0.0) for f in shared for s, _ in mentions.get(f, []) if start <= s < end)
        if total > best_score:
            best, best_score = index, total
    return best


def versions_of_article(copies: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The article's own copies found in the archive (never links), earliest first."""
    return sorted(({"archive_id": doc_id, "title": doc["title"], "url": doc.get("url") or None,
                    "published_at": doc["published_at"]} for doc_id, doc in copies.items()),
                  key=lambda v: (versions.published_epoch(v["published_at"]), v["archive_id"]))


def rank(query: dict[str, float], weights: dict[str, float], docs: dict[str, dict[str, Any]],
         prepared: dict[str, Any], as_of: float, limit: int,
         options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Score candidates, collapse versions of one story to one link, and explain each link kept.

    A copy of the article itself (a re-post or syndicated copy under another id) is no link; of
    several versions of one archive story (enrich/versions.py) one link stands for all, scored as
    the best of them. The editor's `options` (enrich/controls.py) exclude articles, set a window
    and a score floor, and prefer sections or tags; without them, the defaults apply.
    """
    options = DEFAULT_OPTIONS if options is None else options
    names = {"e:" + e["key"]: e["name"] for e in prepared["entities"]}
    mentions = {"e:" + e["key"]: e["mentions"] for e in prepared["entities"]}
    query_unit = unit(query, weights)
    keep = set(options.get("keep") or ())  # an editor accepted these for this article: they stay, first
    scored = []
    units: dict[str, dict[str, float]] = {}
    for doc_id, doc in docs.items():
        accepted = doc.get("id") in keep
        published = versions.published_epoch(doc["published_at"])
        if controls.excluded(doc, options) or not (accepted or controls.in_window(published, options, as_of)):
            continue
        units[doc_id] = unit(doc["features"], weights)
        value = dot(query_unit, units[doc_id])
        if not accepted and (value <= 0 or value >= SELF_COPY):
            continue
        value *= recency(max(0.0, (as_of - published) / 86400)) * controls.preference(doc, options)
        scored.append((accepted, value, doc_id))
    scored.sort(key=lambda item: (not item[0], -item[1], item[2]))
    lowest = controls.floor(max((item[1] for item in scored if not item[0]), default=0.0), options)
    eligible = [item for item in scored if item[0] or item[1] >= lowest]
    value_of = {doc_id: value for _, value, doc_id in eligible}
    stories = versions.group([doc_id for _, _, doc_id in eligible], {i: docs[i]["title"] for i in value_of},
                             {i: versions.signature(units[i]) for i in value_of}, units.__getitem__,
                             max_groups=limit)
    out: list[dict[str, Any]] = []
    for members in stories[:limit]:
        doc_id = versions.representative(members, docs, options, keep)
        doc = docs[doc_id]
        accepted = doc.get("id") in keep
        shared = sorted(query.keys() & doc["features"].keys(),
                        key=lambda f: -weights.get(f, 0.0) * query[f] * doc["features"][f])
        out.append({
            "archive_id": doc_id, "title": doc["title"], "url": doc.get("url") or None,
            "published_at": doc["published_at"], "score": round(min(value_of[members[0]], 1.0), 4),
            "reason": "kept: an editor accepted it for this article" if accepted else reason(shared, names),
            "insert_after_paragraph": placement(shared, mentions, prepared["paragraphs"], weights),
        })
    return out
