"""`make eval-date-libraries`: PyPI date taggers beside ours on TempEval-3, on the same sentences
and the same question as evaluation/tempeval_dates.py (is the date given one of the sentence's
gold values?), restricted to sentences whose gold is a plain day, month or year, since the
libraries render neither quarters nor seasons. Each library's most specific expression is taken
(day over month over year, then the first). The libraries are the optional extra `[dates]`,
not dependencies of the service.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from enrich import timex
from evaluation.tempeval_dates import PLAIN, load

Found = list[tuple[date, str]]  # (date, granularity: day, month or year)
RANK = {"year": 0, "month": 1, "day": 2}


def render(found: Found) -> str | None:
    if not found:
        return None
    day, granularity = max(found, key=lambda f: RANK[f[1]])  # max keeps the first of equals
    return {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[granularity]


def dateparser_tagger() -> Callable[[str, date], Found]:
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    def tag(sentence: str, published: date) -> Found:
        settings = {"RELATIVE_BASE": datetime(published.year, published.month, published.day),
                    "PREFER_DATES_FROM": "current_period"}
        periods = DateDataParser(languages=["en"], settings={**settings, "RETURN_TIME_AS_PERIOD": True})
        found = []
        for text, _ in search_dates(sentence, languages=["en"], settings=settings) or []:
            data = periods.get_date_data(text)
            if data and data.date_obj is not None:
                found.append((data.date_obj.date(), {"year": "year", "month": "month"}.get(data.period, "day")))
        return found
    return tag


def parsedatetime_tagger() -> Callable[[str, date], Found]:
    import parsedatetime as pdt

    constants = pdt.Constants(usePyICU=False)
    constants.DOWParseStyle, constants.CurrentDOWParseStyle, constants.YearParseStyle = -1, True, 0  # the past
    calendar, ctx = pdt.Calendar(constants, version=pdt.VERSION_CONTEXT_STYLE), pdt.pdtContext
    day_level = ctx.ACU_DAY | ctx.ACU_HALFDAY | ctx.ACU_HOUR | ctx.ACU_MIN | ctx.ACU_SEC | ctx.ACU_NOW | ctx.ACU_WEEK

    def tag(sentence: str, published: date) -> Found:
        found = []
        for when, context, *_ in calendar.nlp(sentence, sourceTime=published.timetuple()) or ():
            accuracy = context.accuracy
            granularity = ("day" if accuracy & day_level else "month" if accuracy & ctx.ACU_MONTH
                           else "year" if accuracy & ctx.ACU_YEAR else None)
            if granularity:
                found.append((when.date(), granularity))
        return found
    return tag


def ours(sentence: str, published: date) -> str | None:
    """As evaluation/tempeval_dates.py scores it: with no expression, the publication date."""
    picked = timex.event_date(sentence, published)
    return picked.value if picked else published.isoformat()


def main(path: Path) -> None:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    rows = [{**row, "gold": {g for g in row["gold"] if PLAIN.match(g)}} for row in load(path)]
    rows = [row for row in rows if row["gold"]]
    dateparser_tag, parsedatetime_tag = dateparser_tagger(), parsedatetime_tagger()
    resolvers: dict[str, Callable[[str, date], str | None]] = {
        "publication date": lambda s, d: d.isoformat(),
        "dateparser (current_period)": lambda s, d: render(dateparser_tag(s, d)),
        "parsedatetime (past-tuned)": lambda s, d: render(parsedatetime_tag(s, d)),
        "enrich/timex.py event_date": ours,
    }
    print(f"TempEval-3, {len(rows)} sentences with a plain day/month/year gold")
    print(f"{'resolver':<32}{'right':>8}{'sentences/s':>14}")
    for name, resolve in resolvers.items():
        started = time.perf_counter()
        right = sum((resolve(r["text"], date.fromisoformat(r["dct"])) or "") in r["gold"] for r in rows)
        rate = len(rows) / (time.perf_counter() - started)
        print(f"{name:<32}{right / len(rows):>8.3f}{rate:>14.0f}")


if __name__ == "__main__":
    import sys
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/tempeval3"))
