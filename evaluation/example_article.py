"""The example an editor was shown (`../shared/example-enriched-article.txt`): its raw article."""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "example-enriched-article.txt"


def raw_article(paragraphs: int = 4) -> dict[str, str]:
    """The example's title and its first paragraphs of article text (its "Also read" boxes out)."""
    lines = [line.strip() for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    body: list[str] = []
    for line in lines[1:]:
        if line.startswith("Also read") and len(body) >= 4:
            break
        if not line.startswith(("Also read", "- ")):
            body.append(line)
    return {"title": lines[0], "body": "\n\n".join(body[:paragraphs]), "published_at": "2021-08-13T09:00:00Z"}
