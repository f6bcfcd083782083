"""Consequence detection on the Causal News Corpus held-out stories (evaluation/causal_news.py): the
trained model's causal head beside the word-list rule it replaced and the flag-everything baseline;
the precision of what implications would take as evidence (share of those sentences labelled
causal); and the look-ahead head on TempEval-3's AQUAINT documents (evaluation/tempeval_ahead.py),
beside the word list implications used before it. Nothing was chosen on either split.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from enrich import categories, consequence, implications
from evaluation.causal_news import split
from evaluation.tempeval_ahead import labelled_sentences

# The rule implications used before the classifier (enrich/implications.py until December 2026).
WORD_LIST = re.compile(
    r"\b(will|would|could|may|might|expected|expects|threat|threaten\w*|risk\w*|warn\w*|fear\w*|"
    r"lead to|result in|impact\w*|affect\w*|consequence\w*|likely|plan\w*|pressure|"
    r"forc\w+|cut\w*|rais\w+|boost\w*|halt\w*|disrupt\w*|crisis)\b", re.IGNORECASE)


# The word list implications ranked forecasts by before the look-ahead head (until December 2026).
AHEAD_WORDS = re.compile(r"\b(will|would|could|may|might|expect\w*|plan\w*|warn\w*|threat\w*|risk\w*|"
                         r"likely|forecast\w*|predict\w*|fear\w*|intend\w*|aim\w*|seek\w*)\b", re.IGNORECASE)


DECISION = 0.5  # a head's own decision; implications take a sentence by implications.states_consequence


def f1(predicted: list[bool], gold: list[bool]) -> dict[str, float]:
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    precision = tp / max(sum(predicted), 1)
    recall = tp / max(sum(gold), 1)
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if tp else 0.0, "flagged": sum(predicted)}


def evaluate(path: Path, timex: Path | None = None) -> dict[str, Any]:
    _, held_out = split(path)
    texts = [r["text"] for r in held_out]
    gold = [bool(r["causal"]) for r in held_out]
    started = time.perf_counter()
    heads = consequence.read(texts)
    ms_per_sentence = (time.perf_counter() - started) * 1000 / len(texts)
    system = [causal >= DECISION for causal, _ in heads]
    taken = [implications.states_consequence(*h) for h in heads]  # what implications take: either head
    rule = [bool(WORD_LIST.search(t)) for t in texts]
    categorised = [bool(categories.categories(t)) for t in texts]
    evidence = [s and c for s, c in zip(taken, categorised, strict=True)]
    rule_evidence = [s and c for s, c in zip(rule, categorised, strict=True)]
    return {
        "sentences": len(texts),
        "detection": {"classifier (MiniLM, int8 ONNX)": f1(system, gold), "word-list rule": f1(rule, gold),
                      "every sentence": f1([True] * len(gold), gold)},
        "evidence_precision": {"classifier": f1(evidence, gold)["precision"],
                               "word-list rule": f1(rule_evidence, gold)["precision"],
                               "evidence_sentences": sum(evidence)},
        "ms_per_sentence": ms_per_sentence,
        **({"ahead": ahead(timex)} if timex else {}),
    }


def ahead(timex: Path) -> dict[str, Any]:
    """The look-ahead head on AQUAINT's labelled sentences (TimeBank's trained and chose it)."""
    rows = [r for r in labelled_sentences(timex) if r["corpus"] == "AQUAINT"]
    gold = [bool(r["ahead"]) for r in rows]
    read = consequence.read([r["text"] for r in rows])
    return {"split": "TempEval-3 AQUAINT documents (trained and chosen on TimeBank)", "sentences": len(rows),
            "looking_ahead": sum(gold),
            "head": f1([a >= DECISION for _, a in read], gold),
            "word list (before)": f1([bool(AHEAD_WORDS.search(r["text"])) for r in rows], gold),
            "every sentence": f1([True] * len(gold), gold),
            # The same sentences with their time expressions cut out: looking ahead read from the
            # words alone, as a warning without a date must be.
            "head, dates cut out": f1([a >= DECISION for _, a in consequence.read([r["undated"] for r in rows])], gold),
            "word list, dates cut out": f1([bool(AHEAD_WORDS.search(r["undated"])) for r in rows], gold)}
