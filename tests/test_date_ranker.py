"""The timeline's date model (enrich/date_ranker.py) as shipped: learned from journalists'
timelines, it must prefer the day a story's coverage bursts on, which many sources write, over a
year one source mentions in passing, and a day over the month it falls in."""

from __future__ import annotations

from enrich import date_ranker
from enrich.background import Candidate


def source(published: str, similarity: float = 1.0) -> dict[str, object]:
    return {"published_at": published + "T12:00:00Z", "similarity": similarity}


def test_the_day_coverage_bursts_on_outranks_a_year_mentioned_in_passing() -> None:
    sources = {f"s{i}": source(f"2010-01-{13 + i % 3:02d}") for i in range(9)}
    sources["old"] = source("2010-01-20", 0.3)
    found = [Candidate(f"s{i}", 0, 50, "text", ["LOC:haiti"], "2010-01-12", "relative", 1.0) for i in range(6)]
    found += [Candidate("old", 0, 50, "text", ["LOC:haiti"], "1994", "text", 1.0),
              Candidate("s1", 60, 90, "text", ["LOC:haiti"], "2010-01", "text", 1.0)]
    ranked = date_ranker.rank(found, sources)
    assert ranked[0] == "2010-01-12", ranked
    assert ranked.index("2010-01-12") < ranked.index("2010-01") < len(ranked)
    assert ranked.index("2010-01-12") < ranked.index("1994")


def test_the_shipped_model_says_what_it_was_trained_on() -> None:
    model = date_ranker.shipped()
    assert set(model["coef"]) == set(date_ranker.FEATURES)
    assert model["trained_on"] == ["egypt", "finan", "haiti", "mj"] and model["on_timelines"] > 0
    vectors = date_ranker.features([Candidate("a", 0, 1, "t", [], "2010-01-12", "text", 1.0)],
                                   {"a": source("2010-01-12")})
    assert 0.0 < date_ranker.score(vectors["2010-01-12"], model) < 1.0
