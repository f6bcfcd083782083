#!/usr/bin/env bash
# Train the consequence classifier, add the category head (training/categories/encoder_head.py) and
# build its wheel (make train-consequence; ~20 min on 2 cores).
#
# Needs PyTorch, which the service does not: the training venv (training/venv.sh).
# Environment: CAUSAL_NEWS (default ../shared/data/causal_news/sentences.jsonl; relations.jsonl beside
# it gives the cause/effect spans), TEMPEVAL_TIMEX (default ../shared/data/tempeval3/timex.jsonl: the
# look-ahead head's labels), REUTERS (default ../shared/data/reuters21578/articles.jsonl: its distant
# labels, training/consequence/dated_archive.py), SHARED_DATA (default ../shared/data: the category head's pool), SPAN_WEIGHT (default 0.5; 0 trains the sentence label alone), REPORTED
# (keep, drop or ahead: what becomes of a past-dated reported forecast, train.py --reported;
# default ahead since 0.7.0), GVA
# (gva_news articles.jsonl: more look-ahead labels from its tuning incidents; default none), DIST (where the
# wheel goes; default training/consequence/dist, which scripts/setup.sh installs from).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
DATA="${CAUSAL_NEWS:-$ROOT/../shared/data/causal_news/sentences.jsonl}"
TIMEX="${TEMPEVAL_TIMEX:-$ROOT/../shared/data/tempeval3/timex.jsonl}"
REUTERS="${REUTERS:-$ROOT/../shared/data/reuters21578/articles.jsonl}"
VERSION=0.7.0
DIST="${DIST:-$HERE/dist}"
source training/venv.sh
source training/wheel.sh
.venv-train/bin/python "$HERE/train.py" --data "$DATA" --timex "$TIMEX" --out "$BUILD" --span-weight "${SPAN_WEIGHT:-0.5}" --archive "$REUTERS" \
    --reported "${REPORTED:-ahead}" ${GVA:+--gva "$GVA"}
cp "$BUILD/training_log.json" "$HERE/training_log.json"
.venv-train/bin/python training/categories/encoder_head.py --data "${SHARED_DATA:-$ROOT/../shared/data}" --package "$BUILD/newsroom_consequence"
build_wheel "$BUILD" newsroom-consequence "$VERSION" \
    "The first 3 layers of MiniLM-L6 (all-MiniLM-L6-v2, Apache-2.0), fine-tuned on the Causal News Corpus (CC0), sentence labels and cause/effect spans, and on sentences that look ahead, labelled by their dates and read without them (TempEval-3 TimeBank; Reuters-21578, research use): is a news sentence causal, does it look ahead; and a category head fitted to a zero-shot teacher's labels of news sentences (strategic, political, humanitarian, economic, legal, health, environment, other). ONNX, int8 encoder." \
    newsroom_consequence "$DIST"
