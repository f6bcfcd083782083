"""The pure enrichment logic, tested directly: dates, entities, links, rendering (background's
rules: tests/test_background_rules.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.settings import Settings
from enrich import also_read, nlp, text, timex
from enrich.prepare import prepare_article

MODEL = Settings().nlp_pipeline


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The Taliban first took Kandahar in 1979, officials said.", ("1979", "text")),
    ("Talks resumed on March 3, 1987 in Vienna.", ("1987-03-03", "text")),
    ("Talks resumed on Feb 26 in Vienna.", ("1987-02-26", "relative")),
    ("The minister resigned yesterday.", ("1987-03-09", "relative")),
    ("The union voted last Tuesday.", ("1987-03-03", "relative")),   # 1987-03-10 is a Tuesday
    ("Exports fell in February, the ministry said.", ("1987-02", "relative")),
    ("Prices rose sharply.", ("1987-03-10", "published")),
    ("Output will rise in 1988.", ("1987-03-10", "published")),  # a forecast: dated when reported
])
def test_background_dates_come_from_the_sentence_or_its_source(sentence, expected):
    assert timex.dated(sentence, date(1987, 3, 10)) == expected


def test_one_entity_per_real_thing_with_exact_spans():
    body = ("The Taliban said on Monday that the U.S. had left. John Smith, a diplomat, said "
            "Taliban fighters were near. Mr. Smith added that the United States would talk.")
    prepared = prepare_article({"title": "Talks", "body": body}, MODEL)
    by_key = {e["key"]: e for e in prepared["entities"]}
    assert len(by_key["LOC:united states"]["mentions"]) == 2  # "U.S." and "United States"
    assert len(by_key["PER:john smith"]["mentions"]) == 2     # "John Smith" and "Mr. Smith"
    for entity in prepared["entities"]:
        for start, end in entity["mentions"]:
            assert body[start:end].strip() and body[start:end] in body
    assert prepared["text"] == body  # a plain-text body keeps its characters and offsets


def test_aliases_fold_only_where_the_text_supports_them():
    body = ("Shell Oil Co said on Monday its profits fell. Shell blamed refining. The Organization of "
            "Petroleum Exporting Countries (OPEC) met in Vienna, where OPEC ministers cut output. "
            "Texaco Inc and Texaco Chemical Co both declined to comment; Texaco shares fell.")
    entities = {e["key"]: e for e in nlp.analyse(MODEL, body)["entities"]}
    shell = entities["ORG:shell oil co"]
    assert shell["aliases"] == ["ORG:shell"] and len(shell["mentions"]) == 2
    opec = entities["ORG:organization of petroleum exporting countries"]
    assert opec["aliases"] == ["ORG:opec"] and len(opec["mentions"]) == 3
    assert not any(k.endswith(":shell") or k.endswith(":opec") for k in entities)
    # "Texaco" could be either company: it stays a name of its own
    assert any(k.endswith(":texaco") for k in entities) and entities["ORG:texaco inc"]["aliases"] == []
    names = [e["name"].lower() for e in entities.values()]
    assert len(names) == len(set(names))  # one type per name


def _doc(title: str, features: dict[str, float], published: str = "2024-01-01T00:00:00+00:00"):
    return {"title": title, "url": None, "published_at": published, "features": features}


def test_near_duplicates_collapse_and_copies_of_the_article_are_no_links():
    query = {"e:ORG:acme": 2.0, "t:strike": 1.0, "t:port": 1.0, "t:grain": 1.0}
    weights = {f: 1.0 for f in ["e:ORG:acme", "t:strike", "t:port", "t:grain", "t:vote", "t:rain"]}
    docs = {
        "copy-of-article": _doc("Acme port strike", dict(query)),
        "story": _doc("Acme dockers vote to strike", {"e:ORG:acme": 2.0, "t:strike": 1.0, "t:vote": 1.0}),
        "story-syndicated": _doc("Dockers at Acme vote to strike", {"e:ORG:acme": 2.0, "t:strike": 1.0,
                                                                    "t:vote": 1.0}),
        "other": _doc("Rain at the port", {"t:port": 1.0, "t:rain": 1.0}),
    }
    prepared = {"entities": [{"key": "ORG:acme", "name": "Acme", "mentions": [[0, 4]]}],
                "paragraphs": [[0, 10], [11, 40]]}
    links = also_read.rank(query, weights, docs, prepared, as_of=1704067200.0, limit=5)
    ids = [link["archive_id"] for link in links]
    assert "copy-of-article" not in ids
    assert len({"story", "story-syndicated"} & set(ids)) == 1
    assert ids[0] in {"story", "story-syndicated"} and "other" in ids
    assert "Acme" in links[0]["reason"] and links[0]["insert_after_paragraph"] == 0


def test_canonical_names():
    assert nlp.canonical_name("the Taliban's") == nlp.canonical_name("Taliban") == "taliban"
    assert nlp.canonical_name("U.S.") == nlp.canonical_name("United States")


def test_scripts_and_event_handlers_never_reach_rendered_html():
    from enrich import render
    from enrich.text import article_text

    body = ('<p>Port reopens<script>alert(1)</script></p><p onclick="steal()">Ships <b>sail</b> again '
            '<img src=x onerror="alert(2)"> [click](javascript:alert(3))</p>')
    text, spans = article_text(body)
    assert "alert(1)" not in text and "onclick" not in text
    doc = {"article": {"title": "<script>x</script>", "paragraphs": [
        {"text": text[s:e]} for s, e in spans] + [{"text": '<img src=x onerror="alert(2)">'}]},
        "also_read": [], "background": [], "implications": [], "key_points": []}
    html = render.html(render.markdown(doc))
    tags = set(re.findall(r"<(\w+)", html))
    assert tags <= {"h1", "h2", "p", "ul", "li", "a", "strong", "em", "blockquote"}, tags
    assert not re.search(r"<[^>]*\son\w+\s*=", html)  # no event handler on any element
    assert not re.search(r"href=\"\s*javascript:", html)
    assert "&lt;script&gt;" in html  # the headline's text is kept, as text



def test_a_name_is_never_function_words_alone_nor_ends_with_one():
    body = ("The Tennessee Bureau of Investigation said The would not release names. "
            "Texaco Inc and Texaco Chemical Co both declined to comment.")
    names = {e["name"] for e in nlp.analyse(MODEL, body)["entities"]}
    assert "Texaco Inc" in names and not any(n.endswith(" and") for n in names)
    assert not names & {"The", "the"}, names


@pytest.mark.parametrize("dateline", ["BRISTOL, Tenn. (WJHL)- ", "BRISTOL, Tenn. (WJHL)-- ",
                                      "BRISTOL, Tenn. (WJHL)\u2014 ", "BRISTOL, Tenn. (WJHL) - "])
def test_a_dateline_s_station_is_named_without_its_bracket_and_dash(dateline):
    body = dateline + "The Tennessee Bureau of Investigation said a man was shot at a motel."
    names = {e["name"] for e in nlp.analyse(MODEL, body)["entities"]}
    assert "Tennessee Bureau of Investigation" in names
    assert not [n for n in names if set(n) & set("()-\u2014")], names


def test_a_name_at_the_cut_between_two_windows_of_a_long_sentence_stays_whole():
    """A table run into one sentence is read in windows of word pieces; a name the cut falls in is
    read whole where the windows overlap (consecutive windows gave "Wayne" and "Westner")."""
    from enrich import entity_tagger
    tagger = entity_tagger.tagger()
    filler = "scores after the final round of the open were as follows and".split()
    for lead in range(len(filler) * 12):
        words = [filler[i % len(filler)] for i in range(lead)] + ["Wayne", "Westner", "of", "South", "Africa"]
        pieces = [len(tagger.tokenizer.encode([w], is_pretokenized=True).ids) - 2 for w in words]
        if sum(pieces[:lead + 1]) == entity_tagger.MAX_TOKENS - 2:  # "Wayne" ends the first window
            break
    else:
        pytest.fail("no lead puts the cut inside the name")
    words += filler * 4
    spans = tagger.tag([words])[0]
    assert (lead, lead + 2, "PER") in spans, [(" ".join(words[a:b]), t) for a, b, t in spans]


def test_a_state_written_short_is_the_state():
    """A dateline's postal code, the AP abbreviation and the full name are one place."""
    body = ("BRISTOL, TN (WJHL) - A man was shot on Friday in Bristol, Tenn., police said. Officers from "
            "Tennessee and Virginia searched the woods near Bristol, Va., on Saturday.")
    places = [e for e in nlp.analyse(MODEL, body)["entities"] if e["type"] == "LOC"]
    keys = [e["key"] for e in places]
    assert keys.count("LOC:tennessee") == 1 and "LOC:virginia" in keys, places
    assert not {"LOC:tn", "LOC:tenn", "LOC:va"} & set(keys), places
    tennessee = next(e for e in places if e["key"] == "LOC:tennessee")
    assert len(tennessee["mentions"]) == 3, tennessee
    short_only = nlp.analyse(MODEL, "CHARLOTTE, N.C. (WBTV) - A man was shot on Friday in Charlotte, N.C., "
                                    "police said.")
    assert "North Carolina" in [e["name"] for e in short_only["entities"] if e["type"] == "LOC"], short_only


