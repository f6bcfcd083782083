#!/usr/bin/env bash
# Train the implication-category classifier (make train-categories; ~5 min on 2 cores): writes
# enrich/category_weights.json.gz, which the service loads. Needs PyTorch for the teacher only: the
# training venv (training/venv.sh). Environment: DATA (default ../shared/data).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
source training/venv.sh
.venv-train/bin/python "$HERE/train.py" --data "${DATA:-$ROOT/../shared/data}" --out enrich/category_weights.json.gz
