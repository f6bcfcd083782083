#!/usr/bin/env bash
# make run: set up, then start Redis (if none answers), a worker, the API and a demo receiver, and
# load a demo archive (devtools/run_stack.py). Ctrl-C or one SIGTERM stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m devtools.run_stack
