"""Look-ups against the archive index that the enrichment stages need."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import redis

from enrich import background, versions
from enrich.also_read import idf, recency
from enrich.features import dot, unit
from store import archive_index as index
from store.archive_candidates import Candidates

LINK_FIELDS = ("title", "url", "published_at", "features", "id", "section", "tags")
MAX_QUERY_FEATURES = 30
COPY_OVERLAP = 0.5  # a copy carries at least this share of the query's strongest features' weight
# How much one also-read look-up reads: the candidates read in full and weighed (80 until session
# 27), and the fewest postings read for a query feature (postings_limits; until session 27 every
# feature read index.POSTINGS_PER_FEATURE). Chosen on the gva_news tuning half's 763 queries at
# 22,099 and at 300,000 articles (scripts/choose_postings.py, distractors made from the other
# articles): the least reading whose recall@5 and MRR@10 stay within 0.005 of the old at both sizes.
# Every variant tried kept them (0.871 / 0.885 at 22,099; 0.836 / 0.854-0.855 at 300,000: floors
# 400, 100, 50, 25 with 80 candidates, also at 1,000,000, 0.813 / 0.837; 80, 60, 40 candidates at
# floor 25), so the least tried was taken.
MAX_CANDIDATES = 40
POSTINGS_FLOOR = 25


class Frequencies:
    """Document frequencies over these archives as idf weights, as if the article's own copies
    (enrich/versions.py `copies_of`) were not archived: a copy must not make the article's own
    words look shared, nor its rarest ones look known."""

    def __init__(self, r: redis.Redis, archives: list[str], prior: int = 0) -> None:
        self.r, self.archives = r, archives
        self.n = index.size(r, *archives) + prior
        self.left_out: list[dict[str, float]] = []  # the copies' features

    def leave_out(self, copies: list[dict[str, float]]) -> None:
        self.left_out += copies

    @property
    def size(self) -> int:
        return self.n - len(self.left_out)

    def counts(self, feats: list[str]) -> dict[str, int]:
        """How many articles (not copies) carry each of these features. A copy's features are
        counted afresh: a count cached before the copy was archived, less the copy, would be short."""
        if not self.left_out:
            return index.document_frequencies(self.r, self.archives, feats, size=self.n)
        carried = {f for copy in self.left_out for f in copy}
        df = index.document_frequencies(self.r, self.archives, [f for f in feats if f not in carried], size=self.n)
        df.update(index.document_frequencies(self.r, self.archives, [f for f in feats if f in carried], fresh=True))
        for copy in self.left_out:
            for feature in copy.keys() & df.keys():
                df[feature] = max(0, df[feature] - 1)
        return df

    def weights(self, feats: list[str]) -> dict[str, float]:
        """idf of each of these features that some article (not a copy) carries."""
        size = self.size
        return {f: idf(count, size) for f, count in self.counts(feats).items() if count > 0}


def _copies(query: dict[str, float], title: str, docs: dict[str, dict[str, Any]], weights: dict[str, float],
            frequencies: Frequencies) -> set[str]:
    """The article's own copies among `docs`. Features without a weight count for nothing, which
    can only make a document look closer; those that look like copies are checked again with
    every feature weighed."""
    likely = versions.copies_of(query, title, docs, weights)
    unweighed = sorted({f for c in likely for f in docs[c]["features"]} - weights.keys())
    if not unweighed:
        return likely
    return versions.copies_of(query, title, {c: docs[c] for c in likely},
                              {**weights, **frequencies.weights(unweighed)})


class _Lookup:
    """What one look-up has read (postings by feature, ids by handle, documents by id), so that
    weighing the candidates again without the article's copies reads only what it lacks."""

    def __init__(self) -> None:
        self.postings: index.Postings = {}
        self.ids: dict[index.Handle, str] = {}
        self.docs: dict[str, dict[str, Any]] = {}

    def handles_of(self, qualified_ids: set[str]) -> set[index.Handle]:
        return {h for h, i in self.ids.items() if i in qualified_ids}


def postings_limits(strength: dict[str, float]) -> dict[str, int]:
    """How many of its newest postings to read for each query feature: POSTINGS_PER_FEATURE for
    the strongest, fewer in proportion to its strength (weight times the query's) for the others,
    never fewer than POSTINGS_FLOOR. A weak feature's postings only add a little to candidates
    that stronger ones find; in a large archive it is also the common one, whose lists are long."""
    top = max(strength.values(), default=0.0) or 1.0
    cap = index.POSTINGS_PER_FEATURE
    return {f: max(min(POSTINGS_FLOOR, cap), math.ceil(cap * s / top)) for f, s in strength.items()}


