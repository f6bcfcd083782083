"""What ops watch: /metrics counts the workers that answer and the archive's indexing; Flower's
UI asks for basic auth (as docker-compose.yml starts it). The alert rules over these figures are
checked by promtool in scripts/check_ops.sh, which make test runs first."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from base64 import b64encode
from urllib.error import HTTPError, URLError

from devtools.local_redis import free_port
from tests.conftest import ROOT, ops_auth, stop_group, wait_for


def _metric(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, flags=re.M)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


def test_metrics_count_answering_workers_and_indexed_articles(client, worker, sample_archive):  # type: ignore[no-untyped-def]
    text = client.get("/metrics", headers=ops_auth()).get_data(as_text=True)
    assert _metric(text, "enrichment_workers") >= 1
    assert _metric(text, 'enrichment_archive_total{event="indexed"}') >= len(sample_archive)


def _get(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5).status
    except HTTPError as exc:
        return exc.code
    except URLError:
        return 0  # not listening yet


def test_flower_ui_asks_for_basic_auth(env, worker, tmp_path):  # type: ignore[no-untyped-def]
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "workers.worker", "flower", f"--port={port}",
                             "--address=127.0.0.1"], cwd=ROOT,
                            env={**os.environ, **env, "FLOWER_BASIC_AUTH": "ops:s3cret", "PYTHONPATH": str(ROOT)},
                            stdout=(tmp_path / "flower.log").open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for(lambda: _get(url) in (200, 401), timeout=60)
        assert _get(url) == 401
        assert _get(url, {"Authorization": "Basic " + b64encode(b"ops:wrong").decode()}) == 401
        assert _get(url, {"Authorization": "Basic " + b64encode(b"ops:s3cret").decode()}) == 200
    finally:
        stop_group(proc)
