"""`flask --app service archive import FILE.jsonl`: bulk-load an archive with a progress bar."""

from __future__ import annotations

import json
import time
from itertools import islice
from pathlib import Path
from typing import Any

import click
import marshmallow as ma
import redis
from celery import Celery
from flask import current_app
from flask.cli import AppGroup

from schemas.article import ArchiveArticleSchema
from service.archive_formats import FORMATS
from store import archive_index
from workers.pipeline import enqueue_indexing

archive_cli = AppGroup("archive", help="Manage the archive.")
BATCH = 500


@archive_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="article",
              show_default=True, help="How to read each record.")
@click.option("--limit", type=int, default=None, help="Import at most this many articles.")
@click.option("--wait/--no-wait", default=False, help="Wait until the workers indexed them all.")
@click.option("--timeout", type=float, default=900.0, show_default=True,
              help="Seconds to wait with --wait.")
def import_command(path: Path, fmt: str, limit: int | None, wait: bool, timeout: float) -> None:
    """Validate the JSONL file's articles and queue them for indexing."""
    r = current_app.extensions["redis"]
    celery = current_app.extensions["celery"]
    schema, mapper = ArchiveArticleSchema(), FORMATS[fmt]
    ids: list[str] = []
    skipped: list[str] = []
    with path.open(encoding="utf-8") as lines:
        records = islice((m for m in (mapper(json.loads(line)) for line in lines if line.strip())
                          if m is not None), limit)
        batch: list[dict[str, Any]] = []
        with click.progressbar(records, label=f"Queueing {path.name}", show_pos=True) as bar:
            for record in bar:
                try:
                    article = schema.load(record)
                except ma.ValidationError as exc:
                    skipped.append(f"{record.get('id')}: {exc.messages}")
                    continue
                batch.append({**article, "published_at": article["published_at"].isoformat()})
                if len(batch) == BATCH:
                    ids += _queue(r, celery, batch)
                    batch = []
            ids += _queue(r, celery, batch)
    click.echo(f"Queued {len(ids)} articles for indexing; skipped {len(skipped)} invalid.")
    for line in skipped[:10]:
        click.echo(f"  skipped {line}", err=True)
    if wait and ids:
        _wait_for(r, ids, timeout)


def _queue(r: redis.Redis, celery: Celery, batch: list[dict[str, Any]]) -> list[str]:
    fresh = [a for a in batch if not archive_index.is_retracted(r, a["id"])]
    if fresh:
        archive_index.stage_pending(r, fresh)
        enqueue_indexing(celery, [a["id"] for a in fresh])
    return [a["id"] for a in fresh]


def _wait_for(r: redis.Redis, ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    done = 0
    with click.progressbar(length=len(ids), label="Indexing", show_pos=True) as bar:
        while done < len(ids):
            if time.monotonic() > deadline:
                raise click.ClickException(f"Only {done} of {len(ids)} indexed after {timeout}s; "
                                           "are workers consuming the 'index' queue?")
            now_done = len(ids) - sum(archive_index.pending_count(r, ids[i:i + 1000])
                                      for i in range(0, len(ids), 1000))
            bar.update(now_done - done)
            done = now_done
            time.sleep(0.5)
