"""Editors' feedback on the links and sources offered for one article of one client: rejected ones
are never offered again for that article id, accepted ones are kept when it is enriched again."""

from __future__ import annotations

import redis

from store.jobs import PREFIX


def _key(client: str, article_id: str, verdict: str) -> str:
    return f"{PREFIX}fb:{client}:{verdict}:{article_id}"


def record(r: redis.Redis, client: str, article_id: str, accepted: list[str], rejected: list[str]) -> None:
    """Note the verdicts; a later verdict on the same archive id replaces an earlier one."""
    pipe = r.pipeline(transaction=True)
    if accepted:
        pipe.sadd(_key(client, article_id, "accepted"), *accepted)
        pipe.srem(_key(client, article_id, "rejected"), *accepted)
    if rejected:
        pipe.sadd(_key(client, article_id, "rejected"), *rejected)
        pipe.srem(_key(client, article_id, "accepted"), *rejected)
    pipe.execute()


def verdicts(r: redis.Redis, client: str, article_id: str) -> tuple[list[str], list[str]]:
    """(accepted, rejected) archive ids for this client's article."""
    pipe = r.pipeline(transaction=False)
    pipe.smembers(_key(client, article_id, "accepted"))
    pipe.smembers(_key(client, article_id, "rejected"))
    accepted, rejected = pipe.execute()
    return sorted(i.decode() for i in accepted), sorted(i.decode() for i in rejected)
