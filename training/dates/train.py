"""Fit the timeline date model (enrich/date_ranker.py) on the journalists' timelines of
Timeline17's four dev stories and write enrich/date_ranker.json (make train-dates; seconds, with
the evaluation's NLP cache). The model is the one `make eval` scores leave-one-story-out: there,
each story is scored by a model fitted on the other three; this one is fitted on all four.

    .venv/bin/python -m training.dates.train [--data ../shared/data/timelines]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import redis

from devtools.local_redis import RedisServer
from enrich import date_ranker
from evaluation import timeline17


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/timelines"))
    parser.add_argument("--model", default="en_newsroom_ner")
    parser.add_argument("--out", type=Path, default=date_ranker.MODEL)
    args = parser.parse_args()
    server = RedisServer(Path(tempfile.mkdtemp(prefix="train-dates-")), appendonly=False)
    server.start()
    try:
        r = redis.Redis.from_url(server.url)
        _, gold, queries = timeline17.queries(args.data, r, args.model, with_copies=True)
        rows: list[list[float]] = []
        labels: list[int] = []
        for topic, q in queries.items():
            story = timeline17.story_of(r, q["article"], q["prepared"], min(len(gold[topic]), timeline17.MAX_K))
            x, y = timeline17.date_rows(story, set(gold[topic]))
            rows += x
            labels += y
    finally:
        server.stop()
    model = timeline17.fit_date_model(rows, labels, sorted(queries))
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(model, indent=1))


if __name__ == "__main__":
    main()
