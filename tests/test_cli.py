"""`flask archive import`: bulk-load a JSONL file in the GVA and Reuters layouts."""

from __future__ import annotations

import json

from service.archive_formats import from_gva, from_reuters
from tests.conftest import auth, wait_for


def test_import_gva_file_indexes_every_valid_record(app, client, worker, tmp_path):
    records = [
        {"id": f"cli{i}", "incident_id": "1", "date": f"2016-03-0{i + 1}", "title": f"Shooting in Ardley {i}",
         "url": f"https://news.example.org/ardley-{i}",
         "text": f"Police in Ardley said a man was shot on Elm Street on day {i}.\n\nNo arrests were made."}
        for i in range(3)
    ]
    records.append({"id": "cli-empty", "incident_id": "1", "date": "2016-03-09", "title": "Empty",
                    "url": "", "text": "   "})  # boilerplate-only pages: refused by the mapping, and said so
    records.append({"id": "cli-bad-date", "incident_id": "1", "date": "not a date", "title": "Bad",
                    "url": "", "text": "Some text."})
    path = tmp_path / "gva.jsonl"
    lines = [json.dumps(r).encode() for r in records]
    lines.insert(2, b'{"id": "latin-1", "title": "Caf\xe9"}')  # not UTF-8: a refused line, not a crash
    lines.insert(4, b"{not json")
    path.write_bytes(b"\n".join(lines))

    args = ["archive", "import", str(path), "--client", "alice", "--format", "gva", "--wait", "--timeout", "120"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1, result.output  # something was refused
    assert "Queued 3 articles" in result.output and "read 7 records, refused 4." in result.output
    assert "line 3: not UTF-8" in result.output and "line 5: not JSON" in result.output
    assert "line 6: refused by --format gva: a gva_news record needs a title, a non-blank text" in result.output
    assert "line 7 (gva-cli-bad-date): " in result.output and "published_at" in result.output
    allowed = app.test_cli_runner().invoke(args=[*args, "--allow-refused", "--resume"])
    assert allowed.exit_code == 0 and "3 already there" in allowed.output, allowed.output
    for i in range(3):
        got = client.get(f"/v1/archive/articles/gva-cli{i}", headers=auth())
        assert got.status_code == 200
        assert got.json["url"] == f"https://news.example.org/ardley-{i}"
    assert client.get("/v1/archive/articles/gva-cli-empty", headers=auth()).status_code == 404


def test_an_interrupted_import_resumes_and_records_get_links_from_a_template(app, client, worker, tmp_path):
    records = [{"newid": 900 + i, "date": f"1987-03-0{i + 1}T10:00:00", "title": f"Ardley grain exports {i}",
                "body": f"Grain exports from Ardley rose {i} pct in February, the board said."} for i in range(5)]
    path = tmp_path / "reuters.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    template = "https://archive.example.org/story/{id}"
    args = ["archive", "import", str(path), "--client", "alice", "--format", "reuters", "--url-template", template]
    first = app.test_cli_runner().invoke(args=[*args, "--limit", "2", "--wait", "--timeout", "60"])
    assert first.exit_code == 0, first.output
    assert "Queued 2 articles" in first.output
    again = app.test_cli_runner().invoke(args=[*args, "--resume", "--wait", "--timeout", "60"])
    assert again.exit_code == 0, again.output
    assert "Queued 3 articles" in again.output and "2 already there" in again.output, again.output
    for i in range(5):
        got = client.get(f"/v1/archive/articles/reuters-90{i}", headers=auth())
        assert got.status_code == 200 and got.json["url"] == f"https://archive.example.org/story/reuters-90{i}"
    bad = app.test_cli_runner().invoke(args=[*args[:-1], "https://archive.example.org/story"])
    assert bad.exit_code == 2 and "{id}" in bad.output


def test_reuters_mapping_keeps_tags_and_skips_untitled():
    record = {"newid": 7, "date": "1987-02-26T15:01:01", "title": " OPEC OUTPUT ", "body": "Text.",
              "topics": ["crude"], "places": ["saudi-arabia"], "people": [], "orgs": ["opec"]}
    assert from_reuters(record) == {"id": "reuters-7", "title": "OPEC OUTPUT", "body": "Text.",
                                    "published_at": "1987-02-26T15:01:01",
                                    "tags": ["crude", "saudi-arabia", "opec"]}
    assert from_reuters({**record, "title": ""}) is None
    assert from_gva({"id": "x", "date": "2016-01-01", "title": "T", "text": ""}) is None


def test_cli_and_api_import_the_same_way(app, client, worker, tmp_path):
    """One import code: a date without a zone is UTC from either door, and a retracted id is
    refused by both (409 from the API, reported as skipped by the CLI, never silently)."""
    record = {"id": "same-1", "title": "Harbour dredging starts", "published_at": "2016-03-01T10:00:00",
              "body": "Dredging of the Ardley harbour started on Tuesday, the port authority said."}
    response = client.post("/v1/archive/articles", json={**record, "id": "same-api"}, headers=auth())
    assert response.status_code == 202, response.json
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({**record, "id": "same-cli"}))
    result = app.test_cli_runner().invoke(args=["archive", "import", str(path), "--client", "alice", "--wait",
                                                    "--timeout", "60"])
    assert result.exit_code == 0, result.output
    got = {i: wait_for(lambda i=i: (g := client.get(f"/v1/archive/articles/{i}", headers=auth())).status_code
                       == 200 and g.json) for i in ("same-api", "same-cli")}
    assert got["same-api"]["published_at"] == got["same-cli"]["published_at"] == "2016-03-01T10:00:00+00:00"

    assert client.delete("/v1/archive/articles/same-cli", headers=auth()).status_code == 204
    again = app.test_cli_runner().invoke(args=["archive", "import", str(path), "--client", "alice"])
    assert again.exit_code == 1, again.output
    assert "Queued 0 articles" in again.output and "line 1 (same-cli): retracted" in again.output
    refused = client.post("/v1/archive/articles", json={**record, "id": "same-cli"}, headers=auth())
    assert refused.status_code == 409 and refused.json["errors"] == {"id": ["same-cli"]}


