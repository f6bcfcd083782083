"""Whole-archive operations: export an archive (its articles as stored, then its retractions) and
erase it (every key it has). Built on store/archive_index.py's keys, on one Redis or a cluster."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import redis

from store.archive_index import NAMES, SHARDS, fetch_many, key, qualify

EXPORT_FIELDS = ("id", "title", "url", "published_at", "section", "tags", "text")


def export(r: redis.Redis, archive: str, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every indexed article of one archive (as its text is stored), a batch of reads at a time;
    then every retracted id as {"id": ..., "retracted": true}, so an import of the export retracts
    them again."""
    for shard in range(SHARDS):
        cursor = 0
        while True:
            cursor, raw_ids = r.sscan(key(archive, "ids", str(shard)), cursor, count=batch)
            ids = sorted(i.decode() for i in raw_ids)
            docs = fetch_many(r, [qualify(archive, i) for i in ids], EXPORT_FIELDS)
            for qualified in sorted(docs):
                doc = docs[qualified]
                doc["url"] = doc["url"] or None
                doc["section"] = doc["section"] or None
                yield doc
            if cursor == 0:
                break
    for shard in range(SHARDS):
        for article_id in sorted(i.decode() for i in r.sscan_iter(key(archive, "retracted", str(shard)), count=batch)):
            yield {"id": article_id, "retracted": True}


def _scan(r: redis.Redis, pattern: str) -> Iterator[bytes]:
    """Every key matching the pattern: on each primary of a cluster, or on the one Redis."""
    if hasattr(r, "get_primaries"):
        for node in r.get_primaries():
            yield from r.scan_iter(match=pattern, count=1000, target_nodes=node)
    else:
        yield from r.scan_iter(match=pattern, count=1000)


def erase(r: redis.Redis, archive: str) -> int:
    """Delete every key of one archive (documents, postings, frequencies, retractions, staged and
    failed articles); return how many keys went."""
    removed = 0
    batch: list[bytes] = []
    pattern = key(re.sub(r"([*?\[\]\\])", r"\\\1", archive), "*")  # the name's glob characters escaped
    for name in _scan(r, pattern):
        batch.append(name)
        if len(batch) == 1000:
            removed += _unlink(r, batch)
            batch.clear()
    if batch:
        removed += _unlink(r, batch)
    r.srem(NAMES, archive)
    return removed


def _unlink(r: redis.Redis, names: list[bytes]) -> int:
    pipe = r.pipeline(transaction=False)
    for name in names:
        pipe.unlink(name)
    return sum(pipe.execute())
