"""How long a forecast stands (enrich/forecasts.py): until the last day it names, or FORECAST_DAYS,
which is the median of how far TimeBank's forecasts look (evaluation/forecast_horizon.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from enrich import forecasts
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
