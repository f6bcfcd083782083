"""News articles labelled with IPTC Media Topics by their source: our mapping, written down here.

Nobody tagged these articles with Media Topics; each source says what its articles are about, and
this file maps that to the vocabulary (enrich/media_topics.json):
- Reuters-21578: the editors' TOPICS tags (all economic; `jobs` is labour as well);
- gva_news: every article reports a shooting: crime, law and justice;
- Timeline17: each story, as a whole (egypt, finan, haiti, mj);
- Causal News Corpus: sentences from protest and conflict news;
- CoNLL-2003 (Reuters, 1996): documents whose first line is a sports desk's slug ("SOCCER - ...",
  "TENNIS - ...") are sport, "WEATHER - ..." weather; other documents carry no label and are left out.

The topic classifier (training/topics/train.py) learns from these and `make eval` scores it on them,
split by story: gva by incident, Timeline17 by story (leave one out), Causal News by sub-corpus,
Reuters by article (its articles are independent wire items). Choices are made on the "tuning" half.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.ptb import detokenise

ARTS, CRIME, DISASTER, ECONOMY = "medtop:01000000", "medtop:02000000", "medtop:03000000", "medtop:04000000"
LABOUR, POLITICS, SPORT, CONFLICT, WEATHER = ("medtop:09000000", "medtop:11000000", "medtop:15000000",
                                              "medtop:16000000", "medtop:17000000")

# Second level (children of the topics above).
BUSINESS_INFO, PRODUCTS, ECONOMY_2, MARKETS = ("medtop:20000170", "medtop:20000209", "medtop:20000344",
                                               "medtop:20000385")
LABOUR_MARKET, CRIME_2, DISASTER_2, UNREST = "medtop:20000523", "medtop:20000082", "medtop:20000148", "medtop:20000065"
GOVERNMENT, ARTS_2 = "medtop:20000593", "medtop:20000002"

# Reuters TOPICS tags: company news, macro-economy, money markets; any other tag is a commodity.
REUTERS_BUSINESS = {"earn", "acq"}
REUTERS_MACRO = {"trade", "gnp", "bop", "cpi", "wpi", "ipi", "jobs", "income", "retail", "housing", "lei",
                 "reserves", "instal-debt", "inventories", "cpu"}
REUTERS_MARKETS = {"money-fx", "interest", "dlr", "money-supply", "yen", "stg", "dmk", "austdlr", "nzdlr",
                   "saudriyal", "dfl", "rand", "lit", "nkr", "sfr", "peseta", "ringgit", "rupiah", "skr",
                   "dkr", "cruzado", "bfr", "hk", "can"}

# Reuters' sports desk slugs in CoNLL-2003 (the first line's words before " - ").
SPORT_SLUGS = {"soccer", "cricket", "baseball", "tennis", "cycling", "golf", "athletics", "rugby union", "rallying",
               "rugby league", "motor racing", "basketball", "horse racing", "badminton", "motorcycling", "squash",
               "motocross", "swimming", "ice hockey", "rowing", "hockey", "australian rules", "boxing", "skiing",
               "sailing", "judo", "yachting", "nfl", "nba", "nhl", "american football", "speedway", "triathlon",
               "handball", "volleyball", "equestrianism", "alpine skiing", "formula one", "olympics", "ski jumping"}

STORIES: dict[str, tuple[set[str], set[str]]] = {  # Timeline17: (top level, second level)
    "egypt": ({POLITICS, CONFLICT}, {UNREST, GOVERNMENT}),
    "finan": ({ECONOMY}, {ECONOMY_2, MARKETS}),
    "haiti": ({DISASTER}, {DISASTER_2}),
    "mj": ({ARTS, CRIME}, {ARTS_2, "medtop:20000106"}),  # the singer's death and the trial (judiciary)
}


@dataclass
class Labelled:
    id: str
    source: str
    group: str  # the unit a split keeps whole: an incident, a story, a sub-corpus, an article
    title: str
    text: str
    top: set[str]
    second: set[str] = field(default_factory=set)


def half(group: str) -> str:
    """'tuning' or 'reported', by a fixed hash of the group (as gva_also_read.half)."""
    return "tuning" if hashlib.sha1(group.encode()).digest()[0] % 2 == 0 else "reported"


def _jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def reuters_second(tags: list[str]) -> set[str]:
    out = set()
    for tag in tags:
        out.add(BUSINESS_INFO if tag in REUTERS_BUSINESS else ECONOMY_2 if tag in REUTERS_MACRO
                else MARKETS if tag in REUTERS_MARKETS else PRODUCTS)
        if tag == "jobs":
            out.add(LABOUR_MARKET)
    return out


def reuters(data: Path) -> list[Labelled]:
    out = []
    for r in _jsonl(data / "reuters21578" / "articles.jsonl"):
        if r.get("topics") and r.get("title") and (r.get("body") or "").strip():
            top = {ECONOMY} | ({LABOUR} if "jobs" in r["topics"] else set())
            out.append(Labelled(f"reuters-{r['newid']}", "reuters", f"reuters-{r['newid']}", r["title"].strip(),
                                r["body"], top, reuters_second(r["topics"])))
    return out


def gva(data: Path) -> list[Labelled]:
    return [Labelled(f"gva-{r['id']}", "gva", f"gva-{r['incident_id']}", (r.get("title") or "").strip(),
                     r["text"], {CRIME}, {CRIME_2})
            for r in _jsonl(data / "gva_news" / "articles.jsonl")
            if len((r.get("text") or "").split()) >= 50 and (r.get("title") or "").strip()]


def timeline17(data: Path) -> list[Labelled]:
    out = []
    for r in _jsonl(data / "timelines" / "t17_articles.jsonl"):
        sentences = [detokenise(s) for s in r["text"].split("\n") if s.strip()]
        if len(sentences) >= 3 and r["topic"] in STORIES:
            top, second = STORIES[r["topic"]]
            out.append(Labelled(f"t17-{r['topic']}-{r['article_index']}", "timeline17", f"t17-{r['topic']}",
                                sentences[0][:300], " ".join(sentences[1:]), set(top), set(second)))
    return out


def causal_news(data: Path) -> list[Labelled]:
    """Single sentences: the first becomes the 'title' of nothing; they train and score as short texts."""
    return [Labelled(f"cnc-{r['id']}", "causal_news", "cnc-" + r["id"].rsplit("_", 2)[0], "", r["text"],
                     {CONFLICT}, {UNREST})
            for r in _jsonl(data / "causal_news" / "sentences.jsonl") if len(r["text"].split()) >= 8]


def conll(data: Path) -> list[Labelled]:
    from evaluation.conll_ner import read_conll

    out = []
    for split in ("train", "valid"):
        for n, sentences in enumerate(read_conll(data / "conll2003" / f"{split}.txt")):
            lines = [" ".join(token for token, _ in s) for s in sentences]
            slug = lines[0].split(" - ")[0].strip().lower() if " - " in lines[0] else ""
            top = {SPORT} if slug in SPORT_SLUGS else {WEATHER} if slug == "weather" else set()
            if top and len(lines) >= 3:
                out.append(Labelled(f"conll-{split}-{n}", "conll", f"conll-{split}-{n}", lines[0],
                                    "\n".join(lines[1:]), top))
    return out


def everything(data: Path) -> list[Labelled]:
    return [*reuters(data), *gva(data), *timeline17(data), *causal_news(data), *conll(data)]
