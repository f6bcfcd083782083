"""A dated timeline of archive sentences about the story's main entities, each citing its span."""

from __future__ import annotations

import re
from typing import Any

MAIN_ENTITIES = 4
MIN_CHARS, MAX_CHARS = 40, 400
NOISE = re.compile(r"[^a-z0-9]+")


def main_entities(entities: list[dict[str, Any]], count: int = MAIN_ENTITIES) -> list[dict[str, Any]]:
    """The most salient people, organisations and places (MISC entities are context, not subjects)."""
    return [e for e in entities if e["type"] in {"PER", "ORG", "LOC"}][:count]


def timeline(entities: list[dict[str, Any]], sources: dict[str, dict[str, Any]],
             limit: int) -> list[dict[str, Any]]:
    """Pick sentences of `sources` that mention the main entities, without repeats, in date order."""
    salience = {e["key"]: e["salience"] for e in entities}
    names = {e["key"]: e["name"] for e in entities}
    candidates = []
    for doc_id, doc in sources.items():
        for start, end, keys in doc["sentences"]:
            about = [k for k in keys if k in salience]
            text = doc["text"][start:end]
            if not about or not MIN_CHARS <= len(text) <= MAX_CHARS:
                continue
            weight = sum(salience[k] for k in about) + 0.1 * len(keys)
            candidates.append((weight, doc["published_at"], doc_id, start, end, about, text))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2], c[3]))
    seen: set[str] = set()
    chosen = []
    for weight, published, doc_id, start, end, about, text in candidates:
        fingerprint = NOISE.sub(" ", text.lower()).strip()
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        doc = sources[doc_id]
        chosen.append({
            "date": published[:10],
            "text": text,
            "entities": [names[k] for k in about],
            "source": {"archive_id": doc_id, "title": doc["title"], "url": doc.get("url") or None,
                       "published_at": published, "span": [start, end]},
        })
        if len(chosen) == limit:
            break
    chosen.sort(key=lambda item: (item["date"], item["source"]["archive_id"], item["source"]["span"]))
    return chosen
