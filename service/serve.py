"""Serve the API with Granian: `python -m service.serve` (the run command and the image use it).

Settings from the environment: HOST (127.0.0.1), PORT (8000), WEB_CONCURRENCY (4 processes),
WEB_THREADS (1 per process). One SIGTERM or SIGINT stops every process: Granian stops its
workers gracefully, and kills within WORKERS_KILL_TIMEOUT seconds (5) any that hang in shutdown
(without it, a worker stuck at exit kept the server alive for minutes).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from core.settings import Settings

LOG_CONFIG = Path(__file__).with_name("log_config.json")


def granian_argv(env: Mapping[str, str]) -> list[str]:
    """Granian's command line from the settings (checked: a bad PORT stops here, named)."""
    s = Settings.from_env(env)
    return [sys.executable, "-m", "granian", "--interface", "wsgi",
            "--host", s.host, "--port", str(s.port), "--workers", str(s.web_concurrency),
            "--blocking-threads", str(s.web_threads), "--respawn-failed-workers",
            "--workers-kill-timeout", str(s.workers_kill_timeout),
            "--log-config", str(LOG_CONFIG), "service.wsgi:app"]


def main() -> None:
    argv = granian_argv(os.environ)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
