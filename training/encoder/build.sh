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
BUILD="$(mktemp -d)"
trap 'rm -rf "$BUILD"' EXIT
.venv-train/bin/python "$HERE/export.py" --out "$BUILD"
rm -f "$BUILD/model-fp32.onnx"
cat > "$BUILD/pyproject.toml" <<TOML
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "newsroom-encoder"
version = "$VERSION"
description = "all-MiniLM-L6-v2 (Apache-2.0, sentence-transformers) as ONNX with int8 weights, mean-pooled to unit-length sentence and article embeddings."
requires-python = ">=3.10"

[tool.setuptools]
packages = ["newsroom_encoder"]

[tool.setuptools.package-data]
newsroom_encoder = ["model.onnx", "tokenizer.json"]
TOML
.venv-train/bin/pip wheel --quiet --no-deps --no-build-isolation -w "$DIST" "$BUILD"
ls -l "$DIST"
