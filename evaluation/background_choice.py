"""Choosing which archive sentences may tie to the story in the background (enrich/background.py
NEAR_SOURCES, FAR_TIES), and which archive sentences implications read (NEAR_KEPT_FOR,
STORY_SOURCES; enrich/implications.py HISTORY_DAYS), on tuning data only.

    .venv/bin/python -m evaluation.background_choice [--only "RULE;RULE"] [--gva-only] [--reported]

gva_news groups its articles by incident: a background item that cites an article of the query's
own incident is about the story for sure; one that cites another incident's may be context (an
earlier shooting at the same motel) or, more often, a sentence that shares a town's name only (a
local news page covers many stories). For the seeded tuning-half queries of
evaluation/archive_terms.py, background runs in-process as the workers run it, once per rule, and
this prints the items, the share citing the query's incident, and the queries left with none.
Beside them, for the same rule, what it does where stories are long and international: Reuters
background's tag precision on the tuning half of its queries (evaluation/reuters_background.py)
and Timeline17's mean date F1 (evaluation/timeline17.py; its four stories are also where the
date model's choices were made). Nothing here is a result: make eval reports the other halves.
After the choice, `--reported` prints the gva_news figures on the reported half, in-process, for
the rules before session 18 (no gate), before session 19 (the gate alone) and shipped (make eval's
are through the API, for the shipped rules only).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from enrich import background, implications
from evaluation import category_domains, eval_archive, reuters_background, timeline17
from evaluation.archive_terms import DATA as GVA
from evaluation.archive_terms import Gva, private_redis

DATA = GVA.parents[1]
REUTERS = DATA / "reuters21578" / "articles.jsonl"


@contextmanager
def rule(module: object, name: str, value: object) -> Iterator[None]:
    before = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, before)


def _module(constant: str) -> object:
    """Where a rule's constant lives: enrich/background.py, or enrich/implications.py."""
    return background if hasattr(background, constant) else implications


def enriched(gva: Gva, r: object, limit: int = 8) -> Iterator[tuple[dict, list[dict], list[dict]]]:
    """Each sampled query as the workers enrich it: (the article, background's timeline, its
    implications, which draw on the story sentences: background.story_sentences)."""
    for i, p in zip(gva.sample, gva.prepared, strict=True):
        article = gva.articles[i]
        yield article, *eval_archive.timeline_and_implications(r, article, p, limit)


def on_story(gva: Gva, r: object, limit: int = 8) -> tuple[int, ...]:
    """Background items, those citing the query's own incident, queries with no item; implication
    items, those in a category gva_news's domain allows, and those of their archive evidence citing
    the query's own incident."""
    items = own = empty = 0
    found: list[dict] = []
    for article, timeline, implied in enriched(gva, r, limit):
        empty += not timeline
        for item in timeline:
            items += 1
            own += gva.incident.get(item["source"]["archive_id"]) == gva.incident[article["id"]]
        found += [{**i, "query": article["id"]} for i in implied]
    allowed = sum(i["category"] in category_domains.ALLOWED["gva"] for i in found)
    archived = [i for i in found if i["evidence"][0]["source"] != "article"]
    archived_own = sum(gva.incident.get(i["evidence"][0]["source"]) == gva.incident[i["query"]] for i in archived)
    return items, own, empty, len(found), allowed, len(archived), archived_own


VARIANTS: list[tuple[str, dict[str, object]]] = [
    ("no gate", {"FAR_TIES": 1, "NEAR_KEPT_FOR": (), "HISTORY_DAYS": None}),
    ("near 5, far 2 ties", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (), "NEAR_KEPT_FOR": (),
                            "HISTORY_DAYS": None}),
    ("and near kept for both", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (),
                                "NEAR_KEPT_FOR": ("background", "implications"), "HISTORY_DAYS": None}),
    ("and for implications", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (),
                              "NEAR_KEPT_FOR": ("implications",), "HISTORY_DAYS": None}),
    ("and history 365 days", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (),
                              "NEAR_KEPT_FOR": ("implications",), "HISTORY_DAYS": 365}),
    ("and history 90 days", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (),
                             "NEAR_KEPT_FOR": ("implications",), "HISTORY_DAYS": 90}),
    ("and history 30 days", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (),
                             "NEAR_KEPT_FOR": ("implications",), "HISTORY_DAYS": 30}),
    ("and history 14 days", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (),
                             "NEAR_KEPT_FOR": ("implications",), "HISTORY_DAYS": 14}),
    ("and history 7 days", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": (),
                            "NEAR_KEPT_FOR": ("implications",), "HISTORY_DAYS": 7}),
    ("near 5, far 2 or PER/ORG", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": ("PER", "ORG")}),
    ("near 10, far 2 or PER/ORG", {"NEAR_SOURCES": 10, "FAR_TIES": 2, "FAR_ONE_NAME": ("PER", "ORG")}),
    ("near 5, far 2 or PER", {"NEAR_SOURCES": 5, "FAR_TIES": 2, "FAR_ONE_NAME": ("PER",)}),
    ("near 10, far 2 ties", {"NEAR_SOURCES": 10, "FAR_TIES": 2, "FAR_ONE_NAME": ()}),
    ("near 5, far 3 ties", {"NEAR_SOURCES": 5, "FAR_TIES": 3, "FAR_ONE_NAME": ()}),
    ("near 10, far never", {"NEAR_SOURCES": 10, "FAR_TIES": None, "FAR_ONE_NAME": ()}),
    ("shipped (versions of near sources near)", {}),
    *((f"shipped, forecasts lapse: {mode}", {"FORECASTS_LAPSE": mode}) for mode in (None, "history", "any age")),
    *((f"shipped, prose words {n}", {"PROSE_WORDS": n}) for n in (None, 1, 2)),
    ("shipped, two a category", {"PER_CATEGORY": 2}),
    ("shipped, no repeat rule", {"REPEAT_OVERLAP": None}),
    *((f"shipped, {n} story sources", {"STORY_SOURCES": n}) for n in (1, 2, 3, 4, 5, 8)),
    ("shipped, MISC names context", {"SUBJECT_MISC": None}),
    *((f"shipped, MISC subject at {s}", {"SUBJECT_MISC": s}) for s in (1.0, 0.75, 0.5, 0.25)),
]


