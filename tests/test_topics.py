"""IPTC Media Topics on every enrichment, through the API: codes from IPTC's vocabulary, the top level
first and most relevant first, second-level topics only under a chosen top-level one."""

from __future__ import annotations

import json

import pytest

from enrich.topics import vocabulary
from evaluation.topic_labels import CRIME, ECONOMY
from tests.conftest import ROOT, auth, wait_for

DATA = ROOT.parent / "shared" / "data"


def _first(path, keep):  # type: ignore[no-untyped-def]
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        if keep(record):
            return record
    raise AssertionError(f"no record in {path}")


def _enriched(client, article: dict) -> dict:  # type: ignore[no-untyped-def]
    response = client.post("/v1/enrichments", json={"article": article}, headers=auth())
    assert response.status_code == 202, response.json
    job = wait_for(lambda: (j := client.get(f"/v1/enrichments/{response.json['id']}", headers=auth()).json)
                   ["status"] in ("succeeded", "failed") and j, timeout=90)
    assert job["status"] == "succeeded", job
    return job["result"]


def earnings() -> dict:
    r = _first(DATA / "reuters21578" / "articles.jsonl",
               lambda r: r["topics"] == ["earn"] and len((r.get("body") or "").split()) > 80)
    return {"title": r["title"], "body": r["body"], "published_at": r["date"]}


def shooting() -> dict:
    r = _first(DATA / "gva_news" / "articles.jsonl", lambda r: len((r.get("text") or "").split()) > 150)
    return {"title": r["title"], "body": r["text"], "published_at": r["date"]}


@pytest.mark.parametrize(("article", "expected"), [(earnings, ECONOMY), (shooting, CRIME)])
def test_topics_are_iptc_codes_in_order(client, worker, article, expected):
    topics = _enriched(client, article())["topics"]
    vocab = vocabulary()
    assert topics and topics[0]["qcode"] == expected, topics
    levels = [t["level"] for t in topics]
    assert levels == sorted(levels)  # the top level first
    top = [t for t in topics if t["level"] == 1]
    assert [t["relevance"] for t in top] == sorted((t["relevance"] for t in top), reverse=True)
    for t in topics:
        assert vocab[t["qcode"]]["uri"] == t["uri"] == "http://cv.iptc.org/newscodes/mediatopic/" + t["qcode"][7:]
        assert t["name"] == vocab[t["qcode"]]["label"] and 0 <= t["relevance"] <= 100
        if t["level"] == 2:
            assert t["parent"] in {x["qcode"] for x in top}


def test_vocabulary_is_iptcs_seventeen_with_their_children():
    vocab = vocabulary()
    tops = [q for q, t in vocab.items() if t["level"] == 1]
    assert len(tops) == 17 and all(q.startswith("medtop:") for q in tops)
    assert all(vocab[t["parent"]]["level"] == 1 for t in vocab.values() if t["level"] == 2)
    assert all(t["definition"] for t in vocab.values())