def test_an_article_that_cannot_be_indexed_says_why(client, worker, celery_app, env):
    """A staged article the worker cannot analyse (here: one staged without a title, as an older
    version or a hand-made key might leave it) fails alone, visibly: GET answers status 'failed'
    with the reason instead of 'queued' for seven days; its batch-mate is indexed."""
    import redis as redis_lib

    from store import archive_staging
    from workers.pipeline import enqueue_indexing

    good = {"id": "idx-good", "title": "Ferry timetable changes", "published_at": "2016-03-01T10:00:00+00:00",
            "body": "The Ardley ferry will sail hourly from Monday, the operator said."}
    bad = {"id": "idx-bad", "published_at": "2016-03-01T10:00:00+00:00", "body": "No title here."}
    r = redis_lib.Redis.from_url(env["REDIS_URL"])
    archive_staging.stage_pending(r, "alice", [good, bad])
    enqueue_indexing(celery_app, ["alice/idx-good", "alice/idx-bad"])

    failed = wait_for(lambda: (g := client.get("/v1/archive/articles/idx-bad", headers=auth())).json
                      .get("status") == "failed" and g)
    assert failed.status_code == 200
    assert failed.json["error"].startswith("index: KeyError") and "title" in failed.json["error"]
    indexed = wait_for(lambda: (g := client.get("/v1/archive/articles/idx-good", headers=auth())).status_code
                       == 200 and g.json)
    assert indexed["status"] == "indexed" and indexed["text"].startswith("The Ardley ferry")

    assert archive_staging.failures(r, "alice", ["idx-good", "idx-bad"]) == {"idx-bad": failed.json["error"]}

    # Imported again (fixed), the failure no longer stands.
    fixed = client.post("/v1/archive/articles", json={**bad, "title": "Now with a title"}, headers=auth())
    assert fixed.status_code == 202, fixed.json
    assert archive_staging.failure(r, "alice", "idx-bad") is None
    assert wait_for(lambda: client.get("/v1/archive/articles/idx-bad", headers=auth()).json
                    .get("status") == "indexed")
