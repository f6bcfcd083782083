"""Distant labels for the look-ahead head from a dated news archive, beside TempEval-3's few hundred.

A sentence whose dates (those whose value does not depend on its tense: enrich/timex.tag with
`tense_free`) all fall after its article's date looks ahead; one whose dates all fall before it
does not; mixed sentences, and those dated only in the article's own period ("this year": either
way), are left out. Each is kept `undated`, every time expression cut out
(evaluation/tempeval_ahead.undated), so the head learns what in the words looks ahead ("will
resume", "plans to", "could fall") rather than the date, which a warning seldom carries.

Reuters-21578 articles that no reported figure or demo reads: not the first DEMO_ARTICLES lines
(`make run`'s demo archive), not the later half by date (reuters_background's queries; the last
3,000 records are through_api's archive and queries), not category_domains' held-out fifth. At
most PER_ARTICLE sentences of each label from an article, so one dividend notice's template does
not fill the set; as many not-ahead sentences as ahead ones, drawn at random.
"""

from __future__ import annotations

import html
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from enrich.timex import as_date, tag
from evaluation.category_domains import held_out, sentences
from evaluation.tempeval_ahead import date_side, undated

DEMO_ARTICLES = 2000
PER_ARTICLE = 2


def _side(value: str, published: date) -> str | None:
    """'F' after the article's date, 'P' before it, 'S' the same, as TempEval's labels compare them
    (evaluation/tempeval_ahead.date_side); None for what has no calendar day."""
    return date_side(value, published.isoformat()) if as_date(value) else None


def labelled(path: Path, per_article: int = PER_ARTICLE, seed: int = 0) -> list[dict[str, Any]]:
    """{text, ahead (0/1), doc_id} rows, `text` undated, balanced between the labels."""
    records = [json.loads(line) for line in path.open(encoding="utf-8")][DEMO_ARTICLES:]
    dated = sorted(r["date"] for r in records if r.get("date"))
    median = dated[len(dated) // 2]
    by_label: dict[int, list[dict[str, Any]]] = {0: [], 1: []}
    for r in records:
        if not r.get("date") or not r.get("body") or r["date"] >= median or held_out(f"reuters:{r['newid']}"):
            continue
        published = date.fromisoformat(r["date"][:10])
        kept = {0: 0, 1: 0}
        for sentence in sentences(html.unescape(r["body"])):
            sides = {_side(t.value, published) for t in tag(sentence, published, tense_free=True)} - {None}
            if sides not in ({"F"}, {"P"}):
                continue
            label = int(sides == {"F"})
            if kept[label] < per_article:
                kept[label] += 1
                cut = [(t.start, t.end) for t in tag(sentence, published)]
                by_label[label].append({"text": undated(sentence, cut),
                                        "ahead": label, "doc_id": f"reuters:{r['newid']}"})
    rng = random.Random(seed)
    negatives = rng.sample(by_label[0], min(len(by_label[0]), len(by_label[1])))
    return by_label[1] + negatives
