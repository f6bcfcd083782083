"""`flask --app service archive import FILE.jsonl`: bulk-load an archive with a progress bar.

It imports through the same code as `POST /v1/archive/articles` (service/archive_import.py). Every
record it refuses (not UTF-8, not JSON, not in the format, invalid, retracted) is reported with its
line number and the reason, the rest are imported, and the run ends with counts; it exits non-zero
when anything was refused, unless --allow-refused."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import click
import marshmallow as ma
import redis
from flask import current_app
from flask.cli import AppGroup

from service import archive_import
from service.archive_formats import FORMATS, REFUSED_BY
from store import archive_staging

archive_cli = AppGroup("archive", help="Manage the archive.")
BATCH = 500


class _Progress:
    """Bytes read of the file (the bar's length, so it shows time left) and articles per second."""

    def __init__(self) -> None:
        self.started, self.articles = time.monotonic(), 0

    def show(self, _: object = None) -> str:
        rate = self.articles / max(time.monotonic() - self.started, 1e-6)
        return f"{self.articles} articles, {rate:,.0f}/s"


class Refused(Exception):
    """A line the import cannot read as a record: the message says why."""


def _records(lines: IO[bytes], fmt: str, bar: Any) -> Iterator[tuple[int, Any]]:
    """(line number, record in the archive's shape, or Refused) for each non-blank line, read one
    line at a time (a file of any size in constant memory)."""
    mapper = FORMATS[fmt]
    for number, line in enumerate(lines, start=1):
        bar.update(len(line))
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode())
        except UnicodeDecodeError as exc:
            yield number, Refused(f"not UTF-8 (byte {exc.start} of the line: {exc.reason})")
            continue
        except json.JSONDecodeError as exc:
            yield number, Refused(f"not JSON ({exc})")
            continue
        if archive_import.is_retraction(record):
            yield number, record
            continue
        mapped = mapper(record) if isinstance(record, dict) else None
        yield number, mapped if mapped is not None else Refused(f"refused by --format {fmt}: {REFUSED_BY[fmt]}")


@archive_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="article",
              show_default=True, help="How to read each record.")
@click.option("--limit", type=int, default=None,
              help="Stop after this many records in the format (refused lines do not count).")
@click.option("--wait/--no-wait", default=False, help="Wait until the workers indexed them all.")
@click.option("--timeout", type=float, default=900.0, show_default=True,
              help="Seconds to wait with --wait.")
@click.option("--client", default=None,
              help="The client (API_KEYS name) whose archive receives them; default: the only client.")
@click.option("--url-template", default=None,
              help="Link for records that carry no url, from the archive id: 'https://example.com/a/{id}'.")
@click.option("--resume", is_flag=True,
              help="Skip articles this archive already holds or has queued (an interrupted import, run again).")
@click.option("--allow-refused", is_flag=True,
              help="Exit 0 even when records were refused (they are still reported).")