def _excluded(r: redis.Redis, exclude_id: str | None) -> set[index.Handle]:
    """The handle of the article a look-up must never return, if it is indexed."""
    return set(index.handles(r, [exclude_id]).values()) if exclude_id else set()


def _nearest(r: redis.Redis, archives: list[str], query: dict[str, float], as_of: float,
             excluded: set[index.Handle], frequencies: Frequencies, seen: _Lookup
             ) -> tuple[dict[str, float], dict[str, dict[str, Any]], set[str]]:
    """Weights, the candidates, and those of them that carry at least COPY_OVERLAP of the query's
    strongest features (only such can be its copies)."""
    weights = frequencies.weights(list(query))
    chosen = sorted(weights, key=lambda f: (-weights[f] * query[f], f))[:MAX_QUERY_FEATURES]
    strength = {f: weights[f] * query[f] for f in chosen}
    missing = [f for f in chosen if f not in seen.postings]
    limits = postings_limits(strength)
    seen.postings.update(index.postings(r, archives, missing, as_of, per_feature={f: limits[f] for f in missing})
                         if missing else {})
    found = Candidates({f: seen.postings[f] for f in chosen}, strength, excluded)
    top = found.ranked(found.overlap * recency(np.maximum(0.0, as_of - found.epoch) / 86400), MAX_CANDIDATES)
    overlap = found.overlap_of(top)
    unnamed = [h for h in top if h not in seen.ids]
    seen.ids.update(index.resolve(r, unnamed) if unnamed else {})
    named = {seen.ids[h]: h for h in top if h in seen.ids}
    unread = [i for i in named if i not in seen.docs]
    seen.docs.update(index.fetch_many(r, unread, LINK_FIELDS) if unread else {})
    docs = {i: seen.docs[i] for i in named if i in seen.docs}  # a retracted one is not read
    unseen = sorted({f for doc in docs.values() for f in doc["features"]} - weights.keys())
    weights.update(frequencies.weights(unseen))
    strongest = sum(weights[f] * query[f] for f in chosen) or 1.0
    return weights, docs, {i for i in docs if overlap[named[i]] >= COPY_OVERLAP * strongest}


