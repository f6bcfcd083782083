"""Each newsroom its own archive, through the HTTP API with two clients (alice and bob) and a
wire archive shared with both (ARCHIVE_SHARES=wire:alice,bob in tests/conftest.py): no client
reads, retracts, is offered or cited another's articles."""

from __future__ import annotations

import json

import redis

from tests.conftest import auth, wait_for
from tests.test_archive import ARTICLE, topic


def _import(client, articles, who):  # type: ignore[no-untyped-def]
    body = "\n".join(json.dumps(a) for a in articles)
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(who), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for article in articles:
        wait_for(lambda a=article: client.get(f"/v1/archive/articles/{a['id']}",
                                              headers=auth(who)).status_code == 200)


def _enrich(client, who, article):  # type: ignore[no-untyped-def]
    response = client.post("/v1/enrichments", json={"article": article},
                           headers={**auth(who), "Prefer": "wait=30"})
    assert response.status_code == 200 and response.json["status"] == "succeeded", response.json
    return response.json["result"]


def _cited(result):  # type: ignore[no-untyped-def]
    return ({(link["archive"], link["archive_id"]) for link in result["also_read"]}
            | {(item["source"]["archive"], item["source"]["archive_id"]) for item in result["background"]})


def test_one_clients_archive_is_invisible_to_another(client, worker):
    articles = topic("ten", "Vexmoor")
    _import(client, articles, "alice")
    article = {**ARTICLE, "title": ARTICLE["title"].replace("Zorblax", "Vexmoor"),
               "body": ARTICLE["body"].replace("Zorblax", "Vexmoor")}

    mine = _enrich(client, "alice", article)
    assert {("alice", "ten-zx-1"), ("alice", "ten-zx-2")} <= _cited(mine), mine["also_read"]

    theirs = _enrich(client, "bob", article)
    assert theirs["also_read"] == [] and theirs["background"] == [], theirs
    assert theirs["meta"]["archive_size"] == 0

    for article_id in ("ten-zx-1", "ten-zx-late"):
        for method in (client.get, client.delete):
            response = method(f"/v1/archive/articles/{article_id}", headers=auth("bob"))
            assert response.status_code == 404, response.json
    assert client.get("/v1/archive/articles/ten-zx-1", headers=auth("alice")).json["archive"] == "alice"
    assert client.get("/v1/archive/stats", headers=auth("bob")).json["articles"] == 0
    assert client.get("/v1/archive/stats", headers=auth("alice")).json["articles"] == len(articles)

    # Bob may use the same ids in his own archive: they are his, and alice's stay hers.
    _import(client, [{**articles[0], "title": "Bob's own story"}], "bob")
    assert client.get("/v1/archive/articles/ten-zx-1", headers=auth("bob")).json["title"] == "Bob's own story"
    assert client.get("/v1/archive/articles/ten-zx-1", headers=auth("alice")).json["title"] != "Bob's own story"
    assert client.delete("/v1/archive/articles/ten-zx-1", headers=auth("bob")).status_code == 204
    assert client.get("/v1/archive/articles/ten-zx-1", headers=auth("alice")).status_code == 200


def test_a_shared_archive_serves_every_client_it_is_shared_with_and_only_its_owner_retracts(
        app, client, worker, tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in topic("wire", "Quarnex")) + "\n")
    done = app.test_cli_runner().invoke(args=["archive", "import", str(path), "--client", "wire", "--wait",
                                              "--timeout", "60"])
    assert done.exit_code == 0, done.output
    article = {**ARTICLE, "title": ARTICLE["title"].replace("Zorblax", "Quarnex"),
               "body": ARTICLE["body"].replace("Zorblax", "Quarnex")}
    for who in ("alice", "bob"):
        result = _enrich(client, who, article)
        assert ("wire", "wire-zx-1") in _cited(result), result["also_read"]
        got = client.get("/v1/archive/articles/wire-zx-1", headers=auth(who))
        assert got.status_code == 200 and got.json["archive"] == "wire"
        # A client retracts only from its own archive.
        assert client.delete("/v1/archive/articles/wire-zx-1", headers=auth(who)).status_code == 404
    assert client.get("/v1/archive/articles/wire-zx-1", headers=auth("alice")).status_code == 200


def test_the_cli_asks_whose_archive_when_several_clients_have_keys(app, tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(topic("cli", "Ostrava")[0]) + "\n")
    result = app.test_cli_runner().invoke(args=["archive", "import", str(path)])
    assert result.exit_code != 0 and "--client" in result.output
    unknown = app.test_cli_runner().invoke(args=["archive", "import", str(path), "--client", "mallory"])
    assert unknown.exit_code != 0 and "mallory" in unknown.output


def test_a_client_exports_and_erases_its_own_archive_only(client, worker, env):
    store = redis.Redis.from_url(env["REDIS_URL"])
    mine = topic("exp", "Lunderby")
    _import(client, [{**mine[0], "section": "Business", "tags": ["mining"]}, *mine[1:]], "alice")
    _import(client, topic("exb", "Lunderby")[:1], "bob")
    exported = client.get("/v1/archive/export", headers=auth("alice"))
    assert exported.status_code == 200 and exported.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in exported.get_data(as_text=True).splitlines()]
    assert sorted(a["id"] for a in lines) == sorted(a["id"] for a in mine)  # all hers, none of bob's
    first = next(a for a in lines if a["id"] == "exp-zx-1")
    assert first["section"] == "Business" and first["tags"] == ["mining"] and first["text"].startswith("Lunderby")

    # Erasing needs the client's own name repeated; without it nothing changes.
    refused = client.delete("/v1/archive", headers=auth("alice"))
    assert refused.status_code == 400 and "confirm=alice" in refused.json["message"]
    assert client.get("/v1/archive/stats", headers=auth("alice")).json["articles"] == len(mine)
    assert client.delete("/v1/archive?confirm=bob", headers=auth("alice")).status_code == 400

    erased = client.delete("/v1/archive?confirm=alice", headers=auth("alice"))
    assert erased.status_code == 200 and erased.json["erased_keys"] > len(mine)
    assert not list(store.scan_iter("enr:arc:alice:*"))
    assert client.get("/v1/archive/stats", headers=auth("alice")).json["articles"] == 0
    assert client.get("/v1/archive/articles/exp-zx-1", headers=auth("alice")).status_code == 404
    # Bob's archive is untouched; alice may import again (an erased archive has no retractions).
    assert client.get("/v1/archive/articles/exb-zx-1", headers=auth("bob")).status_code == 200
    _import(client, mine[:1], "alice")
