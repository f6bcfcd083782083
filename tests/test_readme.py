"""The README's tour runs as written, against a real API process (`python -m service.serve`), the
test worker and a real callback receiver: every command, in order, in one bash script."""

from __future__ import annotations

import json
import re
import subprocess

from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook

from tests.conftest import KEYS, OPS_KEY, ROOT, SECRET, wait_for


def tour_blocks(readme: str) -> list[str]:
    """The ```sh blocks of the tour section, in order."""
    section = readme.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def expected_outputs(block: str) -> list[str]:
    """Lines the README shows as output: comment lines that are JSON."""
    return [line[2:] for line in block.splitlines() if line.startswith("# {")]


def test_the_readme_tour_runs_as_written(api, tmp_path, httpserver: HTTPServer):
    readme = (ROOT / "README.md").read_text()
    blocks = tour_blocks(readme)
    assert len(blocks) >= 4 and blocks[0].startswith(". .run/env")
    # What make run leaves in .run/: the URL and key, and a demo request whose callback is ours.
    run = tmp_path / ".run"
    run.mkdir()
    (run / "env").write_text(f"export URL={api} KEY={KEYS['alice']} OPS_KEY={OPS_KEY}\n")
    received = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: received.append(request) or "")
    demo = json.loads((ROOT / "demo" / "article.json").read_text())
    (run / "demo-request.json").write_text(json.dumps({**demo, "callback_url": httpserver.url_for("/hook")}))

    script = "set -euo pipefail\n" + "\n".join(blocks)
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout

    assert '"status":"indexed"' in out and '"text":"Dockworkers at the Port of Harwick' in out
    jobs = [json.loads(m) for m in re.findall(r"^\{\n.*?^\}$", out, flags=re.S | re.M)]
    enriched = next(j for j in jobs if j.get("id", "").startswith("enr_"))
    assert enriched["status"] == "succeeded" and enriched["result"]["article"]["id"] == "cms-123"
    assert set(enriched["result"]) >= {"also_read", "background", "implications", "key_points", "rendered"}
    assert re.search(r"^(queued|running|succeeded) (pending|delivered)$", out, flags=re.M), out  # read at once
    for block in blocks:
        for line in expected_outputs(block):
            assert line in out, f"the README shows {line!r}; the service answered:\n{out}"
    assert re.search(r"^https://news.example.org/2024/05/harwick-vote 3.1 \['medtop:\d{8}'", out, flags=re.M), out
    assert re.search(r"^204$", out, flags=re.M), out  # the retraction
    assert '"queues":' in out
    wait_for(lambda: received, timeout=60)  # the demo request's callback arrives, signed
    Webhook(SECRET).verify(received[0].get_data(as_text=True), dict(received[0].headers))
