"""Versions of one story in an archive: a re-filed, corrected or syndicated copy under another id.

Two archive articles are versions of one story when their headlines match once case and
punctuation are set aside, or when their idf-weighted features are nearly the same (cosine at
least NEAR_DUPLICATE, among articles whose five strongest features are the same). An editor wants
one link per story: the version an editor accepted, else
one in a section the request prefers, else the earliest (the original filing).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from enrich import controls
from enrich.features import dot, unit

NEAR_DUPLICATE = 0.9
SAME_HEADLINE = 0.5  # a shared headline makes a version only over this much shared body
SIGNATURE = 5
TITLE_NOISE = re.compile(r"[^a-z0-9]+")

Vector = dict[str, float]


def published_epoch(published: str) -> float:
    return datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()


def title_key(title: str) -> str:
    return TITLE_NOISE.sub(" ", title.lower()).strip()


def signature(features: Vector) -> frozenset[str]:
    """An article's strongest features: versions of one story share them, so only articles with
    the same signature are compared (a lookup stays linear in its candidates)."""
    return frozenset(sorted(features, key=lambda f: (-features[f], f))[:SIGNATURE])


def group(order: list[str], titles: dict[str, str], signatures: dict[str, frozenset[str]],
          vector_of: Callable[[str], Vector], max_groups: int | None = None) -> list[list[str]]:
    """The ids in `order` grouped by story; groups come in the order of their first member, whose
    vector stands for the group (`vector_of` is asked only for articles that share a signature).
    With `max_groups`, an id that would start a group past that many is left out (it could only
    be a version of one kept)."""
    groups: list[list[str]] = []
    by_title: dict[str, int] = {}
    by_signature: dict[frozenset[str], list[int]] = defaultdict(list)
    for doc_id in order:
        key = title_key(titles[doc_id])
        found = by_title.get(key)
        if found is None:
            found = next((n for n in by_signature[signatures[doc_id]]
                          if dot(vector_of(doc_id), vector_of(groups[n][0])) >= NEAR_DUPLICATE), None)
        if found is None:
            if max_groups is not None and len(groups) >= max_groups:
                continue
            found = len(groups)
            groups.append([])
            by_signature[signatures[doc_id]].append(found)
        groups[found].append(doc_id)
        by_title.setdefault(key, found)
    return groups


def copies_of(query: Vector, title: str, docs: dict[str, dict[str, Any]], weights: Vector) -> set[str]:
    """The archive articles among `docs` that are the article itself under another id: a wire
    copy, the published version, an earlier draft of an update. The same test as for versions of
    one archive story (cosine at least NEAR_DUPLICATE), or the same headline over a shared body
    (cosine at least SAME_HEADLINE). They are never its links, its sources, nor the yardstick
    its other sources are measured by."""
    article, headline = unit(query, weights), title_key(title)
    copies = set()
    for doc_id, doc in docs.items():
        closeness = dot(article, unit(doc.get("features") or {}, weights))
        if closeness >= NEAR_DUPLICATE or (
                headline and closeness >= SAME_HEADLINE and title_key(doc.get("title") or "") == headline):
            copies.add(doc_id)
    return copies


def representative(members: list[str], docs: dict[str, dict[str, Any]], options: dict[str, Any],
                   accepted: set[str] = frozenset()) -> str:
    """The version to link: accepted by an editor, else in a preferred section or with a preferred
    tag, else the earliest published (ties by id)."""
    return min(members, key=lambda m: (docs[m].get("id") not in accepted,
                                       controls.preference(docs[m], options) == 1.0,
                                       published_epoch(docs[m]["published_at"]), m))


def one_per_story(docs: dict[str, dict[str, Any]], weights: Vector, options: dict[str, Any]
                  ) -> dict[str, dict[str, Any]]:
    """Of each story's versions among these documents (with "features", "title", "published_at"),
    keep the representative, as close to the article (`similarity`) as the closest version, and
    among the article's nearest (`near`) where any version is."""
    order = sorted(docs, key=lambda i: (-docs[i].get("similarity", 0.0), i))
    vectors: dict[str, Vector] = {}

    def vector_of(doc_id: str) -> Vector:
        if doc_id not in vectors:
            vectors[doc_id] = unit(docs[doc_id].get("features") or {}, weights)
        return vectors[doc_id]

    signatures = {i: signature(docs[i].get("features") or {}) for i in order}
    out = {}
    for members in group(order, {i: docs[i]["title"] for i in order}, signatures, vector_of):
        chosen = representative(members, docs, options)
        out[chosen] = {**docs[chosen], "similarity": docs[members[0]].get("similarity", 0.0)}
        if any(docs[m].get("near") for m in members):
            out[chosen]["near"] = True
    return out
