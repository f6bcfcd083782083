"""The consequence model's own choice criterion, for shipped models side by side: causal F1 on the
Causal News choice stories plus the mean of look-ahead F1 with and without dates on TempEval-3's
TimeBank choice documents (the split training/consequence/train.py keeps its epoch by), each head at
its own decision (0.5), read as the service reads them (int8 ONNX, one sentence a run). Nothing
here touches a reported split. Run:
    python -m evaluation.consequence_choice MODEL_DIR [MODEL_DIR ...] [--data ../shared/data]
(a MODEL_DIR holds model.onnx and tokenizer.json: an installed newsroom_consequence package, or one
unpacked from a wheel).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from enrich.consequence import ConsequenceModel
from evaluation.causal import DECISION, f1
from evaluation.causal_news import choice_split, split
from evaluation.tempeval_ahead import by_document, labelled_sentences


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
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    for directory in args.models:
        figures = criterion(ConsequenceModel(directory), args.data)
        print(json.dumps({"model": str(directory), **{k: round(v, 4) for k, v in figures.items()}}), flush=True)


if __name__ == "__main__":
    main()
