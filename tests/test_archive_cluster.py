"""The archive on a real Redis Cluster (three masters started here), apart from the broker's Redis
(ARCHIVE_REDIS_URL): imported, searched, cited, retracted, exported and erased through the API by a
real worker, and still whole after a master restarts."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis

from core.settings import Settings
from devtools.local_cluster import LocalCluster
from devtools.local_redis import RedisServer
from service import create_app
from store import archive_bulk, archive_index
from store.connection import archive_store
from store.slot_batches import SlotRoutedBatch, batch
from tests.conftest import ROOT, SAMPLE_ARCHIVE, Worker, auth, wait_for
from workers.celery_app import create_celery


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    local = LocalCluster(tmp_path_factory.mktemp("cluster"))
    local.start()
    yield local
    local.stop()


@pytest.fixture()
def on_cluster(env, cluster, tmp_path):  # type: ignore[no-untyped-def]
    """An app and a worker of their own (own broker and job Redis, so the session's worker never
    takes their tasks) whose archive is the cluster."""
    broker = RedisServer(tmp_path / "redis")
    broker.start()
    cluster_env = {**env, "REDIS_URL": broker.url, "ARCHIVE_REDIS_URL": cluster.url}
    worker = Worker(cluster_env, "cluster", tmp_path)
    worker.start()
    try:
        worker.wait_ready(create_celery(Settings.from_env(cluster_env)))
        yield create_app(cluster_env).test_client(), broker
    finally:
        worker.stop()
        broker.stop()


def _node_keys(cluster: LocalCluster) -> list[int]:
    return [len(list(redis.Redis(port=n.port).scan_iter(match="enr:arc:alice:*", count=1000)))
            for n in cluster.nodes]


def _enrich(client):  # type: ignore[no-untyped-def]
    request = json.loads((ROOT / "demo" / "article.json").read_text())
    response = client.post("/v1/enrichments", json={"article": request["article"]},
                           headers={**auth(), "Prefer": "wait=30"})
    assert response.status_code == 200 and response.json["status"] == "succeeded", response.json
    result = response.json["result"]
    cited = {item["source"]["archive_id"] for item in result["background"]}
    return [link["archive_id"] for link in result["also_read"]], cited


def test_the_archive_lives_on_a_cluster_and_survives_a_master_restart(on_cluster, cluster):  # type: ignore[no-untyped-def]
    client, broker = on_cluster
    body = SAMPLE_ARCHIVE.read_text()
    records = [json.loads(line) for line in body.splitlines() if line.strip()]
    response = client.post("/v1/archive/articles", data=body,
                           headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.json
    for record in records:
        wait_for(lambda rid=record["id"]: client.get(f"/v1/archive/articles/{rid}", headers=auth()).status_code == 200)
    spread = _node_keys(cluster)
    assert sum(n > 0 for n in spread) == 3, spread  # every master holds part of the archive
    assert not list(redis.Redis.from_url(broker.url).scan_iter(match="enr:arc:*"))  # none on the broker's
    assert client.get("/v1/archive/stats", headers=auth()).json["articles"] == len(records)

    links, cited = _enrich(client)
    assert links and cited

    cluster.restart(1)  # a master stops and comes back with its append-only file
    assert client.get("/v1/archive/stats", headers=auth()).json["articles"] == len(records)
    assert _enrich(client) == (links, cited)

    gone = links[0]
    assert client.delete(f"/v1/archive/articles/{gone}", headers=auth()).status_code == 204
    assert client.get(f"/v1/archive/articles/{gone}", headers=auth()).status_code == 404
    links_after, cited_after = _enrich(client)
    assert gone not in links_after and gone not in cited_after
    exported = [json.loads(line) for line in
                client.get("/v1/archive/export", headers=auth()).get_data(as_text=True).splitlines()]
    assert sorted(e["id"] for e in exported if "retracted" not in e) == sorted(r["id"] for r in records
                                                                              if r["id"] != gone)
    assert [e for e in exported if "retracted" in e] == [{"id": gone, "retracted": True}]

    erased = client.delete("/v1/archive?confirm=alice", headers=auth())
    assert erased.status_code == 200 and erased.json["erased_keys"] > len(records)
    assert _node_keys(cluster) == [0, 0, 0]


def test_an_interrupted_index_write_replays_to_the_same_state(cluster):  # type: ignore[no-untyped-def]
    """No MULTI on a cluster: a write is idempotent per key and ordered, and a version number keeps
    a late replay of an older version from overwriting a newer one."""
    r = archive_store(cluster.url, cluster=True)
    doc = {"id": "v1", "title": "Acme strike", "published_at": "2024-01-01T00:00:00+00:00", "ts": 1704067200.0,
           "text": "Acme dockers struck.", "features": {"e:ORG:acme": 2.0, "t:strike": 1.0},
           "sentences": [[0, 20, ["ORG:acme"]]]}
    newer = {**doc, "features": {"e:ORG:acme": 2.0, "t:dock": 1.0}}
    assert archive_index.store(r, "replay", doc, version=1.0)
    assert archive_index.store(r, "replay", newer, version=2.0)
    assert archive_index.store(r, "replay", newer, version=2.0)  # replayed: same state
    assert not archive_index.store(r, "replay", doc, version=1.0)  # a late replay of the older version
    assert archive_index.document_frequencies(r, ["replay"], ["e:ORG:acme", "t:strike", "t:dock"]) == {
        "e:ORG:acme": 1, "t:strike": 0, "t:dock": 1}
    assert archive_index.feature_count(r, "replay") == 3  # every feature ever indexed
    assert archive_index.size(r, "replay") == 1
    assert archive_index.delete(r, "replay", "v1") and not archive_index.delete(r, "replay", "v1")
    assert not archive_index.store(r, "replay", newer, version=3.0)  # retracted: never indexed again
    assert r.zcard(archive_index.key("replay", "post", "e:ORG:acme")) == 0  # its postings are gone
    archive_bulk.erase(r, "replay")


def test_batches_are_routed_by_slot_and_survive_a_stale_slot_table(cluster, caplog):  # type: ignore[no-untyped-def]
    """The archive's batches send each master its share (store/slot_batches.py): the same
    replies as redis-py's cluster pipeline, in order; a client whose slot table is out of date (a
    slot moved since it last looked) is answered all the same, through the cluster pipeline, which
    learns the slot's node."""
    r = archive_store(cluster.url, cluster=True)
    keys = [f"enr:test:routed:{{{n}}}" for n in range(40)]  # hash tags spread over the masters
    writes = batch(r)  # writes go the same way: read back below through redis-py's own pipeline
    for n, k in enumerate(keys):
        if n % 5:
            writes.zadd(k, {str(m): m for m in range(n % 5)})
    writes.hset("enr:test:routed:hash", mapping={"a": "1", "b": "2"})
    assert writes.execute() == [n % 5 for n in range(40) if n % 5] + [2]

    def queue(pipe):  # type: ignore[no-untyped-def]
        for k in keys:
            pipe.execute_command("ZREVRANGEBYSCORE", k, "+inf", "-inf", "WITHSCORES", "LIMIT", 0, 3)
            pipe.zcard(k)
        pipe.hmget("enr:test:routed:hash", ["a", "missing", "b"])
        pipe.get("enr:test:routed:absent")
        return pipe

    expected = queue(r.pipeline()).execute()
    routed = queue(batch(r))
    assert isinstance(routed, SlotRoutedBatch)
    assert {r.nodes_manager.get_node_from_slot(r.keyslot(k)).name for k in keys} == {
        n.name for n in r.get_primaries()}  # the batch really spans every master
    with caplog.at_level("INFO", logger="store.slot_batches"):
        assert routed.execute() == expected
    assert not caplog.records  # answered by the routed send itself, not by the fallback
    assert expected[1] == 0 and expected[-2] == [b"1", None, b"2"] and expected[-1] is None

    slot = r.keyslot(keys[1])
    right = r.nodes_manager.slots_cache[slot][0]
    wrong = next(n for n in r.get_primaries() if n.name != right.name)
    r.nodes_manager.slots_cache[slot] = [wrong]  # as if the slot had moved since the client looked
    with caplog.at_level("INFO", logger="store.slot_batches"):
        assert queue(batch(r)).execute() == expected
    assert "MovedError" in caplog.text  # the routed send met MOVED and the batch went again
    assert r.nodes_manager.get_node_from_slot(slot).name == right.name
    r.delete(*keys, "enr:test:routed:hash")
