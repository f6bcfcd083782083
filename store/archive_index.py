"""The newsrooms' archives in Redis (or a Redis Cluster): documents, an inverted index dated by
publication, retractions.

Each archive (one per client, plus any shared one such as a wire service's) has its own keys.
Postings are sorted sets (article number -> published epoch), so any number of workers share one
index, a newly indexed article is searchable at once, and every lookup can be cut "as of" a date.
An article's number is given once, when it is first indexed (its archive's counter), and kept in
its document: a posting holds a small integer rather than the newsroom's id, which Redis packs in
three bytes. A look-up works on (archive, number) handles and reads back the ids of only the few
candidates it keeps (store/archive_candidates.py scores them), from hashes of NUMBERS_PER_KEY
numbers each.
A feature's document frequency is its postings' cardinality (ZCARD): exact whatever was replayed or
interrupted, and no counter to store. A lookup
reads several archives together (a client's own and those shared with it); documents found that
way are named by qualified ids, "<archive>/<article id>".

Built for a Redis Cluster as much as for one Redis: the keys of one article share a hash tag
(`{<id>}`), the article-id and retraction sets are sharded, reads and writes of many keys go in
batches sent to each node at once (store/slot_batches.py), and no write is a MULTI: each write is
idempotent per key and ordered so that replaying an interrupted one finishes it (postings added before old ones are
removed, the document written last), and an article's version (when it was staged) keeps a late
replay of an older version from overwriting a newer one.
"""

from __future__ import annotations

import math
import time
import uuid
import zlib
from typing import Any

import numpy as np
import orjson
import redis

from store.jobs import PREFIX
from store.slot_batches import batch

POSTINGS_PER_FEATURE = 400
NUMBERS_PER_KEY = 128  # article numbers -> ids, per hash: within Redis's default listpack size
SHARDS = 16  # of an archive's id and retraction sets
SEPARATOR = "/"  # between an archive's name and an article id in a qualified id: "paper1/123"
NAMES = PREFIX + "arcs"  # set: the names of the archives that hold articles
COMPRESSED = ("text", "sentences", "features")  # stored zlib-compressed
JSON_FIELDS = ("features", "sentences", "tags")
WEIGHT_DIGITS = 3


Handle = tuple[str, int]  # (archive, article number): what postings hold
# A feature's postings as read: per archive, an (n, 2) array of article numbers and epochs.
Postings = dict[str, list[tuple[str, np.ndarray]]]


def key(archive: str, kind: str, name: str = "") -> str:
    """One archive's key: every key of an archive names it (enr:arc:<archive>:<kind>[:<name>]), so
    a newsroom's archive can be listed, exported and erased on its own."""
    return f"{PREFIX}arc:{archive}:{kind}" + (f":{name}" if name else "")


def article_key(archive: str, kind: str, article_id: str) -> str:
    """A key of one article (doc, pending, failed): all of them in one hash slot, `{<id>}`."""
    return key(archive, kind, "{" + article_id + "}")


def _shard(article_id: str) -> str:
    return str(zlib.crc32(article_id.encode()) % SHARDS)


def qualify(archive: str, article_id: str) -> str:
    """The id of an article across archives: archive name, '/', the newsroom's own id."""
    return f"{archive}{SEPARATOR}{article_id}"


def unqualify(qualified: str) -> tuple[str, str]:
    archive, _, article_id = qualified.partition(SEPARATOR)
    return archive, article_id


def key_of(qualified: str, kind: str) -> str:
    """An article's key of this kind, from its qualified id."""
    archive, article_id = unqualify(qualified)
    return article_key(archive, kind, article_id)


def retracted(r: redis.Redis, qualified_ids: list[str]) -> set[str]:
    """Those of these qualified ids that were retracted from their archives, in one round trip."""
    pipe = batch(r)
    for qualified in qualified_ids:
        archive, article_id = unqualify(qualified)
        pipe.sismember(key(archive, "retracted", _shard(article_id)), article_id)
    return {q for q, gone in zip(qualified_ids, pipe.execute(), strict=True) if gone} if qualified_ids else set()


def retracted_among(r: redis.Redis, archive: str, ids: list[str]) -> list[str]:
    """Those of `ids` that were retracted from this archive, in one round trip."""
    gone = retracted(r, [qualify(archive, i) for i in ids])
    return [i for i in ids if qualify(archive, i) in gone]


