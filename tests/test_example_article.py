"""The example an editor was shown (`../shared/example-enriched-article.txt`), done grounded: its
raw article (title and four paragraphs) enriched against a small archive of our own — ten
dated pieces of Afghanistan coverage, 1994-2021, three of them stating what the August 2021 advance
may lead to, and two unrelated stories (`demo/afghanistan_archive.jsonl`, written by us; dates and
facts from the public record). The background must tell the
story from this handful of articles, date the first capture of Kandahar to 1994 (the example
says 1995 and 1996), and cite every sentence; "also read" must not lead with the football."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from enrich import implications
from evaluation.example_article import raw_article
from tests.conftest import ROOT, auth, wait_for

ARCHIVE = ROOT / "demo" / "afghanistan_archive.jsonl"


@pytest.fixture()
def afghanistan(client, worker):  # type: ignore[no-untyped-def]
    body = ARCHIVE.read_text()
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for record in map(json.loads, body.splitlines()):
        wait_for(lambda i=record["id"]: client.get(f"/v1/archive/articles/{i}", headers=auth()).status_code == 200)


def test_the_example_gets_a_grounded_timeline_from_a_small_archive(client, afghanistan):
    article = raw_article()
    assert article["title"].startswith("Taliban") and len(article["body"].split("\n\n")) == 4
    response = client.post("/v1/enrichments", json={"article": article, "options": {"limits": {"background": 8}}},
                           headers={**auth(), "Prefer": "wait=30"})
    assert response.status_code == 200 and response.json["status"] == "succeeded", response.json
    result = response.json["result"]

    background = result["background"]
    assert len(background) >= 4, background
    sources = {item["source"]["archive_id"] for item in background}
    assert not sources & {"sport-2021-derby", "markets-2019-oil"}
    years = {item["date"][:4] for item in background}
    assert {"1994", "2001"} <= years, background  # the story's history, not its last week
    first_capture = [i for i in background if i["source"]["archive_id"] == "afg-1994-kandahar"]
    assert first_capture and all(i["date"].startswith("1994") for i in first_capture), first_capture
    assert not any(i["date"].startswith("1995") for i in background)  # nothing happened then in this archive
    kabul = [i for i in background if "seized the Afghan capital Kabul on Friday" in i["text"]]
    assert all(i["date"] == "1996-09-27" for i in kabul), kabul  # "on Friday", published Saturday
    for item in background:  # every fact cites the archive text it came from
        source = client.get(f"/v1/archive/articles/{item['source']['archive_id']}", headers=auth()).json
        start, end = item["source"]["span"]
        assert source["text"][start:end] == item["text"]
    assert [i["date"] for i in background] == sorted(i["date"] for i in background)

    links = [link["archive_id"] for link in result["also_read"]]
    assert links and links[0].startswith("afg-"), result["also_read"]
    # Every Afghanistan piece ranks above the football (which a score floor, issue #11, would drop).
    football = links.index("sport-2021-derby") if "sport-2021-derby" in links else len(links)
    assert all(link.startswith("afg-") for link in links[:football]), links

    # Implications cite sentences of the article or of the archive, each quoted exactly; a
    # precedent's evidence too; no two items share a sentence.
    cited = []
    for item in result["implications"]:
        for evidence in item["evidence"] + (item.get("precedent") or {}).get("evidence", []):
            start, end = evidence["span"]
            text = (result["article"]["text"] if evidence["source"] == "article" else
                    client.get(f"/v1/archive/articles/{evidence['source']}", headers=auth()).json["text"])
            assert text[start:end] == evidence["text"], evidence
            cited.append((evidence["source"], start, end))
    assert len(cited) == len(set(cited))
    # Implications draw on the story's archive coverage too: at least three items, most of them from
    # the archive, none past a category's cap, and one from the warning about Kabul, a piece that
    # names the Taliban (a MISC name to the tagger, a subject since session 22) but not Kandahar.
    # (Issue #19's goal is three in two categories; the encoder's category head, shipped in session
    # 20, files every consequence of this war story under security: docs/evaluation.md, "What
    # session 21 changed".)
    items = result["implications"]
    assert len(items) >= 3, items
    from_archive = [i["evidence"][0]["source"] for i in items if i["evidence"][0]["source"].startswith("afg-")]
    assert len(from_archive) > len(items) / 2 and "afg-2021-kabul-warning" in from_archive, items
    assert max(Counter(i["category"] for i in items).values()) <= implications.PER_CATEGORY
