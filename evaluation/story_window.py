"""Choosing how near a sentence that names the story a source's sentence must be for implications
to read it (enrich/background.STORY_WINDOW), on the gva_news tuning half only.

    .venv/bin/python -m evaluation.story_window [--windows none,0,1,2,3,5]

The gva_news archive is indexed into a private Redis (evaluation/archive_terms.py) and, for the
same seeded tuning-half queries, background and implications run in-process as the workers run
them, once per window: the share of implication items in a category the domain allows (security
or legal), and their number. A local news page covers several stories; a sentence far from every
mention of this one is most likely about another. Nothing here is a result: make eval reports
the other half, through the API.
"""

from __future__ import annotations

import argparse

from evaluation.archive_terms import Gva, private_redis


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--windows", default="none,0,1,2,3,5", help="windows to try (comma-separated; none: every sentence)")
    windows = [None if w == "none" else int(w) for w in p.parse_args().windows.split(",")]
    gva = Gva()
    print(f"gva_news: {len(gva.articles)} archive articles; {len(gva.sample)} tuning-half queries")
    with private_redis() as r:
        gva.index(r)
        for window in windows:
            allowed, items = gva.implications_allowed(r, window)
            print(f"window {window!s:>4}: {allowed:.3f} of {items} implication items in an allowed category",
                  flush=True)


if __name__ == "__main__":
    main()
