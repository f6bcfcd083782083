"""Look-ups against the archive index that the enrichment stages need."""

from __future__ import annotations

from typing import Any

import redis

from enrich.also_read import idf, recency, similarity
from store import archive_index as index

MAX_QUERY_FEATURES = 30
MAX_CANDIDATES = 80
ENTITY_POSTINGS = 60
MAX_SOURCES = 15


def related(r: redis.Redis, query: dict[str, float], as_of: float, exclude_id: str | None
            ) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Return idf weights of the query's known features and the best-overlapping archive docs
    published at or before `as_of`, never `exclude_id`."""
    n = index.size(r)
    df = index.document_frequencies(r, list(query))
    weights = {f: idf(count, n) for f, count in df.items() if count > 0}
    chosen = sorted(weights, key=lambda f: (-weights[f] * query[f], f))[:MAX_QUERY_FEATURES]
    found = index.postings(r, chosen, as_of)
    overlap, published = index.candidate_overlap(found, {f: weights[f] * query[f] for f in chosen})
    overlap.pop(exclude_id or "", None)
    prior = {i: v * recency(max(0.0, as_of - published[i]) / 86400) for i, v in overlap.items()}
    top = sorted(prior, key=lambda i: (-prior[i], i))[:MAX_CANDIDATES]
    docs = index.fetch_many(r, top, ("title", "url", "published_at", "features"))
    unseen = sorted({f for doc in docs.values() for f in doc["features"]} - weights.keys())
    weights.update({f: idf(count, n) for f, count in index.document_frequencies(r, unseen).items()})
    return weights, docs


def entity_sources(r: redis.Redis, query: dict[str, float], entity_keys: list[str], before: float,
                   exclude_id: str | None) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Archive docs published strictly before `before` that mention any of the entities, the
    ones most about the same subject as the article (by feature similarity) first, and the idf
    weights of the query's features."""
    found = index.postings(r, ["e:" + k for k in entity_keys], before, exclusive=True,
                           per_feature=ENTITY_POSTINGS)
    ids = sorted({i for hits in found.values() for i, _ in hits} - {exclude_id or ""})
    n = index.size(r)
    candidates = index.fetch_many(r, ids, ("features",))
    wanted = set(query) | {f for doc in candidates.values() for f in doc["features"]}
    weights = {f: idf(count, n) for f, count in index.document_frequencies(r, sorted(wanted)).items()}
    similar = {i: similarity(query, doc["features"], weights) for i, doc in candidates.items()}
    best = sorted(similar, key=lambda i: (-similar[i], i))[:MAX_SOURCES]
    docs = index.fetch_many(r, best, ("title", "url", "published_at", "text", "sentences"))
    for doc_id, doc in docs.items():
        doc["similarity"] = similar[doc_id]
    return weights, docs
