"""How far ahead news forecasts look, from TempEval-3's gold dates: what enrich/forecasts.FORECAST_DAYS
(how long a forecast that names no day stands) is chosen from, and how often enrich/forecasts.
named_horizon finds the day a forecast names.

A forecast here is a sentence whose gold DATE expressions (a day, month or year) all fall after its
document's date; its horizon is the last day the latest of them covers. FORECAST_DAYS is the median
horizon on TimeBank (the choice corpus of the look-ahead work, evaluation/tempeval_ahead.py); AQUAINT
is only reported. Run:
    python -m evaluation.forecast_horizon [data dir]
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from enrich import forecasts
from evaluation.tempeval_ahead import CALENDAR, date_side


def gold_forecasts(path: Path) -> dict[str, list[tuple[str, date, date]]]:
    """Per corpus: (sentence, document date, gold horizon) of every forecast."""
    dates: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    dct: dict[tuple[str, str, str], str] = {}
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        if r["type"] == "DATE" and CALENDAR.match(r["value"]):
            key = (r["corpus"], r["doc_id"], r["sentence"])
            dates[key].append(r["value"])
            dct[key] = r["dct"][:10]
    out: dict[str, list[tuple[str, date, date]]] = defaultdict(list)
    for (corpus, _, sentence), values in sorted(dates.items()):
        reported = dct[(corpus, _, sentence)]
        if all(date_side(v, reported) == "F" for v in values):
            ends = [forecasts.last_day(v) for v in values]
            out[corpus].append((" ".join(sentence.split()), date.fromisoformat(reported),
                                max(e for e in ends if e is not None)))
    return out


def figures(rows: list[tuple[str, date, date]]) -> dict[str, Any]:
    days = [(end - reported).days for _, reported, end in rows]
    quartiles = statistics.quantiles(days, n=4, method="inclusive")
    found = [forecasts.named_horizon(sentence, reported) for sentence, reported, _ in rows]
    return {"forecasts": len(rows), "horizon_days_quartiles": quartiles,
            "named_horizon_exact": sum(f == end for f, (_, _, end) in zip(found, rows, strict=True)) / len(rows),
            "named_horizon_none": sum(f is None for f in found) / len(rows),
            "within_forecast_days": sum(d <= forecasts.FORECAST_DAYS for d in days) / len(rows)}


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    by_corpus = gold_forecasts(data / "tempeval3" / "timex.jsonl")
    for corpus, role in (("TimeBank", "choice: FORECAST_DAYS is its median"), ("AQUAINT", "reported only")):
        print(json.dumps({"corpus": corpus, "role": role, **figures(by_corpus[corpus])}))
    print(json.dumps({"FORECAST_DAYS": forecasts.FORECAST_DAYS}))


if __name__ == "__main__":
    main()
