"""The timeline's date ranking before the learned model (enrich/date_ranker.py): weights set by
hand on the four Timeline17 dev stories, kept as the baseline `make eval` prints beside it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from enrich.background import Candidate

WRITTEN, PUBLISHED = 1.0, 0.35  # how much a date counts when a sentence writes it / only implies it
GRANULARITY = {2: 1.0, 1: 0.5, 0: 0.3}  # by the dashes in the value: day, month (or quarter), year


def _granularity(value: str) -> float:
    """A day dates an event; a month or a year only places it (and is worth less on a timeline)."""
    return GRANULARITY.get(value.count("-"), 0.5) if "-Q" not in value else GRANULARITY[1]


def rank_dates(found: list[Candidate], sources: dict[str, dict[str, Any]]) -> list[str]:
    """Dates by how many sources report or refer back to them (each source also counts for its
    publication day: coverage follows events; a source counts as much as it is about the story),
    then by their sentences' weight."""
    votes: dict[str, dict[str, float]] = defaultdict(dict)
    mass: dict[str, float] = defaultdict(float)
    best = max((doc.get("similarity", 0.0) for doc in sources.values()), default=0.0) or 1.0
    about = {doc_id: doc.get("similarity", 0.0) / best for doc_id, doc in sources.items()}
    for doc_id, doc in sources.items():
        votes[doc["published_at"][:10]][doc_id] = PUBLISHED * about[doc_id]
    for c in found:
        vote = (PUBLISHED if c.how == "published" else WRITTEN) * _granularity(c.when) * about[c.doc_id]
        votes[c.when][c.doc_id] = max(votes[c.when].get(c.doc_id, 0.0), vote)
        mass[c.when] += c.weight
    return sorted((d for d in votes if d in mass), key=lambda d: (-sum(votes[d].values()), -mass[d], d))
