"""Implications: sentences of the article that carry consequence, grouped by the desk's categories.

Every statement is a sentence of the article itself and cites it, so nothing is asserted that
the evidence does not contain. A category without evidence is left out.
"""

from __future__ import annotations

import re
from typing import Any

CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "security": ("Strategic / security", (
        "military", "troops", "attack", "offensive", "army", "weapon", "missile", "security",
        "militant", "insurgent", "shooting", "shot", "gunman", "police", "killed", "war", "border",
        "defence", "defense", "strategic", "control", "seized", "captured")),
    "political": ("Political / diplomatic", (
        "government", "minister", "president", "election", "parliament", "congress", "senate",
        "talks", "diplomatic", "treaty", "sanction", "policy", "vote", "opposition", "cabinet",
        "negotiation", "truce", "ceasefire", "lawmakers", "mayor", "governor")),
    "humanitarian": ("Humanitarian", (
        "civilian", "refugee", "displaced", "aid", "humanitarian", "famine", "casualties",
        "victims", "injured", "wounded", "homeless", "evacuated", "rights", "shelter")),
    "economic": ("Economic / markets", (
        "economy", "economic", "market", "price", "prices", "trade", "export", "import", "oil",
        "inflation", "growth", "investment", "shares", "stock", "tariff", "debt", "budget",
        "revenue", "profit", "output", "production", "currency", "dollar", "bank", "rates")),
    "legal": ("Legal", (
        "court", "judge", "lawsuit", "charged", "charges", "trial", "prosecutor", "arrested",
        "indicted", "sentenced", "law", "legal", "ruling", "appeal", "investigation")),
    "health": ("Health", (
        "hospital", "health", "disease", "virus", "outbreak", "vaccine", "medical", "patients",
        "doctors", "epidemic")),
    "environment": ("Environment", (
        "climate", "drought", "flood", "emissions", "pollution", "environment", "environmental",
        "weather", "rainfall", "wildfire", "crop", "harvest")),
}
CONSEQUENCE = re.compile(
    r"\b(will|would|could|may|might|expected|expects|threat|threaten\w*|risk\w*|warn\w*|fear\w*|"
    r"lead to|result in|impact\w*|affect\w*|consequence\w*|likely|plan\w*|pressure|"
    r"forc\w+|cut\w*|rais\w+|boost\w*|halt\w*|disrupt\w*|crisis)\b", re.IGNORECASE)
WORD = re.compile(r"[a-z]+")
MAX_PER_CATEGORY = 2


def classify(sentence: str) -> list[tuple[str, int]]:
    """Categories whose vocabulary the sentence uses, with how many of its words matched."""
    words = set(WORD.findall(sentence.lower()))
    hits = [(cat, len(words.intersection(vocab))) for cat, (_, vocab) in CATEGORIES.items()]
    return [(cat, n) for cat, n in hits if n]


def implications(text: str, sentences: list[list[int]], limit: int) -> list[dict[str, Any]]:
    """One item per evidenced category (strongest first), each a cited sentence of the article."""
    by_category: dict[str, list[tuple[float, int, int]]] = {}
    for start, end in sentences:
        sentence = text[start:end]
        cues = len(CONSEQUENCE.findall(sentence))
        for category, hits in classify(sentence):
            confidence = min(0.95, 0.3 + 0.15 * hits + 0.2 * min(cues, 2))
            by_category.setdefault(category, []).append((confidence, start, end))
    items = []
    for category, found in by_category.items():
        found.sort(key=lambda f: (-f[0], f[1]))
        best = found[:MAX_PER_CATEGORY]
        confidence, start, end = best[0]
        items.append({
            "category": category,
            "label": CATEGORIES[category][0],
            "text": " ".join(text[start:end].split()),
            "confidence": round(confidence, 2),
            "evidence": [{"source": "article", "span": [s, e], "text": text[s:e]} for _, s, e in best],
        })
    items.sort(key=lambda item: (-item["confidence"], item["category"]))
    return items[:limit]
