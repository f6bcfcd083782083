"""Look-ups against the archive index that the enrichment stages need."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import redis

from enrich.also_read import idf, recency
from enrich.features import dot, unit
from store import archive_index as index

LINK_FIELDS = ("title", "url", "published_at", "features", "id", "section", "tags")
MAX_QUERY_FEATURES = 30
MAX_CANDIDATES = 80


def related(r: redis.Redis, archives: list[str], query: dict[str, float], as_of: float,
            exclude_id: str | None) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Return idf weights of the query's known features and the best-overlapping docs of these
    archives (by qualified id) published at or before `as_of`, never `exclude_id` (qualified)."""
    n = index.size(r, *archives)
    df = index.document_frequencies(r, archives, list(query))
    weights = {f: idf(count, n) for f, count in df.items() if count > 0}
    chosen = sorted(weights, key=lambda f: (-weights[f] * query[f], f))[:MAX_QUERY_FEATURES]
    found = index.postings(r, archives, chosen, as_of)
    overlap, published = index.candidate_overlap(found, {f: weights[f] * query[f] for f in chosen})
    overlap.pop(exclude_id or "", None)
    prior = {i: v * recency(max(0.0, as_of - published[i]) / 86400) for i, v in overlap.items()}
    top = sorted(prior, key=lambda i: (-prior[i], i))[:MAX_CANDIDATES]
    docs = index.fetch_many(r, top, LINK_FIELDS)
    unseen = sorted({f for doc in docs.values() for f in doc["features"]} - weights.keys())
    weights.update({f: idf(count, n) for f, count in index.document_frequencies(r, archives, unseen).items()})
    return weights, docs


def link_docs(r: redis.Redis, archives: list[str], ids: list[str]) -> dict[str, dict[str, Any]]:
    """These articles (by their own ids) as related() gives candidates, each from the first of the
    archives that holds it (an editor's accepted links, kept on a re-publish)."""
    out: dict[str, dict[str, Any]] = {}
    wanted = list(ids)
    for archive in archives:
        found = index.fetch_many(r, [index.qualify(archive, i) for i in wanted], LINK_FIELDS)
        out.update(found)
        wanted = [i for i in wanted if index.qualify(archive, i) not in found]
    return out


STORY_FEATURES = 12  # the main entities and the strongest terms: what the story is about
STORY_POSTINGS = 1000  # per feature: the story's coverage reaches back that far
MAX_STORY_SOURCES = 150
SEEDS = 10  # the articles nearest the query, whose shared features say what the story is
STORY_MIN_COVERAGE = 0.1
RELATIVE_FLOOR = 0.5  # and at least this share of the best source's: a loose pool keeps only its core
PRIOR_DOCS = 1000  # idf as if the archive also held this many articles on other subjects


def _covering(r: redis.Redis, archives: list[str], strength: dict[str, float], before: float,
              exclude_id: str | None) -> dict[str, float]:
    """Archive ids published before `before` with the share of `strength` their features carry."""
    total = sum(strength.values()) or 1.0
    found = index.postings(r, archives, list(strength), before, exclusive=True, per_feature=STORY_POSTINGS)
    overlap, _ = index.candidate_overlap(found, strength)
    overlap.pop(exclude_id or "", None)
    return {i: v / total for i, v in overlap.items()}


def story_sources(r: redis.Redis, archives: list[str], query: dict[str, float], entity_keys: list[str],
                  before: float, exclude_id: str | None) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """The articles of these archives about the article's story (by qualified id), published
    strictly before `before`.

    The story is found in two steps. First the SEEDS articles that carry most of the weight of
    the article's main entities and strongest terms; then the features those seeds share (the
    story's names and words, not the article's angle on it: a side story about disabled people in
    Haiti belongs to the earthquake's story) define it, and every article carrying at least
    STORY_MIN_COVERAGE of their weight is about it. Weights are idf against the archive plus
    PRIOR_DOCS articles on other subjects, so a small archive, or one all about the story, still
    tells the story apart: without the prior a name every article shares would weigh nothing.
    Each source's `similarity` is its coverage of the story's features times (0.5 + its cosine to
    the article); sources below RELATIVE_FLOOR of the best are dropped before their text is read."""
    n = index.size(r, *archives) + PRIOR_DOCS
    df = index.document_frequencies(r, archives, list(query))
    weights = {f: idf(count, n) for f, count in df.items() if count > 0}
    entities = [f for f in ("e:" + k for k in entity_keys) if f in weights]
    terms = sorted((f for f in weights if f not in entities), key=lambda f: (-weights[f] * query[f], f))
    search = entities + terms[:max(0, STORY_FEATURES - len(entities))]
    first = _covering(r, archives, {f: weights[f] * query[f] for f in search}, before, exclude_id)
    seeds = sorted(first, key=lambda i: (-first[i], i))[:SEEDS]
    story: dict[str, float] = defaultdict(float)
    for doc in index.fetch_many(r, seeds, ("features",)).values():
        for feature, value in doc["features"].items():
            story[feature] += value
    for feature in search:
        story[feature] += query[feature] * max(1, len(seeds)) / 2  # the article itself counts too
    shared = [f for f in story if story[f] > 1.0 or f in search]
    weights.update({f: idf(count, n) for f, count in index.document_frequencies(
        r, archives, sorted(set(shared) - weights.keys())).items() if count > 0})
    ranked = sorted((f for f in shared if f in weights), key=lambda f: (-weights[f] * story[f], f))
    coverage = _covering(r, archives, {f: weights[f] * story[f] for f in ranked[:STORY_FEATURES]}, before,
                         exclude_id)
    best = sorted((i for i, c in coverage.items() if c >= STORY_MIN_COVERAGE),
                  key=lambda i: (-coverage[i], i))[:MAX_STORY_SOURCES]
    article = unit(query, weights)
    features = {doc_id: doc["features"] for doc_id, doc in index.fetch_many(r, best, ("features",)).items()}
    closeness = {doc_id: coverage[doc_id] * (0.5 + dot(article, unit(feats, weights)))
                 for doc_id, feats in features.items()}
    top = max(closeness.values(), default=0.0)
    kept = [i for i in best if closeness.get(i, -1.0) >= RELATIVE_FLOOR * top]
    docs = index.fetch_many(r, kept, ("title", "url", "published_at", "text", "sentences", "id", "section", "tags"))
    for doc_id, doc in docs.items():
        doc["similarity"], doc["features"] = closeness[doc_id], features[doc_id]
    return weights, docs
