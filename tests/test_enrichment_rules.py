"""The pure enrichment logic, tested directly: dates, entities, links, background, implications."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.settings import Settings
from enrich import also_read, background, nlp, text, timex
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


def _source(title: str, published: str, sentences: list[str]) -> dict[str, object]:
    text = " ".join(sentences)
    spans = []
    for sentence in sentences:
        start = text.index(sentence)
        spans.append([start, start + len(sentence), ["ORG:acme"]])
    return {"title": title, "url": None, "published_at": published, "text": text, "similarity": 0.5,
            "sentences": spans}


def test_background_is_dated_cited_without_repeats_in_order():
    strike = "Acme dockers voted to strike over pay on Monday."
    sources = {
        "a": _source("A", "2024-03-06T00:00:00+00:00",
                     ["Acme opened its deep-water port on the river in 1990.", strike]),
        "b": _source("B", "2024-03-07T00:00:00+00:00", [strike, "Rain fell."]),
    }
    entities = [{"key": "ORG:acme", "name": "Acme", "salience": 1.0}]
    items = background.timeline(entities, sources, {"e:ORG:acme": 2.0}, limit=8)
    assert [i["text"] for i in items] == ["Acme opened its deep-water port on the river in 1990.", strike]
    assert [i["date"] for i in items] == ["1990", "2024-03-04"]
    assert [i["date_from"] for i in items] == ["text", "relative"]
    for item in items:
        start, end = item["source"]["span"]
        assert sources[item["source"]["archive_id"]]["text"][start:end] == item["text"]


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


ACME = [{"key": "ORG:acme", "name": "Acme", "salience": 1.0}]


def test_timeline_takes_at_most_two_items_from_one_source():
    events = ["opened a second terminal", "hired forty crane drivers", "lost its chief executive",
              "signed a grain contract with Egypt", "settled a lawsuit with fishermen", "dredged the river mouth"]
    diary = _source("Acme year in review", "2024-12-30T00:00:00+00:00", [
        f"On {day} March 2024, Acme {event}." for day, event in enumerate(events, start=1)])
    items = background.timeline(ACME, {"review": diary}, {"e:ORG:acme": 2.0}, limit=8)
    assert len(items) == background.PER_SOURCE == 2


def test_timeline_drops_near_duplicates_and_spreads_over_the_story():
    """Many sources repeating last week's news do not crowd out the story's earlier dates."""
    week = [_source(f"Strike {i}", f"2024-03-0{i}T00:00:00+00:00",
                    [f"Acme dockers went on strike at the port over pay on Monday, union leaders said{'!' * i}."])
            for i in range(5, 9)]
    history = [
        _source("Port opens", "1990-06-02T00:00:00+00:00", ["Acme opened its deep-water port on the river in 1990."]),
        _source("Port sold", "2008-05-02T00:00:00+00:00", ["Acme bought the port from the city council in May 2008."]),
    ]
    sources = {f"s{i}": doc for i, doc in enumerate(week + history)}
    items = background.timeline(ACME, sources, {"e:ORG:acme": 2.0}, limit=4)
    texts = [i["text"] for i in items]
    assert sum("went on strike" in t for t in texts) == 1  # one of four near-identical reports
    assert {i["date"][:4] for i in items} >= {"1990", "2008", "2024"}
    assert [i["date"] for i in items] == sorted(i["date"] for i in items)


def test_timeline_ranks_the_dates_most_sources_report():
    day = "Acme dockers walked out at the port on 4 March 2024, the union said."
    sources = {f"r{i}": _source(f"R{i}", f"2024-03-{10 + i}T00:00:00+00:00",
                                [day.replace("the union", f"union branch {i}")]) for i in range(3)}
    sources["lone"] = _source("Lone", "2024-02-01T00:00:00+00:00",
                              ["Acme dockers met the port managers on 30 January 2024."])
    items = background.timeline(ACME, sources, {"e:ORG:acme": 2.0}, limit=1)
    assert [i["date"] for i in items] == ["2024-03-04"]  # three sources against one


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
    A capitalised word anywhere else, or a first word that can be a name ("May"), is read."""
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
    read = ["Police said Smith was shot twice .".split(), "May said she would resign .".split()]
    assert tagger.tag(skipped) == [[], []] and runs == []
    found = tagger.tag(read)
    assert len(runs) == 2 and (2, 3, "PER") in found[0] and (0, 1, "PER") in found[1], found


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


def test_a_source_typing_the_article_s_name_otherwise_still_counts_for_it():
    """The tagger may type a name one way in the article and another in an archive article
    ("Acme" ORG here, MISC there): the archive sentence is still about the article's entity."""
    source = _source("Acme", "2024-03-06T00:00:00+00:00", ["Acme opened its deep-water port on the river in 1990."])
    source["sentences"][0][2] = ["MISC:acme"]
    items = background.timeline(ACME, {"misc": source}, {"e:ORG:acme": 2.0}, limit=8)
    assert [i["text"] for i in items] == ["Acme opened its deep-water port on the river in 1990."]


