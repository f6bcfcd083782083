"""Background as the story's timeline: dated, cited sentences from the archive articles about the
story, one or two for each of its most important dates.

1. Candidates: sentences of the story's sources (store/archive_search.py `story_sources`) that
   name one of the article's main entities (a source's first such sentence weighs more).
2. Each is dated by the event it reports (enrich/timex.py), at the granularity the text gives.
3. Dates are ranked by a model learned from journalists' timelines (enrich/date_ranker.py): how
   much of the story's coverage falls on or just after a date, how many sources write or refer
   back to it, its granularity.
4. For each chosen date, the sentence that best states what happened: most about the story's
   main entities, in a source most about the story, a lead sentence preferred. At most
   PER_SOURCE items per source article, and no near-duplicate sentences.
Versions of one archive story (enrich/versions.py) count as one source: the earliest is cited.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from enrich import date_ranker, timex, versions

MAIN_ENTITIES = 4
# A MISC name at least this salient in the article (enrich/nlp.py: its mentions' weight against the
# most mentioned name's) is one of its subjects too; None: MISC names are context only (until session
# 22). CoNLL-2003, which the name tagger follows, types a movement or armed group as MISC ("Taleban"),
# so the example article's Taliban (its most named name) was no subject, and its latest coverage
# (store/archive_search._latest) was looked up by Kandahar alone. Chosen on tuning data (python -m
# evaluation.background_choice, "MISC subject" rows) as the threshold with the highest Reuters tag
# precision, with gva_news's own-incident share, its implication figures and Timeline17's mean date
# F1 no lower: None (before) 1,381 Reuters items, tag precision 0.810, gva_news 354 items 0.316 own
# incident, T17 0.603; 1.0 1,488, 0.815; 0.5 1,519, 0.829, T17 0.609; 0.25 1,550, 0.832, gva 353
# 0.323; 0 1,551, 0.834, gva 353 0.323, T17 0.609 (implications 0.979 allowed of 485 at every value).
# At 0 a MISC name is a subject as any other, by its salience.
SUBJECT_MISC: float | None = 0.0
MIN_CHARS, MAX_CHARS = 40, 400
PER_SOURCE = 2
NEAR_DUPLICATE = 0.6  # share of words two sentences may have in common
LEAD_BONUS = 0.5
STORY_ENTITY = 0.5  # a story's entity that the article does not name weighs at most half a main one
WORDS = re.compile(r"[a-z0-9]+")


@dataclass
class Story:
    """What the archive says of the story beyond the article: names too common to tie a sentence
    to it alone ("U.S."), the story's own entities that the article may not name (a side
    story's background is its story's: key -> weight, 0 to 1), and the archive articles nearest
    the article itself as also-read scores them (None: not looked up, every source is near)."""

    common: set[str] = field(default_factory=set)
    entities: dict[str, float] = field(default_factory=dict)
    near: set[str] | None = None


# A source among the article's NEAR_SOURCES nearest archive articles may give background sentences
# that name the story once; any other source only sentences naming at least FAR_TIES of its names
# (or one of FAR_ONE_NAME's types: a variant tried, not shipped). A local news archive's story pool
# holds every shooting in the town: there, a sentence that shares only the town's name is another
# incident's. Chosen on tuning data (python -m evaluation.background_choice): the highest share of
# gva_news items citing the article's own incident among rules costing Timeline17's mean date F1
# at most 0.1. No gate: 0.221 of 524 items (Reuters tuning tag precision 0.754, T17 F1 0.678);
# near 5, far 2 ties: 0.316 of 354 (0.809, 0.604); near 5, far 2 or a person: 0.309 of 363 (0.806,
# 0.642); near 5, far 2 or a person or organisation: 0.280 of 407 (0.744, 0.678); near 10, far 2:
# 0.263 of 441 (0.793, 0.595); near 5, far 3: 0.377 of 302 (0.817, 0.468). The nearest are found
# among the story's sources (store/archive_search.py); a separate also-read look-up gave 0.338
# (0.829, 0.610) at the cost of a second look-up per article.
NEAR_SOURCES = 5
FAR_TIES: int | None = 2
FAR_ONE_NAME: tuple[str, ...] = ()  # or a far sentence naming one name of these types
# The article's nearest sources (Story.near) are read by what this names even where they cover too
# little of the story to be kept otherwise (store/archive_search.RELATIVE_FLOOR), flagged `near_only`:
# "implications" (story_sentences reads them first: the story's nearest coverage says what may follow)
# and "background" (its timeline). Chosen on tuning data (python -m evaluation.background_choice):
# for both, the timeline's figures fall (gva_news 354 -> 371 items, own-incident share 0.316 -> 0.307;
# Reuters tag precision 0.810 -> 0.806; Timeline17 unchanged); for implications only, the timeline's
# are unchanged and the implication items' are level or better (allowed 0.973 of 338 -> 335;
# archive items citing the query's own incident 0.236 of 55 -> 0.250 of 52).
NEAR_KEPT_FOR: tuple[str, ...] = ("implications",)


@dataclass
class Candidate:
    doc_id: str
    start: int
    end: int
    text: str
    about: list[str]
    when: str
    how: str
    weight: float


DateRanker = Callable[[list[Candidate], dict[str, dict[str, Any]]], list[str]]


ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")


def typed_variants(key: str) -> list[str]:
    """An entity key under every type ("ORG:taliban", "MISC:taliban", ...): the name tagger may type
    a name one way in the article and another in an archive article, and the story follows the name."""
    name = key.split(":", 1)[-1]
    return [f"{kind}:{name}" for kind in ENTITY_TYPES]


def main_entities(entities: list[dict[str, Any]], count: int = MAIN_ENTITIES) -> list[dict[str, Any]]:
    """The most salient people, organisations and places, and MISC names as salient as SUBJECT_MISC
    (other MISC names are context, not subjects)."""
    return [e for e in entities if e["type"] in {"PER", "ORG", "LOC"}
            or (SUBJECT_MISC is not None and e["type"] == "MISC" and e["salience"] >= SUBJECT_MISC)][:count]


def _primary(entities: list[dict[str, Any]], keys: Iterable[str]) -> dict[str, str]:
    """Which of `keys` (the story's names) a source's entity key stands for, where it is not one of
    them itself: an alias ("Shell" -> "Shell Oil") or the same name typed otherwise ("MISC:taliban"
    in a source -> the article's "ORG:taliban")."""
    keys = set(keys)
    primary = {alias: e["key"] for e in entities for alias in e.get("aliases", ())}
    for key in sorted(keys):
        for variant in typed_variants(key):
            if variant not in keys:
                primary.setdefault(variant, key)
    return primary


def candidates(entities: list[dict[str, Any]], sources: dict[str, dict[str, Any]],
               weights: dict[str, float], story: Story | None = None) -> list[Candidate]:
    """Dated sentences of the sources that name a main entity or one of the story's own, not only
    common ones (names so frequent in the archive that they tie a sentence to no story in
    particular: "U.S."); of a source not near the article (Story.near), only those naming
    FAR_TIES of them."""
    story = story or Story()
    common = story.common
    top_idf = max((weights.get("e:" + e["key"], 0.0) for e in entities), default=1.0) or 1.0
    weight_of = {key: share * STORY_ENTITY for key, share in story.entities.items()}
    weight_of.update({e["key"]: e["salience"] * weights.get("e:" + e["key"], 0.0) / top_idf for e in entities})
    primary = _primary(entities, weight_of.keys())
    found = []
    for doc_id, doc in sources.items():
        published = date.fromisoformat(doc["published_at"][:10])
        near = story.near is None or doc_id in story.near or bool(doc.get("near"))  # a version of a near one
        for index, sentence in enumerate(doc["sentences"]):
            start, end, keys = sentence[:3]
            about = list(dict.fromkeys(primary.get(k, k) for k in keys if primary.get(k, k) in weight_of))
            if not about or all(k in common for k in about) or not MIN_CHARS <= end - start <= MAX_CHARS:
                continue
            if not near and (FAR_TIES is None or len(about) < FAR_TIES) \
                    and not any(k.split(":", 1)[0] in FAR_ONE_NAME for k in about):
                continue
            text = doc["text"][start:end]
            # Dated when indexed (enrich/prepare.py); an article indexed before that is dated now.
            when, how = (str(sentence[3]), str(sentence[4])) if len(sentence) >= 5 else timex.dated(text, published)
            weight = (sum(weight_of[k] for k in about) + (LEAD_BONUS if index == 0 else 0.0)) \
                * (0.5 + doc.get("similarity", 0.0))
            found.append(Candidate(doc_id, start, end, text, about, when, how, weight))
    return found


# The story's sources whose sentences implications may read (the nearest coverage, then the closest).
# Six until session 21. Chosen on the gva_news tuning half (python -m evaluation.background_choice
# --gva-only, the "story sources" rows), by the rule HISTORY_DAYS was chosen by: the fewest sources
# that lose none of the archive items citing the query's own incident, with the share of items in an
# allowed category within 0.01. Archive items (own incident): 6 sources 125 (57), 5 114 (56), 4 108
# (57), 3 99 (57), 2 91 (56), 1 82 (55), 8 140 (58); allowed share 0.980 at 6, 0.979 at 3. Once a
# category could hold five items (implications.PER_CATEGORY), more of them came from other incidents'
# pages (68 at 6 sources against 31 at two a category).
STORY_SOURCES = 3
# And of those, the sentences at most this many sentences from one that names the story. Chosen on
# the gva_news tuning half (python -m evaluation.story_window) by the rule the consequence thresholds
# were chosen by: the most implication items in an allowed category among windows whose share of
# them is at least 0.85. Every sentence: 0.845 of 490; windows 0, 1, 2, 3, 5: 0.893 of 391, 0.882
# of 400, 0.884 of 405, 0.884 of 406, 0.878 of 411.
STORY_WINDOW: int | None = 5


def story_sentences(sources: dict[str, dict[str, Any]], entities: list[dict[str, Any]] | None = None,
                    story: Story | None = None, count: int | None = None,
                    window: int | None = STORY_WINDOW) -> list[dict[str, Any]]:
    """The sentences of the story's `count` closest sources and of its latest coverage (sources
    flagged `latest`, as are their sentences) that lie within `window` sentences of one naming the
    story (one of the main `entities` or the story's own, not only common names), cited
    ({archive_id, span, text}): what implications read for the consequences the story's earlier
    coverage states, dated or not. A forecast rarely names an entity itself, but it stands near a
    sentence that does; a source that covers several stories (a local news page) keeps only its
    part about this one. Without `entities`, or with `window` None, every sentence. `count`: None
    for STORY_SOURCES."""
    count = STORY_SOURCES if count is None else count
    near_first = "implications" in NEAR_KEPT_FOR
    closest = sorted(sources, key=lambda k: (not (near_first and sources[k].get("near")),
                                             -sources[k].get("similarity", 0.0), k))[:count]
    latest = sorted(k for k in sources if sources[k].get("latest") and k not in closest)
    story = story or Story()
    names = {e["key"] for e in entities or []} | story.entities.keys()
    primary = _primary(entities or [], names)
    ties = names - story.common
    out = []
    for doc_id in closest + latest:
        flag = {"latest": True} if sources[doc_id].get("latest") else {}
        doc = sources[doc_id]
        near = None  # every sentence
        if window is not None and entities:
            near = {i + step for i, sentence in enumerate(doc["sentences"])
                    if {primary.get(k, k) for k in sentence[2]} & ties for step in range(-window, window + 1)}
        for i, sentence in enumerate(doc["sentences"]):
            start, end = sentence[:2]
            if (near is None or i in near) and MIN_CHARS <= end - start <= MAX_CHARS:
                out.append({"archive_id": doc_id, "span": [start, end], "text": doc["text"][start:end],
                            "published": doc["published_at"][:10], **flag})
    return out


def _surface(key: str, text: str) -> str:
    """How the sentence writes an entity the article does not name (its key is lower case)."""
    label = key.split(":", 1)[-1]
    at = text.lower().find(label)
    return text[at:at + len(label)] if at >= 0 else label


def _words(text: str) -> set[str]:
    return set(WORDS.findall(text.lower()))


def dated_candidates(entities: list[dict[str, Any]], sources: dict[str, dict[str, Any]], weights: dict[str, float],
                     options: dict[str, Any] | None = None, story: Story | None = None
                     ) -> tuple[dict[str, dict[str, Any]], list[Candidate]]:
    """One source per story's versions, and their dated candidate sentences."""
    sources = versions.one_per_story(sources, weights, options or {})
    return sources, candidates(entities, sources, weights, story)


def timeline(entities: list[dict[str, Any]], sources: dict[str, dict[str, Any]],
             weights: dict[str, float], limit: int, options: dict[str, Any] | None = None,
             story: Story | None = None, ranker: DateRanker | None = None) -> list[dict[str, Any]]:
    """At most `limit` dated, cited items about the story, in date order; `options` are the
    request's (a preferred section picks the version of a story that is cited); `story` says
    which names tie a sentence to the story (background.Story). Dates are chosen by `ranker`, by
    default the model learned from journalists' timelines (enrich/date_ranker.py)."""
    if "background" not in NEAR_KEPT_FOR:
        sources = {k: doc for k, doc in sources.items() if not doc.get("near_only")}
    sources, found = dated_candidates(entities, sources, weights, options, story)
    by_date: dict[str, list[Candidate]] = defaultdict(list)
    for c in found:
        by_date[c.when].append(c)
    names = {e["key"]: e["name"] for e in entities}
    per_source: dict[str, int] = defaultdict(int)
    kept: list[set[str]] = []
    chosen = []
    for when in (ranker or date_ranker.rank)(found, sources):
        if len(chosen) == limit:
            break
        for c in sorted(by_date[when], key=lambda c: (-c.weight, c.doc_id, c.start)):
            words = _words(c.text)
            if per_source[c.doc_id] >= PER_SOURCE or any(
                    len(words & other) > NEAR_DUPLICATE * min(len(words), len(other)) for other in kept):
                continue
            per_source[c.doc_id] += 1
            kept.append(words)
            doc = sources[c.doc_id]
            chosen.append({
                "date": c.when,
                "date_from": c.how,
                "text": c.text,
                "entities": [names.get(k) or _surface(k, c.text) for k in c.about],
                "source": {"archive_id": c.doc_id, "title": doc["title"], "url": doc.get("url") or None,
                           "published_at": doc["published_at"], "span": [c.start, c.end]},
            })
            break
    chosen.sort(key=lambda item: (timex.as_date(item["date"]) or date.max, item["date"],
                                  item["source"]["archive_id"], item["source"]["span"]))
    return chosen
