"""IPTC Media Topics: the classifier against a keyword baseline, on articles labelled by source
(evaluation/topic_labels.py), split by story.

- Choices (C, the top-level floor) are made on the tuning half by two-fold cross-validation.
- Reuters, gva_news, Causal News and CoNLL-2003 (sport) are scored on their reported half, by a model fitted on the
  tuning half, Timeline17 and the vocabulary's definitions.
- Timeline17 is scored leave one story out: fitted without the story it scores.
- Top-level accuracy: the likeliest topic is one of the article's labels. Second level: the
  likeliest second-level topic shown is one of its second-level labels (articles that have one).
- Keyword baseline: the topic whose label words (and its children's, stemmed) the text uses most.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import Stemmer

from enrich.topics import TopicModel, choose, vocabulary
from evaluation import topic_labels
from evaluation.topic_labels import Labelled, half
from training.topics.train import FLOORS, GRID_C, definition_docs, embeddings, fit

STOP = {"and", "of", "the", "or", "in", "a", "to", "for", "on", "other", "general"}
_STEM = Stemmer.Stemmer("english")


def _fold(group: str) -> int:
    return hashlib.sha1(group.encode()).digest()[1] % 2


def scores(model: TopicModel, docs: list[Labelled], x: np.ndarray) -> dict[str, float]:
    top = second = second_n = tp = fp = fn = 0
    for doc, p in zip(docs, model.probabilities(x), strict=True):
        shown = choose(p, model.floor)
        top += shown[0]["qcode"] in doc.top
        chosen = {t["qcode"] for t in shown if t["level"] == 1}
        tp, fp, fn = tp + len(chosen & doc.top), fp + len(chosen - doc.top), fn + len(doc.top - chosen)
        if doc.second:
            seconds = [t["qcode"] for t in shown if t["level"] == 2]
            second_n += 1
            second += bool(seconds) and seconds[0] in doc.second
    return {"n": len(docs), "top_accuracy": top / max(1, len(docs)),
            "second_accuracy": second / max(1, second_n), "top_precision": tp / max(1, tp + fp),
            "top_recall": tp / max(1, tp + fn)}


def keyword_lists() -> dict[str, set[str]]:
    vocab = vocabulary()
    words: dict[str, set[str]] = {q: set() for q, t in vocab.items() if t["level"] == 1}
    for q, t in vocab.items():
        top = q if t["level"] == 1 else t["parent"]
        if top in words:
            words[top] |= {w for w in re.findall(r"[a-z]+", t["label"].lower()) if w not in STOP}
    return {q: set(_STEM.stemWords(sorted(ws))) for q, ws in words.items()}


def keyword_accuracy(docs: list[Labelled]) -> float:
    lists = keyword_lists()
    right = 0
    for doc in docs:
        counts = Counter(_STEM.stemWords(re.findall(r"[a-z]+", f"{doc.title} {doc.text}".lower())))
        score = {q: sum(counts[w] for w in ws) for q, ws in lists.items()}
        best = max(score.values())
        winners = [q for q, v in score.items() if v == best]
        right += best > 0 and len(winners) == 1 and winners[0] in doc.top
    return right / max(1, len(docs))


def _fit(docs: list[Labelled], vectors: dict[str, np.ndarray], c: float, floor: float) -> TopicModel:
    return TopicModel(fit(docs, np.stack([vectors[d.id] for d in docs]), c, floor))


def _x(docs: list[Labelled], vectors: dict[str, np.ndarray]) -> np.ndarray:
    return np.stack([vectors[d.id] for d in docs])


def choose_settings(labelled: list[Labelled]) -> tuple[float, float]:
    """C and the top-level floor that do best on the tuning half (two folds by story), Timeline17
    aside (it is scored leave one story out): C by top-level accuracy, the floor by F1."""
    tuning = [d for d in labelled if d.source != "timeline17" and half(d.group) == "tuning"]
    defs = definition_docs()
    vectors = dict(zip([d.id for d in [*tuning, *defs]], embeddings([*tuning, *defs]), strict=True))
    best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
    for c in GRID_C:
        per_floor: Counter[float] = Counter()
        accuracy = 0.0
        for fold in (0, 1):
            test = [d for d in tuning if _fold(d.group) == fold]
            model = _fit([d for d in tuning if _fold(d.group) != fold] + defs, vectors, c, FLOORS[0])
            for floor in FLOORS:
                model.floor = {"1": floor, "2": 0.5}
                s = scores(model, test, _x(test, vectors))
                per_floor[floor] += 2 * s["top_precision"] * s["top_recall"] / max(
                    1e-9, s["top_precision"] + s["top_recall"])
            accuracy += s["top_accuracy"]
        floor = max(FLOORS, key=lambda f: per_floor[f])
        if accuracy > best[0]:
            best = (accuracy, c, floor)
    return best[1], best[2]


def evaluate(data: Path) -> dict[str, Any]:
    started = time.monotonic()
    labelled = topic_labels.everything(data)
    c, floor = choose_settings(labelled)
    defs = definition_docs()
    vectors = dict(zip([d.id for d in [*labelled, *defs]], embeddings([*labelled, *defs]), strict=True))
    others = [d for d in labelled if d.source != "timeline17"]
    stories = [d for d in labelled if d.source == "timeline17"]
    tuning = [d for d in others if half(d.group) == "tuning"]
    reported = [d for d in others if half(d.group) == "reported"]
    model = _fit([*tuning, *stories, *defs], vectors, c, floor)
    out: dict[str, Any] = {"chosen": {"C": c, "floor": floor}, "sources": {}}
    for source in ("reuters", "gva", "causal_news", "conll"):
        docs = [d for d in reported if d.source == source]
        out["sources"][source] = {**scores(model, docs, _x(docs, vectors)),
                                  "keyword_top_accuracy": keyword_accuracy(docs)}
    for story in sorted({d.group for d in stories}):
        held = [d for d in stories if d.group == story]
        rotated = _fit([*tuning, *(d for d in stories if d.group != story), *defs], vectors, c, floor)
        out["sources"][story] = {**scores(rotated, held, _x(held, vectors)),
                                 "keyword_top_accuracy": keyword_accuracy(held)}
    rows = out["sources"].values()
    out["mean_top_accuracy"] = sum(r["top_accuracy"] for r in rows) / len(rows)
    out["mean_keyword_top_accuracy"] = sum(r["keyword_top_accuracy"] for r in rows) / len(rows)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")), indent=1))
