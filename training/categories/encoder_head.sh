#!/usr/bin/env bash
# Refit the category head of the served consequence model and rebuild its wheel (make
# train-category-head; ~5 min on 2 cores, ~10 more the first time the teacher runs). The encoder and
# its causal and look-ahead heads are kept as they are (make train-consequence retrains them, and
# adds the head too). Needs PyTorch for the teacher: the training venv (training/venv.sh).
# Environment: DATA (default ../shared/data), VERSION (default: the current wheel's), DIST (where the wheel goes; default
# training/consequence/dist, whose wheel is read first).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
WHEEL="$(ls training/consequence/dist/newsroom_consequence-*.whl)"
VERSION="${VERSION:-$(basename "$WHEEL" | cut -d- -f2)}"  # VERSION=x.y.z: a new version
DIST="${DIST:-$ROOT/training/consequence/dist}"
source training/venv.sh
source training/wheel.sh
.venv-train/bin/python -m zipfile -e "$WHEEL" "$BUILD"
rm -rf "$BUILD"/*.dist-info
.venv-train/bin/python "$HERE/encoder_head.py" --data "${DATA:-$ROOT/../shared/data}" --package "$BUILD/newsroom_consequence"
[ "$DIST" != "$ROOT/training/consequence/dist" ] || rm "$WHEEL"
build_wheel "$BUILD" newsroom-consequence "$VERSION" \
    "$(sed -n 's/^ *"\(The first 3 layers of MiniLM-L6.*\)" \\$/\1/p' training/consequence/train.sh)" \
    newsroom_consequence "$DIST"
