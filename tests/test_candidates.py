"""Candidates: the articles postings name, scored together (store/archive_candidates.py), pure numpy."""

from __future__ import annotations

import numpy as np

from store.archive_candidates import Candidates


def _pairs(*rows: tuple[int, int]) -> np.ndarray:
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def test_weights_add_up_per_article_across_features_and_archives_stay_apart():
    found = {"t:strike": [("paper", _pairs((3, 100), (1, 90))), ("wire", _pairs((3, 95)))],
             "e:ORG:acme": [("paper", _pairs((3, 100), (2, 80)))]}
    found_ = Candidates(found, {"t:strike": 1.0, "e:ORG:acme": 2.0})
    assert found_.overlap_of([("paper", 3), ("wire", 3), ("paper", 1), ("paper", 2), ("paper", 9), ("gone", 1)]) == {
        ("paper", 3): 3.0, ("wire", 3): 1.0, ("paper", 1): 1.0, ("paper", 2): 2.0, ("paper", 9): 0.0, ("gone", 1): 0.0}
    assert found_.ranked(found_.overlap, 2) == [("paper", 3), ("paper", 2)]
    # ties go by handle, as sorted() would
    assert found_.ranked(found_.overlap, 4) == [("paper", 3), ("paper", 2), ("paper", 1), ("wire", 3)]
    assert found_.ranked(found_.overlap, 10, at_least=2.0) == [("paper", 3), ("paper", 2)]
    assert found_.ranked(found_.epoch, 1) == [("paper", 3)] and sorted(found_.epoch.tolist()) == [80, 90, 95, 100]


def test_an_excluded_article_is_never_a_candidate_and_nothing_found_is_empty():
    found = {"t:strike": [("paper", _pairs((3, 100), (1, 90)))]}
    assert Candidates(found, {"t:strike": 1.0}, {("paper", 3), ("wire", 1)}).ranked(np.ones(1), 5) == [("paper", 1)]
    empty = Candidates({"t:strike": []}, {"t:strike": 1.0})
    assert empty.ranked(empty.overlap, 5) == [] and empty.overlap_of([("paper", 1)]) == {("paper", 1): 0.0}
