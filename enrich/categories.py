"""What a sentence is about: strategic/security, political, humanitarian, economic, legal, health,
environment, or none of these.

Read by the consequence model's category head (enrich/consequence.py: the same pass over a sentence
as its causal and look-ahead heads): a logistic regression over the encoder's sentence vector,
fitted to the labels a zero-shot embedding classifier (all-MiniLM-L6-v2 against written descriptions
of each category) gave news sentences of the training stories (training/categories/). It reads what
a sentence means, not which words it has: "could take the capital within 90 days" is about the war
though no word of it is a soldier's. Before December 2026 a regression over word stems did this
(evaluation/stem_categories.py, kept as the baseline).
"""

from __future__ import annotations

from collections.abc import Callable

from enrich import consequence

LABELS: dict[str, str] = {
    "security": "Strategic / security",
    "political": "Political / diplomatic",
    "humanitarian": "Humanitarian",
    "economic": "Economic / markets",
    "legal": "Legal",
    "health": "Health",
    "environment": "Environment",
}
OTHER = "other"  # none of the categories: sport, culture, daily life
Reader = Callable[[list[str]], list[dict[str, float]]]


FLOOR = 0.5  # a category at least this probable; above the word lists' precision (docs/evaluation.md)
# How much the story's own mix of categories weighs on each sentence's. Chosen on choice stories only
# (python -m evaluation.implication_reads story-weight: 240 long Reuters and gva_news articles outside
# every reported split, and the Causal News choice stories), by the rule the read quota was chosen by,
# the most items in an allowed category per article (ties: the higher share): 1.25 gave 1.887 a
# long article (share 0.828, evidence precision 0.872), 1.0 1.887 (0.822), 0.5 before 1.879 (0.798),
# 0 1.879 (0.774), 2.0 1.863 (0.845), 3.0 1.808 (0.851).
STORY_WEIGHT = 1.25
# A category is served only where the story is about it: its mass over the story's sentences at least
# this share of the story's main category's (a war story's one market sentence gives no economic item).
# Chosen on the same choice stories (python -m evaluation.implication_reads story-share) as the
# loosest share whose items reach the goal's 0.85 in an allowed category with evidence precision
# still >= 0.85: 0.4 gave a share of 0.852 (2.34 items a long article, 1.99 allowed; CNC evidence
# precision 0.852 of 210); 0 (no gate, before) 0.812 (2.58, 2.09; 0.859 of 234); 0.3 0.840; 0.5 0.862
# but evidence precision 0.846; 1.0 (the main category only) 0.889 (1.80, 1.60).
STORY_SHARE = 0.4


def _above(p: dict[str, float], floor: float) -> list[tuple[str, float]]:
    if max(p, key=p.__getitem__) == OTHER:
        return []
    return sorted(((c, v) for c, v in p.items() if c != OTHER and v >= floor), key=lambda cv: -cv[1])


def categories(sentence: str, floor: float = FLOOR, read: Reader = consequence.about) -> list[tuple[str, float]]:
    """The sentence's categories with probability at least `floor`, most probable first; empty when
    the sentence is about none of them (`other` is the most probable class)."""
    return _above(read([sentence])[0], floor)


def in_context(sentences: list[str], story: list[str], floor: float = FLOOR,
               read: Reader = consequence.about) -> list[list[tuple[str, float]]]:
    """Each sentence's categories read in its story: its own probabilities times the story's (the
    mean over the story's sentences) to the power STORY_WEIGHT, renormalised. "The first major city
    to fall to the Taliban" alone reads as markets ("fall"); in a story of fighting it does not.
    Only the categories the story is about (STORY_SHARE) are kept."""
    texts = list(dict.fromkeys([*sentences, *story]))  # the story's sentences are often among them
    probabilities = dict(zip(texts, read(texts), strict=True))
    if not story:
        return [_above(probabilities[s], floor) for s in sentences]
    prior = {c: sum(probabilities[s][c] for s in story) / len(story) for c in [*LABELS, OTHER]}
    main = max(v for c, v in prior.items() if c != OTHER)
    served = {c for c, v in prior.items() if c != OTHER and v >= STORY_SHARE * main}
    out = []
    for sentence in sentences:
        p = probabilities[sentence]
        weighed = {c: p[c] * prior[c] ** STORY_WEIGHT for c in p}
        total = sum(weighed.values())
        out.append([(c, v) for c, v in _above({c: v / total for c, v in weighed.items()}, floor) if c in served])
    return out
