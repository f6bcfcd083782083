"""spaCy analysis: sentences, canonical entities with mention spans, and key terms."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import spacy
import Stemmer
from spacy.lang.char_classes import HYPHENS
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_suffix_regex

from enrich import (
    encoder_names,  # noqa: F401  (registers the encoder_entities component)
    us_states,
)
from enrich.text import readable

# Both label sets map onto CoNLL's: our trained model's (PER/ORG/LOC/MISC) and OntoNotes'.
ENTITY_TYPES = {
    "PER": "PER", "MISC": "MISC",
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "LAW": "MISC", "WORK_OF_ART": "MISC",
}
STEM = Stemmer.Stemmer("english")
WORDS = re.compile(r"[^\W\d_]+")
LEADING = re.compile(r"^(the|a|an|mr|mrs|ms|dr|prof|sen|rep|gov|gen|president|minister)\.?\s+",
                     re.IGNORECASE)
TRAILING = re.compile(r"(['’]s|['’])$")
NON_WORD = re.compile(r"[^\w\s-]")
# Arabic and other name particles: no hyphen split right after one (a fixed-width look-behind each).
PARTICLES = "".join(rf"(?<!\b{p})" for word in ("al", "el", "bin", "ibn", "abu", "bint", "ul", "ad", "ash", "ben")
                    for p in (word, word.capitalize()))
# The last word of a name that makes it an organisation whatever the model said ("Shell Oil" is no
# place), and words that make it one rather than a person ("West Bank", "Soviet Union" are places).
COMPANY_WORDS = {"corp", "corporation", "co", "inc", "ltd", "plc", "ag", "nv", "group", "holdings", "oil",
                 "airlines", "airways", "motors", "petroleum", "industries", "company", "bancshares"}
BODY_WORDS = COMPANY_WORDS | {
    "bank", "association", "agency", "party", "council", "university", "ministry", "department",
    "institute", "exchange", "federation", "union", "commission", "committee", "fund", "board", "club",
    "league", "police", "army", "court", "times", "post", "news", "press", "television", "radio"}
# A dateline's station or agency runs into its dash: "BRISTOL, TN (WJHL)- The..." The dash after a
# closing bracket comes off a word's end, then the bracket does, so "WJHL" is the name, not "WJHL)-".
DASH_AFTER_BRACKET = r"(?<=[)\]])[-\u2013\u2014]+"
# ... and a closing bracket written against the next word comes off it: "(KTVI)\u2013Two men", "(Register)New Haven".
BRACKET_BEFORE_WORD = r"(?<=\w)[)\]][-\u2013\u2014]*(?=[^\W\d_])"
PARAGRAPH_GAP = re.compile(r"\n[ \t]*\n|\n[ \t]{2,}")
ALIASES = {"u.s.": "united states", "us": "united states", "usa": "united states",
           "u.k.": "united kingdom", "uk": "united kingdom", "britain": "united kingdom",
           "u.n.": "united nations", "un": "united nations"}


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after a blank line or an indented line: none runs across paragraphs.
    A single line break is a hard wrap inside a sentence, as wire copy has, unless a line beside it
    is written in capitals (a headline, a dateline: "Leon Barkho\nBAGHDAD 1996-08-27\nA new U.N.
    relief..."), so no name runs from a byline into a dateline."""
    text = doc.text
    for token in doc[:-1]:
        if not token.is_space or "\n" not in token.text:
            continue
        if PARAGRAPH_GAP.search(token.text):
            doc[token.i + 1].is_sent_start = True
            continue
        end = token.idx + len(token.text)
        next_break = text.find("\n", end)
        before = text[text.rfind("\n", 0, token.idx) + 1:token.idx]
        after = text[end:next_break if next_break >= 0 else len(text)]
        if _in_capitals(before) or _in_capitals(after):
            doc[token.i + 1].is_sent_start = True
    return doc


