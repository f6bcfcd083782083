"""Editors' controls over what the archive may contribute (request `options`): exclusions, a
recency window, a score floor, preferred sections and tags. Pure functions over archive documents
({"id", "published_at", "section", "tags", ...}) and the options as the request schema loads them."""

from __future__ import annotations

from typing import Any

PREFERRED = 1.25
DAY = 86400.0


def _section_or_tag(doc: dict[str, Any], rule: dict[str, Any]) -> bool:
    """The article is in one of the rule's sections or carries one of its tags."""
    return (doc.get("section") or "") in rule.get("sections", ()) or not set(
        rule.get("tags", ())).isdisjoint(doc.get("tags") or ())


def excluded(doc: dict[str, Any], options: dict[str, Any]) -> bool:
    """The editor ruled this article out: its id, its section or one of its tags."""
    rule = options.get("exclude") or {}
    return doc.get("id") in rule.get("ids", ()) or _section_or_tag(doc, rule)


def in_window(published: float, options: dict[str, Any], as_of: float) -> bool:
    """Published (epoch) inside the link window (`also_read.since`, `also_read.max_age_days`)."""
    rule = options.get("also_read") or {}
    if "since" in rule and published < rule["since"]:
        return False
    return not ("max_age_days" in rule and as_of - published > rule["max_age_days"] * DAY)


def preference(doc: dict[str, Any], options: dict[str, Any]) -> float:
    """A multiplier for links in a preferred section or with a preferred tag."""
    return PREFERRED if _section_or_tag(doc, options.get("prefer") or {}) else 1.0


def floor(best: float, options: dict[str, Any]) -> float:
    """The lowest link score kept: `also_read.min_score`, or `min_share_of_best` of the best."""
    rule = options.get("also_read") or {}
    return max(rule.get("min_score", 0.0), rule.get("min_share_of_best", 0.0) * best)
