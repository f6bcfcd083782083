"""How long a forecast stands: what an archive sentence said may follow is still to come until the
last day it names, or, naming none, FORECAST_DAYS after it was reported.

"The merger would be completed within 14 months" (reported two years before) no longer says what
may follow today's article; "the vote will be held by Sept. 11" (reported in April) still does in
August. The days a sentence names come from the temporal tagger (enrich/timex.py: dates after the
report) and from a span of time counted from the report ("within 90 days", "in the next two years").
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from enrich import timex

# How long a forecast that names no day stands: the median of how far ahead the forecasts that do
# name one look, in TimeBank (TempEval-3's gold dates; every sentence whose dates all fall after its
# document's date: 107 sentences, quartiles 31 / 174 / 431 days). Chosen on TimeBank only, never on
# AQUAINT (python -m evaluation.forecast_horizon prints both, and how often horizon() finds the gold
# horizon); the median, so that a forecast is held to stand no longer than half the ones that say.
FORECAST_DAYS = 174
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
SPAN = re.compile(rf"\b(?:within|in|over|during)\s+(?:the\s+)?(?:next\s+|coming\s+)?{timex.NUM}\s+"
                  r"(?P<unit>day|week|month|quarter|year)s?\b", re.IGNORECASE)


def last_day(value: str) -> date | None:
    """The last day a TIMEX value covers (day, week, month, quarter, season, year), or None."""
    start = timex.as_date(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return start
    if (week := re.fullmatch(r"(\d{4})-W(\d{2})", value)):
        return date.fromisocalendar(int(week.group(1)), int(week.group(2)), 7)
    if start is None:
        return None
    months = 12 if re.fullmatch(r"\d{4}", value) else 1 if re.fullmatch(r"\d{4}-\d{2}", value) else 3
    index = start.year * 12 + start.month - 1 + months - 1
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def named_horizon(sentence: str, reported: date) -> date | None:
    """The last day the sentence names after `reported`: a date it gives, or the end of a span of
    time counted from the report; None when it names none."""
    ends = [day for t in timex.tag(sentence, reported)
            if (day := last_day(t.value)) is not None and day > reported]
    ends += [reported + timedelta(days=timex.count(m.group("n")) * UNIT_DAYS[m.group("unit").lower()])
             for m in SPAN.finditer(sentence)]
    return max(ends, default=None)


def horizon(sentence: str, reported: date) -> date:
    """Until when the sentence's forecast stands: the last day it names, else FORECAST_DAYS on."""
    return named_horizon(sentence, reported) or reported + timedelta(days=FORECAST_DAYS)


def stands(sentence: str, reported: date, as_of: date) -> bool:
    """Whether a forecast reported on `reported` still says what may follow on `as_of`."""
    return horizon(sentence, reported) >= as_of
