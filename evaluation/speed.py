"""Speed on one core, model loaded: a whole enrichment against a 20k-article archive, and an
also-read lookup against 100k articles, each beside a baseline measured in the same run."""

from __future__ import annotations

import json
import time
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import redis

from enrich import also_read, background, consequence, implications, nlp, topics
from enrich.assemble import assemble
from enrich.prepare import epoch, prepare_article
from evaluation import eval_archive
from evaluation.baselines import TfidfRanker
from service.archive_formats import from_gva
from store import archive_index


def sample_600_words(data: Path, limit: int = 40) -> list[dict[str, Any]]:
    """The speed articles: the first `limit` gva_news articles of 500-700 words (ids marked as queries)."""
    out = []
    for line in (data / "gva_news" / "articles.jsonl").open(encoding="utf-8"):
        article = from_gva(json.loads(line))
        if article and 500 <= len(article["body"].split()) <= 700:
            out.append({**article, "id": article["id"] + "-query"})
        if len(out) == limit:
            break
    return out


def enrich_in_process(r: redis.Redis, article: dict[str, Any], model: str) -> dict[str, float]:
    """Run every stage as the workers do, without the queue; return ms per stage."""
    ms: dict[str, float] = {}
    t = time.perf_counter()
    prepared = prepare_article(article, model)
    ms["prepare"] = (time.perf_counter() - t) * 1000
    as_of = epoch(article["published_at"])
    t = time.perf_counter()
    weights, docs = eval_archive.related(r, prepared["features"], as_of, article.get("id"), prepared["title"])
    links = [{**link, "archive": eval_archive.ARCHIVE}
             for link in also_read.rank(prepared["features"], weights, docs, prepared, as_of, 5)]
    ms["also_read"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    main = background.main_entities(prepared["entities"])
    weights, sources, story = eval_archive.story_sources(r, prepared["features"], [e["key"] for e in main],
                                                     as_of, article.get("id"), prepared["title"], 8)
    items = background.timeline(main, sources, weights, 8, story=story)
    story_sentences = background.story_sentences(sources, main, story)
    for item in items:
        item["source"]["archive"] = eval_archive.ARCHIVE
    ms["background"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    stages = {"also_read": links, "background": items,
              "implications": implications.implications_and_key_points(prepared, items, 5, story_sentences,
                                                                              article["published_at"])}
    assemble("bench", article, prepared, stages, {}, eval_archive.size(r))
    ms["implications+assemble"] = (time.perf_counter() - t) * 1000
    ms["total"] = sum(ms.values())
    return ms


def enrichment_latency(r: redis.Redis, articles: list[dict[str, Any]], model: str) -> dict[str, Any]:
    """Median ms per stage over ~600-word articles; beside them, the language analysis alone
    (`model`'s pipeline) and prepare with spaCy's own NER instead of the encoder's tagger
    (ENTITY_TAGGER=spacy), on the same texts in the same run."""
    nlp.load(model)
    enrich_in_process(r, articles[0], model)  # warm caches
    runs = []
    for a in articles:  # each article cold: no sentence read for an article before (a worker remembers them)
        consequence.forget()
        runs.append(enrich_in_process(r, a, model))
    spacy_only = []
    for a in articles:
        t = time.perf_counter()
        nlp.load(model)(a["body"])
        spacy_only.append((time.perf_counter() - t) * 1000)
    topic_ms = []  # the Media Topics part of prepare (goal: at most 10 ms p50)
    for a in articles:
        t = time.perf_counter()
        topics.topics(a["title"], a["body"])
        topic_ms.append((time.perf_counter() - t) * 1000)
    spacy_ner = model.partition("+")[0]
    nlp.load(spacy_ner)
    prepare_spacy_ner = []
    for a in articles:
        t = time.perf_counter()
        prepare_article(a, spacy_ner)
        prepare_spacy_ner.append((time.perf_counter() - t) * 1000)
    words = median(len(a["body"].split()) for a in articles)
    return {"topics_ms_p50": median(topic_ms), "archive": eval_archive.size(r), "articles": len(articles),
            "words": words,
            **{f"{k}_ms_p50": median(run[k] for run in runs) for k in runs[0]},
            "baseline_spacy_ms_p50": median(spacy_only), "prepare_spacy_ner_ms_p50": median(prepare_spacy_ner)}


def pad_archive(r: redis.Redis, target: int) -> None:
    """Copy indexed documents under new ids until the archive holds `target` articles."""
    originals = archive_index.ids(r, eval_archive.ARCHIVE)
    copy = 0
    while eval_archive.size(r) < target:
        for doc_id in originals:
            if eval_archive.size(r) >= target:
                break
            doc = archive_index.get(r, eval_archive.ARCHIVE, doc_id)
            if doc is None:
                continue
            doc["ts"] = float(doc["ts"])
            eval_archive.store(r, {**doc, "id": f"{doc_id}~{copy}"})
        copy += 1


def _lookups(r: redis.Redis, queries: list[dict[str, Any]], prepared: list[dict[str, Any]]) -> list[float]:
    """Milliseconds of each query's also-read look-up (search and rank)."""
    times = []
    for q, p in zip(queries, prepared, strict=True):
        t = time.perf_counter()
        as_of = epoch(q["published_at"])
        weights, docs = eval_archive.related(r, p["features"], as_of, q.get("id"), p["title"])
        also_read.rank(p["features"], weights, docs, p, as_of, 5)
        times.append((time.perf_counter() - t) * 1000)
    return times


def lookup_latency(r: redis.Redis, queries: list[dict[str, Any]], model: str,
                   texts_for_baseline: list[str]) -> dict[str, float]:
    """p50/p95 ms of the also-read lookup (search + rank) and Redis memory per article;
    baseline: a TF-IDF cosine over the same number of in-memory texts."""
    prepared = [prepare_article(q, model) for q in queries]
    times = _lookups(r, queries, prepared)
    # The same queries once their own copies (the originals and their padding copies) are retracted:
    # a look-up that finds no copy of its article reads the index once, not twice.
    originals = {q["id"].removesuffix("-query") for q in queries}
    for doc_id in archive_index.ids(r, eval_archive.ARCHIVE):
        if doc_id.split("~", 1)[0] in originals:
            archive_index.delete(r, eval_archive.ARCHIVE, doc_id)
    alone = _lookups(r, queries, prepared)
    ranker = TfidfRanker([str(i) for i in range(len(texts_for_baseline))], texts_for_baseline)
    allowed = np.ones(len(texts_for_baseline), dtype=bool)
    base = []
    for i in range(min(len(queries), len(texts_for_baseline))):
        t = time.perf_counter()
        ranker.rank(i, allowed, 5)
        base.append((time.perf_counter() - t) * 1000)
    info = r.info("memory")
    n = eval_archive.size(r)
    return {"archive": n, "lookup_ms_p50": float(np.percentile(times, 50)),
            "lookup_ms_p95": float(np.percentile(times, 95)),
            "lookup_without_own_copies_ms_p50": float(np.percentile(alone, 50)),
            "lookup_without_own_copies_ms_p95": float(np.percentile(alone, 95)),
            "baseline_tfidf_ms_p50": float(np.percentile(base, 50)),
            "baseline_tfidf_ms_p95": float(np.percentile(base, 95)),
            "redis_bytes_per_article": info["used_memory"] / max(n, 1)}
