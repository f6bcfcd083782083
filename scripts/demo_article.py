"""Write the demo request: an unseen Reuters oil story after the imported ones, or the shipped sample."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def from_reuters(path: Path, skip: int) -> dict[str, object]:
    with path.open(encoding="utf-8") as lines:
        for line in islice(lines, skip, None):
            record = json.loads(line)
            if ("crude" in record.get("topics", []) and record.get("title") and record.get("date")
                    and len(record.get("body") or "") > 1200):
                return {"article": {"id": f"demo-reuters-{record['newid']}", "title": record["title"],
                                    "body": record["body"], "published_at": record["date"]}}
    raise SystemExit(f"no suitable demo article in {path}")


def main() -> None:
    archive, fmt, limit, callback, out = sys.argv[1:6]
    if fmt == "reuters":
        request = from_reuters(Path(archive), int(limit))
    else:
        request = json.loads((ROOT / "demo" / "article.json").read_text())
    request["callback_url"] = callback
    Path(out).write_text(json.dumps(request, indent=1))


if __name__ == "__main__":
    main()
