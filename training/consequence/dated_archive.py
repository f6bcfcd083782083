"""Distant labels for the look-ahead head from a dated news archive, beside TempEval-3's few hundred.

A sentence whose dates (those whose value does not depend on its tense: enrich/timex.tag with
`tense_free`) all fall after its article's date looks ahead; one whose dates all fall before it does
not, unless it reports a forecast (`reported`, since 0.7.0: the date dates the saying); mixed
sentences, and those dated only in the article's own period ("this year": either way), are left out.
Each is kept `undated`, every time expression cut out (evaluation/tempeval_ahead.undated), so the
head learns what in the words looks ahead ("will resume", "plans to", "could fall") rather than the
date, which a warning seldom carries.

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
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from enrich.timex import as_date, tag
from evaluation.category_domains import held_out, sentences
from evaluation.tempeval_ahead import date_side, undated
from evaluation.topic_labels import half
from training.consequence.reported import told

DEMO_ARTICLES = 2000
PER_ARTICLE = 2


def _side(value: str, published: date) -> str | None:
    """'F' after the article's date, 'P' before it, 'S' the same, as TempEval's labels compare them
    (evaluation/tempeval_ahead.date_side); None for what has no calendar day."""
    return date_side(value, published.isoformat()) if as_date(value) else None


def reuters_articles(path: Path) -> Iterator[tuple[str, date, str]]:
    """(doc id, date, body) of the Reuters articles the labels may come from (see the docstring)."""
    records = [json.loads(line) for line in path.open(encoding="utf-8")][DEMO_ARTICLES:]
    dated = sorted(r["date"] for r in records if r.get("date"))
    median = dated[len(dated) // 2]
    for r in records:
        if not r.get("date") or not r.get("body") or r["date"] >= median or held_out(f"reuters:{r['newid']}"):
            continue
        yield f"reuters:{r['newid']}", date.fromisoformat(r["date"][:10]), html.unescape(r["body"])


def gva_articles(path: Path) -> Iterator[tuple[str, date, str]]:
    """(doc id, date, body) of gva_news articles of the incidents where link choices are tried
    (evaluation/topic_labels.half "tuning", as gva_also_read splits them; make eval reports the
    other half) and outside category_domains' held-out fifth: local crime news, court dates and what
    officials expect."""
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        incident = str(r.get("incident_id"))
        if r.get("text") and r.get("date") and half(incident) == "tuning" and not held_out(f"gva:{incident}"):
            yield f"gva:{r['id']}", date.fromisoformat(r["date"][:10]), r["text"]


def labelled(path: Path | None, per_article: int = PER_ARTICLE, seed: int = 0, reported: str = "keep",
             articles: Iterator[tuple[str, date, str]] | None = None) -> list[dict[str, Any]]:
    """{text, ahead (0/1), doc_id} rows, `text` undated, balanced between the labels, from the
    Reuters articles at `path` (or from `articles`). `reported`: what becomes of a sentence dated
    before its article that reports a forecast (training/consequence/reported.py), whose date dates
    the saying: "keep" it not ahead, as its date says (until session 29), "drop" it, or label it
    "ahead"."""
    found: list[tuple[str, str, int]] = []  # (doc id, undated sentence, label by its dates)
    written: list[str] = []  # the same sentences with their dates
    for doc_id, published, body in articles if articles is not None else reuters_articles(path):  # type: ignore[arg-type]
        for sentence in sentences(body):
            sides = {_side(t.value, published) for t in tag(sentence, published, tense_free=True)} - {None}
            if sides not in ({"F"}, {"P"}):
                continue
            cut = [(t.start, t.end) for t in tag(sentence, published)]
            found.append((doc_id, undated(sentence, cut), int(sides == {"F"})))
            written.append(sentence)
    labels = told([label for _, _, label in found], written, reported)
    by_label: dict[int, list[dict[str, Any]]] = {0: [], 1: []}
    kept: dict[tuple[str, int], int] = {}
    for (doc_id, text, _), label in zip(found, labels, strict=True):  # each article's order, per_article a label
        if label is None:
            continue
        if kept.get((doc_id, label), 0) < per_article:
            kept[(doc_id, label)] = kept.get((doc_id, label), 0) + 1
            by_label[label].append({"text": text, "ahead": label, "doc_id": doc_id})
    rng = random.Random(seed)
    negatives = rng.sample(by_label[0], min(len(by_label[0]), len(by_label[1])))
    return by_label[1] + negatives
