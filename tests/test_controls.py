"""Editors' controls in `options`, through the HTTP API: each changes what the archive may give,
and each test shows the result without the control first."""

from __future__ import annotations

import json

import pytest

from tests.conftest import auth, wait_for
from tests.test_archive import ARTICLE, _import, topic
from tests.test_bad_input import assert_error

WEAK = {"id": "ctl-weak", "title": "Copper prices steady in London trading",
        "published_at": "2023-12-01T08:00:00Z",
        "body": "Copper prices were steady in London on Friday as traders waited for data."}


@pytest.fixture()
def archive(client, worker):  # type: ignore[no-untyped-def]
    articles = topic("ctl", "Tarrowind")
    articles[0] = {**articles[0], "section": "Business", "tags": ["mining"]}
    articles[1] = {**articles[1], "section": "Local", "tags": ["protest"]}
    articles.append(WEAK)
    body = "\n".join(json.dumps(a) for a in articles)
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for a in articles:
        wait_for(lambda a=a: client.get(f"/v1/archive/articles/{a['id']}", headers=auth()).status_code == 200)
    return articles


ARTICLE_HERE = {**ARTICLE, "title": ARTICLE["title"].replace("Zorblax", "Tarrowind"),
                "body": ARTICLE["body"].replace("Zorblax", "Tarrowind")}


def enrich(client, options=None):  # type: ignore[no-untyped-def]
    payload = {"article": ARTICLE_HERE, **({"options": options} if options else {})}
    response = client.post("/v1/enrichments", json=payload, headers={**auth(), "Prefer": "wait=30"})
    assert response.status_code == 200 and response.json["status"] == "succeeded", response.json
    result = response.json["result"]
    return ([link["archive_id"] for link in result["also_read"]],
            {item["source"]["archive_id"] for item in result["background"]})


def test_excluded_ids_sections_and_tags_are_neither_linked_nor_cited(client, archive):
    links, cited = enrich(client)
    assert {"ctl-zx-1", "ctl-zx-2"} <= set(links) and {"ctl-zx-1", "ctl-zx-2"} & cited
    for exclude, gone in (({"ids": ["ctl-zx-1"]}, "ctl-zx-1"), ({"sections": ["Local"]}, "ctl-zx-2"),
                          ({"tags": ["mining"]}, "ctl-zx-1")):
        links, cited = enrich(client, {"exclude": exclude})
        assert gone not in links and gone not in cited, (exclude, links, cited)
        assert links, "the rest of the story is still linked"


def test_the_link_window_and_the_score_floor(client, archive):
    links, _ = enrich(client, {"also_read": {"min_share_of_best": 0}})
    assert "ctl-weak" in links and "ctl-zx-1" in links
    links, _ = enrich(client)  # the default floor: a weak link beside strong ones goes
    assert "ctl-weak" not in links and "ctl-zx-1" in links
    links, _ = enrich(client, {"also_read": {"since": "2023-06-01T00:00:00Z"}})
    assert "ctl-zx-1" not in links and "ctl-zx-2" in links  # zx-1 is from May 2023
    links, _ = enrich(client, {"also_read": {"max_age_days": 200}})  # the article is of 2024-02-01
    assert "ctl-zx-1" not in links and "ctl-zx-3" in links
    links, _ = enrich(client, {"also_read": {"min_score": 0.99}})
    assert links == []


def test_preferred_sections_and_tags_rank_first(client, archive):
    links, _ = enrich(client)
    # Whichever of the two filed articles does not lead without the control (zx-1: Business,
    # mining; zx-2: Local, protest) leads with its section or its tag preferred.
    target, section, tag = next(t for t in (("ctl-zx-2", "Local", "protest"), ("ctl-zx-1", "Business", "mining"))
                                if t[0] in links and links.index(t[0]) > 0)
    links, _ = enrich(client, {"prefer": {"sections": [section]}})
    assert links[0] == target
    links, _ = enrich(client, {"prefer": {"tags": [tag]}})
    assert links[0] == target


@pytest.mark.parametrize(("options", "field"), [
    ({"also_read": {"min_score": 2}}, "options.also_read.min_score"),
    ({"also_read": {"since": "2023-06-01T00:00:00"}}, "options.also_read.since"),  # no zone
    ({"also_read": {"max_age_days": 0}}, "options.also_read.max_age_days"),
    ({"exclude": {"ids": "ctl-zx-1"}}, "options.exclude.ids"),
    ({"prefer": {"colour": ["red"]}}, "options.prefer.colour"),
])
def test_bad_controls_say_what_to_fix(client, options, field):
    response = client.post("/v1/enrichments", json={"article": ARTICLE_HERE, "options": options}, headers=auth())
    assert_error(response, 422)
    assert field in response.json["message"], response.json


def test_one_link_and_one_source_per_story_the_earliest_or_the_preferred_section(client, archive):
    original = next(a for a in archive if a["id"] == "ctl-zx-1")
    refiled = {**original, "id": "ctl-zx-1-refiled", "title": original["title"].upper() + "!",
               "published_at": "2023-12-20T08:00:00Z", "section": "Wire", "tags": []}
    _import(client, [refiled])
    links, cited = enrich(client)
    assert "ctl-zx-1" in links and "ctl-zx-1-refiled" not in links  # the earliest version stands for both
    assert "ctl-zx-1-refiled" not in cited
    links, cited = enrich(client, {"prefer": {"sections": ["Wire"]}})
    assert "ctl-zx-1-refiled" in links and "ctl-zx-1" not in links, links
    assert "ctl-zx-1" not in cited
