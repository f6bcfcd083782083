#!/usr/bin/env bash
# Create .venv and install the project with its test tools (again only when pyproject.toml changed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "First run: creating .venv and installing the dependencies from the package index" \
       "(about 2-3 minutes and 1.5 GB; later runs skip this)." >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml scripts/setup.sh training/*/dist/*.whl | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "Installing the project into .venv (pyproject.toml changed or first run)..." >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test,eval,ops]'
  # The NER model trained on CoNLL-2003 by training/ner/train.sh, shipped as a wheel.
  .venv/bin/python -m pip install --quiet training/ner/dist/en_newsroom_ner-*.whl
  # The name tagger: the encoder fine-tuned on CoNLL-2003 by training/ner_encoder/train.sh.
  .venv/bin/python -m pip install --quiet --force-reinstall --no-deps training/ner_encoder/dist/newsroom_ner_encoder-*.whl
  # The consequence model (causal and look-ahead heads) built by training/consequence/train.sh.
  .venv/bin/python -m pip install --quiet --force-reinstall --no-deps training/consequence/dist/newsroom_consequence-*.whl
  # The sentence and article encoder (all-MiniLM-L6-v2, ONNX int8) built by training/encoder/build.sh.
  .venv/bin/python -m pip install --quiet --force-reinstall --no-deps training/encoder/dist/newsroom_encoder-*.whl
  rm -f .venv/.installed-* && touch "$stamp"
fi
