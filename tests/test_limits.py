"""Back-pressure and metrics: rate limits per client, a full queue, Prometheus figures."""

from __future__ import annotations

from service import create_app
from tests.conftest import auth, ops_auth, wait_for

ARTICLE = {"article": {"title": "Harwick port", "body": "The Harwick Port Authority said on Monday "
                                                       "that grain exports would resume."}}


def _fresh_counters(r) -> None:  # type: ignore[no-untyped-def]
    """Each test here starts its clients' budgets afresh (they share one Redis and one minute)."""
    from store import rate_limits

    stale = list(r.scan_iter(rate_limits.COUNTERS + "*"))
    if stale:
        r.delete(*stale)


def test_rate_limit_answers_429_with_retry_after_per_client(env, worker):
    import redis

    _fresh_counters(redis.Redis.from_url(env["REDIS_URL"]))
    client = create_app({**env, "RATE_LIMIT": "3/minute"}).test_client()
    statuses = [client.post("/v1/enrichments", json=ARTICLE, headers=auth()).status_code
                for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
    limited = client.post("/v1/enrichments", json=ARTICLE, headers=auth())
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json["code"] == 429 and limited.json["message"]
    # another client has its own budget, and health checks are never limited
    assert client.post("/v1/enrichments", json=ARTICLE, headers=auth("bob")).status_code == 202
    assert client.get("/healthz").status_code == 200


def test_full_queue_answers_503_and_queues_nothing(env, worker):
    import redis

    from store import jobs

    r = redis.Redis.from_url(env["REDIS_URL"])
    client = create_app({**env, "MAX_QUEUE_DEPTH": "0"}).test_client()
    before = r.zcard(jobs.RECENT_JOBS)
    response = client.post("/v1/enrichments", json=ARTICLE, headers=auth())
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "queue" in response.json["message"]
    assert r.zcard(jobs.RECENT_JOBS) == before  # no job was made


def test_a_mistyped_rate_limit_stops_start_up_and_says_what_to_write(env):
    import pytest

    from core.settings import ConfigError

    with pytest.raises(ConfigError, match=r"RATE_LIMIT: '100/sec0nd' is not a rate limit \(e.g. '100/second'"):
        create_app({**env, "RATE_LIMIT": "100/sec0nd"})
    with pytest.raises(ConfigError, match=r"RATE_LIMIT: '0/second' lets no request in; 'none' turns limiting off"):
        create_app({**env, "RATE_LIMIT": "0/second"})


def test_metrics_count_requests_jobs_and_stage_durations(client, worker, httpserver):
    from prometheus_client.parser import text_string_to_metric_families

    httpserver.expect_request("/metrics-hook", method="POST").respond_with_data("ok")
    archived = {"id": "metrics-1", "title": "Harbour dredging starts", "published_at": "2020-01-01T00:00:00Z",
                "body": "Dredging of the harbour started on Monday, the port authority said."}
    assert client.post("/v1/archive/articles", json=archived, headers=auth()).status_code == 202
    wait_for(lambda: client.get("/v1/archive/articles/metrics-1", headers=auth()).status_code == 200)
    job = client.post("/v1/enrichments", json={**ARTICLE, "callback_url": httpserver.url_for("/metrics-hook")},
                      headers={**auth(), "Prefer": "wait=30"})
    assert job.status_code == 200
    wait_for(lambda: client.get(f"/v1/enrichments/{job.json['id']}", headers=auth())
             .json["callback"]["state"] == "delivered")
    text = wait_for(lambda: (t := client.get("/metrics", headers=ops_auth()).get_data(as_text=True))
                    and "enrichment_post_to_delivered_ms_count" in t and t)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("enrichment_http_requests_total", method="POST", route="/v1/enrichments", status="200") >= 1
    assert value("enrichment_jobs_total", outcome="succeeded") >= 1
    assert value("enrichment_deliveries_total", result="delivered") >= 1
    for histogram in ("accept", "post_to_delivered", "stage_prepare", "stage_also_read",
                      "stage_background", "stage_implications", "stage_assemble"):
        assert value(f"enrichment_{histogram}_ms_count") >= 1, histogram
        assert value(f"enrichment_{histogram}_ms_bucket", le="+Inf") >= 1, histogram
    for queue in ("intake", "deliver", "finish", "enrich", "index"):
        assert value("enrichment_queue_depth", queue=queue) >= 0
        assert value("enrichment_queue_oldest_age_seconds", queue=queue) >= 0
    for gauge in ("enrichment_dead_letters", "enrichment_deliveries_due"):
        assert value(gauge) >= 0, gauge
    assert value("enrichment_archive_articles", archive="alice") == 1  # per archive


def test_posts_and_other_requests_share_one_budget_and_a_refused_post_writes_nothing(env, worker):
    """A POST is counted by the job script, in its own round trip; a GET before the request. Both
    draw on the client's one budget, and a POST over it leaves no job behind."""
    import redis

    from store import jobs

    r = redis.Redis.from_url(env["REDIS_URL"])
    _fresh_counters(r)
    client = create_app({**env, "RATE_LIMIT": "3/minute"}).test_client()
    job = client.post("/v1/enrichments", json=ARTICLE, headers=auth()).json["id"]
    assert client.get(f"/v1/enrichments/{job}", headers=auth()).status_code == 200
    assert client.post("/v1/enrichments", json=ARTICLE, headers=auth()).status_code == 202
    before = r.zcard(jobs.RECENT_JOBS)
    refused = client.post("/v1/enrichments", json=ARTICLE, headers=auth())
    assert refused.status_code == 429 and "3 per 60 s" in refused.json["message"]
    assert r.zcard(jobs.RECENT_JOBS) == before  # no job was made
    assert client.get(f"/v1/enrichments/{job}", headers=auth()).status_code == 429


def test_the_previous_window_counts_for_the_share_of_it_that_still_overlaps(env):
    """10 a minute, 10 requests in the last window, half of it still overlapping: 5 more get in,
    the next waits until enough of the old window has slid out (6 s), and was not counted."""
    import redis

    from store import rate_limits

    r = redis.Redis.from_url(env["REDIS_URL"])
    limits = rate_limits.parse("10/minute")
    now = 60 * 1_000_000 + 30.0  # half way through a window
    keys, spec = rate_limits.keys_and_spec("addr:test-sliding", limits, now)
    r.delete(*keys)
    r.set(keys[1], 10)  # the previous window's count
    answers = [int(r.eval(rate_limits.HIT, len(keys), *keys, spec)) for _ in range(7)]
    assert answers == [0, 0, 0, 0, 0, 6, 6]
    assert int(r.get(keys[0])) == 5
    assert r.ttl(keys[0]) > 60  # it is read as the previous window during the next one


def test_the_limiter_survives_a_script_flush(env, worker):
    """Redis restarted or its scripts flushed: the next request loads the script and is counted."""
    import redis

    r = redis.Redis.from_url(env["REDIS_URL"])
    _fresh_counters(r)
    client = create_app({**env, "RATE_LIMIT": "2/minute"}).test_client()
    assert client.get("/v1/archive/stats", headers=auth()).status_code == 200
    r.script_flush()
    assert client.get("/v1/archive/stats", headers=auth()).status_code == 200
    assert client.get("/v1/archive/stats", headers=auth()).status_code == 429
