"""The consequence model's own choice criterion, for shipped models side by side: causal F1 on the
Causal News choice stories plus the mean of look-ahead F1 with and without dates on TempEval-3's
TimeBank choice documents (the split training/consequence/train.py keeps its epoch by), each head at
its own decision (0.5), read as the service reads them (int8 ONNX, one sentence a run). Since
session 29 also look-ahead F1 on sentences labelled by hand for what the head is for
(evaluation/ahead_labels.py: Causal News choice stories and undated Reuters sentences), and
`criterion_hand`, causal F1 plus that. Nothing here touches a reported split. With --probes, each
model's reads (causal, look-ahead) of our own probe sentences (PROBES: forecasts, reported warnings,
reports) and of the example archive's sentences that state what the advance may lead to
(demo/afghanistan_archive.jsonl, PROBE_PIECES), each with its categories read alone
(enrich/categories.py). Run:
    python -m evaluation.consequence_choice MODEL_DIR [MODEL_DIR ...] [--data ../shared/data] [--probes]
(a MODEL_DIR holds model.onnx and tokenizer.json: an installed newsroom_consequence package, or one
unpacked from a wheel).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from enrich import categories
from enrich.consequence import ConsequenceModel
from evaluation import ahead_labels
from evaluation.causal import DECISION, f1
from evaluation.causal_news import choice_split, split
from evaluation.tempeval_ahead import by_document, labelled_sentences

# Written by us, none from a corpus: what may follow, said or reported, and reports of what was.
PROBES = (
    "Officials warned that the strike could halt production at the plant.",
    "Officials warned on Tuesday that the strike could halt production at the plant.",
    "The fighting is a threat to the security of the whole region, the minister said.",
    "US intelligence officials said the Taliban could take the capital within 90 days.",
    "Freed prisoners could swell the insurgents' ranks, officials said.",
    "Ultimately this would lead to a rise in U.S. imports.",
    "The company said it will pay the dividend on April 15.",
    "Analysts expect prices to rise.",
    "The company reported a net loss of 12 mln dlrs.",
    "He said he was still in shock.",
    "He could not be reached for comment.",
)
EXAMPLE_ARCHIVE = Path(__file__).resolve().parents[1] / "demo" / "afghanistan_archive.jsonl"
PROBE_PIECES = ("afg-2021-kabul-warning", "afg-2021-prisoners", "afg-2021-ghazni", "afg-2021-neighbours")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def probe_sentences() -> list[str]:
    """PROBES, then the sentences of the example archive's PROBE_PIECES."""
    pieces = [json.loads(line) for line in EXAMPLE_ARCHIVE.open(encoding="utf-8")]
    return [*PROBES, *(s for p in pieces if p["id"] in PROBE_PIECES for s in SENTENCE_END.split(p["body"]))]


def probes(model: ConsequenceModel) -> list[dict[str, object]]:
    sentences = probe_sentences()
    return [{"causal": round(c, 2), "ahead": round(a, 2),
             "categories": {k: round(v, 2) for k, v in categories.categories(s)}, "sentence": s}
            for s, (c, a) in zip(sentences, model.read(sentences), strict=True)]


def criterion(model: ConsequenceModel, data: Path) -> dict[str, float]:
    _, causal_choice = choice_split(split(data / "causal_news" / "sentences.jsonl")[0])
    timebank = [r for r in labelled_sentences(data / "tempeval3" / "timex.jsonl") if r["corpus"] == "TimeBank"]
    _, ahead_choice = by_document(timebank)
    causal = [c >= DECISION for c, _ in model.read([r["text"] for r in causal_choice])]
    out = {"causal_f1": f1(causal, [bool(r["causal"]) for r in causal_choice])["f1"]}
    for form in ("text", "undated"):
        ahead = [a >= DECISION for _, a in model.read([r[form] for r in ahead_choice])]
        out[f"ahead_f1_{form}"] = f1(ahead, [bool(r["ahead"]) for r in ahead_choice])["f1"]
    out["criterion"] = out["causal_f1"] + (out["ahead_f1_text"] + out["ahead_f1_undated"]) / 2
    hand = ahead_labels.labelled(data)
    reads = model.read([r["text"] for r in hand])
    for pool in ("causal_news", "reuters", "all"):
        rows = [(a, r["ahead"]) for (_, a), r in zip(reads, hand, strict=True) if pool in (r["pool"], "all")]
        out[f"ahead_f1_hand_{pool}"] = f1([a >= DECISION for a, _ in rows], [bool(y) for _, y in rows])["f1"]
    out["criterion_hand"] = out["causal_f1"] + out["ahead_f1_hand_all"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--probes", action="store_true", help="also print each model's reads of the probe sentences")
    args = parser.parse_args()
    for directory in args.models:
        model = ConsequenceModel(directory)
        figures = criterion(model, args.data)
        print(json.dumps({"model": str(directory), **{k: round(v, 4) for k, v in figures.items()}}), flush=True)
        for row in probes(model) if args.probes else []:
            print("   ", json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
