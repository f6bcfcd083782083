"""Which queue each task goes to, and the order workers take from them."""

from __future__ import annotations

import time

import pytest

from store.queues import QUEUES, WORKER_QUEUES
from tests.conftest import wait_for


@pytest.mark.parametrize("task, queue", [
    ("workers.tasks.prepare", "enrich"),
    ("workers.tasks.also_read", "finish"), ("workers.tasks.background_facts", "finish"),
    ("workers.tasks.implications_and_key_points", "finish"), ("workers.tasks.assemble", "finish"),
    ("workers.delivery_tasks.deliver", "deliver"), ("workers.index_tasks.index_articles", "index"),
])
def test_each_task_has_its_queue(celery_app, task: str, queue: str) -> None:
    assert celery_app.amqp.router.route({}, task)["queue"].name == queue


def test_workers_finish_started_articles_before_beginning_new_ones(celery_app) -> None:
    assert celery_app.conf.broker_transport_options["queue_order_strategy"] == "priority"
    assert WORKER_QUEUES.split(",") == list(QUEUES) == ["deliver", "finish", "enrich", "index"]
    assert [q.name for q in celery_app.conf.task_queues] == list(QUEUES)


def test_a_started_article_is_finished_before_a_later_one_begins(stack):
    """Eight articles wait while the worker is down; it then takes them with its 2 processes.

    First in, first out would prepare all eight before finishing any; in queue order the first
    article is finished (all stages, assembled) before the last is even begun."""
    from tests.conftest import auth, wait_for

    stack.worker.stop()
    body = {"article": {"title": "Harwick", "body": "The Harwick Dockers Union voted to strike on Monday."}}
    ids = [stack.client.post("/v1/enrichments", json=body, headers=auth()).json["id"] for _ in range(8)]
    stack.worker.start()

    def job(job_id: str) -> dict:  # type: ignore[type-arg]
        return dict(stack.client.get(f"/v1/enrichments/{job_id}", headers=auth()).json)

    def all_succeeded() -> list | None:  # type: ignore[type-arg]
        jobs = [job(i) for i in ids]
        return jobs if all(j["status"] == "succeeded" for j in jobs) else None

    done = wait_for(all_succeeded, timeout=90)
    first, last = done[0], done[-1]
    assert first["finished_at"] < last["started_at"], (first, last)


def test_a_publish_on_a_channel_closed_by_a_lost_connection_is_transient(redis_server) -> None:
    """While Redis restarts, kombu can leave a pooled producer on a channel whose connection is
    gone; its next publish raises AttributeError. pipeline.send reports that as the broker error
    it is (a stage retries it; it never fails the job), and the next publish goes through."""
    import redis
    from kombu.exceptions import OperationalError

    from core.settings import Settings
    from workers import pipeline
    from workers.celery_app import create_celery
    from workers.tasks import TRANSIENT

    url = redis_server.url.rsplit("/", 1)[0] + "/3"  # a database of its own: no worker reads it
    celery = create_celery(Settings.from_env({"REDIS_URL": url}))
    r = redis.Redis.from_url(url)
    try:
        with celery.producer_or_acquire() as producer:
            channel = producer.channel
            channel.connection.close_channel(channel)  # what the lost connection leaves behind

        with pytest.raises(OperationalError, match="could not queue workers.tasks.prepare") as caught:
            pipeline.send(celery, "workers.tasks.prepare", "enr_1")
        assert isinstance(caught.value, TRANSIENT)
        pipeline.send(celery, "workers.tasks.prepare", "enr_2")
        assert r.llen("enrich") == 1
    finally:
        r.flushdb()
        celery.close()


def test_any_other_attribute_error_in_a_broker_call_is_raised_as_the_bug_it_is() -> None:
    from workers.broker import broker_call

    with pytest.raises(AttributeError, match="no attribute 'sendd'"), broker_call("queue x"):
        "a string".sendd()  # type: ignore[attr-defined]


def test_dead_letters_of_expired_jobs_are_pruned(app, worker):
    """The dead-letter set keeps no entry longer than a job lives (JOB_TTL): the scheduler prunes it."""
    from store.jobs import DEAD_LETTERS

    r = app.extensions["redis"]
    ttl = app.extensions["settings"].job_ttl
    r.zadd(DEAD_LETTERS, {"enr_expired": time.time() - ttl - 60, "enr_recent": time.time() - 60})
    wait_for(lambda: r.zscore(DEAD_LETTERS, "enr_expired") is None, timeout=30)
    assert r.zscore(DEAD_LETTERS, "enr_recent") is not None
