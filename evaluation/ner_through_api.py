"""Names through the HTTP API, the encoder's tagger beside spaCy's NER in the same run: the 216
CoNLL-2003 valid documents posted as articles to a private stack with ENTITY_TAGGER=encoder, then
to another with ENTITY_TAGGER=spacy (exact spans of the returned mentions; names with two types).

    .venv/bin/python -m evaluation.ner_through_api [--json OUT]

CoNLL-2003 valid is untouched by the encoder's training (its epoch and rules were chosen on held-out
train documents); the spaCy model's checkpoint was chosen on valid.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
from pathlib import Path
from typing import Any

import requests

from devtools.stack import Stack
from evaluation import conll_ner
from evaluation.through_api import conll_article, enrich_all, entity_scores, two_typed

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def scores(tagger: str) -> dict[str, Any]:
    conll = [conll_article(n, doc) for n, doc in enumerate(conll_ner.read_conll(DATA / "conll2003" / "valid.txt"))]
    key, secret = secrets.token_urlsafe(16), "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    with Stack(key, secret, {"ENTITY_TAGGER": tagger}) as stack:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        results = enrich_all(stack, session, [article for article, _ in conll])
    return {**entity_scores([a for a, _ in conll], [g for _, g in conll], results),
            "two_typed_names": sum(two_typed(r) for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    out = {tagger: scores(tagger) for tagger in ("encoder", "spacy")}
    print("Names on CoNLL-2003 valid through the API (exact spans, F1)")
    print(f"{'ENTITY_TAGGER':<16}{'PER':>7}{'ORG':>7}{'LOC':>7}{'micro':>8}  names with two types")
    for tagger, s in out.items():
        t = s["per_type"]
        print(f"{tagger:<16}{t['PER']['f']:>7.3f}{t['ORG']['f']:>7.3f}{t['LOC']['f']:>7.3f}"
              f"{t['micro PER/ORG/LOC']['f']:>8.3f}  {s['two_typed_names']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
