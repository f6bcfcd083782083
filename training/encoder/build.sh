#!/usr/bin/env bash
# Build the sentence/article encoder's wheel (make build-encoder; ~1 min): all-MiniLM-L6-v2 exported
# to ONNX with int8 weights by training/encoder/export.py. Needs PyTorch, which the service does not:
# the training venv (training/venv.sh). DIST: where the wheel goes (default training/encoder/dist,
# which scripts/setup.sh installs from).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
VERSION=0.1.0
DIST="${DIST:-$HERE/dist}"
source training/venv.sh
source training/wheel.sh
.venv-train/bin/python "$HERE/export.py" --out "$BUILD"
rm -f "$BUILD/model-fp32.onnx"
build_wheel "$BUILD" newsroom-encoder "$VERSION" \
    "all-MiniLM-L6-v2 (Apache-2.0, sentence-transformers) as ONNX with int8 weights, mean-pooled to unit-length sentence and article embeddings." \
    newsroom_encoder "$DIST"
