#!/usr/bin/env bash
# Train the encoder's name tagger and build its wheel (make train-ner-encoder; ~20 min on 2 cores).
#
# Needs PyTorch, which the service does not: the training venv (training/venv.sh).
# Environment: CONLL_DIR (default ../shared/data/conll2003, holding train.txt and valid.txt), EPOCHS
# (default 6), LAYERS (keep the base model's first LAYERS layers; default all 6), DIST (where the
# wheel goes; default training/ner_encoder/dist, which scripts/setup.sh installs from). The training
# log (epoch chosen on held-out train documents, valid F1) is kept beside the wheel.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
CONLL_DIR="${CONLL_DIR:-$ROOT/../shared/data/conll2003}"
VERSION=0.3.0
DIST="${DIST:-$HERE/dist}"
source training/venv.sh
source training/wheel.sh
.venv-train/bin/python "$HERE/train.py" --conll "$CONLL_DIR" --out "$BUILD" --epochs "${EPOCHS:-6}" --layers "${LAYERS:-6}"
if [ "$DIST" = "$HERE/dist" ]; then  # the shipped wheel's log; a trial's stays beside its own wheel
    cp "$BUILD/training_log.json" "$HERE/training_log.json"
else
    cp "$BUILD/training_log.json" "$DIST/training_log.json"
fi
build_wheel "$BUILD" newsroom-ner-encoder "$VERSION" \
    "MiniLM-L6 (all-MiniLM-L6-v2, Apache-2.0) fine-tuned on CoNLL-2003 train as a PER/ORG/LOC/MISC name tagger, with casing classes in the token-type slot, reading consecutive sentences packed in one window. ONNX, int8." \
    newsroom_ner_encoder "$DIST"
