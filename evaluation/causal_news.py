"""The Causal News Corpus (CASE-2022 Task 1): sentences of protest and conflict news labelled causal
or not. Our own held-out split: a fifth of its stories, fixed by seed, never trained on.

An id is `train_<subcorpus>_<number>_<n>`, and one article's sentences carry consecutive numbers
(train_01_0 names Sabata Petros Chale; train_01_1 goes on "Chale was allegedly chased..."). So a
"story" here is a block of BLOCK consecutive numbers of one subcorpus: the split keeps an article's
sentences on one side, except where an article straddles two blocks.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from evaluation.ptb import detokenise

HELD_OUT_SHARE = 0.2
SEED = 1


BLOCK = 100
ARTICLE_SENTENCES = 6  # consecutive sentences of one story posted (or read) as one article


def story(sentence_id: str) -> str:
    """'train_01_110_585' -> 'train_01_1' ('train_09_A_...' is a subcorpus of its own): the block of
    consecutive numbers its article is in."""
    *subcorpus, number, _ = sentence_id.split("_")  # 'train_09_A_100_1528': subcorpus 'train_09_A'
    return f"{'_'.join(subcorpus)}_{int(number) // BLOCK}"


def split(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, held_out) rows of sentences.jsonl, split by story."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    stories = sorted({story(r["id"]) for r in rows})
    random.Random(SEED).shuffle(stories)
    held = set(stories[:round(len(stories) * HELD_OUT_SHARE)])
    return ([r for r in rows if story(r["id"]) not in held],
            [r for r in rows if story(r["id"]) in held])


def choice_split(train: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The training rows split again by story: (fit, choice), a fifth of the stories for choosing
    the recipe's epoch, so the held-out split decides nothing."""
    stories = sorted({story(r["id"]) for r in train})
    random.Random(SEED + 1).shuffle(stories)
    held = set(stories[:round(len(stories) * HELD_OUT_SHARE)])
    return ([r for r in train if story(r["id"]) not in held], [r for r in train if story(r["id"]) in held])


def articles(rows: list[dict[str, Any]]) -> tuple[list[tuple[str, int, list[str]]], dict[str, int]]:
    """These rows as articles of ARTICLE_SENTENCES consecutive sentences of one story, in story
    order: (story, the first sentence's place in it, the sentences, detokenised), and each
    sentence's label (causal 0/1) by its text."""
    by_story: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (story(r["id"]), int(r["id"].split("_")[-2]))):
        by_story.setdefault(story(row["id"]), []).append(row)
    out, gold = [], {}
    for name, ordered in sorted(by_story.items()):
        for at in range(0, len(ordered), ARTICLE_SENTENCES):
            texts = [detokenise(r["text"]) for r in ordered[at:at + ARTICLE_SENTENCES]]
            gold.update({t: r["causal"] for t, r in zip(texts, ordered[at:], strict=False)})
            out.append((name, at, texts))
    return out, gold