def import_command(path: Path, fmt: str, limit: int | None, wait: bool, timeout: float,
                   client: str | None, url_template: str | None, resume: bool, allow_refused: bool) -> None:
    """Validate the JSONL file's articles and queue them for indexing into a client's archive."""
    if url_template is not None and "{id}" not in url_template:
        raise click.BadParameter("must contain {id}, e.g. 'https://example.com/a/{id}'", param_hint="--url-template")
    archive = _archive_of(client)
    r = current_app.extensions["archive"]
    celery = current_app.extensions["celery"]
    ids: list[str] = []
    skipped: list[str] = []
    batch: list[dict[str, Any]] = []
    lines_of: dict[str, int] = {}
    progress = _Progress()
    already = read = retractions = 0

    def flush() -> None:
        nonlocal already
        refused = set(archive_import.retracted(r, archive, batch))
        skipped.extend(f"line {lines_of.get(i)} ({i}): retracted, may not be imported again" for i in sorted(refused))
        held = archive_staging.held(r, archive, [a["id"] for a in batch]) if resume else set()
        already += len(held - refused)
        queued = archive_import.queue(r, celery, archive, [a for a in batch if a["id"] not in refused | held])
        progress.articles += len(queued)
        if wait:
            ids.extend(queued)
        batch.clear()

    with path.open("rb") as lines, click.progressbar(length=path.stat().st_size, label=f"Queueing {path.name}",
                                                     show_eta=True, item_show_func=progress.show) as bar:
        taken = 0
        for number, record in _records(lines, fmt, bar):
            if limit is not None and taken >= limit:
                break
            read += 1
            taken += not isinstance(record, Refused)
            if isinstance(record, Refused):
                skipped.append(f"line {number}: {record}")
                continue
            if archive_import.is_retraction(record):
                try:
                    archive_import.retract(r, archive, [archive_import.load_retraction(record)])
                    retractions += 1
                except ma.ValidationError as exc:
                    skipped.append(f"line {number}: {exc.messages}")
                continue
            if url_template and not record.get("url") and record.get("id"):
                record = {**record, "url": url_template.replace("{id}", quote(str(record["id"]), safe=""))}
            try:
                batch.append(archive_import.load_article(record))
                lines_of[batch[-1]["id"]] = number
            except ma.ValidationError as exc:
                skipped.append(f"line {number} ({record.get('id')}): {exc.messages}")
                continue
            if len(batch) == BATCH:
                flush()
        flush()
    for line in skipped:
        click.echo(f"  refused {line}", err=True)
    click.echo(f"Queued {progress.articles} articles for indexing into {archive!r}'s archive; "
               + (f"{already} already there; " if resume else "")
               + (f"{retractions} retracted; " if retractions else "")
               + f"read {read} records, refused {len(skipped)}.")
    if wait and ids:
        _wait_for(r, archive, ids, timeout)
    if skipped and not allow_refused:
        raise click.ClickException(f"{len(skipped)} of {read} records were refused (listed above); "
                                   "fix them and import again (--resume skips what is in), or pass --allow-refused.")


def _archive_of(client: str | None) -> str:
    """The archive to import into: --client, else the one client API_KEYS names (or 'default'
    when auth is off, as the API's)."""
    settings = current_app.extensions["settings"]
    clients = sorted(set(settings.api_keys.values()))
    if client:
        if clients and client not in clients and client not in settings.archive_shares:
            raise click.BadParameter(f"{client!r} is neither a client in API_KEYS ({', '.join(clients)}) "
                                     "nor a shared archive in ARCHIVE_SHARES", param_hint="--client")
        return client
    if settings.auth_disabled or not clients:
        return "default"
    if len(clients) > 1:
        raise click.UsageError(f"Several clients have keys ({', '.join(clients)}): say whose archive "
                               "this is with --client.")
    return clients[0]


def _wait_for(r: redis.Redis, archive: str, ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    done = 0
    with click.progressbar(length=len(ids), label="Indexing", show_pos=True) as bar:
        while done < len(ids):
            if time.monotonic() > deadline:
                raise click.ClickException(f"Only {done} of {len(ids)} indexed after {timeout}s; "
                                           "are workers consuming the 'index' queue?")
            now_done = len(ids) - sum(archive_staging.pending_count(r, archive, ids[i:i + 1000])
                                      for i in range(0, len(ids), 1000))
            bar.update(now_done - done)
            done = now_done
            time.sleep(0.5)
    failed = {}
    for i in range(0, len(ids), 1000):
        failed.update(archive_staging.failures(r, archive, ids[i:i + 1000]))
    if failed:
        for article_id, error in list(failed.items())[:10]:
            click.echo(f"  failed {article_id}: {error}", err=True)
        raise click.ClickException(f"{len(failed)} of {len(ids)} articles could not be indexed.")
    click.echo(f"Indexed {len(ids)} articles.")
