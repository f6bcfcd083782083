"""IPTC ninjs in and out, through the API: results validate against IPTC's own JSON Schemas
(../shared/standards/ninjs), and a ninjs article sent in comes back enriched under its uri."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from store import jobs
from tests.conftest import ROOT, auth, wait_for

NINJS = ROOT.parent / "shared" / "standards" / "ninjs"
DEMO = json.loads(Path(ROOT / "demo" / "article.json").read_text())


def validator(version: str) -> Draft202012Validator:
    schema = json.loads((NINJS / f"ninjs-schema_{version}.json").read_text())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(item: dict, version: str) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(version).iter_errors(item)]
    assert not errors, errors[:5]
    assert item["standard"]["version"] == version


def finished(client, job_id: str) -> dict:  # type: ignore[no-untyped-def]
    return wait_for(lambda: (j := client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)
                    ["status"] in ("succeeded", "failed") and j, timeout=90)


def test_iptc_examples_are_what_our_validator_accepts_and_it_rejects_a_broken_one():
    """The check itself can fail: IPTC's examples pass, the same example with a wrong type does not."""
    for version in ("3.1", "2.2"):
        example = json.loads((NINJS / "examples" / f"{version}_005_complex_text_article.json").read_text())
        assert not list(validator(version).iter_errors(example))
        assert list(validator(version).iter_errors({**example, "type": "newspaper"}))
    assert list(validator("2.2").iter_errors({"uri": "urn:x", "versionCreated": "2020-01-01T00:00:00Z"}))


