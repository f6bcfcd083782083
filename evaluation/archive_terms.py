"""How many terms an archive article should post: memory against also-read quality.

    .venv/bin/python -m evaluation.archive_terms [--terms 100,60,40,30,20]

For each cap, the gva_news archive is indexed afresh into a private Redis (the workers' store code,
analyses from the evaluation cache) with each article's entities and its `cap` most frequent terms;
printed: the Redis memory it takes per article (documents kept compact as the index workers keep
them: store/connection.compact_documents), postings per article, and also-read quality
(evaluation/gva_also_read.py) on the TUNING half of the incidents only, where this choice is made
(make eval reports the other half). Queries keep their own features as before.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import redis

from core.settings import Settings
from devtools.local_redis import RedisServer
from enrich.prepare import archive_doc_from_analysis, with_title
from enrich.text import archive_text
from evaluation import eval_archive, gva_also_read
from evaluation.metrics import summarise
from evaluation.nlp_cache import analyse_cached
from store.connection import compact_documents

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gva_news" / "articles.jsonl"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--terms", default="100,60,40,30,20", help="caps to try (comma-separated)")
    caps = [int(c) for c in p.parse_args().terms.split(",")]
    model = Settings.from_env({}).nlp_pipeline
    articles, incident = gva_also_read.load(DATA)
    ids = [a["id"] for a in articles]
    gold = gva_also_read.gold_links(articles, incident)
    queries = sorted(i for i in gold if gva_also_read.half(incident[ids[i]]) == "tuning")
    texts = [archive_text(a["body"])[0] for a in articles]
    analyses = analyse_cached(model, [with_title(a["title"], t) for a, t in zip(articles, texts, strict=True)],
                              "gva-archive")
    print(f"gva_news: {len(articles)} archive articles; {len(queries)} queries of the tuning half")
    print(f"{'terms':>6} {'postings/article':>17} {'bytes/article':>14} {'recall@5':>9} {'mrr@10':>7} {'ndcg@5':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp), appendonly=False)
        server.start()
        try:
            r = redis.Redis.from_url(server.url)
            compact_documents(r)  # as the index workers do
            for cap in caps:
                r.flushall()
                before = int(r.info("memory")["used_memory"])
                postings = 0
                for article, text, analysis in zip(articles, texts, analyses, strict=True):
                    doc = archive_doc_from_analysis(article, text, analysis, max_terms=cap)
                    postings += len(doc["features"])
                    eval_archive.store(r, doc)
                memory = int(r.info("memory")["used_memory"]) - before
                ranked = gva_also_read.system_rankings(r, articles, model, queries)
                m = summarise([(ranked[i], gold[i]) for i in queries])
                print(f"{cap:>6} {postings / len(articles):>17.1f} {memory / len(articles):>14,.0f} "
                      f"{m['recall@5']:>9.3f} {m['mrr@10']:>7.3f} {m['ndcg@5']:>7.3f}", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
