"""The evaluations' archive: one archive ("eval") in the evaluation's private Redis, with the
workers' look-ups keyed by plain article ids, as the evaluations' gold data names them."""

from __future__ import annotations

from typing import Any

import redis

from enrich import background, implications
from enrich.prepare import epoch
from store import archive_index, archive_search

ARCHIVE = "eval"


def _plain(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {archive_index.unqualify(qualified)[1]: doc for qualified, doc in docs.items()}


def _own(article_id: str | None) -> str | None:
    return archive_index.qualify(ARCHIVE, article_id) if article_id else None


def related(r: redis.Redis, query: dict[str, float], as_of: float, exclude_id: str | None, title: str = ""
            ) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    weights, docs, _ = archive_search.related(r, [ARCHIVE], query, as_of, _own(exclude_id), title)
    return weights, _plain(docs)


def story_sources(r: redis.Redis, query: dict[str, float], entity_keys: list[str], before: float,
                  exclude_id: str | None, title: str = "", wanted: int = 0
                  ) -> tuple[dict[str, float], dict[str, dict[str, Any]], background.Story]:
    weights, docs, story = archive_search.story_sources(r, [ARCHIVE], query, entity_keys, before,
                                                         _own(exclude_id), title, wanted)
    if story.near is not None:
        story.near = {archive_index.unqualify(qualified)[1] for qualified in story.near}
    return weights, _plain(docs), story


def store(r: redis.Redis, doc: dict[str, Any]) -> None:
    archive_index.store(r, ARCHIVE, doc)


def size(r: redis.Redis) -> int:
    return archive_index.size(r, ARCHIVE)


def timeline_and_implications(r: redis.Redis, article: dict[str, Any], prepared: dict[str, Any], limit: int = 8
                              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """An article's background timeline and implications against the archive, as the workers build
    them (the implications read the story sentences: background.story_sentences)."""
    main = background.main_entities(prepared["entities"])
    weights, sources, story = story_sources(r, prepared["features"], [e["key"] for e in main],
                                            epoch(article["published_at"]), article["id"], prepared["title"], limit)
    timeline = background.timeline(main, sources, weights, limit, story=story)
    return timeline, implications.implications_and_key_points(
        prepared, timeline, 5, background.story_sentences(sources, main, story), article["published_at"]
    )["implications"]
