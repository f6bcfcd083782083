"""The running service measured as a newsroom sees it: archive imported by the CLI, articles posted to
the HTTP API, results read back from it (devtools/stack.py: own redis-server, Celery worker, Granian).

What comes out:
- also-read recall@5 / MRR@10 on gva_news queries, with TF-IDF on the same queries beside it;
- editors' feedback: each query's best-placed wrong link rejected and lowest-placed right link
  accepted through the API, the articles posted again, and what came back (rejected ids that
  reappear, accepted ones kept, kept first; recall after feedback);
- citations: for every background item, also-read link and archive evidence of every result, the
  quoted text equals `GET /v1/archive/articles/{id}`'s `text[span[0]:span[1]]`;
- names on CoNLL-2003 valid documents posted as articles;
- implications: the share labelled causal of the evidence they cite in the Causal News held-out
  stories posted as articles; their categories against the story's domain on gva_news, Reuters
  and the four Timeline17 stories (which the category classifier never trained on); the example
  article against a small archive of its story, in a newsroom of its own.
"""

from __future__ import annotations

import base64
import random
import secrets
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import requests

from devtools.stack import ROOT, VENV_BIN, Stack
from enrich.prepare import epoch
from evaluation import category_domains, causal_news, conll_ner, gva_also_read, topic_labels
from evaluation.baselines import TfidfRanker
from evaluation.example_article import raw_article
from evaluation.metrics import summarise
from evaluation.ptb import detokenise
from service.archive_formats import from_reuters

QUERIES = 120
REUTERS_SLICE = 3000
REUTERS_QUERIES = 40  # posted and scored: the slice's last stories held out from category training
STALL_SECONDS = 120


def import_archive(stack: Stack, path: Path, fmt: str, limit: int | None = None) -> None:
    argv = [str(VENV_BIN / "flask"), "--app", "service", "archive", "import", str(path), "--client", "bench",
            "--format", fmt, "--wait", "--timeout", "1800", "--allow-refused"]  # Reuters records without a body
    if limit:
        argv += ["--limit", str(limit)]
    done = subprocess.run(argv, cwd=ROOT, env=stack.full_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"archive import of {path} failed:\n{done.stdout}\n{done.stderr}")