def test_a_sentence_that_can_hold_no_name_is_not_read_by_the_tagger(monkeypatch):
    """Lower case after the first word, and the first a function word: the encoder is not run.
    A capitalised word anywhere else, or a first word that can be a name ("May"), is read; the
    sentences read are packed into windows of consecutive ones."""
    from enrich import entity_tagger
    tagger = entity_tagger.tagger()
    runs = []

    class Counting:
        def __init__(self, session):
            self.session = session

        def run(self, *args):
            runs.append(args)
            return self.session.run(*args)

    monkeypatch.setattr(tagger, "session", Counting(tagger.session))
    skipped = ["He said the shooting happened shortly after midnight .".split(),
               "but police would not say how many were hurt".split()]
    read = ["Police said Smith was shot twice .".split(), "Police arrested Jon Long on Friday .".split()]
    assert tagger.tag(skipped) == [[], []] and runs == []
    tagger.tag(["May said she would resign .".split()])  # "May" may be a name: read
    assert len(runs) == 1
    runs.clear()
    found = tagger.tag(read)
    # Consecutive sentences are read in one window (PACK), each keeping its own names.
    assert len(runs) == 1 and found == [[(2, 3, "PER")], [(2, 4, "PER")]], found
    runs.clear()
    found = tagger.tag([read[0], skipped[0], read[1]])  # a sentence left unread ends a window
    assert len(runs) == 2 and found == [[(2, 3, "PER")], [], [(2, 4, "PER")]], found


