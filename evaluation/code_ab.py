"""Another revision's enrichment code beside this checkout's, in one run: on a machine whose speed
moves from one session to the next, the only fair way to tell whether code got slower.

The revision is checked out in a temporary git worktree; each measurement runs in its own process
with that tree's `enrich/` first on the path (the installed model wheels are shared), alternately
the revision and this checkout, ROUNDS times. Each prints:
- prepare p50 (the language analysis and features of an incoming article) and the article-only
  implications p50, over make eval's 40 speed articles (gva_news, 500-700 words);
- archive analysis (enrich/prepare.prepare_archive_docs, batches of 50) in articles/s over the
  first ARCHIVE_ARTICLES gva_news articles;
- names holding a stray mark (a bracket, "@", "/" or a C1 control character) among those articles'
  entities: what an editor should never read as a name.
Run:
    python -m evaluation.code_ab REVISION [--rounds 3] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROUNDS = 3
ARCHIVE_ARTICLES = 300
MODEL = "en_newsroom_ner+encoder"

# Run in a child process, with the tree to measure first on sys.path: argv = tree, data directory.
MEASURE = r'''
import json, re, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
data = Path(sys.argv[2])
from enrich import implications, nlp
from enrich.prepare import prepare_article, prepare_archive_docs
from service.archive_formats import from_gva
model, archive_articles = sys.argv[3], int(sys.argv[4])
speed, archive = [], []
for line in (data / "gva_news" / "articles.jsonl").open(encoding="utf-8"):
    record = json.loads(line)
    article = from_gva(record)
    if article and len(archive) < archive_articles:
        archive.append({**article, "id": str(len(archive))})
    if article and 500 <= len(article["body"].split()) <= 700 and len(speed) < 40:
        speed.append(article)
    if len(speed) == 40 and len(archive) == archive_articles:
        break
nlp.load(model)
prepare_article(speed[0], model)
prepare_ms, implications_ms = [], []
for article in speed:
    t = time.perf_counter()
    prepared = prepare_article(article, model)
    prepare_ms.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    implications.implications_and_key_points(prepared, [], 5, [])
    implications_ms.append((time.perf_counter() - t) * 1000)
t = time.perf_counter()
docs = [d for at in range(0, len(archive), 50) for d in prepare_archive_docs(archive[at:at + 50], model)]
rate = len(archive) / (time.perf_counter() - t)
stray = re.compile(r"[()\[\]@/\x80-\x9f]")
names = [n for d in docs for n in d["names"].values()]
print(json.dumps({"prepare_ms_p50": statistics.median(prepare_ms),
                  "implications_ms_p50": statistics.median(implications_ms),
                  "archive_articles_per_s": rate, "names": len(names),
                  "names_with_stray_marks": sum(bool(stray.search(n)) for n in names)}))
'''


def measure(tree: Path, data: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(tree), str(data.resolve()), MODEL, str(ARCHIVE_ARTICLES)],
                         check=True, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("revision")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as scratch:
        other = Path(scratch) / "tree"
        subprocess.run(["git", "-C", str(here), "worktree", "add", "--detach", "-q", str(other), args.revision],
                       check=True)
        try:
            for round_ in range(1, args.rounds + 1):
                for label, tree in ((args.revision, other), ("this checkout", here)):
                    figures = measure(tree, args.data)
                    print(json.dumps({"round": round_, "code": label,
                                      **{k: round(v, 1) for k, v in figures.items()}}), flush=True)
        finally:
            subprocess.run(["git", "-C", str(here), "worktree", "remove", "--force", str(other)], check=True)


if __name__ == "__main__":
    main()
