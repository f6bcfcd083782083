"""Editors' feedback through the HTTP API: a rejected link or source is never offered again for
that article id; an accepted link is kept when the same article is enriched again (a re-publish)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import auth, wait_for
from tests.test_archive import ARTICLE, topic
from tests.test_bad_input import assert_error

ARTICLE_HERE = {**ARTICLE, "id": "cms-fb-1", "title": ARTICLE["title"].replace("Zorblax", "Brennick"),
                "body": ARTICLE["body"].replace("Zorblax", "Brennick")}


@pytest.fixture()
def archive(client, worker):  # type: ignore[no-untyped-def]
    articles = topic("fb", "Brennick")
    response = client.post("/v1/archive/articles", data="\n".join(json.dumps(a) for a in articles),
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for a in articles:
        wait_for(lambda a=a: client.get(f"/v1/archive/articles/{a['id']}", headers=auth()).status_code == 200)
    return articles


def enrich(client, article=ARTICLE_HERE, who="alice", options=None):  # type: ignore[no-untyped-def]
    payload = {"article": article, **({"options": options} if options else {})}
    response = client.post("/v1/enrichments", json=payload, headers={**auth(who), "Prefer": "wait=30"})
    assert response.status_code == 200 and response.json["status"] == "succeeded", response.json
    return response.json


def offered(job):  # type: ignore[no-untyped-def]
    result = job["result"]
    return ([link["archive_id"] for link in result["also_read"]],
            {item["source"]["archive_id"] for item in result["background"]})


def test_rejected_ids_go_and_accepted_links_stay_on_a_republish(client, archive):
    first = enrich(client)
    links, cited = offered(first)
    assert {"fb-zx-1", "fb-zx-2", "fb-zx-3"} <= set(links), links
    assert "fb-zx-2" in cited
    answer = client.post(f"/v1/enrichments/{first['id']}/feedback",
                         json={"rejected": ["fb-zx-2"], "accepted": ["fb-zx-1"]}, headers=auth())
    assert answer.status_code == 200, answer.json
    assert answer.json == {"article_id": "cms-fb-1", "accepted": ["fb-zx-1"], "rejected": ["fb-zx-2"]}

    # The same article id again, with a link limit that would have dropped fb-zx-1 and a window
    # that leaves it out: the editor's acceptance keeps it, first.
    again = enrich(client, options={"limits": {"also_read": 1}, "also_read": {"since": "2023-06-01T00:00:00Z"}})
    links, cited = offered(again)
    assert links == ["fb-zx-1"], again["result"]["also_read"]
    assert again["result"]["also_read"][0]["reason"].startswith("kept")
    assert "fb-zx-2" not in cited
    links, cited = offered(enrich(client))
    assert "fb-zx-2" not in links and "fb-zx-2" not in cited and links[0] == "fb-zx-1"

    # Another article id, or another client, is not bound by these verdicts.
    links, _ = offered(enrich(client, {**ARTICLE_HERE, "id": "cms-fb-2"}))
    assert "fb-zx-2" in links


def test_feedback_says_what_to_fix(client, archive):
    job = enrich(client)
    url = f"/v1/enrichments/{job['id']}/feedback"
    assert_error(client.post(url, json={"rejected": ["not-offered"]}, headers=auth()), 422)
    assert_error(client.post(url, json={}, headers=auth()), 422)
    assert_error(client.post(url, json={"accepted": ["fb-zx-1"], "rejected": ["fb-zx-1"]}, headers=auth()), 422)
    assert_error(client.post(url, json={"rejected": ["fb-zx-1"]}, headers=auth("bob")), 404)  # not bob's job
    anonymous = enrich(client, {k: v for k, v in ARTICLE_HERE.items() if k != "id"})
    refused = client.post(f"/v1/enrichments/{anonymous['id']}/feedback", json={"rejected": ["fb-zx-1"]},
                          headers=auth())
    assert_error(refused, 409)
    assert "id" in refused.json["message"]
    # Nothing was recorded by the refused calls.
    links, _ = offered(enrich(client))
    assert "fb-zx-1" in links