def test_implications_read_only_the_part_of_a_source_about_the_story():
    """A local news page covers several stories: implications read the sentences within the window
    of one naming the story (its own entities, under any type, or the story's), never the rest."""
    sentences = ["Acme dockers voted to strike over pay on Monday.",
                 "The walkout could halt grain exports for weeks, traders said.",
                 "Port officials expect ships to queue outside the harbour.",
                 "In other news, the county fair opens on Saturday with a pie contest.",
                 "Health officials want to prevent the spread of flu in schools.",
                 "A council vote on the new library was postponed again.",
                 "Union leaders at Acme said talks would resume next week."]
    page = _source("Local news", "2024-03-06T00:00:00+00:00", sentences)
    for n, span in enumerate(page["sentences"]):
        span[2] = {0: ["ORG:acme"], 6: ["MISC:acme"]}.get(n, ["LOC:county"])
    read = [s["text"] for s in background.story_sentences({"page": page}, ACME, window=1)]
    assert read == [sentences[0], sentences[1], sentences[5], sentences[6]]
    assert [s["text"] for s in background.story_sentences({"page": page}, ACME, window=2)] == \
        sentences[:3] + sentences[4:]
    assert [s["text"] for s in background.story_sentences({"page": page}, ACME, window=None)] == sentences
    story = background.Story(common={"ORG:acme"})  # too common to tie a sentence to the story alone
    assert background.story_sentences({"page": page}, ACME, story, window=1) == []


def test_a_source_far_from_the_article_gives_only_sentences_naming_the_story_twice():
    """A local news archive's story pool holds every shooting in the town. A source among the
    article's nearest archive articles (Story.near) may give a sentence naming the town alone; any
    other source only a sentence naming FAR_TIES of the story's names."""
    bristol = [{"key": "LOC:bristol", "name": "Bristol", "salience": 1.0},
               {"key": "PER:kiran patel", "name": "Kiran Patel", "salience": 0.8}]
    weights = {"e:LOC:bristol": 2.0, "e:PER:kiran patel": 3.0}
    near = _source("Motel shooting", "2016-07-07T00:00:00+00:00",
                   ["Police in Bristol said the gunman fired at passing cars on 7 July 2016."])
    far = _source("Town news", "2014-11-03T00:00:00+00:00",
                  ["A private culinary school in Bristol closed its doors on 3 November 2014.",
                   "Kiran Patel bought the Bristol motel on 1 June 2014."])
    near["sentences"][0][2] = ["LOC:bristol"]
    far["sentences"][0][2] = ["LOC:bristol"]
    far["sentences"][1][2] = ["PER:kiran patel", "LOC:bristol"]
    sources = {"near": near, "far": far}
    texts = lambda story: [i["text"] for i in background.timeline(bristol, sources, weights, 8, story=story)]  # noqa: E731
    assert background.FAR_TIES == 2
    gated = texts(background.Story(near={"near"}))
    assert gated == ["Kiran Patel bought the Bristol motel on 1 June 2014.",
                     "Police in Bristol said the gunman fired at passing cars on 7 July 2016."]
    assert "A private culinary school in Bristol closed its doors on 3 November 2014." in texts(background.Story())
    assert texts(background.Story(near=set())) == ["Kiran Patel bought the Bristol motel on 1 June 2014."]
    far["sentences"][1][2] = ["PER:kiran patel"]  # one name only: a far source's sentence is out...
    assert texts(background.Story(near=set())) == []
    background.FAR_ONE_NAME, before = ("PER",), background.FAR_ONE_NAME
    try:  # ...unless a far sentence naming one person is let in (a variant tried, not shipped)
        assert texts(background.Story(near=set())) == ["Kiran Patel bought the Bristol motel on 1 June 2014."]
    finally:
        background.FAR_ONE_NAME = before


def test_a_version_of_a_near_source_is_near_too():
    """The timeline cites one version of a story, the earliest (versions.representative); where a
    later version is among the article's nearest sources (flagged `near` by the story look-up), the
    one cited is as near, and its sentence naming the story once is kept."""
    bristol = [{"key": "LOC:bristol", "name": "Bristol", "salience": 1.0}]
    sentence = "Police in Bristol said the gunman fired at passing cars on 7 July 2016."
    wire = _source("Motel shooting", "2016-07-07T00:00:00+00:00", [sentence])
    update = {**_source("Motel shooting", "2016-07-08T00:00:00+00:00", [sentence]), "near": True}
    for doc in (wire, update):
        doc["sentences"][0][2] = ["LOC:bristol"]
        doc["features"] = {"e:LOC:bristol": 1.0, "t:gunman": 1.0}
    items = background.timeline(bristol, {"wire": wire, "update": update}, {"e:LOC:bristol": 2.0}, 8,
                                story=background.Story(near={"update"}))
    assert [(i["text"], i["source"]["archive_id"]) for i in items] == [(sentence, "wire")]
    del update["near"]  # were the later version not near, the cited one would be far: one name is too few
    assert background.timeline(bristol, {"wire": wire, "update": update}, {"e:LOC:bristol": 2.0}, 8,
                               story=background.Story(near={"update"})) == []
