"""`flask archive import`: bulk-load a JSONL file in the GVA and Reuters layouts."""

from __future__ import annotations

import json

from service.archive_formats import from_gva, from_reuters
from tests.conftest import auth


def test_import_gva_file_indexes_every_valid_record(app, client, worker, tmp_path):
    records = [
        {"id": f"cli{i}", "incident_id": "1", "date": f"2016-03-0{i + 1}", "title": f"Shooting in Ardley {i}",
         "url": f"https://news.example.org/ardley-{i}",
         "text": f"Police in Ardley said a man was shot on Elm Street on day {i}.\n\nNo arrests were made."}
        for i in range(3)
    ]
    records.append({"id": "cli-empty", "incident_id": "1", "date": "2016-03-09", "title": "Empty",
                    "url": "", "text": "   "})  # boilerplate-only pages are skipped by the mapping
    records.append({"id": "cli-bad-date", "incident_id": "1", "date": "not a date", "title": "Bad",
                    "url": "", "text": "Some text."})
    path = tmp_path / "gva.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))

    result = app.test_cli_runner().invoke(args=["archive", "import", str(path), "--format", "gva",
                                                "--wait", "--timeout", "120"])
    assert result.exit_code == 0, result.output
    assert "Queued 3 articles" in result.output and "skipped 1 invalid" in result.output
    for i in range(3):
        got = client.get(f"/v1/archive/articles/gva-cli{i}", headers=auth())
        assert got.status_code == 200
        assert got.json["url"] == f"https://news.example.org/ardley-{i}"
    assert client.get("/v1/archive/articles/gva-cli-empty", headers=auth()).status_code == 404


def test_reuters_mapping_keeps_tags_and_skips_untitled():
    record = {"newid": 7, "date": "1987-02-26T15:01:01", "title": " OPEC OUTPUT ", "body": "Text.",
              "topics": ["crude"], "places": ["saudi-arabia"], "people": [], "orgs": ["opec"]}
    assert from_reuters(record) == {"id": "reuters-7", "title": "OPEC OUTPUT", "body": "Text.",
                                    "published_at": "1987-02-26T15:01:01",
                                    "tags": ["crude", "saudi-arabia", "opec"]}
    assert from_reuters({**record, "title": ""}) is None
    assert from_gva({"id": "x", "date": "2016-01-01", "title": "T", "text": ""}) is None