@pytest.mark.parametrize(("body", "whole", "kind"), [
    ("U.N. Secretary-General Boutros Boutros-Ghali said on Friday the talks would resume.",
     "Boutros Boutros-Ghali", "PER"),
    ("Spain's Virginia Ruano-Pascual beat Karin Kschwendt of Austria 6-3 6-2 on Tuesday.",
     "Virginia Ruano-Pascual", "PER"),
])
def test_a_name_written_with_a_hyphen_is_one_name(body, whole, kind):
    entities = {e["name"]: e["type"] for e in nlp.analyse(MODEL, body)["entities"]}
    assert entities.get(whole) == kind, entities


def test_two_places_joined_by_a_hyphen_stay_two_places():
    body = "Talks on the Israel-Jordan border ended in Amman."
    entities = {e["name"]: e["type"] for e in nlp.analyse(MODEL, body)["entities"]}
    assert "Israel-Jordan" not in entities and entities.get("Israel") == "LOC", entities


@pytest.mark.parametrize("surname", ["Long", "Banks"])
def test_a_surname_alone_is_the_person_named_in_full(surname):
    """The tagger types "Long" alone an organisation; after "Jon Long" it is him."""
    body = (f"Police arrested Jon {surname}, 34, on Friday in Bristol. {surname} told officers he had been at "
            f"home. {surname} was held on bond.")
    entities = nlp.analyse(MODEL, body)["entities"]
    person = next(e for e in entities if e["name"] == f"Jon {surname}")
    assert person["type"] == "PER" and len(person["mentions"]) == 3, entities
    assert not [e for e in entities if e["name"] == surname], entities