def _encoded(doc: dict[str, Any], version: float) -> dict[str, Any]:
    """The document hash: features with rounded weights, long fields compressed."""
    feats = {f: round(w, WEIGHT_DIGITS) for f, w in doc["features"].items()}
    return {
        "id": doc["id"], "n": doc["n"], "title": doc["title"], "url": doc.get("url") or "",
        "section": doc.get("section") or "", "tags": orjson.dumps(doc.get("tags") or []),
        "published_at": doc["published_at"], "ts": doc["ts"], "version": version,
        "text": zlib.compress(doc["text"].encode(), 6),
        "sentences": zlib.compress(orjson.dumps(doc["sentences"]), 6),
        "features": zlib.compress(orjson.dumps(feats), 1), "indexed_at": time.time(),
    }


def store(r: redis.Redis, archive: str, doc: dict[str, Any], version: float | None = None) -> bool:
    """Index one prepared document (see store_many); False when it was not written."""
    return bool(store_many(r, archive, [doc], None if version is None else [version]))


def store_many(r: redis.Redis, archive: str, docs: list[dict[str, Any]],
               versions: list[float] | None = None) -> list[str]:
    """Index prepared documents, each replacing an earlier version with its id, in three pipelined
    round trips whatever their number (two more when some are new, one more when a replaced
    version loses features); return the ids written. A document is skipped when its article was
    retracted or a newer version of it is indexed already (a late replay).

    Safe to replay after an interruption at any point: a new article's number is set in its
    document hash before anything uses it (HSETNX: of two writers, both take the first's), new
    postings go in next, then the old version's postings that the new one lacks come out, then the
    document is written (the old one stays readable until then, so a replay still knows which
    postings to remove)."""
    now = time.time()
    versions = versions or [now] * len(docs)
    pipe = batch(r)
    for doc in docs:
        pipe.hmget(article_key(archive, "doc", doc["id"]), ["features", "version", "n"])
        pipe.sismember(key(archive, "retracted", _shard(doc["id"])), doc["id"])
    replies = pipe.execute() if docs else []
    chosen = []
    for i, doc in enumerate(docs):
        (old_features, old_version, number), gone = replies[2 * i], replies[2 * i + 1]
        if not gone and (old_version is None or float(old_version) <= versions[i]):
            chosen.append(({**doc, "n": int(number) if number is not None else None}, versions[i], old_features))
    _number(r, archive, [doc for doc, _, _ in chosen if doc["n"] is None])
    pipe = batch(r)
    for doc, _, _ in chosen:
        for feature in doc["features"]:
            pipe.zadd(key(archive, "post", feature), {doc["n"]: int(doc["ts"])})  # whole seconds: read as integers
        pipe.hset(_numbers_key(archive, doc["n"]), doc["n"] % NUMBERS_PER_KEY, doc["id"])
    if chosen:
        pipe.pfadd(key(archive, "features"), *{f for doc, _, _ in chosen for f in doc["features"]})
        pipe.execute()
    stale = [(doc["n"], feature) for doc, _, old_features in chosen if old_features is not None
             for feature in set(orjson.loads(zlib.decompress(old_features))) - doc["features"].keys()]
    if stale:
        pipe = batch(r)
        for number, feature in stale:
            pipe.zrem(key(archive, "post", feature), number)
        pipe.execute()
    pipe = batch(r)
    for doc, version, _ in chosen:
        doc_id = doc["id"]
        pipe.hset(article_key(archive, "doc", doc_id), mapping=_encoded(doc, version))
        pipe.sadd(key(archive, "ids", _shard(doc_id)), doc_id)
        pipe.delete(article_key(archive, "pending", doc_id))
        pipe.delete(article_key(archive, "failed", doc_id))
    if chosen:
        pipe.sadd(NAMES, archive)
        pipe.set(key(archive, "generation"), uuid.uuid4().hex, nx=True)
    pipe.execute()
    return [doc["id"] for doc, _, _ in chosen]


