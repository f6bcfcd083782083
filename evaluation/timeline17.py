"""Background as a timeline, on journalists' timelines of long stories (Timeline17,
`../shared/data/timelines`), in the product's setting: the archive holds every story together,
the query is a story's latest article, and the background stage (the workers' own code, over a
private Redis) builds a timeline of k = the gold timeline's number of dates (at most 50).

Scores (Martschat & Markert 2017): date F1 of the chosen dates against the gold dates, and
agreement ROUGE-1 F: unigrams of our sentences and the gold sentences compared date by date,
counted only where the dates agree (all tokens, lower-cased). Beside it, in the same run, the
naive baseline: the first sentence of each of the k most similar earlier articles (TF-IDF),
dated by publication.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import redis

from enrich import background, date_ranker
from enrich.prepare import article_from_analysis, epoch, with_title
from enrich.text import article_text
from evaluation import eval_archive, hand_set_dates
from evaluation.baselines import TfidfRanker
from evaluation.nlp_cache import analyse_cached, index_cached
from evaluation.ptb import detokenise

MAX_K = 50
def load(path: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[str]]]]:
    """Archive articles (every story) and each topic's gold timeline: date -> sentences."""
    articles = []
    for line in (path / "t17_articles.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        sentences = [detokenise(s) for s in record["text"].split("\n") if s.strip()]
        if len(sentences) < 2:
            continue
        articles.append({"id": f"t17-{record['topic']}-{record['article_index']}", "topic": record["topic"],
                         "title": sentences[0][:300], "body": "\n\n".join(sentences[1:]),
                         "published_at": f"{record['pub_date']}T12:00:00+00:00"})
    gold: dict[str, dict[str, list[str]]] = {}
    for line in (path / "gold_timelines.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        gold[record["topic"]] = {e["date"]: [detokenise(s) for s in e["sentences"]] for e in record["entries"]}
    return articles, gold


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9]+", text.lower()))


def scores(system: dict[str, list[str]], gold: dict[str, list[str]]) -> dict[str, float]:
    """Date F1 and agreement ROUGE-1 F of a timeline (date -> sentences) against the gold one."""
    shared = set(system) & set(gold)
    p = len(shared) / max(len(system), 1)
    r = len(shared) / max(len(gold), 1)
    overlap = 0
    for day in shared:
        ours, theirs = tokens(" ".join(system[day])), tokens(" ".join(gold[day]))
        overlap += sum(min(n, theirs[t]) for t, n in ours.items())
    total_ours = sum(sum(tokens(" ".join(s)).values()) for s in system.values())
    total_gold = sum(sum(tokens(" ".join(s)).values()) for s in gold.values())
    rp, rr = overlap / max(total_ours, 1), overlap / max(total_gold, 1)
    return {"date_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "rouge1_agreement_f": 2 * rp * rr / (rp + rr) if rp + rr else 0.0}


def copy_of(article: dict[str, Any]) -> dict[str, Any]:
    """The article as a newsroom's archive also holds it: under another id, filed an hour earlier."""
    filed = datetime.fromisoformat(article["published_at"]) - timedelta(hours=1)
    return {**article, "id": article["id"] + "-copy", "published_at": filed.isoformat()}


def latest_of_each_story(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for a in articles:
        if a["topic"] not in latest or (a["published_at"], a["id"]) > (latest[a["topic"]]["published_at"],
                                                                           latest[a["topic"]]["id"]):
            latest[a["topic"]] = a
    return latest


def queries(path: Path, r: redis.Redis, model: str, with_copies: bool) -> tuple[
        list[dict[str, Any]], dict[str, dict[str, list[str]]], dict[str, dict[str, Any]]]:
    """Index the archive (with each query's copy if `with_copies`: the product's common case) and
    prepare each story's latest article as its query."""
    articles, gold = load(path)
    latest = latest_of_each_story(articles)
    copies = [copy_of(a) for a in latest.values()] if with_copies else []
    index_cached(r, articles + copies, model, "t17-archive")
    prepared = {}
    for topic, query in sorted(latest.items()):
        text, paragraphs = article_text(query["body"])
        analysis = analyse_cached(model, [with_title(query["title"], text)], "t17-query")[0]
        prepared[topic] = {"article": query, "prepared": article_from_analysis(query, text, paragraphs, analysis)}
    return articles, gold, prepared


def story_of(r: redis.Redis, query: dict[str, Any], prepared: dict[str, Any], limit: int) -> dict[str, Any]:
    """The background stage's inputs as workers/tasks.py gathers them."""
    main = background.main_entities(prepared["entities"])
    weights, sources, story = eval_archive.story_sources(r, prepared["features"], [e["key"] for e in main],
                                                          epoch(query["published_at"]), query["id"],
                                                          prepared["title"], limit)
    return {"main": main, "weights": weights, "sources": sources, "story": story}


def date_rows(story: dict[str, Any], gold_dates: set[str]) -> tuple[list[list[float]], list[int]]:
    """Each candidate date's features (enrich/date_ranker.py) and whether the journalists chose it."""
    sources, found = background.dated_candidates(story["main"], story["sources"], story["weights"], None,
                                                 story["story"])
    vectors = date_ranker.features(found, sources)
    return list(vectors.values()), [int(d in gold_dates) for d in vectors]


def fit_date_model(rows: list[list[float]], labels: list[int], trained_on: list[str]) -> dict[str, Any]:
    """A logistic regression over the date features, classes balanced, default regularisation
    (nothing tuned): the form enrich/date_ranker.py reads."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(class_weight="balanced", max_iter=2000).fit(np.array(rows), np.array(labels))
    return {"coef": {name: round(float(w), 6) for name, w in zip(date_ranker.FEATURES, fitted.coef_[0], strict=True)},
            "intercept": round(float(fitted.intercept_[0]), 6), "trained_on": trained_on,
            "dates": len(labels), "on_timelines": int(sum(labels))}


def timeline_of(story: dict[str, Any], limit: int, ranker: background.DateRanker) -> dict[str, list[str]]:
    items = background.timeline(story["main"], story["sources"], story["weights"], limit,
                                story=story["story"], ranker=ranker)
    out: dict[str, list[str]] = defaultdict(list)
    for item in items:
        out[item["date"]].append(item["text"])
    return out


def evaluate(path: Path, r: redis.Redis, model: str, with_copies: bool = True) -> dict[str, Any]:
    """Leave one story out: the date model is fitted on three stories' timelines and scored on the
    fourth, for each of the four; beside it, the hand-set date weights used before (chosen on all
    four, so they flatter themselves) and the naive baseline."""
    articles, gold, queries_of = queries(path, r, model, with_copies)
    ids = [a["id"] for a in articles]
    published = np.array([epoch(a["published_at"]) for a in articles])
    tfidf = TfidfRanker(ids, [f"{a['title']}\n\n{a['body']}" for a in articles])
    stories = {topic: story_of(r, q["article"], q["prepared"], min(len(gold[topic]), MAX_K))
               for topic, q in queries_of.items()}
    rows = {topic: date_rows(story, set(gold[topic])) for topic, story in stories.items()}
    per_topic: dict[str, dict[str, Any]] = {}
    for topic, story in stories.items():
        k = min(len(gold[topic]), MAX_K)
        others = [t for t in stories if t != topic]
        fitted = fit_date_model([x for t in others for x in rows[t][0]], [y for t in others for y in rows[t][1]],
                                others)
        system = timeline_of(story, k, lambda f, s, m=fitted: date_ranker.rank(f, s, m))
        hand_set = timeline_of(story, k, hand_set_dates.rank_dates)
        query = queries_of[topic]["article"]
        baseline: dict[str, list[str]] = defaultdict(list)
        for doc_id in tfidf.rank(ids.index(query["id"]), published < epoch(query["published_at"]), k):
            doc = articles[ids.index(doc_id)]
            baseline[doc["published_at"][:10]].append(doc["title"])
        per_topic[topic] = {"k": k, "system": scores(system, gold[topic]),
                            "hand_set": scores(hand_set, gold[topic]), "baseline": scores(baseline, gold[topic]),
                            "items": sum(map(len, system.values())), "sources": len(story["sources"]),
                            "model": fitted, "span": [min(gold[topic]), max(gold[topic])],
                            "example": sorted((d, texts[0][:160]) for d, texts in system.items())[:8]}
    mean = {name: {metric: float(np.mean([t[name][metric] for t in per_topic.values()]))
                   for metric in ("date_f1", "rouge1_agreement_f")} for name in ("system", "hand_set", "baseline")}
    return {"topics": per_topic, "mean": mean, "with_copies": with_copies}


if __name__ == "__main__":
    import sys
    import tempfile

    from devtools.local_redis import RedisServer

    server = RedisServer(Path(tempfile.mkdtemp(prefix="t17-redis-")), appendonly=False)
    server.start()
    try:
        result = evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/timelines"),
                          redis.Redis.from_url(server.url), sys.argv[2] if len(sys.argv) > 2 else "en_newsroom_ner",
                          with_copies="--no-copies" not in sys.argv)
    finally:
        server.stop()
    for topic, figures in result["topics"].items():
        print(topic, figures["k"], figures["items"], "system", figures["system"], "hand-set", figures["hand_set"],
              "baseline", figures["baseline"])
        for example in figures["example"]:
            print("   ", example)
    print("mean", json.dumps(result["mean"]))