def test_result_as_ninjs_by_accept_query_and_callback(client, sample_archive, httpserver: HTTPServer):
    received: list[dict] = []

    def handler(request: Request) -> Response:
        received.append(json.loads(request.get_data(as_text=True)))
        return Response("ok", 200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    payload = {**DEMO, "callback_url": httpserver.url_for("/hook"),
               "options": {"callback_format": "ninjs", "ninjs_version": "2.2"}}
    response = client.post("/v1/enrichments", json=payload, headers=auth())
    assert response.status_code == 202, response.json
    job_id = response.json["id"]
    job = finished(client, job_id)
    assert job["status"] == "succeeded", job
    result = job["result"]

    by_accept = client.get(f"/v1/enrichments/{job_id}", headers={**auth(), "Accept": "application/ninjs+json"})
    assert by_accept.status_code == 200 and by_accept.mimetype == "application/ninjs+json"
    item = by_accept.json
    assert_valid(item, "3.1")
    assert item["headlines"][0]["value"] == DEMO["article"]["title"]
    assert item["uri"] == f"urn:newsroom-enrichment:article:{DEMO['article']['id']}"
    assert {b["contentType"] for b in item["bodies"]} >= {"text/plain", "text/html"}
    assert [a["altIds"][0]["value"] for a in item["associations"]] == \
        [f"{link['archive']}/{link['archive_id']}" for link in result["also_read"]]
    people = {p["name"] for p in item.get("people", [])}
    assert people == {e["name"] for e in result["entities"] if e["type"] == "PER"}
    roles = {d["role"] for d in item["descriptions"]}
    assert roles >= {"keyPoints", "background", "implications"}
    assert [s["uri"] for s in item.get("subjects", [])] == [t["uri"] for t in result.get("topics", [])]

    old = client.get(f"/v1/enrichments/{job_id}?format=ninjs&version=2.2", headers=auth())
    assert old.status_code == 200
    assert_valid(old.json, "2.2")
    assert "versioncreated" in old.json and "versionCreated" not in old.json
    versioned = client.get(f"/v1/enrichments/{job_id}",
                           headers={**auth(), "Accept": "application/ninjs+json; version=2.2"})
    assert versioned.json == old.json

    wait_for(lambda: received, timeout=60)
    assert received[0]["type"] == "enrichment.succeeded"
    assert received[0]["data"] == old.json  # the callback asked for ninjs 2.2
    assert client.get(f"/v1/enrichments/{job_id}", headers=auth()).json["result"] == result  # JSON stays the default


def test_ninjs_unknown_version_and_unfinished_job_are_refused(client, app):
    # A new job: queued, or running if a worker left by an earlier test takes it from the intake
    # (its queue argument counts the depth only); either way not succeeded within these few requests.
    job_id, _ = jobs.create_job(app.extensions["redis"], client="alice", article={**DEMO["article"],
                                "published_at": "2024-05-06T09:00:00+00:00"}, callback_url=None, options={},
                                ttl=600, queue=jobs.PREFIX + "test:nobody-reads-this", max_depth=10)
    bad = client.get(f"/v1/enrichments/{job_id}?format=ninjs&version=9.9", headers=auth())
    assert bad.status_code == 406 and "3.1" in bad.json["message"]
    assert client.get(f"/v1/enrichments/{job_id}?format=xml", headers=auth()).status_code == 400
    early = client.get(f"/v1/enrichments/{job_id}?format=ninjs", headers=auth())
    assert early.status_code == 409, early.json
    assert re.match(r"The job is (queued|running): its ninjs exists once it has succeeded", early.json["message"])


@pytest.mark.parametrize("version", ["3.1", "2.2"])
def test_ninjs_article_in_comes_back_enriched_under_its_uri(client, sample_archive, version):
    example = json.loads((NINJS / "examples" / f"{version}_005_complex_text_article.json").read_text())
    response = client.post("/v1/enrichments", data=json.dumps(example),
                           headers={**auth(), "Content-Type": "application/ninjs+json"})
    assert response.status_code == 202, response.json
    job = finished(client, response.json["id"])
    assert job["status"] == "succeeded", job
    article = job["result"]["article"]
    assert article["id"] == example["uri"]
    assert article["title"] == example["headlines"][0]["value"]
    assert article["published_at"].startswith("2013-07-09")
    assert "Schettino" in article["text"] and "<p>" not in article["text"]  # read from the HTML body
    item = client.get(f"/v1/enrichments/{job['id']}?format=ninjs&version={version}", headers=auth()).json
    assert item["uri"] == example["uri"]
    assert_valid(item, version)
    assert "Francesco Schettino" in {p["name"] for p in item["people"]}


def test_ninjs_under_its_own_key_with_options(client, sample_archive):
    item = {"uri": "https://news.example.org/2026/12/vote", "headlines": [{"value": "Council votes on the budget"}],
            "bodies": [{"contentType": "text/plain", "value": "The city council voted on Tuesday on the budget."}],
            "versionCreated": "2026-12-01T10:00:00Z"}
    response = client.post("/v1/enrichments", json={"ninjs": item, "options": {"limits": {"also_read": 1}}},
                           headers=auth())
    assert response.status_code == 202, response.json
    job = finished(client, response.json["id"])
    assert job["result"]["article"]["id"] == item["uri"] and job["result"]["article"]["url"] == item["uri"]


@pytest.mark.parametrize(("item", "field"), [
    ({"uri": "urn:x:1", "bodies": [{"value": "Text."}]}, "headlines"),
    ({"uri": "urn:x:1", "headlines": [{"value": "A headline"}]}, "bodies"),
    ({"headlines": [{"value": "A headline"}], "bodies": [{"value": "Text."}]}, "uri"),
    ({"uri": "urn:x:1", "headlines": "A headline", "bodies": [{"value": "Text."}]}, "headlines"),
])
def test_bad_ninjs_names_what_to_fix_and_creates_nothing(client, app, item, field):
    r = app.extensions["redis"]
    def kept() -> set[bytes]:  # every key but the request counters
        return {k for k in r.scan_iter(match=jobs.PREFIX + "*") if not k.startswith(jobs.PREFIX.encode() + b"metrics")}

    before = kept()
    response = client.post("/v1/enrichments", json={"ninjs": item}, headers=auth())
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["ninjs"], response.json
    assert f"ninjs.{field}" in response.json["message"]
    assert kept() == before
    both = client.post("/v1/enrichments", json={"ninjs": item, "article": DEMO["article"]}, headers=auth())
    assert both.status_code == 422 and "once" in json.dumps(both.json)


def test_archive_imports_ninjs_records(client, app, worker):
    """A 3.1 item (camelCase) and a 2.2 item (lower case) in one NDJSON import; uris with slashes are ids."""
    complex_31 = json.loads((NINJS / "examples" / "3.1_005_complex_text_article.json").read_text())
    simple_22 = json.loads((NINJS / "examples" / "2.2_004_simple_text_article.json").read_text())
    assert "versioncreated" in simple_22 and "versionCreated" in complex_31
    body = "\n".join(json.dumps(e) for e in (complex_31, simple_22))
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for item in (complex_31, simple_22):
        stored = wait_for(lambda u=item["uri"]: (g := client.get(f"/v1/archive/articles/{u}", headers=auth()))
                          .status_code == 200 and g.json)
        assert stored["title"] == item["headlines"][0]["value"]
        assert stored["published_at"].startswith("2013-07-09")
        assert "Schettino" in stored["text"] and "<p>" not in stored["text"]
    no_date = {k: v for k, v in simple_22.items() if k != "versioncreated"}
    refused = client.post("/v1/archive/articles", json=no_date, headers=auth())
    assert refused.status_code == 422 and "published_at" in json.dumps(refused.json)
