"""Render the enriched article as Markdown and sanitised HTML, like an editor's page."""

from __future__ import annotations

import re
from typing import Any

import cmarkgfm
import nh3

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def escape(text: str) -> str:
    """Escape Markdown syntax so article text stays text."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _link(title: str, url: str | None) -> str:
    return f"[{escape(title)}]({url})" if url else f"*{escape(title)}*"


def markdown(doc: dict[str, Any]) -> str:
    """The body with "Also read" blocks in place, then Background and Implications."""
    article = doc["article"]
    links_after: dict[int, list[dict[str, Any]]] = {}
    for link in doc["also_read"]:
        links_after.setdefault(link["insert_after_paragraph"], []).append(link)
    lines = [f"# {escape(article['title'])}", ""]
    for index, para in enumerate(article["paragraphs"]):
        lines += [escape(para["text"]), ""]
        if index in links_after:
            lines.append("> **Also read:**")
            lines += [f"> - {_link(link['title'], link['url'])}" for link in links_after[index]]
            lines.append("")
    if doc["background"]:
        lines += ["## Background", ""]
        for item in doc["background"]:
            source = item["source"]
            lines.append(f"- **{readable_date(item['date'])}**: {escape(item['text'])} "
                         f"(source: {_link(source['title'], source['url'])})")
        lines.append("")
    if doc["implications"]:
        lines += ["## Implications", ""]
        for item in doc["implications"]:
            lines.append(f"- **{escape(item['label'])}**: {escape(item['text'])}")
            if item.get("precedent"):
                before = item["precedent"]
                lines.append(f"  - Before, {readable_date(before['date'])}: {escape(before['text'])}")
        lines.append("")
    if doc.get("topics"):
        lines += ["_Topics: " + ", ".join(escape(t["name"]) for t in doc["topics"] if t["level"] == 1) + "_", ""]
    if doc["key_points"]:
        lines += ["## Key points", ""]
        lines += [f"- {escape(point['text'])}" for point in doc["key_points"]]
        lines.append("")
    return "\n".join(lines)


def html(markdown_text: str) -> str:
    """Markdown to HTML (CommonMark, in C; raw HTML is omitted), then sanitised: no scripts, no
    handlers, only http(s) links."""
    rendered = cmarkgfm.markdown_to_html(markdown_text)
    return nh3.clean(rendered, url_schemes={"http", "https"})


MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
SEASON_NAMES = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}


def readable_date(value: str) -> str:
    """A TIMEX value as an editor writes it: 7 August 1998, August 1998, Q3 1998, summer 1998."""
    parts = value.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2])} {MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2 and parts[1].isdigit():
        return f"{MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2 and parts[1].startswith("Q"):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 2 and parts[1] in SEASON_NAMES:
        return f"{SEASON_NAMES[parts[1]]} {parts[0]}"
    return value
