"""The spec says what comes back, and the interactive docs work offline."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def spec(app):  # type: ignore[no-untyped-def]
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    return response.json


def test_job_result_is_the_enriched_document(spec):  # type: ignore[no-untyped-def]
    result = spec["components"]["schemas"]["Job"]["properties"]["result"]
    assert {"$ref": "#/components/schemas/EnrichedDocument"} in result["anyOf"]
    document = spec["components"]["schemas"]["EnrichedDocument"]
    assert set(document["required"]) >= {"article", "also_read", "background", "implications", "key_points"}


def test_the_callback_payload_is_documented(spec):  # type: ignore[no-untyped-def]
    callback = spec["paths"]["/v1/enrichments"]["post"]["callbacks"]["enrichment"]
    operation = callback["{$request.body#/callback_url}"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"oneOf": [{"$ref": "#/components/schemas/SucceededEvent"},
                              {"$ref": "#/components/schemas/FailedEvent"}]}
    succeeded = spec["components"]["schemas"]["SucceededEvent"]["properties"]["data"]
    assert succeeded == {"$ref": "#/components/schemas/EnrichedDocument"}
    assert {p["name"] for p in operation["parameters"]} == {"webhook-id", "webhook-timestamp",
                                                             "webhook-signature"}


def test_docs_page_and_its_assets_are_served_without_a_key_or_the_network(client):  # type: ignore[no-untyped-def]
    page = client.get("/docs/")
    assert page.status_code == 200 and b"swagger-ui" in page.data
    html = page.data.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/docs/") for a in assets), assets  # nothing from a CDN
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert '"url": "/openapi.json"' in html
    assert client.get("/docs").status_code == 308  # to /docs/
