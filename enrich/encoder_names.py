"""The encoder's names as a spaCy component (`encoder_entities`, added by enrich/nlp.py `load`):
enrich/entity_tagger.py tags spaCy's words a sentence at a time, then the rules below tidy what it
found into names an editor can use."""

from __future__ import annotations

from collections import Counter, defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from enrich import entity_tagger


@Language.component("encoder_entities", assigns=["doc.ents"])
def encoder_entities(doc: Doc) -> Doc:
    """Names tagged by the pretrained encoder (enrich/entity_tagger.py), over spaCy's words, all of
    a document's sentences in batches."""
    sentences = [[t for t in sent if not t.is_space] for sent in doc.sents]
    sentences = [words for words in sentences if words]
    found = entity_tagger.tagger().tag([[t.text for t in words] for words in sentences])
    ents = []
    for words, spans in zip(sentences, found, strict=True):
        for first, end, kind in spans:
            # A name neither starts nor ends with a lower-case function word or a stray mark
            # ("Texaco Inc and" is "Texaco Inc"), nor is it function words alone ("The"), nor has an
            # address in it ("jdoe@example.com", "example.com/news"; "Amazon.com" is a name).
            while first < end and _loose(words[end - 1]):
                end -= 1
            while first < end and _loose(words[first]):
                first += 1
            name = words[first:end]
            if name and not all(w.is_stop or w.is_punct for w in name) and not any(map(_address, name)):
                ents.append(Span(doc, words[first].i, words[end - 1].i + 1, label=kind))
    doc.ents = _every_mention(doc, _join_hyphenated(doc, _join_particles(doc, ents)))
    return doc


HYPHEN_TOKENS = {"-", "\u2010", "\u2011"}  # a hyphen spaCy split off as a token of its own


def _join_hyphenated(doc: Doc, ents: list[Span]) -> list[Span]:
    """spaCy splits a word at its hyphen, so the tagger may find the halves of one name: a
    double-barrelled name ("Boutros Boutros-Ghali", "Ruano-Pascual": a person twice) or an
    organisation named with a hyphen ("Daimler-Benz", "Moslem-Croat Federation": whatever the
    first half was typed, the whole is the second half's organisation) is one name. Two places
    ("the Israel-Jordan border") stay two."""
    out: list[Span] = []
    for ent in ents:
        last = out[-1] if out else None
        if (last is not None and ent.start == last.end + 1 and doc[last.end].text in HYPHEN_TOKENS
                and not doc[last.end - 1].whitespace_ and not doc[last.end].whitespace_
                and (ent.label_ == "ORG" or last.label_ == ent.label_ == "PER")):
            out[-1] = Span(doc, last.start, ent.end, label=ent.label_)
        else:
            out.append(ent)
    return out


# Lower-case words inside a name: "Osama bin Laden", "Charles de Gaulle", "Ludwig van Beethoven".
NAME_PARTICLES = {"al", "el", "bin", "ibn", "abu", "bint", "ben", "de", "da", "di", "del", "della", "der", "den",
                  "van", "von", "du", "la", "le", "dos", "das", "y"}


def _join_particles(doc: Doc, ents: list[Span]) -> list[Span]:
    """Two names of one type with only a name particle between them are one name; so is a person's
    name and the name right after it that starts with a particle joined by a hyphen ("Ali
    al-Khalifa" + "al-Sabah": whatever the second half was typed, it is the person's)."""
    out: list[Span] = []
    for ent in ents:
        last = out[-1] if out else None
        if (last is not None and last.label_ == ent.label_ and ent.start == last.end + 1
                and doc[last.end].lower_ in NAME_PARTICLES):
            out[-1] = Span(doc, last.start, ent.end, label=ent.label_)
        elif (last is not None and last.label_ == "PER" and ent.start == last.end
              and doc[ent.start].lower_.partition("-")[0] in NAME_PARTICLES and "-" in doc[ent.start].text):
            out[-1] = Span(doc, last.start, ent.end, label="PER")
        else:
            out.append(ent)
    return out


def _every_mention(doc: Doc, ents: list[Span]) -> list[Span]:
    """A name tagged once is a name wherever the document writes it again, with its type: the
    same words untagged, or tagged as only part of it ("Shell" where "Shell Oil" is written),
    become that name, the longest names first."""
    names: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for ent in ents:
        names[tuple(t.text for t in ent)][ent.label_] += 1
    owner = {t: ent for ent in ents for t in range(ent.start, ent.end)}
    taken: set[int] = set()
    added: list[Span] = []
    texts = [t.text for t in doc]
    at: dict[str, list[int]] = defaultdict(list)  # where each word is written
    for i, text in enumerate(texts):
        at[text].append(i)
    for words in sorted(names, key=len, reverse=True):
        label = names[words].most_common(1)[0][0]
        for start in at.get(words[0], ()):
            end = start + len(words)
            if tuple(texts[start:end]) != words:
                continue
            inside = {owner[t] for t in range(start, end) if t in owner}
            if any(e.start < start or e.end > end for e in inside) or taken & set(range(start, end)):
                continue  # part of a longer name, or of one already placed
            taken.update(range(start, end))
            added.append(Span(doc, start, end, label=label))
    kept = [e for e in ents if not taken & set(range(e.start, e.end))]
    return sorted(kept + added, key=lambda e: e.start)


def _address(token: Token) -> bool:
    return token.like_email or (token.like_url and ("/" in token.text or token.lower_.startswith("www.")))


def _loose(token: Token) -> bool:
    return (token.is_stop and token.is_lower) or (token.is_punct and token.text not in ".&")
