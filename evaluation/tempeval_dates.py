"""Dates of news sentences on TempEval-3 (`../shared/data/tempeval3`): is the date we give a
sentence one of the dates its gold time expressions carry?

A sentence counts if it has at least one gold DATE/TIME expression with a calendar value (day,
week, month, quarter, season or year; TIME values are cut to their day). A resolver is right if
the value it gives equals one of those gold values exactly (a day is not a month). Side by side:
the publication date alone, the resolver background used before (`evaluation/date_baseline.py`), and the
tagger (`enrich/timex.py`): the expression `event_date` picks, and whether any expression it
tags carries a gold value (its recall ceiling).

Split by corpus: rules are developed on TimeBank (DEVELOPMENT: its misses are the ones printed) and
reported on AQUAINT, whose misses are never printed. The rules before session 23 were
built reading both corpora, so AQUAINT is untouched only for changes made since (docs/evaluation.md).
    python -m evaluation.tempeval_dates [data dir]
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from enrich import timex
from evaluation import date_baseline

PLAIN = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
DEVELOPMENT = "TimeBank"  # the other corpus, AQUAINT, is reported
CALENDAR = re.compile(r"^\d{4}(?:-(?:\d{2}(?:-\d{2})?|W\d{2}|Q[1-4]|SP|SU|FA|WI))?$")


def load(path: Path) -> list[dict[str, Any]]:
    """Sentences with their document date and gold calendar values."""
    sentences: dict[tuple[str, int], dict[str, Any]] = {}
    gold: dict[tuple[str, int], set[str]] = defaultdict(set)
    for line in (path / "timex.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        key = (row["doc_id"], row["sentence_index"])
        sentences.setdefault(key, {"text": row["sentence"], "dct": row["dct"][:10], "doc_id": row["doc_id"],
                                   "corpus": row["corpus"]})
        value = row["value"].split("T")[0] if row["type"] == "TIME" else row["value"]
        if row["type"] in {"DATE", "TIME"} and CALENDAR.match(value):
            gold[key].add(value)
    return [{**s, "gold": gold[k]} for k, s in sentences.items() if gold[k]]


def evaluate(path: Path) -> dict[str, Any]:
    rows = load(path)
    scores: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    misses = []
    by_corpus: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # corpus: [right, sentences]
    for row in rows:
        published = date.fromisoformat(row["dct"])
        scores["publication date"] += published.isoformat() in row["gold"]
        scores["previous resolver"] += date_baseline.resolve(row["text"], published)[0] in row["gold"]
        picked = timex.event_date(row["text"], published)
        value = picked.value if picked else published.isoformat()
        hit = value in row["gold"]
        scores["tagger: event date (enrich/timex.py)"] += hit
        by_corpus[row["corpus"]][0] += hit
        by_corpus[row["corpus"]][1] += 1
        scores["tagger: any expression (ceiling)"] += any(t.value in row["gold"]
                                                          for t in timex.tag(row["text"], published))
        plain = {g for g in row["gold"] if PLAIN.match(g)}
        if plain:  # the subset the libraries were compared on (docs/evaluation.md)
            scores["day/month/year golds: sentences"] += 1
            scores["day/month/year golds: tagger"] += value in plain
        if not hit and row["corpus"] == DEVELOPMENT:
            misses.append({"sentence": row["text"][:160], "dct": row["dct"], "gold": sorted(row["gold"]),
                           "picked": value, "expression": picked.text if picked else None})
    seconds = time.perf_counter() - started
    n, subset = len(rows), scores.pop("day/month/year golds: sentences")
    plain_hits = scores.pop("day/month/year golds: tagger")
    return {"sentences": n, "accuracy": {k: round(v / n, 3) for k, v in scores.items()},
            "day_month_year_subset": {"sentences": subset, "tagger": round(plain_hits / subset, 3)},
            "event_date_by_corpus": {c: {"sentences": n_c, "right": round(right / n_c, 3),
                                         "split": "development" if c == DEVELOPMENT else "reported"}
                                     for c, (right, n_c) in sorted(by_corpus.items())},
            "sentences_per_second_all_four": round(n / seconds, 1), "misses": misses}


if __name__ == "__main__":
    import sys
    result = evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/tempeval3"))
    print(json.dumps({k: v for k, v in result.items() if k != "misses"}, indent=1))
    for miss in result["misses"]:
        print(miss)
