"""Articles staged for indexing: imported and validated, waiting for a worker (`pending`), or
refused by it (`failed`, with why). Their keys share each article's hash tag with its document
(store/archive_index.py), so a cluster keeps an article's keys on one node."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from store.archive_index import article_key, key_of, qualify
from store.due import claim_due
from store.jobs import PREFIX

PENDING_TTL = 7 * 24 * 3600
# Every staged article's qualified id, scored by when it was staged (or last queued again): the
# watchdog's index of articles whose index message may have been lost.
STAGED = PREFIX + "archive:staged"


def stage_pending(r: redis.Redis, archive: str, articles: list[dict[str, Any]]) -> None:
    """Keep validated articles until a worker indexes them; the staging time is their version."""
    version = time.time()
    pipe = r.pipeline(transaction=False)
    for article in articles:
        pipe.set(article_key(archive, "pending", article["id"]), json.dumps({**article, "version": version}),
                 ex=PENDING_TTL)
        pipe.delete(article_key(archive, "failed", article["id"]))  # imported again: a failure no longer stands
    if articles:
        pipe.zadd(STAGED, {qualify(archive, a["id"]): version for a in articles})
    pipe.execute()


def settled(r: redis.Redis, qualified_ids: list[str]) -> None:
    """These staged articles were dealt with (indexed, failed, retracted or gone): not watched any more."""
    if qualified_ids:
        r.zrem(STAGED, *qualified_ids)


def claim_lost(r: redis.Redis, staged_before: float, lease_until: float, limit: int = 500) -> list[str]:
    """Staged articles still waiting that were staged (or queued again) before `staged_before`: their
    index message is lost. Each is leased until `lease_until` (then watched again); entries whose
    article is no longer staged are dropped."""
    claimed = claim_due(r, STAGED, staged_before, lease_until, limit)
    still = load_pending_ids(r, claimed)
    settled(r, [q for q in claimed if q not in still])
    return [q for q in claimed if q in still]


def load_pending_ids(r: redis.Redis, qualified_ids: list[str]) -> set[str]:
    pipe = r.pipeline(transaction=False)
    for qualified in qualified_ids:
        pipe.exists(key_of(qualified, "pending"))
    return {q for q, found in zip(qualified_ids, pipe.execute(), strict=True) if found} if qualified_ids else set()


def mark_failed(r: redis.Redis, qualified: str, error: str) -> None:
    """Indexing this staged article failed: keep why (GET shows it) and drop the staged copy."""
    pipe = r.pipeline(transaction=False)
    pipe.set(key_of(qualified, "failed"), json.dumps({"error": error[:2000], "failed_at": time.time()}),
             ex=PENDING_TTL)
    pipe.delete(key_of(qualified, "pending"))
    pipe.zrem(STAGED, qualified)
    pipe.execute()


def failure(r: redis.Redis, archive: str, article_id: str) -> dict[str, Any] | None:
    """Why indexing this article failed, if it did: {"error", "failed_at"}."""
    raw = r.get(article_key(archive, "failed", article_id))
    return None if raw is None else dict(json.loads(raw))


def _get_each(r: redis.Redis, keys: list[str]) -> list[Any]:
    """GET of each key, pipelined (an MGET would need one hash slot)."""
    pipe = r.pipeline(transaction=False)
    for name in keys:
        pipe.get(name)
    return pipe.execute() if keys else []


def load_pending(r: redis.Redis, qualified_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Staged articles by qualified id (those still staged)."""
    raws = _get_each(r, [key_of(q, "pending") for q in qualified_ids])
    return {q: json.loads(raw) for q, raw in zip(qualified_ids, raws, strict=True) if raw is not None}


def held(r: redis.Redis, archive: str, ids: list[str]) -> set[str]:
    """Those of these ids that this archive has indexed or staged for indexing, in one round trip."""
    pipe = r.pipeline(transaction=False)
    for article_id in ids:
        pipe.exists(article_key(archive, "doc", article_id), article_key(archive, "pending", article_id))
    return {i for i, found in zip(ids, pipe.execute(), strict=True) if found}


def is_pending(r: redis.Redis, archive: str, article_id: str) -> bool:
    return bool(r.exists(article_key(archive, "pending", article_id)))


def pending_count(r: redis.Redis, archive: str, ids: list[str]) -> int:
    """How many of these ids are staged and not indexed (nor failed) yet."""
    pipe = r.pipeline(transaction=False)
    for article_id in ids:
        pipe.exists(article_key(archive, "pending", article_id))
    return sum(pipe.execute()) if ids else 0


def failures(r: redis.Redis, archive: str, ids: list[str]) -> dict[str, str]:
    """Of these ids, those whose indexing failed, with the error."""
    raws = _get_each(r, [article_key(archive, "failed", i) for i in ids])
    return {i: json.loads(raw)["error"] for i, raw in zip(ids, raws, strict=True) if raw is not None}
