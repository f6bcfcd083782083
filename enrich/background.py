"""A dated timeline of archive sentences about the story's main entities, each citing its span."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from enrich import timex

MAIN_ENTITIES = 4
MIN_CHARS, MAX_CHARS = 40, 400
SUBJECT_FLOOR = 0.05  # a source on another subject counts far less...
MIN_SIMILARITY = 0.15  # ...and one this far from the article's subject not at all
NOISE = re.compile(r"[^a-z0-9]+")


def dated(sentence: str, published: date) -> tuple[str, str]:
    """The date of the sentence's event and how it was found: 'text' (written out), 'relative'
    (a weekday, "last year": resolved against the source's date) or 'published' (no expression,
    or one ahead of the source: a plan or forecast is dated by when it was reported)."""
    event = timex.event_date(sentence, published)
    start = timex.as_date(event.value) if event else None
    if event is None or (start is not None and start > published) or event.granularity in {"week", "decade"}:
        return published.isoformat(), "published"
    return event.value, "relative" if event.relative else "text"


def main_entities(entities: list[dict[str, Any]], count: int = MAIN_ENTITIES) -> list[dict[str, Any]]:
    """The most salient people, organisations and places (MISC entities are context, not subjects)."""
    return [e for e in entities if e["type"] in {"PER", "ORG", "LOC"}][:count]


def timeline(entities: list[dict[str, Any]], sources: dict[str, dict[str, Any]],
             weights: dict[str, float], limit: int) -> list[dict[str, Any]]:
    """Pick sentences of `sources` that mention the main entities, without repeats, in date order.

    A sentence weighs what its entities weigh in the article (salience times how specific the
    name is in the archive), times how much its source is about the same subject.
    """
    top_idf = max((weights.get("e:" + e["key"], 0.0) for e in entities), default=1.0) or 1.0
    weight_of = {e["key"]: e["salience"] * weights.get("e:" + e["key"], 0.0) / top_idf for e in entities}
    names = {e["key"]: e["name"] for e in entities}
    candidates = []
    for doc_id, doc in sources.items():
        if doc.get("similarity", 0.0) < MIN_SIMILARITY:
            continue
        for start, end, keys in doc["sentences"]:
            about = [k for k in keys if k in weight_of]
            text = doc["text"][start:end]
            if not about or not MIN_CHARS <= len(text) <= MAX_CHARS:
                continue
            weight = sum(weight_of[k] for k in about) * (SUBJECT_FLOOR + doc.get("similarity", 0.0))
            candidates.append((weight, doc["published_at"], doc_id, start, end, about, text))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2], c[3]))
    seen: set[str] = set()
    chosen = []
    for _, published, doc_id, start, end, about, text in candidates:
        fingerprint = NOISE.sub(" ", text.lower()).strip()
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        doc = sources[doc_id]
        when, how = dated(text, date.fromisoformat(published[:10]))
        chosen.append({
            "date": when,
            "date_from": how,
            "text": text,
            "entities": [names[k] for k in about],
            "source": {"archive_id": doc_id, "title": doc["title"], "url": doc.get("url") or None,
                       "published_at": published, "span": [start, end]},
        })
        if len(chosen) == limit:
            break
    chosen.sort(key=lambda item: (item["date"], item["source"]["archive_id"], item["source"]["span"]))
    return chosen