def related(r: redis.Redis, archives: list[str], query: dict[str, float], as_of: float,
            exclude_id: str | None, title: str = ""
            ) -> tuple[dict[str, float], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Return idf weights of the query's known features and the best-overlapping docs of these
    archives (by qualified id) published at or before `as_of`, never `exclude_id` (qualified) nor
    a copy of the article (`title` is its headline): those are returned apart (the article's
    versions in the archive), and the look-up is made again as if they were not archived (reading
    only the postings and documents the first one did not)."""
    frequencies, seen = Frequencies(r, archives), _Lookup()
    excluded = _excluded(r, exclude_id)
    weights, docs, close = _nearest(r, archives, query, as_of, excluded, frequencies, seen)
    copies = _copies(query, title, {i: docs[i] for i in close}, weights, frequencies)
    if not copies:
        return weights, docs, {}
    versions_of = {c: docs[c] for c in sorted(copies)}
    frequencies.leave_out([doc["features"] for doc in versions_of.values()])
    weights, docs, _ = _nearest(r, archives, query, as_of, excluded | seen.handles_of(copies), frequencies, seen)
    return weights, docs, versions_of


def link_docs(r: redis.Redis, archives: list[str], ids: list[str]) -> dict[str, dict[str, Any]]:
    """These articles (by their own ids) as related() gives candidates, each from the first of the
    archives that holds it (an editor's accepted links, kept on a re-publish)."""
    out: dict[str, dict[str, Any]] = {}
    wanted = list(ids)
    for archive in archives:
        found = index.fetch_many(r, [index.qualify(archive, i) for i in wanted], LINK_FIELDS)
        out.update(found)
        wanted = [i for i in wanted if index.qualify(archive, i) not in found]
    return out


STORY_FEATURES = 12  # the main entities and the strongest terms: what the story is about
STORY_POSTINGS = 1000  # per feature: the story's coverage reaches back that far
MAX_STORY_SOURCES = 150
SEEDS = 10  # the articles nearest the query, whose shared features say what the story is
STORY_MIN_COVERAGE = 0.1
RELATIVE_FLOOR = 0.5  # and at least this share of the best source's: a loose pool keeps only its core
PRIOR_DOCS = 1000  # idf as if the archive also held this many articles on other subjects
COMMON_SHARE = 0.05  # an entity in more than this share of the archive says little about a story
STORY_ENTITIES = 6  # the story's strongest names, which tie a source's sentence to it
SUBJECTS = ("e:PER:", "e:ORG:", "e:LOC:")  # names a story is about (MISC ones are context)
STORY_SHARE = 0.5  # unless this share of its articles are about the story
LATEST_DAYS = 7  # the story's latest coverage: what it said may follow is what an editor weighs now
LATEST_SOURCES = 4


def _covering(r: redis.Redis, archives: list[str], strength: dict[str, float], before: float,
              excluded: set[index.Handle]) -> Candidates:
    """Articles published before `before`, each with the share of `strength` its features carry
    (`overlap`)."""
    total = sum(strength.values()) or 1.0
    found = index.postings(r, archives, list(strength), before, exclusive=True, per_feature=STORY_POSTINGS)
    return Candidates(found, {f: v / total for f, v in strength.items()}, excluded)


def _seeds(r: redis.Redis, archives: list[str], query: dict[str, float], entity_keys: list[str], before: float,
           excluded: set[index.Handle], frequencies: Frequencies
           ) -> tuple[dict[str, float], list[str], dict[str, Any], dict[index.Handle, str]]:
    """Weights of the query's features, the features the story is searched by, the SEEDS articles
    nearest to it (features and titles, by qualified id), and their handles' ids."""
    weights = frequencies.weights(list(query))
    entities = [f for f in ("e:" + k for k in entity_keys) if f in weights]
    terms = sorted((f for f in weights if f not in entities), key=lambda f: (-weights[f] * query[f], f))
    search = entities + terms[:max(0, STORY_FEATURES - len(entities))]
    first = _covering(r, archives, {f: weights[f] * query[f] for f in search}, before, excluded)
    named = index.resolve(r, first.ranked(first.overlap, SEEDS))
    return weights, search, index.fetch_many(r, list(named.values()), ("features", "title")), named


def _latest(r: redis.Redis, archives: list[str], entity_keys: list[str], before: float,
            excluded: set[index.Handle], frequencies: Frequencies) -> list[index.Handle]:
    """Up to LATEST_SOURCES articles of the LATEST_DAYS before `before` that name the article's
    main entities (those named by most first, then the newest), leaving out names found in more
    than COMMON_SHARE of the archive: the story's latest turns, which may share few words with the
    article (a warning about the capital, when the article is about another city)."""
    variants = {"e:" + v: k for k in entity_keys for v in background.typed_variants(k)}  # under any type
    counts = frequencies.counts(list(variants))
    carried: dict[str, int] = defaultdict(int)
    for feature, count in counts.items():
        carried[variants[feature]] += count
    named = [f for f, k in variants.items() if counts[f] > 0 and carried[k] <= COMMON_SHARE * frequencies.size]
    since = before - LATEST_DAYS * 86400
    hits: dict[index.Handle, set[str]] = defaultdict(set)  # the main entities each names
    newest: dict[index.Handle, float] = {}
    for feature, found in index.postings(r, archives, named, before, exclusive=True,
                                         per_feature=4 * LATEST_SOURCES).items():
        for archive, pairs in found:
            for number, ts in pairs.tolist():
                if ts >= since and (archive, number) not in excluded:
                    hits[(archive, number)].add(variants[feature])
                    newest[(archive, number)] = ts
    return sorted(hits, key=lambda i: (-len(hits[i]), -newest[i], i))[:LATEST_SOURCES]


def story_sources(r: redis.Redis, archives: list[str], query: dict[str, float], entity_keys: list[str],
                  before: float, exclude_id: str | None, title: str = "", wanted: int = 0
                  ) -> tuple[dict[str, float], dict[str, dict[str, Any]], background.Story]:
    """The articles of these archives about the article's story (by qualified id), published
    strictly before `before`, never `exclude_id` nor a copy of the article (`title` is its
    headline; enrich/versions.py `copies_of`): the story is looked up as if they were unarchived.

    The story is found in two steps. First the SEEDS articles that carry most of the weight of
    the article's main entities and strongest terms; then the features those seeds share (the
    story's names and words, not the article's angle on it: a side story about disabled people in
    Haiti belongs to the earthquake's story) define it, and every article carrying at least
    STORY_MIN_COVERAGE of their weight is about it. Weights are idf against the archive plus
    PRIOR_DOCS articles on other subjects, so a small archive, or one all about the story, still
    tells the story apart: without the prior a name every article shares would weigh nothing.
    Each source's `similarity` is its coverage of the story's features times (0.5 + its cosine to
    the article); sources below RELATIVE_FLOOR of the best are dropped before their text is read,
    unless fewer than `wanted` are left (a timeline of that many dates needs that many sources).
    The story's latest coverage joins them (_latest), flagged `latest`, whatever its similarity.
    Also returns the story (background.Story): its own entities among its strongest features, its
    sources nearest the article (background.NEAR_SOURCES of them, by cosine times recency as
    also-read scores), and the entity keys too common to tie a sentence to the story on their own: found in
    more than COMMON_SHARE of the archive (with the prior), as "U.S." is in a wire archive, and
    mostly outside the story (less than STORY_SHARE of their articles are among its sources, as
    estimated from the sources read); "Haiti" in an archive of its earthquake's coverage is not."""
    frequencies = Frequencies(r, archives, PRIOR_DOCS)
    excluded = _excluded(r, exclude_id)
    weights, search, seeds, named = _seeds(r, archives, query, entity_keys, before, excluded, frequencies)
    copies = _copies(query, title, seeds, weights, frequencies)
    if copies:
        frequencies.leave_out([seeds[c]["features"] for c in sorted(copies)])
        excluded |= {h for h, i in named.items() if i in copies}
        weights, search, seeds, _ = _seeds(r, archives, query, entity_keys, before, excluded, frequencies)
    story: dict[str, float] = defaultdict(float)
    carried: dict[str, int] = defaultdict(int)  # by how many seeds
    for doc in seeds.values():
        for feature, value in doc["features"].items():
            story[feature] += value
            carried[feature] += 1
    for feature in search:
        story[feature] += query[feature] * max(1, len(seeds)) / 2  # the article itself counts too
    shared = [f for f in story if story[f] > 1.0 or f in search]
    weights.update(frequencies.weights(sorted(set(shared) - weights.keys())))
    ranked = sorted((f for f in shared if f in weights), key=lambda f: (-weights[f] * story[f], f))
    coverage = _covering(r, archives, {f: weights[f] * story[f] for f in ranked[:STORY_FEATURES]}, before,
                         excluded)
    best = coverage.ranked(coverage.overlap, MAX_STORY_SOURCES, at_least=STORY_MIN_COVERAGE)
    article = unit(query, weights)
    newest = _latest(r, archives, entity_keys, before, excluded, frequencies)
    ids = index.resolve(r, list(dict.fromkeys(best + newest)))
    shares = coverage.overlap_of(list(ids))
    covered = {i: shares[h] for h, i in ids.items()}
    latest = {ids[h] for h in newest if h in ids}
    read = index.fetch_many(r, list(ids.values()), ("features", "published_at"))
    features = {doc_id: doc["features"] for doc_id, doc in read.items()}
    cosine = {doc_id: dot(article, unit(feats, weights)) for doc_id, feats in features.items()}
    closeness = {doc_id: covered[doc_id] * (0.5 + cosine[doc_id]) for doc_id in features}
    # The article's nearest sources as also-read scores an archive article: cosine times recency.
    near = sorted((-cosine[i] * recency(max(0.0, before - versions.published_epoch(doc["published_at"])) / 86400), i)
                  for i, doc in read.items())
    near_ids = {i for value, i in near[:background.NEAR_SOURCES] if value < 0}
    top = max(closeness.values(), default=0.0)
    nearest = sorted(closeness, key=lambda i: (-closeness[i], i))
    kept = [i for n, i in enumerate(nearest)
            if n < wanted or closeness[i] >= RELATIVE_FLOOR * top or i in latest]
    # The article's nearest coverage is kept for what background.NEAR_KEPT_FOR names, however little
    # of the story it covers; flagged `near_only` where nothing else kept it.
    near_only = sorted(near_ids - set(kept)) if background.NEAR_KEPT_FOR else []
    docs = index.fetch_many(r, kept + near_only,
                            ("title", "url", "published_at", "text", "sentences", "id", "section", "tags"))
    for doc_id, doc in docs.items():
        doc["similarity"], doc["features"], doc["latest"] = closeness[doc_id], features[doc_id], doc_id in latest
        doc["near"], doc["near_only"] = doc_id in near_ids, doc_id in near_only
    recurring = max(2, math.ceil(len(seeds) / 3))  # a story's names recur across its coverage
    names = [f for f in ranked if f.startswith(SUBJECTS) and carried[f] >= recurring]
    strongest = {f[2:]: weights[f] * story[f] for f in names[:STORY_ENTITIES]}
    keys = list(dict.fromkeys([*entity_keys, *strongest]))
    members = int((coverage.overlap >= STORY_MIN_COVERAGE).sum())
    counts = frequencies.counts(["e:" + k for k in keys])
    common = set()
    for k in keys:
        in_story = sum(1 for feats in features.values() if "e:" + k in feats) * members / max(1, len(features))
        if counts["e:" + k] > COMMON_SHARE * frequencies.size and in_story < STORY_SHARE * counts["e:" + k]:
            common.add(k)
    heaviest = max(strongest.values(), default=0.0) or 1.0
    own = {k: v / heaviest for k, v in strongest.items() if k not in common and k not in entity_keys}
    return weights, docs, background.Story(common, own, near_ids)
