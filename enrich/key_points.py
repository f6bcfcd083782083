"""Key points: the sentences that best summarise the article, lead-aware and extractive."""

from __future__ import annotations

from typing import Any

from enrich.nlp import STEM

MIN_CHARS = 30


def key_points(text: str, sentences: list[list[int]], entities: list[dict[str, Any]],
               terms: dict[str, int], count: int = 4,
               taken: frozenset[tuple[int, int]] = frozenset()) -> list[dict[str, Any]]:
    """Pick up to `count` sentences by entity salience, term weight and position, in text order;
    never a sentence in `taken` (the implications' evidence: a key point does not repeat one)."""
    salience_at: list[tuple[int, float]] = [
        (start, e["salience"]) for e in entities for start, _ in e["mentions"]]
    scored = []
    for position, (start, end) in enumerate(sentences):
        sentence = text[start:end]
        if len(sentence) < MIN_CHARS or (start, end) in taken:
            continue
        entity_score = sum(s for at, s in salience_at if start <= at < end)
        words = STEM.stemWords([w.strip(".,;:\"'()").lower() for w in sentence.split()])
        term_score = sum(terms.get(w, 0) for w in words) / max(len(words), 1)
        lead_bonus = 1.0 / (1 + position)
        scored.append((entity_score + term_score + 2 * lead_bonus, start, end))
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:count]
    return [{"text": " ".join(text[s:e].split()), "span": [s, e]} for _, s, e in sorted(best, key=lambda b: b[1])]