def _in_capitals(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


ENCODER = "encoder"  # a pipeline spec's suffix: "en_newsroom_ner+encoder"


@lru_cache(maxsize=2)
def load(spec: str) -> Language:
    """Load a pipeline once per process. `spec` is a spaCy package, whose own NER then finds names,
    or "<package>+encoder": the package splits words and sentences, the pretrained encoder finds
    names (enrich/entity_tagger.py). Sentences come from the senter, not the slower parser; terms
    are stemmed word forms, so the tagger and lemmatizer are not needed."""
    model, _, tagger = spec.partition("+")
    if tagger not in ("", ENCODER):
        raise ValueError(f"unknown entity tagger {tagger!r} in {spec!r}: use {model} or {model}+{ENCODER}")
    unused = ["parser", "tagger", "attribute_ruler", "lemmatizer"] + (["tok2vec", "ner"] if tagger else [])
    nlp = spacy.load(model, exclude=unused)
    nlp.enable_pipe("senter")
    nlp.add_pipe("paragraph_breaks", after="senter")
    if tagger:
        nlp.add_pipe("encoder_entities", last=True)
    # A name's particle stays on its name: "al-Sabah", "bin-Laden" are one token, else "Ali
    # al-Khalifa al-Sabah" became three people. (Keeping every hyphenated word whole cost the
    # Timeline17 haiti timeline 0.91 -> 0.64 date F1: "Port-au-Prince" and the like.)
    infixes = [PARTICLES + pattern if HYPHENS in pattern else pattern for pattern in nlp.Defaults.infixes]
    infixes.append(BRACKET_BEFORE_WORD)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.suffix_search = compile_suffix_regex([*nlp.Defaults.suffixes, DASH_AFTER_BRACKET]).search
    return nlp


def canonical_name(text: str) -> str:
    """Normalise an entity mention: 'the Taliban's' -> 'taliban', 'U.S.' -> 'united states'."""
    name = " ".join(text.split())
    name = TRAILING.sub("", LEADING.sub("", name)).strip().lower()
    name = ALIASES.get(name, name)
    return NON_WORD.sub("", name).strip()


def _entities(doc: Doc, lead_end: int) -> list[dict[str, Any]]:
    """One entity per canonical name: its type is the one most of its mentions carry (the
    first mention's on a tie), so "Shell Oil" is never both a place and a person."""
    groups: dict[str, dict[str, Any]] = {}
    for ent in doc.ents:
        etype = ENTITY_TYPES.get(ent.label_)
        key = written = canonical_name(ent.text)
        if etype == "LOC":  # "Tenn." and "TN" are Tennessee
            key = us_states.state_name(key)
        if not etype or len(key) < 2:
            continue
        group = groups.setdefault(key, {"name": "", "votes": Counter(), "mentions": []})
        group["votes"][etype] += 1
        group["mentions"].append([ent.start_char, ent.end_char])
        # A state written only short is shown by its name ("TN" and "Tenn." as Tennessee).
        display = key.title() if key != written else LEADING.sub("", " ".join(ent.text.split()))
        if len(display) > len(group["name"]):
            group["name"] = display
    for key, group in groups.items():
        group["type"] = group.pop("votes").most_common(1)[0][0]  # Counter keeps first-seen order on ties
        last = key.rsplit(" ", 1)[-1] if " " in key else ""
        if (group["type"] == "LOC" and last in COMPANY_WORDS) or (group["type"] == "PER" and last in BODY_WORDS):
            group["type"] = "ORG"  # named for a place or a person, still an organisation
        group["key"] = f"{group['type']}:{key}"
        group["aliases"] = []
    _merge_surnames(groups)
    _merge_aliases(groups, doc.text)
    for group in groups.values():
        weight = sum(1.5 if start < lead_end else 1.0 for start, _ in group["mentions"])
        group["weight"] = weight
    top = max((g["weight"] for g in groups.values()), default=1.0)
    ordered = sorted(groups.values(), key=lambda g: (-g["weight"], g["mentions"][0][0]))
    for group in ordered:
        group["salience"] = round(group.pop("weight") / top, 3)
        group["mentions"].sort()
    return [{k: group[k] for k in ("name", "type", "key", "mentions", "salience", "aliases")} for group in ordered]


def _merge_surnames(groups: dict[str, dict[str, Any]]) -> None:
    """Fold 'Smith' into 'John Smith' when one full name in the text ends with it, even where the
    tagger typed the surname alone an organisation ("Police arrested Jon Long ... Long told
    officers": not the organisation "Long"). A place stays a place: "Haiti" is no surname of
    "Jaime Haiti", a name the tagger made up in a Timeline17 article, and its timeline was lost."""
    full_names = defaultdict(list)
    for key, group in groups.items():
        if group["type"] == "PER" and " " in key:
            full_names[key.rsplit(" ", 1)[1]].append(key)
    for key in list(groups):
        if groups[key]["type"] != "LOC" and " " not in key and len(full_names.get(key, [])) == 1:
            groups[full_names[key][0]]["mentions"].extend(groups.pop(key)["mentions"])


# Words an acronym leaves out: "Organization of Petroleum Exporting Countries (OPEC)".
ACRONYM_SKIPS = {"of", "the", "and", "for", "on", "in", "de", "du", "des", "la", "le", "&"}


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[\w&]+", name.lower()) if w not in ACRONYM_SKIPS)


def _fold(groups: dict[str, dict[str, Any]], short: str, full: str) -> None:
    """Make the entity named `short` an alias of the one named `full`: its mentions, its name."""
    gone = groups.pop(short)
    target = groups[full]
    target["mentions"].extend(gone["mentions"])
    target["aliases"] = sorted({*target["aliases"], *gone["aliases"], gone["key"]})


def _merge_aliases(groups: dict[str, dict[str, Any]], text: str) -> None:
    """Fold a short form into the one full name the text supports it for: "Shell" into "Shell
    Oil" (the full name is the short one plus company words: Oil, Corp, Inc...), "OPEC" into
    "Organization of Petroleum Exporting Countries" when the text writes "Full Name (ACRONYM)".
    The folded name's key stays as an alias (features and background still match articles that
    only use it); its type becomes the full name's."""
    longer: dict[str, list[str]] = defaultdict(list)  # a name -> every longer name that starts with it
    for key in groups:
        words = key.split()
        for cut in range(1, len(words)):
            longer[" ".join(words[:cut])].append(key)
    for short, full in [(k, longer[k][0]) for k in groups if len(longer.get(k, [])) == 1]:
        if groups[full]["type"] == "ORG" and set(full.split()[len(short.split()):]) <= COMPANY_WORDS:
            _fold(groups, short, full)
    for short in list(groups):
        if groups[short]["type"] == "PER" or " " in short or len(short) < 2:
            continue
        for start, _ in groups[short]["mentions"]:
            if text[start - 1:start] != "(":
                continue
            full = next((k for k, g in groups.items() if k != short and any(
                e <= start - 1 and not text[e:start - 1].strip() for _, e in g["mentions"])), None)
            if full and _initials(full) == short.replace(".", ""):
                _fold(groups, short, full)
                break


def title_terms(title: str) -> set[str]:
    """The term stems of a headline, as _terms() would count them."""
    words = [w for w in WORDS.findall(title.lower()) if len(w) > 2 and w not in STOP_WORDS]
    return set(STEM.stemWords(words))


def _terms(doc: Doc) -> dict[str, int]:
    """Count the stems of content words (alphabetic, not stop words, three letters or more; each
    part of a hyphenated word) and numbers of two digits or more (ages, street numbers: specific
    to one story)."""
    words = [word for tok in doc if not tok.is_stop for word in WORDS.findall(tok.lower_)
             if len(word) > 2 and word not in STOP_WORDS]
    counts = Counter(STEM.stemWords(words))
    counts.update("#" + tok.text for tok in doc if tok.is_digit and len(tok) > 1)
    return dict(counts)


def _sentence_spans(doc: Doc) -> list[list[int]]:
    spans = []
    for sent in doc.sents:
        raw = sent.text
        stripped = raw.strip()
        if stripped:
            start = sent.start_char + len(raw) - len(raw.lstrip())
            spans.append([start, start + len(stripped)])
    return spans


def analyse_doc(doc: Doc, lead_end: int | None = None) -> dict[str, Any]:
    """Sentences, entities and term counts of a parsed document, as plain JSON-able data."""
    lead = lead_end if lead_end is not None else min(len(doc.text), 600)
    return {
        "sentences": _sentence_spans(doc),
        "entities": _entities(doc, lead),
        "terms": _terms(doc),
    }


def analyse(model: str, text: str, lead_end: int | None = None) -> dict[str, Any]:
    """The analysis of `text` (read with Windows-1252 characters restored: enrich/text.readable)."""
    return analyse_doc(load(model)(readable(text)), lead_end)


def analyse_many(model: str, texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    for doc in load(model).pipe((readable(t) for t in texts), batch_size=32):
        yield analyse_doc(doc)
