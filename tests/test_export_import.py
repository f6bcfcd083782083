"""What GET /v1/archive/export writes, the import reads back to the same archive: export, erase,
import the export, and the archive answers the same GETs and gives the same enrichments."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, auth, wait_for

DEMO = json.loads(Path(ROOT / "demo" / "article.json").read_text())
SAME = ("also_read", "versions", "background", "implications", "key_points", "topics", "entities", "rendered")


def _enrich(client) -> dict:  # type: ignore[no-untyped-def]
    response = client.post("/v1/enrichments", json=DEMO, headers=auth())
    assert response.status_code == 202, response.json
    job = wait_for(lambda: (j := client.get(f"/v1/enrichments/{response.json['id']}", headers=auth()).json)
                   ["status"] in ("succeeded", "failed") and j, timeout=90)
    assert job["status"] == "succeeded", job
    return job["result"]


def _article(client, article_id: str) -> dict:  # type: ignore[no-untyped-def]
    got = client.get(f"/v1/archive/articles/{article_id}", headers=auth()).json
    return {k: v for k, v in got.items() if k != "indexed_at"}


def test_export_erase_import_gives_the_same_archive(client, sample_archive, tmp_path):
    ids = [str(a["id"]) for a in sample_archive]
    gone = ids[0]
    assert client.delete(f"/v1/archive/articles/{gone}", headers=auth()).status_code == 204
    kept = ids[1:]
    before = {i: _article(client, i) for i in kept}
    enriched = _enrich(client)

    export = client.get("/v1/archive/export", headers=auth())
    assert export.status_code == 200
    lines = [json.loads(line) for line in export.get_data(as_text=True).splitlines()]
    assert {"id": gone, "retracted": True} in lines and len(lines) == len(ids)
    erased = client.delete("/v1/archive?confirm=alice", headers=auth())
    assert erased.status_code == 200 and erased.json["erased_keys"] > 0
    assert client.get(f"/v1/archive/articles/{kept[0]}", headers=auth()).status_code == 404

    response = client.post("/v1/archive/articles", data=export.get_data(),
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    assert response.json["accepted"] == len(kept) and response.json["retracted"] == 1
    for i in kept:
        wait_for(lambda i=i: client.get(f"/v1/archive/articles/{i}", headers=auth()).status_code == 200)
    assert {i: _article(client, i) for i in kept} == before
    assert client.get("/v1/archive/stats", headers=auth()).json["retracted"] == 1
    again = client.post("/v1/archive/articles", json=sample_archive[0], headers=auth())
    assert again.status_code == 409  # still retracted after the round trip

    after = _enrich(client)
    for part in SAME:
        assert after[part] == enriched[part], part


def test_import_refuses_a_body_that_is_not_utf8_and_names_the_line(client, app):
    body = b'{"id": "u1", "title": "Fine", "body": "Text.", "published_at": "2024-01-01T00:00:00Z"}\n' \
           b'{"id": "u2", "title": "Caf\xe9", "body": "Text.", "published_at": "2024-01-01T00:00:00Z"}\n'
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 400 and "line 2 is not UTF-8" in response.json["message"]
    assert client.get("/v1/archive/stats", headers=auth()).json["articles"] == 0
    assert not list(app.extensions["archive"].scan_iter(match="*pending*"))


def test_an_erase_can_be_undone_within_the_kept_time(client, sample_archive):
    ids = [str(a["id"]) for a in sample_archive]
    assert client.delete(f"/v1/archive/articles/{ids[0]}", headers=auth()).status_code == 204
    before = {i: _article(client, i) for i in ids[1:]}
    assert client.post("/v1/archive/restore", headers=auth()).status_code == 404  # nothing erased yet

    erased = client.delete("/v1/archive?confirm=alice", headers=auth())
    assert erased.status_code == 200 and erased.json["kept_records"] == len(ids) and erased.json["kept_until"]
    kept = [json.loads(line) for line in client.get("/v1/archive/erased", headers=auth()).get_data(as_text=True)
            .splitlines()]
    assert {"id": ids[0], "retracted": True} in kept and len(kept) == len(ids)
    again = client.delete("/v1/archive?confirm=alice", headers=auth())  # erasing the empty archive...
    assert again.json["kept_records"] == 0
    assert client.get("/v1/archive/erased", headers=auth()).status_code == 200  # ...keeps the first copy

    restored = client.post("/v1/archive/restore", headers=auth())
    assert restored.status_code == 202 and restored.json["accepted"] == len(ids) - 1
    for i in ids[1:]:
        wait_for(lambda i=i: client.get(f"/v1/archive/articles/{i}", headers=auth()).status_code == 200)
    assert {i: _article(client, i) for i in ids[1:]} == before
    assert client.get(f"/v1/archive/articles/{ids[0]}", headers=auth()).status_code == 404  # still retracted
    assert client.get("/v1/archive/erased", headers={"Authorization": "Bearer key-bob-456"}).status_code == 404
