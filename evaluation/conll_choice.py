"""Names on CoNLL-2003 train's choice documents (every tenth, i % 10 == 9, which the encoder's
training left out: training/ner_encoder/train.py), read two ways with the service's pipeline:

- on gold words and gold sentences (the tagger alone, as evaluation/conll_ner.py scores valid);
- on the text as the API receives it (evaluation/through_api.conll_article: one sentence a line),
  where spaCy splits words and sentences and enrich/nlp.py groups the names (what the API returns);

and how many sentences the tagger skips as nameless (enrich/entity_tagger.nameless): on these
documents with the gold names inside them, and among the sentences of make eval's 40 gva_news speed
articles (500-700 words), as spaCy splits them.

The gap between the two is what the service's own rules lose or win; the name rules of session 16
were chosen on these documents, so these are choice figures, never a result (valid is reported).

    .venv/bin/python -m evaluation.conll_choice [--graph DIR ...]

`--graph`: score these tagger graphs (directories holding a model.onnx and its tokenizer.json, as a
wheel of training/ner_encoder/ unpacks) instead of the installed one, both ways, each reading one
sentence a window and consecutive sentences packed (enrich/entity_tagger.PACK), one after another:
how a retrained or requantised tagger is chosen before its wheel ships.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.settings import Settings
from enrich import entity_tagger, nlp
from enrich.text import readable
from evaluation import conll_ner, speed
from evaluation.through_api import conll_article

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TRACKED = set(conll_ner.TRACKED)


def choice_documents() -> list[list[conll_ner.Sentence]]:
    return [d for i, d in enumerate(conll_ner.read_conll(DATA / "conll2003" / "train.txt")) if i % 10 == 9]


def service_path_f1(model: str, docs: list[list[conll_ner.Sentence]]) -> float:
    tp = n_pred = n_gold = 0
    pipeline = nlp.load(model)
    for number, sentences in enumerate(docs):
        article, gold = conll_article(number, sentences)
        entities = nlp.analyse_doc(pipeline(readable(article["body"])))["entities"]
        predicted = {(start, end, e["type"]) for e in entities if e["type"] in TRACKED for start, end in e["mentions"]}
        tp, n_pred, n_gold = tp + len(predicted & gold), n_pred + len(predicted), n_gold + len(gold)
    return conll_ner.prf(tp, n_pred, n_gold)[2]


def nameless_in_choice(docs: list[list[conll_ner.Sentence]]) -> tuple[int, int, int]:
    """(sentences, nameless ones, nameless ones holding a gold name) on gold words."""
    sentences = [s for d in docs for s in d]
    nameless = [s for s in sentences if entity_tagger.nameless([w for w, _ in s])]
    return len(sentences), len(nameless), sum(any(t != "O" for _, t in s) for s in nameless)


def nameless_in_gva(model: str) -> tuple[int, int]:
    """(sentences, nameless ones) of make eval's speed articles (evaluation/speed.sample_600_words)."""
    pipeline, total, nameless = nlp.load(model), 0, 0
    for article in speed.sample_600_words(DATA):
        for sentence in pipeline(readable(article["body"])).sents:
            words = [t.text for t in sentence if not t.is_space]
            if not words:
                continue
            total += 1
            nameless += entity_tagger.nameless(words)
    return total, nameless


def compare_graphs(model: str, graphs: list[Path]) -> None:
    docs = choice_documents()
    print(f"CoNLL-2003 train, choice documents ({len(docs)}), micro PER/ORG/LOC F1")
    for graph in graphs:
        tagger = entity_tagger.EntityTagger(graph)
        entity_tagger.tagger = lambda tagger=tagger: tagger  # what encoder_names calls, for this process
        for pack in (False, True):
            entity_tagger.PACK = pack
            gold_words = conll_ner.evaluate(nlp.load(model), docs, {t: t for t in conll_ner.CONLL_TYPES})
            print(f"  {graph}, {'sentences packed' if pack else 'one sentence a window'}: gold words "
                  f"{gold_words['micro_PER_ORG_LOC']['f']:.4f}, as the API receives it "
                  f"{service_path_f1(model, docs):.4f}", flush=True)


def main() -> None:
    model = Settings().nlp_pipeline
    if "--graph" in sys.argv:
        compare_graphs(model, [Path(arg) for arg in sys.argv[sys.argv.index("--graph") + 1:]])
        return
    docs = choice_documents()
    gold_words = conll_ner.evaluate(nlp.load(model), docs, {t: t for t in conll_ner.CONLL_TYPES})
    print(f"CoNLL-2003 train, choice documents ({len(docs)}), {model}, micro PER/ORG/LOC F1")
    print(f"  gold words and sentences (the tagger alone)   {gold_words['micro_PER_ORG_LOC']['f']:.4f}")
    print(f"  the text as the API receives it (the service) {service_path_f1(model, docs):.4f}")
    sentences, nameless, holding = nameless_in_choice(docs)
    print(f"nameless sentences the tagger skips: {nameless} of {sentences} on these documents, "
          f"{holding} of them holding a gold name")
    total, skipped = nameless_in_gva(model)
    print(f"  and {skipped} of {total} sentences ({skipped / total:.1%}) of make eval's 40 gva_news speed articles")


if __name__ == "__main__":
    main()
