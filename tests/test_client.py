"""newsroom_client against a real API process, the test worker and a real callback receiver; and
the README's Python examples (the client, a CMS-side receiver) run as written."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook

from newsroom_client import CallbackRefused, EnrichmentClient, Invalid, NotFound, Unauthorized, verify_callback
from tests.conftest import KEYS, ROOT, SECRET, wait_for
from tests.test_archive import ARTICLE, topic


def _indexed(api: EnrichmentClient, article_id: str) -> bool:
    try:
        return api.archive_article(article_id)["id"] == article_id
    except NotFound:
        return False


def test_post_wait_feedback_and_a_verified_callback(api, httpserver: HTTPServer):  # type: ignore[no-untyped-def]
    alice = EnrichmentClient(api, KEYS["alice"])
    archive = topic("cli-py", "Brennholt")
    assert alice.add_to_archive(archive)
    for article in archive:
        wait_for(lambda a=article: _indexed(alice, a["id"]))
    article = {**ARTICLE, "id": "cms-py-1", "title": ARTICLE["title"].replace("Zorblax", "Brennholt"),
               "body": ARTICLE["body"].replace("Zorblax", "Brennholt")}
    received = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: received.append(request) or "")

    job = alice.enrich_and_wait(article, callback_url=httpserver.url_for("/hook"))
    assert job["status"] == "succeeded", job
    offered = [link["archive_id"] for link in job["result"]["also_read"]]
    assert len(offered) >= 2
    receipt = alice.feedback(job["id"], accepted=[offered[-1]], rejected=[offered[0]])
    assert receipt["rejected"] == [offered[0]]
    again = alice.enrich_and_wait(article)  # the same article id, re-published
    links = [link["archive_id"] for link in again["result"]["also_read"]]
    assert links[0] == offered[-1] and offered[0] not in links

    wait_for(lambda: received, timeout=60)
    body, headers = received[0].get_data(), dict(received[0].headers)
    payload = verify_callback(SECRET, body, headers)
    assert payload["id"] == job["id"] and payload["type"] == "enrichment.succeeded"
    with pytest.raises(CallbackRefused):
        verify_callback(SECRET, body.replace(b"succeeded", b"failed"), headers)


def test_the_error_shape_is_raised_as_exceptions(api):  # type: ignore[no-untyped-def]
    alice, bob = EnrichmentClient(api, KEYS["alice"]), EnrichmentClient(api, KEYS["bob"])
    with pytest.raises(Invalid) as bad:
        alice.enrich({"title": "No body"})
    assert bad.value.code == 422 and "article.body" in bad.value.message
    assert bad.value.errors == {"article": {"body": ["Missing data for required field."]}}
    job = alice.enrich({**ARTICLE, "id": "cms-py-2"})
    with pytest.raises(NotFound):
        bob.job(job["id"])  # another client's job
    with pytest.raises(Unauthorized) as denied:
        EnrichmentClient(api, "not-a-key").job(job["id"])
    assert denied.value.code == 401


def _python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## From Python", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_python_examples_run_as_written(api, monkeypatch):  # type: ignore[no-untyped-def]
    calling, receiving = _python_blocks()
    monkeypatch.setitem(os.environ, "ENRICH_URL", api)
    monkeypatch.setitem(os.environ, "ENRICH_KEY", KEYS["alice"])
    monkeypatch.setitem(os.environ, "WEBHOOK_SECRET", SECRET)
    scope: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(calling, "README.md: calling", "exec"), scope)  # noqa: S102 - our own README
    job = scope["job"]
    assert job["status"] == "succeeded" and job["result"]["article"]["title"] == scope["article"]["title"]

    exec(compile(receiving, "README.md: receiving", "exec"), scope)  # noqa: S102
    cms = scope["app"].test_client()
    body = json.dumps({"type": "enrichment.succeeded", "id": job["id"], "data": job})
    at = datetime.now(UTC)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(at.timestamp())),
               "webhook-signature": Webhook(SECRET).sign("msg_1", at, body), "content-type": "application/json"}
    assert cms.post("/enrichment-callback", data=body, headers=headers).status_code == 204
    forged = {**headers, "webhook-signature": "v1,bm90IGEgc2lnbmF0dXJl"}
    assert cms.post("/enrichment-callback", data=body, headers=forged).status_code == 400
