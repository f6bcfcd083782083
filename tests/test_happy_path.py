"""An article goes in, a signed callback with the enriched document comes out."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook
from werkzeug import Request, Response

from schemas.callbacks import SucceededEventSchema
from tests.conftest import ROOT, SECRET, auth, wait_for

DEMO = json.loads(Path(ROOT / "demo" / "article.json").read_text())


def test_article_enriched_and_delivered_signed(client, sample_archive, httpserver: HTTPServer):
    received: list[Request] = []

    def handler(request: Request) -> Response:
        received.append(request)
        return Response("ok", 200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    payload = {**DEMO, "callback_url": httpserver.url_for("/hook")}
    response = client.post("/v1/enrichments", json=payload, headers=auth())
    assert response.status_code == 202, response.json
    job_id = response.json["id"]
    assert response.headers["Location"].endswith(f"/v1/enrichments/{job_id}")

    wait_for(lambda: received, timeout=90)
    request = received[0]
    body = request.get_data(as_text=True)
    Webhook(SECRET).verify(body, dict(request.headers))  # raises if the signature is wrong
    event = json.loads(body)
    SucceededEventSchema().load(event)  # the payload is what the OpenAPI callback documents
    assert event["type"] == "enrichment.succeeded", event
    assert event["id"] == job_id
    doc = event["data"]
    names = {e["name"] for e in doc["entities"]}
    assert {"Maria Okafor", "Daniel Reyes"} <= names
    assert doc["also_read"] and all(a["archive_id"].startswith("sample-") for a in doc["also_read"])
    assert "sample-008" not in {a["archive_id"] for a in doc["also_read"]}  # football: unrelated
    assert doc["background"] and doc["implications"] and doc["key_points"]
    text = doc["article"]["text"]
    for entity in doc["entities"]:
        for start, end in entity["mentions"]:
            assert text[start:end].strip()
    for item in doc["background"]:
        source = client.get(f"/v1/archive/articles/{item['source']['archive_id']}", headers=auth())
        start, end = item["source"]["span"]
        assert source.json["text"][start:end] == item["text"]
    assert "Also read" in doc["rendered"]["markdown"]

    job = wait_for(lambda: (j := client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)
                   ["callback"]["state"] == "delivered" and j)
    assert job["status"] == "succeeded" and len(job["callback"]["attempts"]) == 1
    assert job["result"] == doc  # the job's result is the delivered document, field for field
    assert set(job["timings_ms"]) >= {"prepare", "also_read", "background", "implications", "assemble"}
