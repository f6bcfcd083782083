"""Implications: what the story means, one item per category that has evidence.

Candidates are the article's sentences and the archive sentences that background chose. A trained
classifier (enrich/categories.py) says what each is about, if anything; another
(enrich/consequence.py) keeps those that state a consequence; each becomes a short
statement with its attribution (enrich/statements.py), built only from its evidence sentence, which
it cites. No two items share evidence or text; a category without a consequence is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from enrich import categories, consequence, key_points
from enrich.statements import statement

THRESHOLD = 0.5  # the classifier's probability above which a sentence states a consequence
ARCHIVE_WEIGHT = 0.9  # an archive sentence's confidence: it speaks of the story, not of this article
MIN_CHARS, MAX_CHARS = 30, 600
ARTICLE_READS, ARCHIVE_READS = 3, 2  # per category: the sentences most about it that the classifier reads
# A consequence still to come (a forecast, plan, risk or warning) is what "implications" asks for;
# among the classifier's sentences these rank first (by a quarter), ahead of effects already reported.
LOOKS_AHEAD = re.compile(r"\b(will|would|could|may|might|expect\w*|plan\w*|warn\w*|threat\w*|risk\w*|"
                         r"likely|forecast\w*|predict\w*|fear\w*|intend\w*|aim\w*|seek\w*)\b", re.IGNORECASE)
AHEAD_BONUS = 1.25


def candidates(text: str, sentences: list[list[int]],
               archive: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evidence candidates: article sentences, then archive sentences ({archive_id, span, text})."""
    out = [{"source": "article", "span": [s, e], "text": text[s:e]} for s, e in sentences
           if MIN_CHARS <= e - s <= MAX_CHARS]
    out += [{"source": a["archive_id"], "span": list(a["span"]), "text": a["text"]} for a in archive
            if MIN_CHARS <= len(a["text"]) <= MAX_CHARS]
    return out


def most_about_each_category(pool: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[tuple[str, float]]]]:
    """The candidates the consequence classifier reads, with their categories (read in the article's
    context: enrich/categories.in_context), in pool order: for
    each category the ARTICLE_READS article sentences and ARCHIVE_READS archive sentences most about
    it (a sentence about none can never become an item; the cap keeps the classifier's time flat)."""
    story = [c["text"] for c in pool if c["source"] == "article"]
    about = [(c, cats) for c, cats in zip(pool, categories.in_context([c["text"] for c in pool], story), strict=True)
             if cats]
    keep: set[int] = set()
    for category in categories.LABELS:
        for from_article, reads in ((True, ARTICLE_READS), (False, ARCHIVE_READS)):
            ranked = sorted((-p, i) for i, (c, cats) in enumerate(about)
                            for cat, p in cats if cat == category and (c["source"] == "article") == from_article)
            keep.update(i for _, i in ranked[:reads])
    return [about[i] for i in sorted(keep)]


def _precedent(item: dict[str, Any], choices: list[tuple[float, str, int]], found: list[Any],
               dates: dict[tuple[str, int, int], str], used: set[int]) -> dict[str, Any] | None:
    """The strongest unused archive consequence of the item's category, dated: what followed a
    like event before (background's sentences are about the story's main entities, dated)."""
    for _, category, index in choices:
        evidence = found[index][0]
        key = (evidence["source"], *evidence["span"])
        if category == item["category"] and index not in used and key in dates:
            used.add(index)
            return {"date": dates[key], "text": statement(evidence["text"]), "evidence": [evidence]}
    return None


def implications(text: str, sentences: list[list[int]], limit: int,
                 archive: list[dict[str, Any]] | None = None,
                 score: Callable[[list[str]], list[float]] = consequence.scores) -> list[dict[str, Any]]:
    """One item per evidenced category, strongest first; each evidence sentence used once. An item
    drawn from the article gets a `precedent` when a dated archive sentence (`archive` items with a
    `date`) states a consequence of the same kind. `score` gives each sentence's probability of
    stating a consequence (the trained classifier)."""
    found = most_about_each_category(candidates(text, sentences, archive or []))
    probabilities = score([c["text"] for c, _ in found])
    choices = []  # (strength, category, candidate index)
    for index, ((candidate, about), p) in enumerate(zip(found, probabilities, strict=True)):
        if p < THRESHOLD:
            continue
        weight = p * (1.0 if candidate["source"] == "article" else ARCHIVE_WEIGHT)
        for category, p_category in about:
            choices.append((weight * (0.5 + 0.5 * p_category), category, index))
    # The article's own consequences first; the archive's fill categories the article leaves empty
    # (and serve as precedents).
    ahead = [AHEAD_BONUS if LOOKS_AHEAD.search(c["text"]) else 1.0 for c, _ in found]
    choices.sort(key=lambda c: (found[c[2]][0]["source"] != "article", -c[0] * ahead[c[2]], c[1], c[2]))
    items, used, said, covered = [], set(), set(), set()
    for strength, category, index in choices:
        if category in covered or index in used:
            continue
        evidence = found[index][0]
        claim = statement(evidence["text"])
        if claim.lower() in said:
            continue
        used.add(index)
        said.add(claim.lower())
        covered.add(category)
        items.append({"category": category, "label": categories.LABELS[category], "text": claim,
                      "confidence": round(strength, 2), "evidence": [evidence]})
    items = items[:limit]
    dates = {(a["archive_id"], *a["span"]): a["date"] for a in archive or [] if a.get("date")}
    for item in items:
        if item["evidence"][0]["source"] == "article":
            precedent = _precedent(item, choices, found, dates, used)
            if precedent:
                item["precedent"] = precedent
    return items


def implications_and_key_points(prepared: dict[str, Any], background: list[dict[str, Any]],
                                limit: int) -> dict[str, Any]:
    """The stage's output: implications from the article and the background's archive sentences,
    and key points that never repeat an implication's evidence."""
    text, sentences = prepared["text"], prepared["sentences"]
    archive = [{"archive_id": b["source"]["archive_id"], "span": b["source"]["span"], "text": b["text"],
                "date": b["date"]} for b in background]
    items = implications(text, sentences, limit, archive)
    taken = frozenset(tuple(e["span"]) for i in items for e in i["evidence"] if e["source"] == "article")
    return {"implications": items,
            "key_points": key_points.key_points(text, sentences, prepared["entities"], prepared["terms"],
                                                taken=taken)}
