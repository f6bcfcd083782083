"""Print what an editor reads for three stories, enriched through the HTTP API of a private stack
(devtools/stack.py): background and implications, each line with what it cites.

    .venv/bin/python scripts/show_examples.py [--example] [RESULTS.json]

1. the example article of ../shared/example-enriched-article.txt (title and first paragraphs)
   against demo/afghanistan_archive.jsonl (ten articles of its story, two others), then again
   once its own copy is archived;
2. make run's demo: the first long Reuters crude story after the first 2,000 Reuters articles,
   against those 2,000;
3. a gva_news story with earlier coverage of its incident, against the whole gva_news archive;
4. for their IPTC Media Topics, also a CoNLL-2003 document (Reuters, 1996) and a TempEval-3 document
   (AP and others, 1998): sources the topic model never saw.

The example article and the demo story are also printed as ninjs 3.1 (bodies cut short).
"""

from __future__ import annotations

import base64
import json
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import requests

from devtools.stack import ROOT, Stack, run
from evaluation import conll_ner, gva_also_read
from evaluation.example_article import raw_article
from evaluation.through_api import conll_article, enrich_all, gva_queries, import_archive

DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "scripts"))
from demo_article import from_reuters  # noqa: E402


def requests_until_indexed(session: requests.Session, api: str, article_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while session.get(f"{api}/v1/archive/articles/{article_id}").status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{article_id} not indexed in {timeout} s")
        time.sleep(0.2)


def show(title: str, result: dict[str, Any]) -> None:
    print(f"\n=== {title}\n    {result['article']['title']} ({result['article']['published_at'][:10]})")
    print("  Also read:")
    for link in result["also_read"]:
        print(f"    - {link['title']} ({link['published_at'][:10]}; score {link['score']})")
    for version in result.get("versions", []):
        print(f"  Already archived as: {version['archive_id']} ({version['published_at'][:19]})")
    print("  Background:")
    for item in result["background"]:
        source = item["source"]
        print(f"    {item['date']:<10} {item['text'][:220]}")
        print(f"               [{source['archive_id']} {source['published_at'][:10]}, "
              f"chars {source['span'][0]}-{source['span'][1]}; date from {item['date_from']}]")
    print("  Potential implications:")
    for item in result["implications"]:
        cites = ", ".join(f"{e['source']} {e['span'][0]}-{e['span'][1]}" for e in item["evidence"])
        print(f"    {item['label']}: {item['text']}  [{cites}; confidence {item['confidence']}]")
    print("  Entities:", ", ".join(f"{e['name']} ({e['type']})" for e in result["entities"][:10]))
    show_topics(result)


def show_topics(result: dict[str, Any]) -> None:
    print("  Media Topics:", "; ".join(f"{t['name']} ({t['qcode']}, {t['relevance']})" for t in result["topics"]))


def shortened(value: Any) -> Any:
    """A ninjs item with its long strings cut, to print."""
    if isinstance(value, dict):
        return {k: shortened(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shortened(v) for v in value]
    return value[:160] + "..." if isinstance(value, str) and len(value) > 160 else value


def other_sources() -> list[tuple[str, dict[str, Any]]]:
    conll = conll_article(1, conll_ner.read_conll(DATA / "conll2003" / "valid.txt")[1])[0]
    tempeval = json.loads((DATA / "tempeval3" / "docs.jsonl").open(encoding="utf-8").readline())
    return [("A CoNLL-2003 document (Reuters, 1996), for its topics", {**conll, "title": conll["body"][:80]}),
            ("A TempEval-3 document (AP, 1998), for its topics",
             {"id": tempeval["doc_id"], "title": tempeval["title"], "body": tempeval["text"],
              "published_at": f"{tempeval['dct']}T12:00:00Z"})]


def main() -> int:
    key = secrets.token_urlsafe(16)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    with Stack(key, secret) as stack:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        import_archive(stack, ROOT / "demo" / "afghanistan_archive.jsonl", "article")
        example = {**raw_article(paragraphs=3), "id": "cms-kandahar"}
        posts = [("The example article, against a small archive of its story", example)]
        results = enrich_all(stack, session, [example])  # before anything else is imported
        if "--example" in sys.argv:  # only the example article against its small archive
            show(posts[0][0], results[0])
            return 0
        # The same again once the archive also holds its copy (filed an hour earlier, another id).
        copy = {**example, "id": "cms-kandahar-wire", "published_at": "2021-08-13T08:00:00Z"}
        session.post(stack.api + "/v1/archive/articles", json=copy).raise_for_status()
        requests_until_indexed(session, stack.api, copy["id"])
        posts.append(("The example article, its own copy archived too", example))
        results += enrich_all(stack, session, [example])
        reuters = DATA / "reuters21578" / "articles.jsonl"
        import_archive(stack, reuters, "reuters", 2000)
        gva_path = DATA / "gva_news" / "articles.jsonl"
        import_archive(stack, gva_path, "gva")
        articles, incident = gva_also_read.load(gva_path)
        unique = [a for a in articles if not a["id"].endswith("+")]
        gold = gva_queries(unique, incident)
        richest = max(gold, key=lambda i: (len(gold[i]), i))
        posts += [("make run's demo story, against 2,000 Reuters articles (and gva_news)",
                   from_reuters(reuters, 2000)["article"]),
                  ("A gva_news story, against the gva_news archive (and 2,000 Reuters articles)",
                   unique[richest])]
        results += enrich_all(stack, session, [article for _, article in posts[2:]])
        ninjs = {i: session.get(f"{stack.api}/v1/enrichments/{results[i]['id']}",
                                headers={"Accept": "application/ninjs+json"}).json() for i in (0, 2)}
        extra = other_sources()
        extra_results = enrich_all(stack, session, [article for _, article in extra])
    for (title, _), result in zip(posts, results, strict=True):
        show(title, result)
    for (title, _), result in zip(extra, extra_results, strict=True):
        print(f"\n=== {title}\n    {result['article']['title']}")
        show_topics(result)
    for i, item in ninjs.items():
        print(f"\n=== ninjs 3.1 of: {posts[i][0]}\n{json.dumps(shortened(item), indent=1)}")
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    if paths:
        Path(paths[0]).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    run(main)
