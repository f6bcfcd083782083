"""Back-pressure and metrics: rate limits per client, a full queue, Prometheus figures."""

from __future__ import annotations

from service import create_app
from tests.conftest import auth, wait_for

ARTICLE = {"article": {"title": "Harwick port", "body": "The Harwick Port Authority said on Monday "
                                                       "that grain exports would resume."}}


def test_rate_limit_answers_429_with_retry_after_per_client(env, worker):
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
    client = create_app({**env, "MAX_QUEUE_DEPTH": "0"}).test_client()
    before = client.get("/v1/ops/queues", headers=auth()).json["jobs_last_hour"]
    response = client.post("/v1/enrichments", json=ARTICLE, headers=auth())
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "queue" in response.json["message"]
    assert client.get("/v1/ops/queues", headers=auth()).json["jobs_last_hour"] == before


def test_metrics_count_requests_jobs_and_stage_durations(client, worker):
    job = client.post("/v1/enrichments", json=ARTICLE, headers={**auth(), "Prefer": "wait=30"})
    assert job.status_code == 200
    text = wait_for(lambda: (t := client.get("/metrics").get_data(as_text=True))
                    and "enrichment_stage_assemble_ms_count" in t and t)
    assert 'enrichment_http_requests_total{method="POST",route="/v1/enrichments",status="200"}' in text
    assert 'enrichment_jobs_total{outcome="succeeded"}' in text
    assert "enrichment_accept_ms_bucket" in text
    assert 'enrichment_queue_depth{queue="enrich"}' in text and 'enrichment_queue_depth{queue="intake"}' in text
    assert "enrichment_archive_articles" in text
