"""The newsrooms' archives in Redis: documents, an inverted index dated by publication, retractions.

Each archive (one per client, plus any shared one such as a wire service's) has its own keys.
Postings are sorted sets (article id -> published epoch), so any number of workers share one
index, a newly indexed article is searchable at once, and every lookup can be cut "as of" a date.
A lookup reads several archives together (a client's own and those shared with it); documents
found that way are named by qualified ids, "<archive>/<article id>".
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson
import redis

from store.jobs import PREFIX

PENDING_TTL = 7 * 24 * 3600
POSTINGS_PER_FEATURE = 400
SEPARATOR = "/"  # between an archive's name and an article id in a qualified id: "paper1/123"
NAMES = PREFIX + "arcs"  # set: the names of the archives that hold articles


def key(archive: str, kind: str, name: str = "") -> str:
    """One archive's key: every key of an archive names it (enr:arc:<archive>:<kind>[:<name>]), so
    a newsroom's archive can be listed, exported and erased on its own."""
    return f"{PREFIX}arc:{archive}:{kind}" + (f":{name}" if name else "")


def qualify(archive: str, article_id: str) -> str:
    """The id of an article across archives: archive name, '/', the newsroom's own id."""
    return f"{archive}{SEPARATOR}{article_id}"


def unqualify(qualified: str) -> tuple[str, str]:
    archive, _, article_id = qualified.partition(SEPARATOR)
    return archive, article_id


def _key_of(qualified: str, kind: str) -> str:
    """An article's key of this kind, from its qualified id."""
    archive, article_id = unqualify(qualified)
    return key(archive, kind, article_id)


def stage_pending(r: redis.Redis, archive: str, articles: list[dict[str, Any]]) -> None:
    """Keep validated articles until a worker indexes them."""
    pipe = r.pipeline()
    for article in articles:
        pipe.set(key(archive, "pending", article["id"]), json.dumps(article), ex=PENDING_TTL)
        pipe.delete(key(archive, "failed", article["id"]))  # imported again: an earlier failure no longer stands
    pipe.execute()


def mark_failed(r: redis.Redis, qualified: str, error: str) -> None:
    """Indexing this staged article failed: keep why (GET shows it) and drop the staged copy."""
    archive, article_id = unqualify(qualified)
    pipe = r.pipeline()
    pipe.set(key(archive, "failed", article_id), json.dumps({"error": error[:2000], "failed_at": time.time()}),
             ex=PENDING_TTL)
    pipe.delete(key(archive, "pending", article_id))
    pipe.execute()


def failure(r: redis.Redis, archive: str, article_id: str) -> dict[str, Any] | None:
    """Why indexing this article failed, if it did: {"error", "failed_at"}."""
    raw = r.get(key(archive, "failed", article_id))
    return None if raw is None else dict(json.loads(raw))


