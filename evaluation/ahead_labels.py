"""Sentences labelled by hand for what the look-ahead head is for: does the sentence state what is
expected, planned, forecast, warned of or feared to come after it was said ("officials warned that
the freed prisoners could swell the rebels' ranks"), reported or not? Dates cannot tell that for a
reported warning: its date dates the saying. A choice set: nothing here is ever trained on, and no
reported figure comes from it.

Drawn at random (SEED) from two pools no training reads and no reported figure uses:
- the Causal News Corpus's choice stories (evaluation/causal_news.choice_split: protest and conflict
  news), CAUSAL_NEWS of them;
- Reuters-21578 sentences **without** a time expression, from the articles the look-ahead head's
  distant labels are drawn from (training/consequence/dated_archive.py), which labels only dated
  sentences, so none of these was trained on; at most one an article, REUTERS of them.

The labels (LABELS: each sentence's pool, id, the SHA-1 of its text and 1/0; no text of a corpus is
kept here) were written by the team in session 29 by the rule above, before any model was scored
on them. `python -m evaluation.ahead_labels --print` lists the sample to label.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from enrich.timex import tag
from evaluation.category_domains import sentences
from evaluation.causal_news import choice_split, split
from training.consequence import dated_archive

SEED = 29
CAUSAL_NEWS = 100
REUTERS = 100
MIN_WORDS = 8
LABELS = Path(__file__).with_name("ahead_labels.json")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _reuters_pool(path: Path) -> list[dict[str, Any]]:
    """One undated sentence of MIN_WORDS or more per article of dated_archive's pool (one drawn at
    random from the article's such sentences), as {pool, id, text}."""
    rng = random.Random(SEED)
    out = []
    for doc_id, published, body in dated_archive.reuters_articles(path):
        found = [(i, s) for i, s in enumerate(sentences(body)) if len(s.split()) >= MIN_WORDS and not tag(s, published)]
        if found:
            i, s = found[rng.randrange(len(found))]
            out.append({"pool": "reuters", "id": f"{doc_id}:{i}", "text": s})
    return out


def sample(data: Path) -> list[dict[str, Any]]:
    """The sentences to label, in a fixed order: CAUSAL_NEWS from the Causal News choice stories,
    then REUTERS undated Reuters sentences."""
    rng = random.Random(SEED)
    _, choice = choice_split(split(data / "causal_news" / "sentences.jsonl")[0])
    cnc = [{"pool": "causal_news", "id": r["id"], "text": r["text"]} for r in choice]
    reuters = _reuters_pool(data / "reuters21578" / "articles.jsonl")
    return rng.sample(cnc, CAUSAL_NEWS) + rng.sample(reuters, REUTERS)


def labelled(data: Path) -> list[dict[str, Any]]:
    """The sample with its labels ({pool, id, text, ahead}); a sentence whose text no longer
    matches its label's digest is an error, not skipped."""
    labels = {row["id"]: row for row in json.loads(LABELS.read_text())}
    out = []
    for row in sample(data):
        label = labels[row["id"]]
        if label["sha1"] != _digest(row["text"]):
            raise ValueError(f"{row['id']}: the sentence changed since it was labelled")
        out.append({**row, "ahead": label["ahead"]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--print", action="store_true", help="print the sample to label (index, id, text)")
    args = parser.parse_args()
    rows = sample(args.data)
    if args.print:
        for i, row in enumerate(rows):
            print(f"{i}\t{row['id']}\t{row['text']}")
    else:
        rows = labelled(args.data)
        print(json.dumps({pool: {"sentences": sum(r["pool"] == pool for r in rows),
                                 "ahead": sum(r["ahead"] for r in rows if r["pool"] == pool)}
                          for pool in ("causal_news", "reuters")}))


if __name__ == "__main__":
    main()
