"""Choosing which archive sentences may tie to the story in the background, on the gva_news
tuning half only.

    .venv/bin/python -m evaluation.background_choice

gva_news groups its articles by incident: a background item that cites an article of the query's
own incident is about the story for sure; one that cites another incident's may be context (an
earlier shooting at the same motel) or, more often, a sentence that shares a town's name only (a
local news page covers many stories). For the seeded tuning-half queries of
evaluation/archive_terms.py, background runs in-process as the workers run it, once per rule, and
this prints the items, the share citing the query's incident, and the queries left with none: for
the rule the workers use and for looser or stricter source pools (wanted: the fewest sources kept
whatever their closeness, the timeline's limit by default; RELATIVE_FLOOR: store/archive_search.py).
Nothing here is a result: make eval reports the reported half through the API.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from enrich import background
from enrich.prepare import epoch
from evaluation import eval_archive
from evaluation.archive_terms import Gva, private_redis
from store import archive_search


@contextmanager
def rule(module: object, name: str, value: object) -> Iterator[None]:
    before = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, before)


def on_story(gva: Gva, r: object, limit: int = 8, wanted: int | None = None
             ) -> tuple[int, int, int, list[tuple[str, str]]]:
    """Items, items citing the query's own incident, queries with no item; a few off-story items."""
    items = own = empty = 0
    off = []
    for i, p in zip(gva.sample, gva.prepared, strict=True):
        article = gva.articles[i]
        main = background.main_entities(p["entities"])
        weights, sources, story = eval_archive.story_sources(r, p["features"], [e["key"] for e in main],
                                                             epoch(article["published_at"]), article["id"],
                                                             p["title"], limit if wanted is None else wanted)
        timeline = background.timeline(main, sources, weights, limit, story=story)
        empty += not timeline
        for item in timeline:
            items += 1
            cited = item["source"]["archive_id"].split(":", 1)[-1]
            same = gva.incident.get(cited) == gva.incident[article["id"]]
            own += same
            if not same:
                off.append((article["title"], item["text"]))
    return items, own, empty, off


def main() -> None:
    gva = Gva()
    print(f"gva_news: {len(gva.articles)} archive articles; {len(gva.sample)} tuning-half queries")
    with tempfile.TemporaryDirectory() as tmp:
        server, r = private_redis(tmp)
        try:
            gva.index(r)
            variants = [("now", None, {}), ("wanted 0", 0, {}), ("wanted 3", 3, {}),
                        ("floor 0.7", None, {"RELATIVE_FLOOR": 0.7}),
                        ("wanted 0, floor 0.7", 0, {"RELATIVE_FLOOR": 0.7})]
            for name, wanted, constants in variants:
                with ExitStack() as stack:
                    for constant, value in constants.items():
                        stack.enter_context(rule(archive_search, constant, value))
                    items, own, empty, off = on_story(gva, r, wanted=wanted)
                print(f"{name:>22}: {items} items, {own / max(items, 1):.3f} citing the query's incident, "
                      f"{empty} queries with none", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
