"""What a newsroom gets today for "more like this": TF-IDF cosine and BM25, as-of each query."""

from __future__ import annotations

import bm25s
import numpy as np
import Stemmer
from sklearn.feature_extraction.text import TfidfVectorizer


def _ranked(scores: np.ndarray, allowed: np.ndarray, k: int, ids: list[str]) -> list[str]:
    scores = np.where(allowed, scores, -np.inf)
    top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
    top = top[np.argsort(-scores[top])]
    return [ids[i] for i in top if np.isfinite(scores[i])]


class TfidfRanker:
    """scikit-learn TF-IDF, sublinear tf, English stop words, cosine similarity."""

    name = "TF-IDF cosine"

    def __init__(self, ids: list[str], texts: list[str]) -> None:
        self.ids = ids
        self.matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)

    def rank(self, query_index: int, allowed: np.ndarray, k: int) -> list[str]:
        scores = (self.matrix @ self.matrix[query_index].T).toarray().ravel()
        return _ranked(scores, allowed, k, self.ids)


class Bm25Ranker:
    """bm25s with an English Snowball stemmer and stop words."""

    name = "BM25"

    def __init__(self, ids: list[str], texts: list[str]) -> None:
        self.ids = ids
        self.stemmer = Stemmer.Stemmer("english")
        self.tokens = bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(self.tokens, show_progress=False)
        self.texts = texts

    def rank(self, query_index: int, allowed: np.ndarray, k: int) -> list[str]:
        query = bm25s.tokenize([self.texts[query_index]], stopwords="en", stemmer=self.stemmer,
                               show_progress=False, return_ids=False)[0]
        scores = self.retriever.get_scores(query)
        return _ranked(np.asarray(scores), allowed, k, self.ids)
