"""The look-ahead head's labels (training/consequence/): a past date dates a reported forecast's
saying, not what it says (reported.py), and the distant labels treat such a sentence as told
(dated_archive.labelled's `reported`); the hand labels refuse a sentence that changed."""

from __future__ import annotations

import json
from datetime import date

import pytest

from training.consequence import dated_archive
from training.consequence.reported import reported_forecasts

# Written by us: an article of 10 January 2020 with a forecast dated ahead, a report dated before,
# and a forecast reported on a date before.
ARTICLE = ("Talks between the union and the company will resume on February 3, 2020. "
           "The plant closed on January 3, 2020 after the strike began. "
           "The company said on January 5, 2020 that it would sell the unit to a rival.")


def test_a_forecast_reported_on_a_past_date_is_told_from_a_report():
    assert reported_forecasts([
        "Officials warned on Tuesday that the strike could halt production at the mill.",
        "The company said on Monday it will pay the dividend.",
        "The company reported a loss on Monday.",
        "He said on Monday he can swim.",  # ability, not what is to come
    ]) == [True, True, False, False]


@pytest.mark.parametrize(("reported", "ahead", "not_ahead"), [
    # by the date alone (until 0.7.0): the reported forecast is a "not ahead" candidate; the not-ahead
    # side is drawn at random to the ahead side's size, so one of the two
    ("keep", {"resume"}, [{"closed"}, {"sell"}]),
    ("drop", {"resume"}, [{"closed"}]),
    ("ahead", {"resume", "sell"}, [{"closed"}]),
])
def test_distant_labels_treat_a_reported_forecast_as_asked(reported, ahead, not_ahead):
    rows = dated_archive.labelled(None, per_article=5, reported=reported,
                                  articles=iter([("ours:1", date(2020, 1, 10), ARTICLE)]))
    assert all("2020" not in row["text"] for row in rows)  # read without its dates
    which = {1: set(), 0: set()}
    for row in rows:
        which[row["ahead"]] |= {w for w in ("resume", "closed", "sell") if w in row["text"]}
    assert which[1] == ahead
    assert which[0] in not_ahead


def test_hand_labels_refuse_a_sentence_that_changed(tmp_path, monkeypatch):
    from evaluation import ahead_labels

    row = {"pool": "ours", "id": "ours:1", "text": "The plant will reopen next week."}
    monkeypatch.setattr(ahead_labels, "sample", lambda data: [row])
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps([{"id": "ours:1", "sha1": ahead_labels._digest(row["text"]), "ahead": 1}]))
    monkeypatch.setattr(ahead_labels, "LABELS", labels)
    assert ahead_labels.labelled(tmp_path)[0]["ahead"] == 1
    row["text"] = "The plant will reopen next month."
    with pytest.raises(ValueError, match="changed"):
        ahead_labels.labelled(tmp_path)
