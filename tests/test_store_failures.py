"""Store failures are named, not flattened into "retry shortly": a Redis out of memory answers 507
and pages (enrichment_store_errors_total, EnrichmentStoreOutOfMemory), another store error 500; a
Redis that is down stays 503 with Retry-After (tests/test_faults.py). Each on a private Redis."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import redis

from store import jobs
from tests.conftest import ROOT, auth, ops_auth

DEMO = json.loads(Path(ROOT / "demo" / "article.json").read_text())


def _store_errors(client, kind: str) -> float:  # type: ignore[no-untyped-def]
    text = client.get("/metrics", headers=ops_auth()).get_data(as_text=True)
    match = re.search(rf'^enrichment_store_errors_total\{{kind="{kind}"\}} (\S+)$', text, flags=re.M)
    assert match, text[:500]
    return float(match.group(1))


def test_out_of_memory_answers_507_counts_and_writes_nothing(stack):
    r = redis.Redis.from_url(stack.redis.url)
    before = _store_errors(stack.client, "out_of_memory")
    r.config_set("maxmemory-policy", "noeviction")
    r.config_set("maxmemory", 1)  # full: every write that may grow memory is refused
    try:
        response = stack.client.post("/v1/enrichments", json=DEMO, headers=auth())
        assert response.status_code == 507, response.json
        assert "out of memory" in response.json["message"] and response.headers["Retry-After"] == "60"
        assert not r.zcard(jobs.RECENT_JOBS)
        assert _store_errors(stack.client, "out_of_memory") == before + 1
    finally:
        r.config_set("maxmemory", 0)
    assert stack.client.post("/v1/enrichments", json=DEMO, headers=auth()).status_code == 202


def test_another_store_error_is_a_500_that_says_so(stack):
    r = redis.Redis.from_url(stack.redis.url)
    before = _store_errors(stack.client, "error")
    r.set(jobs.RECENT_JOBS, "not a sorted set")  # as a bad migration or a hand-made key might leave it
    try:
        response = stack.client.post("/v1/enrichments", json=DEMO, headers=auth())
        assert response.status_code == 500, response.json
        assert "job store failed" in response.json["message"] and "Retry-After" not in response.headers
        assert _store_errors(stack.client, "error") == before + 1
    finally:
        r.delete(jobs.RECENT_JOBS)
    assert stack.client.post("/v1/enrichments", json=DEMO, headers=auth()).status_code == 202


@pytest.mark.parametrize("stack", [{"RATE_LIMIT": "1000/second", "RATE_LIMIT_ON_STORE_FAILURE": "open"},
                                   {"RATE_LIMIT": "1000/second", "RATE_LIMIT_ON_STORE_FAILURE": "closed"}],
                         indirect=True)
def test_the_rate_limiters_failure_mode_is_a_setting(stack):
    """A full Redis refuses the limiter's count but still serves reads: 'open' answers the read (and
    counts that it could not limit), 'closed' refuses it with the store's 507."""
    mode = stack.client.application.extensions["settings"].rate_limit_on_store_failure
    r = redis.Redis.from_url(stack.redis.url)
    before = _store_errors(stack.client, "rate_limit_failed_open")
    r.config_set("maxmemory-policy", "noeviction")
    r.config_set("maxmemory", 1)
    try:
        response = stack.client.get("/v1/archive/stats", headers=auth())
    finally:
        r.config_set("maxmemory", 0)
    if mode == "open":
        assert response.status_code == 200, response.json
        assert _store_errors(stack.client, "rate_limit_failed_open") == before + 1
    else:
        assert response.status_code == 507, response.json
        assert _store_errors(stack.client, "rate_limit_failed_open") == before
