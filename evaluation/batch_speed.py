"""One sentence a run against batches of 16, for the name tagger and the consequence model, on the
same gva_news articles in the same run (one thread, int8): what enrich/entity_tagger.py and
enrich/consequence.py chose. The batched baseline pads similar-length windows together, as the
tagger did until December 2026.

    .venv/bin/python -m evaluation.batch_speed [--articles 15]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from statistics import median

import numpy as np

from core.settings import Settings
from enrich import consequence, entity_tagger, nlp

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def articles(count: int) -> list[str]:
    """The first `count` gva_news articles of 450-800 words."""
    out = []
    with (DATA / "gva_news" / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"]
            if 450 < len(text.split()) < 800:
                out.append(text)
            if len(out) == count:
                break
    return out


def tag_batched(tagger: entity_tagger.EntityTagger, sentences: list[list[str]], size: int) -> None:
    """The tagger over padded batches of similar-length windows, decoded (the baseline)."""
    windows = sorted((w for words in sentences for w in tagger._windows(words)), key=lambda w: len(w[0]))
    for at in range(0, len(windows), size):
        chunk = windows[at:at + size]
        width = max(len(ids) for ids, _, _ in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        types, mask = np.zeros_like(ids), np.zeros_like(ids)
        for row, (piece_ids, piece_types, _) in enumerate(chunk):
            n = len(piece_ids)
            ids[row, :n], types[row, :n], mask[row, :n] = piece_ids, piece_types, 1
        logits = tagger.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        for row, (_, _, starts) in enumerate(chunk):  # decoded as the tagger decodes
            entity_tagger.viterbi(logits[row, [j for j, word in enumerate(starts) if word is not None]])


def p50_ms(run, items) -> float:  # type: ignore[no-untyped-def]
    run(items[0])  # warm
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=15)
    args = parser.parse_args()
    pipeline = nlp.load(Settings().nlp_pipeline)
    docs = [pipeline(text) for text in articles(args.articles)]
    words = [[[t.text for t in s if not t.is_space] for s in d.sents if any(not t.is_space for t in s)] for d in docs]
    texts = [[s.text.strip() for s in d.sents if s.text.strip()] for d in docs]
    tagger, model = entity_tagger.tagger(), consequence.model()
    print(f"{len(docs)} gva_news articles, median {median(len(d) for d in docs)} tokens; p50 ms an article, one thread")
    print(f"  name tagger, one window a run (used):   {p50_ms(tagger.tag, words):.1f}")
    print(f"  name tagger, batches of 16 (baseline):  {p50_ms(lambda s: tag_batched(tagger, s, 16), words):.1f}")
    print(f"  consequence, one sentence a run (used): {p50_ms(lambda t: list(model.batches(t, 1)), texts):.1f}")
    print(f"  consequence, batches of 16 (baseline):  {p50_ms(lambda t: list(model.batches(t, 16)), texts):.1f}")


if __name__ == "__main__":
    main()
