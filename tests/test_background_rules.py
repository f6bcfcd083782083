"""The background's rules, tested directly on archive sources built here: dated, cited items
without repeats, spread over the story, and which sources' sentences may tie to it (the pure
logic; the story look-up that flags sources is tested in tests/test_archive.py)."""

from __future__ import annotations

from enrich import background

ACME = [{"key": "ORG:acme", "name": "Acme", "salience": 1.0}]


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


def test_a_name_typed_misc_is_a_subject_by_its_salience(monkeypatch):
    """The name tagger types a movement as CoNLL-2003 does, MISC ("Taleban"): the article's most
    named name is one of its main entities whatever its type; with SUBJECT_MISC None (before session
    22) MISC names were context only."""
    entities = [{"key": "MISC:taliban", "type": "MISC", "salience": 1.0},
                {"key": "LOC:kandahar", "type": "LOC", "salience": 1.0},
                {"key": "LOC:afghanistan", "type": "LOC", "salience": 0.571},
                {"key": "ORG:al jazeera", "type": "ORG", "salience": 0.357},
                {"key": "ORG:mujahideen", "type": "ORG", "salience": 0.143},
                {"key": "MISC:afghan", "type": "MISC", "salience": 0.143}]
    keys = [e["key"] for e in background.main_entities(entities)]
    assert keys == ["MISC:taliban", "LOC:kandahar", "LOC:afghanistan", "ORG:al jazeera"]
    monkeypatch.setattr(background, "SUBJECT_MISC", 0.5)
    assert [e["key"] for e in background.main_entities(entities, 6)] == [
        "MISC:taliban", "LOC:kandahar", "LOC:afghanistan", "ORG:al jazeera", "ORG:mujahideen"]
    monkeypatch.setattr(background, "SUBJECT_MISC", None)
    assert "MISC:taliban" not in [e["key"] for e in background.main_entities(entities)]