def reported() -> None:
    """After the choice: the reported half's gva_news queries under the rules before and after, and
    Reuters background's tag precision on its reported half (make eval's figure, in-process) with
    MISC names as context (before session 22) and as subjects (shipped)."""
    gva = Gva("reported")
    with private_redis() as r:
        gva.index(r)
        for name, constants in (*VARIANTS[:2], ("shipped", {})):
            with ExitStack() as stack:
                for constant, value in constants.items():
                    stack.enter_context(rule(_module(constant), constant, value))
                items, own, empty, found, allowed, archived, archived_own = on_story(gva, r)
            print(f"reported half, {name}: {items} items, {own / max(items, 1):.3f} citing the query's incident, "
                  f"{empty} of {len(gva.sample)} queries with none; implications {allowed / max(found, 1):.3f} "
                  f"allowed of {found}, {archived_own / max(archived, 1):.3f} of {archived} from the archive "
                  "citing the query's incident", flush=True)
        r.flushall()
        for name, value in (("MISC names context", None), ("shipped", background.SUBJECT_MISC)):
            with rule(background, "SUBJECT_MISC", value):
                tagged = reuters_background.evaluate(REUTERS, r, gva.model)
            r.flushall()
            print(f"Reuters reported half, {name}: {tagged['system']['items']} background items, tag precision "
                  f"{tagged['system']['tag_precision']:.3f}", flush=True)


def main() -> None:
    if "--reported" in sys.argv:
        reported()
        return
    only = sys.argv[sys.argv.index("--only") + 1].split(";") if "--only" in sys.argv else None
    gva_only = "--gva-only" in sys.argv
    gva = Gva()
    print(f"gva_news: {len(gva.articles)} archive articles; {len(gva.sample)} tuning-half queries")
    print(f"{'rule':>26} {'gva items':>9} {'own incident':>12} {'none':>5} {'Reuters items':>13} "
          f"{'tag precision':>13} {'T17 date F1':>11} {'T17 items':>9} {'T17 worst story - its baseline':>31} "
          f"{'implications allowed':>20} {'from archive, own incident':>26}")
    with private_redis() as r:
        for name, constants in VARIANTS:
            if only and name not in only:
                continue
            with ExitStack() as stack:
                for constant, value in constants.items():
                    stack.enter_context(rule(_module(constant), constant, value))
                gva.index(r)
                items, own, empty, found, allowed, archived, archived_own = on_story(gva, r)
                r.flushall()
                if gva_only:  # a rule of implications only: background's other figures do not move
                    print(f"{name:>26} {items:>9} {own / max(items, 1):>12.3f} {empty:>5} {'':>13} {'':>13} "
                          f"{'':>11} {'':>9} {'':>31} {allowed / max(found, 1):>11.3f} of {found:<5} "
                          f"{archived_own / max(archived, 1):>17.3f} of {archived:<5} ({archived_own} own)",
                          flush=True)
                    continue
                tagged = reuters_background.evaluate(REUTERS, r, gva.model, queries=300, split="tuning")["system"]
                r.flushall()
                t17 = timeline17.evaluate(DATA / "timelines", r, gva.model)
                r.flushall()
            t17_items = sum(t["items"] for t in t17["topics"].values())
            margin = min(t["system"]["date_f1"] - t["baseline"]["date_f1"] for t in t17["topics"].values())
            print(f"{name:>26} {items:>9} {own / max(items, 1):>12.3f} {empty:>5} {tagged['items']:>13} "
                  f"{tagged['tag_precision']:>13.3f} {t17['mean']['system']['date_f1']:>11.3f} {t17_items:>9} "
                  f"{margin:>31.3f} {allowed / max(found, 1):>11.3f} of {found:<5} "
                  f"{archived_own / max(archived, 1):>17.3f} of {archived:<5}", flush=True)


if __name__ == "__main__":
    main()
