"""What an archive held when it was erased: its export, kept for a while so an erase can be undone
(POST /v1/archive/restore) or downloaded (GET /v1/archive/erased).

Kept in the archive's store as a list of zlib-compressed NDJSON chunks under one key per archive,
with a time to live. It costs memory while kept: about a third of the articles' text size.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import redis

from store.jobs import PREFIX

CHUNK = 500  # records a compressed chunk


def _key(archive: str) -> str:
    """Outside the archive's own keys (an erase leaves it); one hash tag for it and its draft, so a
    cluster can rename one into the other."""
    return f"{PREFIX}{{arc-erased:{archive}}}"


def keep(r: redis.Redis, archive: str, records: Iterable[dict[str, Any]], seconds: int) -> int:
    """Keep these records (the archive's export) for `seconds`; return how many. An empty export
    keeps nothing, so erasing an empty archive never replaces an earlier kept export."""
    staging = _key(archive) + ":writing"
    r.delete(staging)
    count, chunk = 0, []
    for record in records:
        chunk.append(json.dumps(record, ensure_ascii=False))
        count += 1
        if len(chunk) == CHUNK:
            r.rpush(staging, zlib.compress("\n".join(chunk).encode()))
            chunk = []
    if chunk:
        r.rpush(staging, zlib.compress("\n".join(chunk).encode()))
    if count:
        r.expire(staging, seconds)
        r.rename(staging, _key(archive))  # the kept copy changes at once, whole
    return count


def kept(r: redis.Redis, archive: str) -> Iterator[dict[str, Any]]:
    """The kept export's records, in order (none if nothing is kept)."""
    for blob in r.lrange(_key(archive), 0, -1):
        for line in zlib.decompress(blob).decode().split("\n"):
            yield json.loads(line)


def expires_in(r: redis.Redis, archive: str) -> int | None:
    """Seconds the kept export has left, or None when nothing is kept."""
    ttl = int(r.ttl(_key(archive)))
    return ttl if ttl > 0 else None