def _numbers_key(archive: str, number: int) -> str:
    """The hash that names the articles numbered like this one, to within NUMBERS_PER_KEY."""
    return key(archive, "num", str(number // NUMBERS_PER_KEY))


def _number(r: redis.Redis, archive: str, docs: list[dict[str, Any]]) -> None:
    """Give these new documents (dicts with "n": None) their numbers: the archive's counter moves
    by their count, then each number is set in the document's hash unless a concurrent or earlier
    interrupted write set one first, which is then taken instead."""
    if not docs:
        return
    last = r.incrby(key(archive, "seq"), len(docs))
    pipe = batch(r)
    for n, doc in enumerate(docs, start=last - len(docs) + 1):
        doc["n"] = n
        pipe.hsetnx(article_key(archive, "doc", doc["id"]), "n", n)
    taken = [doc for doc, set_here in zip(docs, pipe.execute(), strict=True) if not set_here]
    for doc in taken:
        doc["n"] = int(r.hget(article_key(archive, "doc", doc["id"]), "n"))


def delete(r: redis.Redis, archive: str, doc_id: str) -> bool:
    """Retract an article: it leaves the index and is never suggested again. Safe to replay: the
    retraction is marked first (every read filters on it), the document goes last."""
    doc_key = article_key(archive, "doc", doc_id)
    pipe = batch(r)
    pipe.sadd(key(archive, "retracted", _shard(doc_id)), doc_id)
    pipe.delete(article_key(archive, "pending", doc_id))
    pipe.delete(article_key(archive, "failed", doc_id))
    pipe.execute()
    old, number = r.hmget(doc_key, ["features", "n"])
    if old is None:
        return False
    pipe = batch(r)
    for feature in orjson.loads(zlib.decompress(old)):
        pipe.zrem(key(archive, "post", feature), number)
    pipe.hdel(_numbers_key(archive, int(number)), int(number) % NUMBERS_PER_KEY)
    pipe.srem(key(archive, "ids", _shard(doc_id)), doc_id)
    pipe.delete(doc_key)
    pipe.execute()
    return True


def get(r: redis.Redis, archive: str, doc_id: str, fields: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    doc_key = article_key(archive, "doc", doc_id)
    if fields is None:
        raw = r.hgetall(doc_key)
        return _decode(raw) if b"id" in raw else None  # a new article's number alone is not a document
    values = r.hmget(doc_key, list(fields))
    if values[0] is None:
        return None
    return _decode(dict(zip(fields, values, strict=True)))


def _decode(raw: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in raw.items():
        k = name.decode() if isinstance(name, bytes) else name
        if value is None:
            out[k] = None
            continue
        if k in COMPRESSED:
            value = zlib.decompress(value)
        if k in JSON_FIELDS:  # the bulk of a lookup: orjson reads it 3-5x faster
            out[k] = orjson.loads(value) if value else value
            continue
        out[k] = value.decode() if isinstance(value, bytes) else value
    return out


def _sharded(r: redis.Redis, archive: str, kind: str, command: str) -> list[Any]:
    pipe = batch(r)
    for shard in range(SHARDS):
        getattr(pipe, command)(key(archive, kind, str(shard)))
    return list(pipe.execute())


def size(r: redis.Redis, *archives: str) -> int:
    """How many articles these archives hold together."""
    pipe = batch(r)
    for archive in archives:
        for shard in range(SHARDS):
            pipe.scard(key(archive, "ids", str(shard)))
    return sum(int(n) for n in pipe.execute()) if archives else 0


def names(r: redis.Redis) -> list[str]:
    """Every archive that has held an indexed article."""
    return sorted(n.decode() for n in r.smembers(NAMES))


def retracted_count(r: redis.Redis, archive: str) -> int:
    return sum(int(n) for n in _sharded(r, archive, "retracted", "scard"))


def feature_count(r: redis.Redis, archive: str) -> int:
    """Distinct features ever indexed (those no article carries any more included), to within about
    1% (a HyperLogLog: 12 KB an archive, whatever its size)."""
    return int(r.pfcount(key(archive, "features")))


def ids(r: redis.Redis, archive: str) -> list[str]:
    return sorted(i.decode() for members in _sharded(r, archive, "ids", "smembers") for i in members)


# Document frequencies change slowly: each process keeps those it read for a minute, which saves
# most of a lookup's reads. Entries are keyed by the archive's generation (a random id made when
# its first article is stored), so an archive erased and filled again is never read from the cache,
# and by its size to within a fifth (size_band), so a backfill that grows it is read afresh at once:
# counts read from ten articles must not weigh the words of five thousand.
DF_TTL = 60.0
DF_CACHE_ENTRIES = 1_000_000
# (client, archive, generation, size band) -> feature -> (count, when read)
_df_cache: dict[tuple[int, str, bytes, int], dict[str, tuple[int, float]]] = {}


def size_band(size: int) -> int:
    """Sizes in one band differ by less than about a fifth (4 bands per doubling)."""
    return int(4 * math.log2(size + 1))


def generations(r: redis.Redis, archives: list[str]) -> list[bytes]:
    """Each archive's generation (b"" for an archive that holds nothing yet)."""
    pipe = batch(r)
    for archive in archives:
        pipe.get(key(archive, "generation"))
    return [g or b"" for g in pipe.execute()] if archives else []


def document_frequencies(r: redis.Redis, archives: list[str], feats: list[str], fresh: bool = False,
                         size: int = 0) -> dict[str, int]:
    """How many articles of these archives (together) carry each feature: its postings' ZCARD, in
    one pipeline, for those not read in the last DF_TTL seconds at about this `size` of the
    archives (all if `fresh`)."""
    now, client, band = time.monotonic(), id(r), size_band(size)
    out: dict[str, int] = dict.fromkeys(feats, 0)
    missing: list[tuple[str, bytes, str]] = []  # (archive, generation, feature)
    for archive, generation in zip(archives, generations(r, archives), strict=True):
        cached = _df_cache.get((client, archive, generation, band), {}) if generation and not fresh else {}
        for feature in feats:
            hit = cached.get(feature)
            if hit and now - hit[1] < DF_TTL:
                out[feature] += hit[0]
            else:
                missing.append((archive, generation, feature))
    if not missing:
        return out
    if sum(map(len, _df_cache.values())) > DF_CACHE_ENTRIES:
        _df_cache.clear()
    pipe = batch(r)
    for archive, _, feature in missing:
        pipe.zcard(key(archive, "post", feature))
    for (archive, generation, feature), count in zip(missing, pipe.execute(), strict=True):
        out[feature] += count
        if count > 0 and generation:
            _df_cache.setdefault((client, archive, generation, band), {})[feature] = (count, now)
    return out


def postings(r: redis.Redis, archives: list[str], feats: list[str], until: float, exclusive: bool = False,
             per_feature: int | dict[str, int] = POSTINGS_PER_FEATURE) -> Postings:
    """The newest postings at or before `until` (strictly before, if exclusive) of each feature,
    at most `per_feature` over these archives together (one number for all, or one a feature).
    Read as the raw reply and parsed by numpy (a look-up reads thousands: as Python pairs they
    were most of its time)."""
    limit = per_feature if isinstance(per_feature, dict) else dict.fromkeys(feats, per_feature)
    pipe = batch(r)
    upper = f"({until}" if exclusive else until
    for archive in archives:
        for feature in feats:
            pipe.execute_command("ZREVRANGEBYSCORE", key(archive, "post", feature), upper, "-inf", "WITHSCORES",
                                 "LIMIT", 0, limit[feature])
    replies = iter(pipe.execute())
    out: Postings = {f: [] for f in feats}
    for archive in archives:
        for feature in feats:
            reply = next(replies)
            if reply:
                out[feature].append((archive, np.fromstring(b" ".join(reply), dtype=np.int64, sep=" ").reshape(-1, 2)))
    if len(archives) > 1:
        for feature, parts in out.items():
            if sum(len(a) for _, a in parts) > limit[feature]:
                cut = np.sort(np.concatenate([a[:, 1] for _, a in parts]))[-limit[feature]]
                out[feature] = [(archive, a[a[:, 1] >= cut]) for archive, a in parts]  # the newest, ties kept
    return out


def resolve(r: redis.Redis, handles: list[Handle]) -> dict[Handle, str]:
    """The qualified ids of these handles, in one round trip (a number whose article is gone
    has none)."""
    pipe = batch(r)
    for archive, number in handles:
        pipe.hget(_numbers_key(archive, number), number % NUMBERS_PER_KEY)
    return {h: qualify(h[0], i.decode()) for h, i in zip(handles, pipe.execute() if handles else [], strict=True)
            if i is not None}


def handles(r: redis.Redis, qualified_ids: list[str]) -> dict[str, Handle]:
    """The handles of these articles (by qualified id), in one round trip; those not indexed have none."""
    pipe = batch(r)
    for qualified in qualified_ids:
        pipe.hget(key_of(qualified, "doc"), "n")
    return {q: (unqualify(q)[0], int(n)) for q, n in zip(qualified_ids, pipe.execute() if qualified_ids else [],
                                                          strict=True) if n is not None}


def fetch_many(r: redis.Redis, qualified_ids: list[str], fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Fields of these documents (by qualified id), leaving out retracted ones."""
    pipe = batch(r)
    for qualified in qualified_ids:
        pipe.hmget(key_of(qualified, "doc"), list(fields))
    gone = retracted(r, qualified_ids)
    out: dict[str, dict[str, Any]] = {}
    for qualified, values in zip(qualified_ids, pipe.execute() if qualified_ids else [], strict=True):
        if values[0] is not None and qualified not in gone:
            out[qualified] = _decode(dict(zip(fields, values, strict=True)))
    return out
