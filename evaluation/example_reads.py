"""How the installed consequence model reads the example article (evaluation/example_article.py) and
its archive (demo/afghanistan_archive.jsonl): the article's mix of categories (what
enrich/categories.in_context weighs each sentence by), then for each sentence of the article and of
the archive's 2021 pieces its causal and look-ahead probabilities, its three likeliest categories
read alone, and its categories read in the article's context. A look at one story, not a figure:
nothing is chosen on it. Run:
    python -m evaluation.example_reads
"""

from __future__ import annotations

import json

from enrich import categories, consequence
from evaluation.consequence_choice import EXAMPLE_ARCHIVE, SENTENCE_END
from evaluation.example_article import raw_article


def sentences() -> tuple[list[str], list[str]]:
    """(the article's title and sentences, the sentences of the archive's 2021 pieces)."""
    article = raw_article()
    story = [s for p in [article["title"], *article["body"].split("\n\n")] for s in SENTENCE_END.split(p)]
    pieces = [json.loads(line) for line in EXAMPLE_ARCHIVE.open(encoding="utf-8")]
    return story, [s for p in pieces if p["id"].startswith("afg-2021") for s in SENTENCE_END.split(p["body"])]


def main() -> None:
    story, archive = sentences()
    alone = consequence.about(story)
    mix = {c: sum(p[c] for p in alone) / len(alone) for c in alone[0]}
    print("the article's mix:", json.dumps({c: round(v, 3) for c, v in sorted(mix.items(), key=lambda cv: -cv[1])}))
    for name, texts in (("article", story), ("archive", archive)):
        heads = consequence.read(texts)
        in_story = categories.in_context(texts, story)
        for text, (causal, ahead), own, found in zip(texts, heads, consequence.about(texts), in_story, strict=True):
            top = sorted(own.items(), key=lambda cv: -cv[1])[:3]
            print(json.dumps({"from": name, "causal": round(causal, 2), "ahead": round(ahead, 2),
                              "alone": {c: round(v, 2) for c, v in top},
                              "in_story": {c: round(v, 2) for c, v in found}, "sentence": text[:120]}))


if __name__ == "__main__":
    main()