def load_pending(r: redis.Redis, qualified_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Staged articles by qualified id (those still staged)."""
    raws = r.mget([_key_of(q, "pending") for q in qualified_ids]) if qualified_ids else []
    return {q: json.loads(raw) for q, raw in zip(qualified_ids, raws, strict=True) if raw is not None}


def held(r: redis.Redis, archive: str, ids: list[str]) -> set[str]:
    """Those of these ids that this archive has indexed or staged for indexing, in one round trip."""
    pipe = r.pipeline(transaction=False)
    for article_id in ids:
        pipe.exists(key(archive, "doc", article_id), key(archive, "pending", article_id))
    return {i for i, found in zip(ids, pipe.execute(), strict=True) if found}


def is_pending(r: redis.Redis, archive: str, article_id: str) -> bool:
    return bool(r.exists(key(archive, "pending", article_id)))


def retracted(r: redis.Redis, qualified_ids: list[str]) -> set[str]:
    """Those of these qualified ids that were retracted from their archives, in one round trip."""
    pipe = r.pipeline(transaction=False)
    for qualified in qualified_ids:
        archive, article_id = unqualify(qualified)
        pipe.sismember(key(archive, "retracted"), article_id)
    return {q for q, gone in zip(qualified_ids, pipe.execute(), strict=True) if gone}


def retracted_among(r: redis.Redis, archive: str, ids: list[str]) -> list[str]:
    """Those of `ids` that were retracted from this archive, in one round trip."""
    gone = r.smismember(key(archive, "retracted"), ids) if ids else []
    return [i for i, out in zip(ids, gone, strict=True) if out]


def store(r: redis.Redis, archive: str, doc: dict[str, Any]) -> None:
    """Index one prepared document, replacing an earlier version with the same id."""
    doc_id = doc["id"]
    doc_key = key(archive, "doc", doc_id)
    old = r.hget(doc_key, "features")
    pipe = r.pipeline(transaction=True)
    if old is not None:
        _unpost(pipe, archive, doc_id, json.loads(old))
    feats: dict[str, float] = doc["features"]
    for feature in feats:
        pipe.zadd(key(archive, "post", feature), {doc_id: doc["ts"]})
        pipe.hincrby(key(archive, "df"), feature, 1)
    pipe.hset(doc_key, mapping={
        "id": doc_id, "title": doc["title"], "url": doc.get("url") or "",
        "section": doc.get("section") or "", "tags": json.dumps(doc.get("tags") or []),
        "published_at": doc["published_at"], "ts": doc["ts"], "text": doc["text"],
        "features": json.dumps(feats), "sentences": json.dumps(doc["sentences"]),
        "names": json.dumps(doc["names"]), "norm": math.sqrt(sum(w * w for w in feats.values())),
        "indexed_at": time.time(),
    })
    pipe.sadd(key(archive, "ids"), doc_id)
    pipe.sadd(NAMES, archive)
    pipe.delete(key(archive, "pending", doc_id), key(archive, "failed", doc_id))
    pipe.execute()


def _unpost(pipe: redis.client.Pipeline, archive: str, doc_id: str, feats: dict[str, float]) -> None:
    for feature in feats:
        pipe.zrem(key(archive, "post", feature), doc_id)
        pipe.hincrby(key(archive, "df"), feature, -1)


def delete(r: redis.Redis, archive: str, doc_id: str) -> bool:
    """Retract an article: it leaves the index and is never suggested again."""
    doc_key = key(archive, "doc", doc_id)
    old = r.hget(doc_key, "features")
    pipe = r.pipeline(transaction=True)
    pipe.sadd(key(archive, "retracted"), doc_id)
    pipe.delete(key(archive, "pending", doc_id), key(archive, "failed", doc_id))
    if old is not None:
        _unpost(pipe, archive, doc_id, json.loads(old))
        pipe.delete(doc_key)
        pipe.srem(key(archive, "ids"), doc_id)
    pipe.execute()
    return old is not None


def get(r: redis.Redis, archive: str, doc_id: str, fields: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    doc_key = key(archive, "doc", doc_id)
    if fields is None:
        raw = r.hgetall(doc_key)
        return _decode(raw) if raw else None
    values = r.hmget(doc_key, list(fields))
    if values[0] is None:
        return None
    return _decode(dict(zip(fields, values, strict=True)))


def _decode(raw: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        k = key.decode() if isinstance(key, bytes) else key
        if k in {"features", "sentences", "names", "tags"}:  # the bulk of a lookup: orjson reads it 3-5x faster
            out[k] = orjson.loads(value) if value else value
            continue
        v = value.decode() if isinstance(value, bytes) else value
        out[k] = v
    return out


def size(r: redis.Redis, *archives: str) -> int:
    """How many articles these archives hold together."""
    if len(archives) == 1:
        return int(r.scard(key(archives[0], "ids")))
    pipe = r.pipeline(transaction=False)
    for archive in archives:
        pipe.scard(key(archive, "ids"))
    return sum(int(n) for n in pipe.execute())


def names(r: redis.Redis) -> list[str]:
    """Every archive that has held an indexed article."""
    return sorted(n.decode() for n in r.smembers(NAMES))


def retracted_count(r: redis.Redis, archive: str) -> int:
    return int(r.scard(key(archive, "retracted")))


def feature_count(r: redis.Redis, archive: str) -> int:
    return int(r.hlen(key(archive, "df")))


def ids(r: redis.Redis, archive: str) -> list[str]:
    return sorted(i.decode() for i in r.smembers(key(archive, "ids")))


# Document frequencies change slowly: each process keeps the ones it read for a minute, which
# saves most of the large HMGET of every lookup. Absent features are not kept, so a name that
# enters the archive counts at once.
DF_TTL = 60.0
_df_cache: dict[tuple[int, str, str], tuple[int, float]] = {}


def document_frequencies(r: redis.Redis, archives: list[str], feats: list[str]) -> dict[str, int]:
    """How many articles of these archives (together) carry each feature."""
    now, pool = time.monotonic(), id(r.connection_pool)
    out: dict[str, int] = dict.fromkeys(feats, 0)
    for archive in archives:
        missing = []
        for feature in feats:
            hit = _df_cache.get((pool, archive, feature))
            if hit and now - hit[1] < DF_TTL:
                out[feature] += hit[0]
            else:
                missing.append(feature)
        if not missing:
            continue
        if len(_df_cache) > 1_000_000:
            _df_cache.clear()
        for feature, value in zip(missing, r.hmget(key(archive, "df"), missing), strict=True):
            count = int(value or 0)
            out[feature] += count
            if count > 0:
                _df_cache[(pool, archive, feature)] = (count, now)
    return out


def postings(r: redis.Redis, archives: list[str], feats: list[str], until: float, exclusive: bool = False,
             per_feature: int = POSTINGS_PER_FEATURE) -> dict[str, list[tuple[str, float]]]:
    """Newest (qualified id, published epoch) pairs at or before `until` (strictly before, if
    exclusive) per feature, over these archives together."""
    pipe = r.pipeline(transaction=False)
    upper = f"({until}" if exclusive else until
    for archive in archives:
        for feature in feats:
            pipe.zrevrangebyscore(key(archive, "post", feature), upper, "-inf", start=0, num=per_feature,
                                  withscores=True)
    replies = iter(pipe.execute())
    out: dict[str, list[tuple[str, float]]] = {f: [] for f in feats}
    for archive in archives:
        for feature in feats:
            out[feature] += [(qualify(archive, i.decode()), ts) for i, ts in next(replies)]
    if len(archives) > 1:
        for feature, hits in out.items():
            out[feature] = sorted(hits, key=lambda h: -h[1])[:per_feature]
    return out


def fetch_many(r: redis.Redis, qualified_ids: list[str], fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Fields of these documents (by qualified id), leaving out retracted ones."""
    pipe = r.pipeline(transaction=False)
    for qualified in qualified_ids:
        pipe.hmget(_key_of(qualified, "doc"), list(fields))
    gone = retracted(r, qualified_ids)
    out: dict[str, dict[str, Any]] = {}
    for qualified, values in zip(qualified_ids, pipe.execute(), strict=True):
        if values[0] is not None and qualified not in gone:
            out[qualified] = _decode(dict(zip(fields, values, strict=True)))
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


def pending_count(r: redis.Redis, archive: str, ids: list[str]) -> int:
    """How many of these ids are staged and not indexed (nor failed) yet."""
    return int(r.exists(*(key(archive, "pending", i) for i in ids))) if ids else 0


def failures(r: redis.Redis, archive: str, ids: list[str]) -> dict[str, str]:
    """Of these ids, those whose indexing failed, with the error."""
    raws = r.mget([key(archive, "failed", i) for i in ids]) if ids else []
    return {i: json.loads(raw)["error"] for i, raw in zip(ids, raws, strict=True) if raw is not None}


EXPORT_FIELDS = ("id", "title", "url", "published_at", "section", "tags", "text")


def export(r: redis.Redis, archive: str, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every indexed article of one archive (as its text is stored), a batch of reads at a time."""
    cursor = 0
    while True:
        cursor, raw_ids = r.sscan(key(archive, "ids"), cursor, count=batch)
        ids = sorted(i.decode() for i in raw_ids)
        docs = fetch_many(r, [qualify(archive, i) for i in ids], EXPORT_FIELDS)
        for qualified in sorted(docs):
            doc = docs[qualified]
            doc["url"] = doc["url"] or None
            doc["section"] = doc["section"] or None
            yield doc
        if cursor == 0:
            return


def erase(r: redis.Redis, archive: str) -> int:
    """Delete every key of one archive (documents, postings, frequencies, retractions, staged and
    failed articles); return how many keys went."""
    removed = 0
    batch: list[bytes] = []
    pattern = key(re.sub(r"([*?\[\]\\])", r"\\\1", archive), "*")  # the name's glob characters escaped
    for name in r.scan_iter(match=pattern, count=1000):
        batch.append(name)
        if len(batch) == 1000:
            removed += r.unlink(*batch)
            batch.clear()
    if batch:
        removed += r.unlink(*batch)
    r.srem(NAMES, archive)
    return removed
