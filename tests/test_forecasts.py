"""How long a forecast stands (enrich/forecasts.py): until the last day it names, or FORECAST_DAYS,
which is the median of how far TimeBank's forecasts look (evaluation/forecast_horizon.py); and what
implications make of it: an archive sentence of the story's history is an item only while its
forecast stands (enrich/implications.py HISTORY_DAYS, FORECASTS_LAPSE)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from enrich import categories, forecasts, implications
from evaluation import forecast_horizon
from tests.conftest import ROOT

TIMEX = ROOT.parent / "shared" / "data" / "tempeval3" / "timex.jsonl"


@pytest.mark.parametrize(("value", "last"), [
    ("2021-09-11", date(2021, 9, 11)), ("2021-09", date(2021, 9, 30)), ("2020-02", date(2020, 2, 29)),
    ("1987-Q1", date(1987, 3, 31)), ("1987", date(1987, 12, 31)), ("2021-W01", date(2021, 1, 10)),
    ("198", None)])
def test_the_last_day_a_value_covers(value, last):
    assert forecasts.last_day(value) == last


def test_a_forecast_stands_until_the_day_it_names():
    said = date(2021, 4, 14)
    withdraw = "The president said on Wednesday that the troops would withdraw by Sept. 11."
    assert forecasts.named_horizon(withdraw, said) == date(2021, 9, 11)  # "Wednesday" is the saying's day
    assert forecasts.stands(withdraw, said, date(2021, 8, 13))
    assert not forecasts.stands(withdraw, said, date(2021, 9, 12))


def test_a_span_of_time_counts_from_the_report():
    said = date(2020, 2, 29)
    deal = "Under the deal the forces would leave the country within 14 months."
    assert forecasts.named_horizon(deal, said) == said + timedelta(days=14 * 30)
    assert not forecasts.stands(deal, said, date(2021, 8, 13))
    soon = "Rebels could take the capital in the next two weeks, officials said."
    assert forecasts.named_horizon(soon, said) == said + timedelta(days=14)


def test_a_forecast_that_names_no_day_stands_for_forecast_days():
    said = date(1996, 9, 27)
    vow = "The movement said it would govern the country under its own laws."
    assert forecasts.named_horizon(vow, said) is None
    assert forecasts.horizon(vow, said) == said + timedelta(days=forecasts.FORECAST_DAYS)
    assert forecasts.stands(vow, said, date(1996, 12, 1)) and not forecasts.stands(vow, said, date(2021, 8, 13))


def test_forecast_days_is_timebank_s_median_horizon():
    rows = forecast_horizon.gold_forecasts(TIMEX)["TimeBank"]
    assert len(rows) == 107
    assert forecast_horizon.figures(rows)["horizon_days_quartiles"][1] == forecasts.FORECAST_DAYS


def test_an_archive_consequence_of_the_story_s_history_is_no_item_unless_it_looks_ahead():
    """A consequence the archive reported more than HISTORY_DAYS before the article is the story's
    history: it may be an article item's precedent, not an item of its own; one that looks ahead
    to a day not yet passed (a warning that still stands: enrich/forecasts.py), or a recent one,
    still is. (The old one is legal, the article's item economic: it cannot become the article
    item's precedent instead.)"""
    lead, suit = ("Shares of the carmaker fell sharply after it cut its profit forecast.",
                  "Regulators sued the carmaker in court over its faulty brakes.")
    article = f"{lead} {suit}"
    old = "A court fined the carmaker heavily over the faulty brakes, which forced it to recall a million cars."
    warning = "Higher costs could force the carmaker to cut jobs and close plants next year."
    archive = [{"archive_id": "old", "span": [0, len(old)], "text": old, "date": "2019-03-02"},
               {"archive_id": "warning", "span": [0, len(warning)], "text": warning, "published": "2019-03-05"}]
    heads = {lead: (0.9, 0.1), suit: (0.1, 0.1), old: (0.9, 0.1), warning: (0.6, 0.9)}
    read = lambda texts: [heads[t] for t in texts]  # noqa: E731  (causal, ahead) for each sentence
    sources = lambda as_of: [i["evidence"][0]["source"] for i in implications.implications(  # noqa: E731
        article, [[0, len(lead)], [len(lead) + 1, len(article)]], 7, archive, read=read, as_of=as_of)]
    assert implications.HISTORY_DAYS == 30
    assert sorted(sources("2019-03-20")) == ["article", "old", "warning"]  # weeks later: all are news
    assert sorted(sources("2019-09-01")) == ["article", "warning"]  # months later: "old" is history
    # Five years later the warning's "next year" (2020) is over too: it no longer says what may follow.
    assert sorted(sources("2024-04-01")) == ["article"]
    assert sorted(sources(None)) == ["article", "old", "warning"]  # no date, no rule


def test_a_recent_forecast_lapses_only_when_every_age_is_set_to(monkeypatch):
    """FORECASTS_LAPSE: a forecast reported days before the article whose named day is already over
    is still an item under "history" (the shipped rule: it is recent news), and is the story's past
    under "any age"; one whose day is still to come is an item under both."""
    lead = "Shares of the carmaker fell sharply after it cut its profit forecast."
    over = "The carmaker will announce its results on March 10, the company said."
    ahead = "The carmaker will announce its new plan on April 20, the company said."
    archive = [{"archive_id": name, "span": [0, len(text)], "text": text, "published": "2019-03-05"}
               for name, text in (("over", over), ("ahead", ahead))]
    heads = {lead: (0.9, 0.1), over: (0.2, 0.95), ahead: (0.2, 0.95)}
    monkeypatch.setattr(categories, "in_context", lambda sentences, story: [[("economic", 0.9)] for _ in sentences])
    sources = lambda: sorted(i["evidence"][0]["source"] for i in implications.implications(  # noqa: E731
        lead, [[0, len(lead)]], 7, archive, read=lambda texts: [heads[t] for t in texts], as_of="2019-03-15"))
    assert implications.FORECASTS_LAPSE == "history"
    assert sources() == ["ahead", "article", "over"]
    monkeypatch.setattr(implications, "FORECASTS_LAPSE", "any age")
    assert sources() == ["ahead", "article"]
    monkeypatch.setattr(implications, "FORECASTS_LAPSE", None)
    assert sources() == ["ahead", "article", "over"]
