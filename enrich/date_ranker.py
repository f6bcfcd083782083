"""Which dates of a story belong on its timeline: a logistic regression learned from journalists'
timelines (training/dates/train.py, on Timeline17's dev stories), not weights set by hand.

Every feature is a share or a ratio within the story, so it carries from a story of ten sources
to one of a hundred and fifty:
- published: the share of the story's closeness published that day (coverage follows events);
- published_next: the same for the day after (an event is reported the next morning);
- published_near: the share published within three days either side (a burst of coverage);
- written: the share of the story's closeness whose sentences write or refer back to the date;
- writers: how many sources write it, against the most any date of the story has;
- mass: how much candidate sentence weight it has, against the most any date has;
- day, month, year: its granularity (a quarter or a season counts as a month).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from enrich import timex

FEATURES = ("published", "published_next", "published_near", "written", "writers", "mass", "day", "month", "year")
MODEL = Path(__file__).with_name("date_ranker.json")
NEAR_DAYS = 3


class Dated(Protocol):
    doc_id: str
    when: str
    how: str
    weight: float


def granularity(value: str) -> str:
    if "-Q" in value or value.count("-") == 1:
        return "month"
    return "day" if value.count("-") == 2 else "year"


def features(found: list[Dated], sources: dict[str, dict[str, Any]]) -> dict[str, list[float]]:
    """The feature vector (FEATURES order) of every date some candidate sentence is dated to."""
    closeness = {doc_id: max(doc.get("similarity", 0.0), 1e-9) for doc_id, doc in sources.items()}
    total = sum(closeness.values()) or 1.0
    by_day: dict[date, float] = defaultdict(float)
    for doc_id, doc in sources.items():
        by_day[date.fromisoformat(doc["published_at"][:10])] += closeness[doc_id] / total
    writers: dict[str, set[str]] = defaultdict(set)
    mass: dict[str, float] = defaultdict(float)
    for c in found:
        mass[c.when] += c.weight
        if c.how != "published":
            writers[c.when].add(c.doc_id)
    most_writers = max((len(w) for w in writers.values()), default=0) or 1
    most_mass = max(mass.values(), default=0.0) or 1.0
    out = {}
    for value in mass:
        kind = granularity(value)
        day = timex.as_date(value) if kind == "day" else None
        near = sum(by_day.get(day + timedelta(days=k), 0.0) for k in range(-NEAR_DAYS, NEAR_DAYS + 1)) if day else 0.0
        out[value] = [
            by_day.get(day, 0.0) if day else 0.0,
            by_day.get(day + timedelta(days=1), 0.0) if day else 0.0,
            near,
            sum(closeness[d] for d in writers[value]) / total,
            len(writers[value]) / most_writers,
            mass[value] / most_mass,
            float(kind == "day"), float(kind == "month"), float(kind == "year"),
        ]
    return out


@cache
def shipped() -> dict[str, Any]:
    """The model training/dates/train.py wrote: {"coef": {feature: weight}, "intercept": ...}."""
    return json.loads(MODEL.read_text(encoding="utf-8"))


def score(vector: list[float], model: dict[str, Any]) -> float:
    """The model's probability that a date with this vector is on the journalists' timeline."""
    z = model["intercept"] + sum(model["coef"][name] * value for name, value in zip(FEATURES, vector, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def rank(found: list[Dated], sources: dict[str, dict[str, Any]], model: dict[str, Any] | None = None) -> list[str]:
    """The dates of the candidate sentences, likeliest on the timeline first (ties: earlier date)."""
    model = model or shipped()
    vectors = features(found, sources)
    return sorted(vectors, key=lambda d: (-score(vectors[d], model), d))
