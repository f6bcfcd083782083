"""An article's own copies in the archive (a wire copy re-filed under another id, the published
version of a re-enriched update) are never its background or its links, and change neither.

Two newsrooms hold the same archive through the API; one of them also holds a copy of the article
under another id, filed an hour earlier. Each enriches the same article: the backgrounds may
differ by one item at most, the links not at all, and the copy is never cited or linked. Once
for the example article against its small archive, once for a Reuters oil story against the
1987 wire's oil coverage (many sources)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from evaluation.example_article import raw_article
from service.archive_formats import from_reuters
from tests.conftest import ROOT, auth, wait_for

REUTERS = ROOT.parent / "shared" / "data" / "reuters21578" / "articles.jsonl"


def archive(client, who: str, records: list[dict[str, Any]]) -> None:  # type: ignore[no-untyped-def]
    body = "\n".join(json.dumps(record) for record in records)
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(who), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for record in records:
        wait_for(lambda i=record["id"]: client.get(f"/v1/archive/articles/{i}", headers=auth(who)).status_code == 200,
                 timeout=120)


def copy_of(article: dict[str, Any], copy_id: str) -> dict[str, Any]:
    filed = datetime.fromisoformat(article["published_at"].replace("Z", "+00:00")) - timedelta(hours=1)
    return {**article, "id": copy_id, "published_at": filed.isoformat()}


def enrich(client, who: str, article: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.post("/v1/enrichments", json={"article": article, "options": {"limits": {"background": 12}}},
                           headers={**auth(who), "Prefer": "wait=60"})
    assert response.status_code == 200 and response.json["status"] == "succeeded", response.json
    return response.json["result"]


def assert_unchanged_by_the_copy(client, records: list[dict[str, Any]], article: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    archive(client, "alice", records)
    archive(client, "bob", [*records, copy_of(article, "the-copy")])
    without, with_copy = enrich(client, "alice", article), enrich(client, "bob", article)

    cited = [(i["source"]["archive_id"], tuple(i["source"]["span"])) for i in with_copy["background"]]
    assert "the-copy" not in {doc_id for doc_id, _ in cited}, with_copy["background"]
    assert "the-copy" not in {link["archive_id"] for link in with_copy["also_read"]}, with_copy["also_read"]
    assert [(v["archive"], v["archive_id"]) for v in with_copy["versions"]] == [("bob", "the-copy")]
    assert without["versions"] == []
    assert without["background"], "nothing to compare: the archive gave no background"
    before = [(i["source"]["archive_id"], tuple(i["source"]["span"])) for i in without["background"]]
    assert abs(len(before) - len(cited)) <= 1, (before, cited)
    assert len(set(before) & set(cited)) >= len(before) - 1, (before, cited)
    assert [link["archive_id"] for link in with_copy["also_read"]] == \
        [link["archive_id"] for link in without["also_read"]]


def test_the_example_article_is_not_its_own_background(client, worker) -> None:  # type: ignore[no-untyped-def]
    records = [json.loads(line) for line in (ROOT / "demo" / "afghanistan_archive.jsonl").read_text().splitlines()]
    article = {**raw_article(paragraphs=3), "id": "cms-kandahar"}  # its first three paragraphs, as make run shows it
    assert_unchanged_by_the_copy(client, records, article)


def test_a_story_with_many_sources_is_not_its_own_background(client, worker) -> None:  # type: ignore[no-untyped-def]
    records, article = [], None
    with REUTERS.open(encoding="utf-8") as lines:
        for n, line in enumerate(islice(lines, 0, 3000)):
            record = json.loads(line)
            mapped = from_reuters(record)
            if mapped is None:
                continue
            if n >= 2000:  # make run's demo: the first oil story after the archived ones
                if "crude" in record["topics"] and len(record["body"]) > 1200:
                    article = {**mapped, "id": "cms-oil"}
                    break
            elif "crude" in record["topics"] or n % 25 == 0:
                records.append(mapped)
    assert article is not None and len(records) > 60
    assert_unchanged_by_the_copy(client, records, article)
