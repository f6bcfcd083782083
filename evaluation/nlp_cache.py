"""spaCy analyses cached on disk by text, so re-running an evaluation only re-ranks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import redis

from enrich import encoder_names, entity_tagger, nlp, us_states
from enrich import text as text_module
from enrich.prepare import archive_doc_from_analysis, with_title
from enrich.text import archive_text
from evaluation import eval_archive

CACHE = Path(".cache/eval")


def code_hash() -> str:
    """The NLP code's hash: a change to the pipeline, to the name tagger's rules or its model (the
    installed wheel's graph), to the state table or to what the analysis reads (enrich/text.readable)
    starts afresh."""
    import newsroom_ner_encoder

    code = hashlib.sha1()
    for module in (nlp, encoder_names, entity_tagger, text_module, us_states):
        code.update(Path(module.__file__).read_bytes())
    code.update((Path(newsroom_ner_encoder.__file__).parent / "model.onnx").read_bytes())
    return code.hexdigest()[:8]


def analyse_cached(model: str, texts: list[str], label: str) -> list[dict[str, Any]]:
    """Analyse texts with the worker's NLP, reusing results cached for the same model, NLP code and text."""
    CACHE.mkdir(parents=True, exist_ok=True)
    code = code_hash()
    path = CACHE / f"{label}-{model}-{code}.jsonl"
    known: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.open(encoding="utf-8"):
            key, value = line.split("\t", 1)
            known[key] = json.loads(value)
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    missing = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in known]
    if missing:
        with path.open("a", encoding="utf-8") as out:
            for (key, _), analysis in zip(missing, nlp.analyse_many(model, [t for _, t in missing]),
                                          strict=True):
                known[key] = analysis
                out.write(f"{key}\t{json.dumps(analysis)}\n")
    return [known[k] for k in keys]


def index_cached(r: redis.Redis, articles: list[dict[str, Any]], model: str, label: str) -> None:
    """Index archive articles as the index task does, with cached NLP."""
    texts = [archive_text(a["body"])[0] for a in articles]
    combined = [with_title(a["title"], t) for a, t in zip(articles, texts, strict=True)]
    for article, text, analysis in zip(articles, texts, analyse_cached(model, combined, label), strict=True):
        eval_archive.store(r, archive_doc_from_analysis(article, text, analysis))
