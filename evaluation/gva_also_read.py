"""Also-read quality on gva_news: the system through the workers' own code, beside TF-IDF and BM25.

An article's gold links are the other articles of its incident dated on or before it; every
method ranks only articles dated on or before the query, never the query itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import redis

from enrich import also_read
from enrich.prepare import article_from_analysis, epoch, with_title
from enrich.text import article_text
from evaluation import eval_archive
from evaluation.baselines import Bm25Ranker, TfidfRanker
from evaluation.metrics import summarise
from evaluation.nlp_cache import analyse_cached, index_cached
from service.archive_formats import from_gva

NEAR_DUPLICATE = 0.8  # TF-IDF cosine at which an article counts as a copy of the query


def half(incident_id: str) -> str:
    """Which half of the incidents an article's incident is in: "tuning" (where link choices are
    tried) or "reported" (where make eval's figures come from; no choice is made there)."""
    return "tuning" if hashlib.sha1(str(incident_id).encode()).digest()[0] % 2 == 0 else "reported"


def gold_links(articles: list[dict[str, Any]], incident: dict[str, str]) -> dict[int, set[str]]:
    """Each query (an article with earlier coverage) and its gold: the other articles of its
    incident dated on or before it."""
    ids = [a["id"] for a in articles]
    dates = np.array([epoch(a["published_at"]) for a in articles])
    by_incident: dict[str, list[int]] = {}
    for i, doc_id in enumerate(ids):
        by_incident.setdefault(incident[doc_id], []).append(i)
    gold = {}
    for i, doc_id in enumerate(ids):
        same = {ids[j] for j in by_incident[incident[doc_id]] if j != i and dates[j] <= dates[i]}
        if same:
            gold[i] = same
    return gold


def prepared_queries(articles: list[dict[str, Any]], model: str, queries: list[int]) -> list[dict[str, Any]]:
    texts = [article_text(articles[i]["body"]) for i in queries]
    combined = [with_title(articles[i]["title"], t) for i, (t, _) in zip(queries, texts, strict=True)]
    analyses = analyse_cached(model, combined, "gva-query")
    return [article_from_analysis(articles[i], text, paragraphs, analysis)
            for i, (text, paragraphs), analysis in zip(queries, texts, analyses, strict=True)]


def load(path: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Articles with a text, one per record: the few ids the corpus files under two incidents
    get a suffix, so each record is its own archive article (as the baselines see them)."""
    articles, incident = [], {}
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        article = from_gva(record)
        if article:
            while article["id"] in incident:
                article["id"] += "+"
            articles.append(article)
            incident[article["id"]] = record["incident_id"]
    return articles, incident


def index_archive(r: redis.Redis, articles: list[dict[str, Any]], model: str) -> None:
    index_cached(r, articles, model, "gva-archive")


def system_rankings(r: redis.Redis, articles: list[dict[str, Any]], model: str,
                    queries: list[int], options: dict[str, Any] | None = None) -> dict[int, list[str]]:
    """Each query's links as the also-read stage ranks them (with the default editors' controls
    unless `options` says otherwise)."""
    return {i: ranked_links(r, articles[i], prepared, options)
            for i, prepared in zip(queries, prepared_queries(articles, model, queries), strict=True)}


def ranked_links(r: redis.Redis, article: dict[str, Any], prepared: dict[str, Any],
                 options: dict[str, Any] | None = None) -> list[str]:
    """The ids of one prepared query's links, as of its own date, never itself."""
    as_of = epoch(article["published_at"])
    weights, docs = eval_archive.related(r, prepared["features"], as_of, article["id"], prepared["title"])
    return [link["archive_id"] for link in also_read.rank(prepared["features"], weights, docs, prepared, as_of, 10,
                                                          options)]


def evaluate(path: Path, r: redis.Redis, model: str) -> dict[str, dict[str, dict[str, float]]]:
    """Return {variant: {method: metrics}} for the variants with and without near-duplicates, over
    the queries of the reported half of the incidents (the archive holds both halves)."""
    articles, incident = load(path)
    ids = [a["id"] for a in articles]
    dates = np.array([epoch(a["published_at"]) for a in articles])
    gold = gold_links(articles, incident)
    queries = sorted(i for i in gold if half(incident[ids[i]]) == "reported")
    index_archive(r, articles, model)
    texts = [f"{a['title']}\n\n{a['body']}" for a in articles]
    tfidf, bm25 = TfidfRanker(ids, texts), Bm25Ranker(ids, texts)
    no_floor = {**also_read.DEFAULT_OPTIONS, "also_read": {**also_read.DEFAULT_OPTIONS["also_read"],
                                                           "min_share_of_best": 0.0}}
    rankings: dict[str, dict[int, list[str]]] = {
        "system": system_rankings(r, articles, model, queries),
        "system, no score floor": system_rankings(r, articles, model, queries, no_floor)}
    for ranker in (tfidf, bm25):
        rankings[ranker.name] = {}
        for i in queries:
            allowed = dates <= dates[i]
            allowed[i] = False
            rankings[ranker.name][i] = ranker.rank(i, allowed, 10)
    duplicates = {}
    for i in queries:
        similarity = (tfidf.matrix @ tfidf.matrix[i].T).toarray().ravel()
        duplicates[i] = {ids[j] for j in np.flatnonzero(similarity >= NEAR_DUPLICATE) if j != i}
    results: dict[str, dict[str, dict[str, float]]] = {"with near-duplicates": {},
                                                       "without near-duplicates": {}}
    for method, ranked in rankings.items():
        results["with near-duplicates"][method] = summarise([(ranked[i], gold[i]) for i in queries])
        results["without near-duplicates"][method] = summarise([
            ([d for d in ranked[i] if d not in duplicates[i]], gold[i] - duplicates[i])
            for i in queries if gold[i] - duplicates[i]])
    return results