def enrich_all(stack: Stack, session: requests.Session, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST each article, wait for every callback, return each job's result as GET answers it."""
    return [job["result"] for job in enrich_jobs(stack, session, articles)]


def enrich_jobs(stack: Stack, session: requests.Session, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST each article, wait for every callback, return each job as GET answers it."""
    ids = []
    for article in articles:
        response = session.post(stack.api + "/v1/enrichments",
                                json={"article": article, "callback_url": stack.receiver.url})
        response.raise_for_status()
        ids.append(response.json()["id"])
    missing = stack.receiver.wait_all(ids, STALL_SECONDS)
    if missing:
        raise RuntimeError(f"{len(missing)} jobs without a callback after {STALL_SECONDS}s of silence")
    jobs = [session.get(f"{stack.api}/v1/enrichments/{job_id}").json() for job_id in ids]
    failed = [job["id"] for job in jobs if job["status"] != "succeeded"]
    if failed:
        raise RuntimeError(f"jobs failed: {failed[:5]}")
    return jobs


def editor_verdicts(links: list[str], gold: set[str]) -> tuple[list[str], list[str]]:
    """What an editor who knows the story would say: reject the best-placed link that is not about
    it, accept the lowest-placed one that is (so keeping it first shows)."""
    wrong = [i for i in links if i not in gold][:1]
    right = [i for i in links if i in gold][-1:]
    return right, wrong


def feedback_round(stack: Stack, session: requests.Session, queries: list[dict[str, Any]],
                   jobs: list[dict[str, Any]], gold: list[set[str]]) -> dict[str, Any]:
    """Send each job's editor verdicts as feedback, post the same articles again (a re-publish) and
    count what the service did with them."""
    verdicts = []
    for job, wanted in zip(jobs, gold, strict=True):
        accepted, rejected = editor_verdicts([link["archive_id"] for link in job["result"]["also_read"]], wanted)
        if accepted or rejected:
            response = session.post(f"{stack.api}/v1/enrichments/{job['id']}/feedback",
                                    json={"accepted": accepted, "rejected": rejected})
            response.raise_for_status()
        verdicts.append((accepted, rejected))
    again = enrich_all(stack, session, queries)
    reappeared = kept = kept_first = 0
    for (accepted, rejected), result in zip(verdicts, again, strict=True):
        links = [link["archive_id"] for link in result["also_read"]]
        cited = {item["source"]["archive_id"] for item in result["background"]}
        reappeared += sum(i in links or i in cited for i in rejected)
        kept += sum(i in links for i in accepted)
        kept_first += bool(accepted) and links[:1] == accepted
    ranked = [[link["archive_id"] for link in result["also_read"]] for result in again]
    return {"accepted": sum(len(a) for a, _ in verdicts), "rejected": sum(len(r) for _, r in verdicts),
            "rejected_reappeared": reappeared, "accepted_kept": kept, "accepted_kept_first": kept_first,
            "after": summarise(list(zip(ranked, gold, strict=True)))}


class CitationCheck:
    """Compares quoted archive text with the archive article the API serves."""

    def __init__(self, stack: Stack, session: requests.Session) -> None:
        self.stack, self.session = stack, session
        self.texts: dict[str, str] = {}
        self.checked = self.held = 0
        self.failures: list[dict[str, Any]] = []

    def text_of(self, archive_id: str) -> str:
        if archive_id not in self.texts:
            response = self.session.get(f"{self.stack.api}/v1/archive/articles/{archive_id}")
            response.raise_for_status()
            self.texts[archive_id] = response.json()["text"]
        return self.texts[archive_id]

    def check(self, archive_id: str, span: list[int], quoted: str) -> None:
        self.checked += 1
        if self.text_of(archive_id)[span[0]:span[1]] == quoted:
            self.held += 1
        elif len(self.failures) < 5:
            self.failures.append({"archive_id": archive_id, "span": span, "quoted": quoted[:120]})

    def result(self, result: dict[str, Any]) -> None:
        for item in result.get("background", []):
            self.check(item["source"]["archive_id"], item["source"]["span"], item["text"])
        for item in result.get("implications", []):
            for evidence in item["evidence"]:
                if evidence["source"] != "article":
                    self.check(evidence["source"], evidence["span"], evidence["text"])

    def summary(self) -> dict[str, Any]:
        return {"checked": self.checked, "held": self.held, "articles_read": len(self.texts),
                "failures": self.failures}


def conll_article(number: int, sentences: list[list[tuple[str, str]]]) -> tuple[dict[str, Any], set]:
    """A CoNLL-2003 document as an article (one sentence a line) and its gold (start, end, type)
    character spans in the body."""
    body, gold, at = [], set(), 0
    for sentence in sentences:
        offsets = []
        for token, _ in sentence:
            offsets.append((at, at + len(token)))
            at += len(token) + 1
        for first, last, etype in conll_ner.iob_spans([tag for _, tag in sentence]):
            if etype in ("PER", "ORG", "LOC"):
                gold.add((offsets[first][0], offsets[last - 1][1], etype))
        body.append(" ".join(token for token, _ in sentence))
    article = {"id": f"conll-{number}", "title": "Document", "body": "\n".join(body),
               "published_at": "1996-08-30T00:00:00Z"}
    return article, gold


def entity_scores(articles: list[dict[str, Any]], golds: list[set], results: list[dict[str, Any]]) -> dict:
    """Exact-span F1 per type and micro over PER/ORG/LOC of the entities the API returned."""
    counts = {t: [0, 0, 0] for t in ("PER", "ORG", "LOC")}  # true positives, predicted, gold
    moved = 0
    for article, gold, result in zip(articles, golds, results, strict=True):
        if result["article"]["text"] != article["body"]:
            moved += 1  # offsets would not compare; counted, never silently scored
            continue
        predicted = {(start, end, e["type"]) for e in result["entities"] if e["type"] in counts
                     for start, end in e["mentions"]}
        for etype, c in counts.items():
            p = {x for x in predicted if x[2] == etype}
            g = {x for x in gold if x[2] == etype}
            c[0] += len(p & g)
            c[1] += len(p)
            c[2] += len(g)
    scores = {t: dict(zip(("p", "r", "f"), conll_ner.prf(*c), strict=True)) for t, c in counts.items()}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    scores["micro PER/ORG/LOC"] = dict(zip(("p", "r", "f"), conll_ner.prf(*total), strict=True))
    return {"per_type": scores, "documents": len(articles), "text_changed": moved}


def two_typed(result: dict[str, Any]) -> int:
    """How many entity names of one result come with more than one type."""
    types: dict[str, set[str]] = {}
    for entity in result["entities"]:
        types.setdefault(entity["name"].lower(), set()).add(entity["type"])
    return sum(len(t) > 1 for t in types.values())


def gva_queries(articles: list[dict[str, Any]], incident: dict[str, str]) -> dict[int, set[str]]:
    """Query index -> gold ids (same incident, dated on or before it), for a seeded sample of the
    reported half of the incidents (evaluation/gva_also_read.py `half`)."""
    gold = {i: g for i, g in gva_also_read.gold_links(articles, incident).items()
            if gva_also_read.half(incident[articles[i]["id"]]) == "reported"}
    chosen = sorted(random.Random(17).sample(sorted(gold), min(QUERIES, len(gold))))
    return {i: gold[i] for i in chosen}


def implication_domains(results: list[dict[str, Any]], domain: str) -> dict[str, Any]:
    """Share of the implication items whose category the story's domain allows
    (evaluation/category_domains.py), beside the word lists' category for the same evidence."""
    items = [i for r in results for i in r.get("implications", [])]
    allowed = category_domains.ALLOWED[domain]
    words = [category_domains.word_list_scores(" ".join(e["text"] for e in i["evidence"])) for i in items]
    return {"items": len(items), "allowed": sum(i["category"] in allowed for i in items) / max(len(items), 1),
            "word_lists_allowed": sum(bool(w) and max(w, key=w.__getitem__) in allowed for w in words)
            / max(len(items), 1),
            "by_category": dict(Counter(i["category"] for i in items))}


def background_on_story(results: list[dict[str, Any]], queries: list[dict[str, Any]],
                        incident: dict[str, str]) -> dict[str, Any]:
    """gva_news background items citing an article of the query's own incident (the rest cite
    another incident's: at best context, mostly a story that shares a town's name)."""
    cited = [(incident.get(item["source"]["archive_id"]), incident[query["id"]])
             for result, query in zip(results, queries, strict=True) for item in result.get("background", [])]
    return {"items": len(cited), "own_incident": sum(a == b for a, b in cited) / max(len(cited), 1),
            "queries": len(queries), "queries_with_none": sum(not r.get("background") for r in results)}


def cnc_articles(path: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The Causal News held-out stories (evaluation/causal_news.py) as articles of consecutive
    sentences (causal_news.articles), one a paragraph, and each sentence's gold label by its text."""
    _, held = causal_news.split(path)
    found, gold = causal_news.articles(held)
    return [{"id": f"cnc-{story}-{at}", "title": texts[0][:80], "body": "\n\n".join(texts),
             "published_at": "2020-01-01T00:00:00Z"} for story, at, texts in found], gold


def cnc_evidence(results: list[dict[str, Any]], gold: dict[str, int]) -> dict[str, Any]:
    """Of the article sentences implications cite, the share labelled causal (a sentence the
    service split differently from the corpus is counted apart, never guessed)."""
    cited = [e["text"] for r in results for i in r.get("implications", []) for e in i["evidence"]
             if e["source"] == "article"]
    known = [gold[t] for t in cited if t in gold]
    return {"evidence_sentences": len(cited), "matched": len(known),
            "precision": sum(known) / max(1, len(known)),
            "base_rate": sum(gold.values()) / max(1, len(gold))}


def t17_articles(path: Path, per_story: int = 25) -> list[tuple[str, dict[str, Any]]]:
    """(domain, article) for `per_story` articles of each Timeline17 story (never trained on by
    the category classifier), spread over the story's dates."""
    by_story: dict[str, list[dict[str, Any]]] = {}
    for line in path.open(encoding="utf-8"):
        r = orjson.loads(line)
        by_story.setdefault(r["topic"], []).append(r)
    out = []
    for topic, rows in sorted(by_story.items()):
        rows.sort(key=lambda r: (r["pub_date"], r["article_index"]))
        for r in rows[::max(1, len(rows) // per_story)][:per_story]:
            lines = [detokenise(x) for x in r["text"].split("\n") if x.strip()]
            out.append((f"t17-{topic}", {"id": f"t17-{topic}-{r['article_index']}", "title": lines[0][:120],
                                         "body": "\n\n".join(lines[1:]) or lines[0],
                                         "published_at": f"{r['pub_date'][:10]}T12:00:00Z"}))
    return out


EXAMPLE_ARCHIVE = ROOT / "demo" / "afghanistan_archive.jsonl"


def example_article(stack: Stack, key: str) -> dict[str, Any]:
    """The example article (its title and four paragraphs) against a small archive of its story
    (demo/afghanistan_archive.jsonl) in a newsroom of its own (`key`'s): how many implications,
    over how many categories, how many from the archive."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    body = EXAMPLE_ARCHIVE.read_bytes()
    session.post(f"{stack.api}/v1/archive/articles", data=body,
                 headers={"Content-Type": "application/x-ndjson"}).raise_for_status()
    for record in map(orjson.loads, body.splitlines()):
        deadline = time.monotonic() + STALL_SECONDS
        while session.get(f"{stack.api}/v1/archive/articles/{record['id']}").status_code != 200:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{record['id']} not indexed in {STALL_SECONDS} s")
            time.sleep(0.2)
    result = enrich_all(stack, session, [{**raw_article(), "id": "example-kandahar"}])[0]
    items = result["implications"]
    return {"implications": len(items), "categories": sorted({i["category"] for i in items}),
            "from_archive": sum(i["evidence"][0]["source"] != "article" for i in items),
            "items": [{"category": i["category"], "source": i["evidence"][0]["source"], "text": i["text"]}
                      for i in items]}


def topic_accuracy(results: list[dict[str, Any]], gold: set[str]) -> dict[str, Any]:
    """Share of results whose first Media Topic is the source's (evaluation/topic_labels.py)."""
    return {"results": len(results),
            "top_accuracy": sum(bool(r["topics"]) and r["topics"][0]["qcode"] in gold for r in results)
            / max(1, len(results))}


def evaluate(data: Path) -> dict[str, Any]:
    gva_path, reuters_path = data / "gva_news" / "articles.jsonl", data / "reuters21578" / "articles.jsonl"
    articles, incident = gva_also_read.load(gva_path)
    # The CLI keeps one article per id, so the suffixed duplicates of load() are left out.
    unique = [a for a in articles if not a["id"].endswith("+")]
    gold = gva_queries(unique, incident)
    key, secret = secrets.token_urlsafe(16), "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    example_key = secrets.token_urlsafe(16)
    cnc, cnc_gold = cnc_articles(data / "causal_news" / "sentences.jsonl")
    t17 = t17_articles(data / "timelines" / "t17_articles.jsonl")
    with Stack(key, secret, {"API_KEYS": f"bench:{key},example:{example_key}"}) as stack:
        example = example_article(stack, example_key)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        before = int(stack.redis.info("memory")["used_memory"])
        import_archive(stack, gva_path, "gva")
        # What the newsroom's archive costs in Redis, imported through the CLI and the index workers.
        archived = {"articles": int(session.get(stack.api + "/v1/archive/stats").json()["articles"]),
                    "bytes": int(stack.redis.info("memory")["used_memory"]) - before}
        with tempfile.NamedTemporaryFile("wb", suffix=".jsonl") as slice_file:
            # The most recent Reuters stories: a second newsroom's wire copy (&lt;, upper case, tables).
            lines = reuters_path.read_bytes().splitlines()
            slice_file.write(b"\n".join(lines[-REUTERS_SLICE:]) + b"\n")
            slice_file.flush()
            import_archive(stack, Path(slice_file.name), "reuters")
            # The slice's last 40 stories the category head never trained on (category_domains.held_out).
            reuters_queries = [r for r in map(orjson.loads, lines[-REUTERS_SLICE:])
                               if category_domains.held_out(f"reuters:{r['newid']}")][-REUTERS_QUERIES:]
        queries = [unique[i] for i in gold]
        jobs = enrich_jobs(stack, session, queries)
        results = [job["result"] for job in jobs]
        feedback = feedback_round(stack, session, queries, jobs, list(gold.values()))
        reuters_articles = [a for a in (from_reuters(r) for r in reuters_queries) if a]
        reuters_results = enrich_all(stack, session, reuters_articles)
        reuters_tagged = [bool(r.get("topics")) for r in reuters_queries if from_reuters(r)]
        conll = [conll_article(n, doc) for n, doc in enumerate(conll_ner.read_conll(data / "conll2003" / "valid.txt"))]
        conll_results = enrich_all(stack, session, [a for a, _ in conll])
        cnc_results = enrich_all(stack, session, cnc)
        t17_results = enrich_all(stack, session, [a for _, a in t17])
        citations = CitationCheck(stack, session)
        for result in results + reuters_results:
            citations.result(result)
    ranked = [[link["archive_id"] for link in result["also_read"]] for result in results]
    ids = [a["id"] for a in unique]
    dates = np.array([epoch(a["published_at"]) for a in unique])
    tfidf = TfidfRanker(ids, [f"{a['title']}\n\n{a['body']}" for a in unique])
    tfidf_ranked = []
    for i in gold:
        allowed = dates <= dates[i]
        allowed[i] = False
        tfidf_ranked.append(tfidf.rank(i, allowed, 10))
    return {
        "also_read": {"system via API": summarise(list(zip(ranked, gold.values(), strict=True))),
                      tfidf.name: summarise(list(zip(tfidf_ranked, gold.values(), strict=True)))},
        "feedback": feedback,
        "background_on_story": background_on_story(results, queries, incident),
        "citations": citations.summary(),
        "ner": entity_scores([a for a, _ in conll], [g for _, g in conll], conll_results),
        "topics": {"gva_news": topic_accuracy(results, {topic_labels.CRIME}),
                   "reuters": topic_accuracy([r for r, q in zip(reuters_results, reuters_tagged, strict=True) if q],
                                             {topic_labels.ECONOMY})},
        "two_typed_names": sum(two_typed(result) for result in results + reuters_results),
        "implication_domains": {"gva_news": implication_domains(results, "gva"),
                                "gva_news held out": implication_domains(
                                    [r for r, q in zip(results, queries, strict=True)
                                     if category_domains.held_out(f"gva:{incident[q['id']]}")], "gva"),
                                "reuters": implication_domains(reuters_results, "reuters"),
                                **{domain: implication_domains([r for (d, _), r in zip(t17, t17_results, strict=True)
                                                                if d == domain], domain)
                                   for domain in sorted({d for d, _ in t17})}},
        "cnc_evidence": {**cnc_evidence(cnc_results, cnc_gold), "articles": len(cnc)},
        "example_article": example,
        "archive": {"gva_news": len(unique), "reuters": REUTERS_SLICE,
                    "gva_news_imported": archived["articles"],
                    "gva_news_bytes_per_article": archived["bytes"] / max(1, archived["articles"])},
        "results": {"gva_news": len(results), "reuters": len(reuters_results),
                    "background_items": sum(len(r.get("background", [])) for r in results + reuters_results)},
    }