def test_a_place_is_never_folded_into_a_person_whose_name_ends_with_it():
    """The tagger once made "Jaime Haiti" a person in a Timeline17 article; folding "Haiti" into
    him lost the earthquake story's main place and its whole timeline."""
    def group(kind: str, start: int) -> dict[str, object]:
        return {"type": kind, "mentions": [[start, start + 5]], "aliases": []}
    groups = {"jaime haiti": group("PER", 0), "haiti": group("LOC", 20), "long": group("ORG", 40),
              "jon long": group("PER", 60)}
    nlp._merge_surnames(groups)
    assert set(groups) == {"jaime haiti", "haiti", "jon long"}
    assert groups["jon long"]["mentions"] == [[60, 65], [40, 45]]


def test_a_byline_and_a_dateline_in_capitals_are_lines_of_their_own():
    body = "Leon Barkho\nBAGHDAD 1996-08-27\nA new U.N. relief coordinator has arrived in Baghdad."
    analysis = nlp.analyse(MODEL, body)
    names = {e["name"]: e["type"] for e in analysis["entities"]}
    assert names.get("Leon Barkho") == "PER" and names.get("BAGHDAD") == "LOC", names
    assert [body[a:b] for a, b in analysis["sentences"]][:2] == ["Leon Barkho", "BAGHDAD 1996-08-27"]
    wrapped = "He said the\nOPEC ministers would meet\nin Vienna next week."
    assert len(nlp.analyse(MODEL, wrapped)["sentences"]) == 1  # a hard wrap is no sentence end


@pytest.mark.parametrize(("body", "wanted"), [
    ("ST. LOUIS (KTVI)\u2013Two men were shot in St. Louis on Friday, police said.", "KTVI"),
    ("Anyone with information should email jdoe@example.com or call Chicago police.", "Chicago"),
    ("The story first ran at example.com/news/shooting-2013 and on Amazon.com, police said.", "Amazon.com"),
])
def test_names_hold_no_bracket_of_the_next_word_nor_an_address(body, wanted):
    names = {e["name"] for e in nlp.analyse(MODEL, body)["entities"]}
    assert wanted in names, names
    assert not [n for n in names if set(n) & set(")@/")], names


def test_windows_1252_punctuation_is_read_as_such_and_offsets_hold():
    body = "Kevin Richardson\x92s car was found on Miami\x92s north side, police said. \x93We\x92re safe,\x94 he said."
    analysis = nlp.analyse(MODEL, body)
    names = {e["name"]: e for e in analysis["entities"]}
    assert {"Kevin Richardson", "Miami"} <= set(names), names
    start, end = names["Kevin Richardson"]["mentions"][0]
    assert body[start:end] == "Kevin Richardson"
    assert not [n for n in names if set(n) & {"\x92", "\x93", "\x94"}], names
    assert text.archive_text(body)[0] == body.translate(text.CP1252)  # the archive keeps it restored
    assert "\x92" not in text.archive_text(f"<p>{body}</p>")[0]


def test_the_entity_tagger_is_chosen_by_setting_and_an_unknown_one_is_refused():
    assert Settings.from_env({"ENTITY_TAGGER": "spacy"}).nlp_pipeline == "en_newsroom_ner"
    assert Settings.from_env({}).nlp_pipeline == "en_newsroom_ner+encoder"
    with pytest.raises(ValueError, match="unknown entity tagger 'bogus'"):
        nlp.load("en_newsroom_ner+bogus")
    spacy_only = nlp.load("en_newsroom_ner")
    assert "ner" in spacy_only.pipe_names and "encoder_entities" not in spacy_only.pipe_names
    assert nlp.load(MODEL).pipe_names[-1] == "encoder_entities"


def test_a_sentence_of_characters_with_no_word_piece_is_read_without_error():
    """A zero-width space or a NUL alone on a line is a sentence the tagger's vocabulary has no
    piece for: no names there, and the rest of the article is still tagged."""
    body = "Shell Oil said profits fell.\n\n\u200b\n\n\x00\n\nAnalysts in London expect more cuts."
    prepared = prepare_article({"title": "Shell", "body": body}, Settings().nlp_pipeline)
    assert "London" in {e["name"] for e in prepared["entities"]}
