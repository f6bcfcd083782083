#!/usr/bin/env bash
# Train the stem category classifier, the category head's baseline (make train-categories; ~5 min): writes
# evaluation/stem_category_weights.json.gz, which make eval reads. Needs PyTorch for the teacher only: the
# training venv (training/venv.sh). Environment: DATA (default ../shared/data).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
source training/venv.sh
.venv-train/bin/python "$HERE/train.py" --data "${DATA:-$ROOT/../shared/data}" --out evaluation/stem_category_weights.json.gz
