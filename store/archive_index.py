"""The newsroom archive in Redis: documents, an inverted index dated by publication, retractions.

Postings are sorted sets (article id -> published epoch), so any number of workers share one
index, a newly indexed article is searchable at once, and every lookup can be cut "as of" a date.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from typing import Any

import orjson
import redis

from store.jobs import PREFIX

DOC = PREFIX + "arc:doc:"
POST = PREFIX + "arc:post:"
PENDING = PREFIX + "arc:pending:"
FAILED = PREFIX + "arc:failed:"  # id -> why indexing failed (kept as long as a pending article)
DF = PREFIX + "arc:df"
IDS = PREFIX + "arc:ids"
RETRACTED = PREFIX + "arc:retracted"
PENDING_TTL = 7 * 24 * 3600
POSTINGS_PER_FEATURE = 400


def stage_pending(r: redis.Redis, articles: list[dict[str, Any]]) -> None:
    """Keep validated articles until a worker indexes them."""
    pipe = r.pipeline()
    for article in articles:
        pipe.set(PENDING + article["id"], json.dumps(article), ex=PENDING_TTL)
        pipe.delete(FAILED + article["id"])  # imported again: an earlier failure no longer stands
    pipe.execute()


def mark_failed(r: redis.Redis, article_id: str, error: str) -> None:
    """Indexing this staged article failed: keep why (GET shows it) and drop the staged copy."""
    pipe = r.pipeline()
    pipe.set(FAILED + article_id, json.dumps({"error": error[:2000], "failed_at": time.time()}),
             ex=PENDING_TTL)
    pipe.delete(PENDING + article_id)
    pipe.execute()


def failure(r: redis.Redis, article_id: str) -> dict[str, Any] | None:
    """Why indexing this article failed, if it did: {"error", "failed_at"}."""
    raw = r.get(FAILED + article_id)
    return None if raw is None else dict(json.loads(raw))


def load_pending(r: redis.Redis, ids: list[str]) -> list[dict[str, Any]]:
    raws = r.mget([PENDING + i for i in ids]) if ids else []
    return [json.loads(raw) for raw in raws if raw is not None]


def is_pending(r: redis.Redis, article_id: str) -> bool:
    return bool(r.exists(PENDING + article_id))


def retracted_among(r: redis.Redis, ids: list[str]) -> list[str]:
    """Those of `ids` that were retracted, in one round trip."""
    return [i for i, gone in zip(ids, r.smismember(RETRACTED, ids) if ids else [], strict=True) if gone]


def store(r: redis.Redis, doc: dict[str, Any]) -> None:
    """Index one prepared document, replacing an earlier version with the same id."""
    doc_id = doc["id"]
    old = r.hget(DOC + doc_id, "features")
    pipe = r.pipeline(transaction=True)
    if old is not None:
        _unpost(pipe, doc_id, json.loads(old))
    feats: dict[str, float] = doc["features"]
    for feature in feats:
        pipe.zadd(POST + feature, {doc_id: doc["ts"]})
        pipe.hincrby(DF, feature, 1)
    pipe.hset(DOC + doc_id, mapping={
        "id": doc_id, "title": doc["title"], "url": doc.get("url") or "",
        "published_at": doc["published_at"], "ts": doc["ts"], "text": doc["text"],
        "features": json.dumps(feats), "sentences": json.dumps(doc["sentences"]),
        "names": json.dumps(doc["names"]), "norm": math.sqrt(sum(w * w for w in feats.values())),
        "indexed_at": time.time(),
    })
    pipe.sadd(IDS, doc_id)
    pipe.delete(PENDING + doc_id, FAILED + doc_id)
    pipe.execute()


def _unpost(pipe: redis.client.Pipeline, doc_id: str, feats: dict[str, float]) -> None:
    for feature in feats:
        pipe.zrem(POST + feature, doc_id)
        pipe.hincrby(DF, feature, -1)


def delete(r: redis.Redis, doc_id: str) -> bool:
    """Retract an article: it leaves the index and is never suggested again."""
    old = r.hget(DOC + doc_id, "features")
    pipe = r.pipeline(transaction=True)
    pipe.sadd(RETRACTED, doc_id)
    pipe.delete(PENDING + doc_id, FAILED + doc_id)
    if old is not None:
        _unpost(pipe, doc_id, json.loads(old))
        pipe.delete(DOC + doc_id)
        pipe.srem(IDS, doc_id)
    pipe.execute()
    return old is not None


def get(r: redis.Redis, doc_id: str, fields: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    if fields is None:
        raw = r.hgetall(DOC + doc_id)
        return _decode(raw) if raw else None
    values = r.hmget(DOC + doc_id, list(fields))
    if values[0] is None:
        return None
    return _decode(dict(zip(fields, values, strict=True)))


def _decode(raw: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        k = key.decode() if isinstance(key, bytes) else key
        if k in {"features", "sentences", "names"}:  # the bulk of a lookup: orjson reads it 3-5x faster
            out[k] = orjson.loads(value) if value else value
            continue
        v = value.decode() if isinstance(value, bytes) else value
        out[k] = v
    return out


def size(r: redis.Redis) -> int:
    return int(r.scard(IDS))


# Document frequencies change slowly: each process keeps the ones it read for a minute, which
# saves most of the large HMGET of every lookup. Absent features are not kept, so a name that
# enters the archive counts at once.
DF_TTL = 60.0
_df_cache: dict[tuple[int, str], tuple[int, float]] = {}


def document_frequencies(r: redis.Redis, feats: list[str]) -> dict[str, int]:
    now, pool = time.monotonic(), id(r.connection_pool)
    out: dict[str, int] = {}
    missing = []
    for feature in feats:
        hit = _df_cache.get((pool, feature))
        if hit and now - hit[1] < DF_TTL:
            out[feature] = hit[0]
        else:
            missing.append(feature)
    if missing:
        if len(_df_cache) > 1_000_000:
            _df_cache.clear()
        for feature, value in zip(missing, r.hmget(DF, missing), strict=True):
            out[feature] = int(value or 0)
            if out[feature] > 0:
                _df_cache[(pool, feature)] = (out[feature], now)
    return out


def postings(r: redis.Redis, feats: list[str], until: float, exclusive: bool = False,
             per_feature: int = POSTINGS_PER_FEATURE) -> dict[str, list[tuple[str, float]]]:
    """Newest (id, published epoch) pairs at or before `until` (strictly before, if exclusive)
    per feature."""
    pipe = r.pipeline(transaction=False)
    upper = f"({until}" if exclusive else until
    for feature in feats:
        pipe.zrevrangebyscore(POST + feature, upper, "-inf", start=0, num=per_feature, withscores=True)
    return {f: [(i.decode(), ts) for i, ts in hits] for f, hits in zip(feats, pipe.execute(), strict=True)}


def fetch_many(r: redis.Redis, ids: list[str], fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    pipe = r.pipeline(transaction=False)
    for doc_id in ids:
        pipe.hmget(DOC + doc_id, list(fields))
    retracted = r.smismember(RETRACTED, ids) if ids else []
    out: dict[str, dict[str, Any]] = {}
    for doc_id, values, gone in zip(ids, pipe.execute(), retracted, strict=True):
        if values[0] is not None and not gone:
            out[doc_id] = _decode(dict(zip(fields, values, strict=True)))
    return out


def candidate_overlap(found: dict[str, list[tuple[str, float]]], weights: dict[str, float]
                      ) -> tuple[dict[str, float], dict[str, float]]:
    """Sum the query weight of every feature each candidate shares; also return its epoch."""
    scores: dict[str, float] = defaultdict(float)
    published: dict[str, float] = {}
    for feature, hits in found.items():
        for doc_id, ts in hits:
            scores[doc_id] += weights[feature]
            published[doc_id] = ts
    return scores, published


def pending_count(r: redis.Redis, ids: list[str]) -> int:
    """How many of these ids are staged and not indexed (nor failed) yet."""
    return int(r.exists(*(PENDING + i for i in ids))) if ids else 0


def failures(r: redis.Redis, ids: list[str]) -> dict[str, str]:
    """Of these ids, those whose indexing failed, with the error."""
    raws = r.mget([FAILED + i for i in ids]) if ids else []
    return {i: json.loads(raw)["error"] for i, raw in zip(ids, raws, strict=True) if raw is not None}
