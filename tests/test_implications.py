"""Implications and entities an editor can use: statements within their evidence, every category
served before any gets a second item, one item per evidence sentence, names kept whole and typed
once (the pure logic, real models)."""

from __future__ import annotations

from collections import Counter

import pytest

from core.settings import Settings
from enrich import categories, consequence, implications, key_points
from enrich.prepare import prepare_article
from enrich.statements import statement
from tests.test_statements import NAMES_AND_NUMBERS

MODEL = Settings().nlp_pipeline

SHELL = ("Royal Dutch/Shell Group said on Thursday its first-quarter profit fell 40 pct. "
         "Analysts expect a sharp fall in first-quarter results across the industry, said Chris Rowland "
         "of Barclays de Zoete Wedd. "
         "The drop in crude prices will force oil companies to cut investment in new fields, he said. "
         "The ministry warned that higher fuel costs could push inflation above 5 pct this year. "
         "Shell shares closed at 12.50 pounds in London. "
         "The company's chairman was born in The Hague.")


def test_the_classifier_tells_consequence_from_plain_report():
    causal, plain = consequence.scores([
        "The drop in crude prices will force oil companies to cut investment in new fields.",
        "The company's chairman was born in The Hague."])
    assert causal > 0.5 > plain


def test_the_model_reads_a_forecast_as_looking_ahead_and_a_report_as_not():
    # What the look-ahead head learned from dates to come, read without them: a forecast anchored
    # in time, one with no date, and (since 0.7.0, whose labels count a reported forecast as one)
    # a warning reported in the past tense.
    (_, forecast), (_, undated), (_, warned), (_, report) = consequence.read([
        "The strike at the plant will halt its production next month.",
        "The strike could halt the plant's production.",
        "Union leaders warned on Monday that the strike could close the mill.",
        "The minister visited the port on Tuesday and met dock workers."])
    assert min(forecast, undated, warned) > 0.5 > report  # the head's own decision (evaluation/causal.py)
    assert forecast > implications.AHEAD_THRESHOLD  # and enough for an implication on its own


def _implications(text: str, archive=None):
    prepared = prepare_article({"title": "Shell", "body": text}, MODEL)
    return prepared, implications.implications(prepared["text"], prepared["sentences"], 7, archive)


def test_implications_stay_within_their_evidence_and_never_share_it():
    prepared, items = _implications(SHELL)
    assert items, "the Shell story states consequences"
    assert "economic" in {i["category"] for i in items}
    texts, evidence = set(), set()
    for item in items:
        assert 0 < item["confidence"] <= 1 and item["label"]
        for e in item["evidence"]:
            assert prepared["text"][e["span"][0]:e["span"][1]] == e["text"]
            assert (e["source"], *e["span"]) not in evidence, "two items share evidence"
            evidence.add((e["source"], *e["span"]))
        source = " ".join(e["text"] for e in item["evidence"])
        assert len(item["text"]) <= len(source)
        words = set(NAMES_AND_NUMBERS.findall(item["text"])) - {item["text"].split()[0]}
        assert words <= set(NAMES_AND_NUMBERS.findall(source)), f"{item['text']!r} goes beyond {source!r}"
        assert item["text"].lower() not in texts
        texts.add(item["text"].lower())
    per_category = Counter(i["category"] for i in items)
    assert max(per_category.values()) <= implications.PER_CATEGORY
    # Every category with evidence is served before any gets a second item.
    firsts = [i for n, i in enumerate(items) if i["category"] not in {j["category"] for j in items[:n]}]
    assert items[:len(firsts)] == firsts


def test_a_category_gets_more_items_only_up_to_its_cap_and_the_limit(monkeypatch):
    archive = [{"archive_id": f"a-{n}", "span": [0, len(t)], "text": t} for n, t in enumerate([
        "Higher oil prices are expected to drive up inflation across the region next year.",
        "The rise in interest rates will push mortgage costs higher for millions of households.",
        "Falling exports could cut the country's growth in half by the end of the year."])]
    # The article states no consequence of its own; its story (oil) is the archive sentence's.
    article = ("Oil ministers met in Vienna on Monday, with crude prices on the agenda. "
               "The meeting was held at the cartel's offices.")
    _, items = _implications(article, archive)
    categories_ = [i["category"] for i in items]
    assert categories_.count("economic") == 3, items
    assert len(set(categories_[:len(set(categories_))])) == len(set(categories_))  # each served first
    monkeypatch.setattr(implications, "PER_CATEGORY", 2)
    _, items = _implications(article, archive)
    assert [i["category"] for i in items].count("economic") == 2, items
    prepared = prepare_article({"title": "Shell", "body": "The band played on."}, MODEL)
    one = implications.implications(prepared["text"], prepared["sentences"], 1, archive)
    assert len(one) == 1


def test_a_category_without_a_consequence_is_left_out():
    _, items = _implications("The band played on. The hall was full of people from the town.")
    assert items == []


def test_archive_sentences_are_evidence_with_their_archive_id():
    archive = [{"archive_id": "a-1", "span": [10, 99],
                "text": "Higher oil prices are expected to drive up inflation across the region next year."}]
    # The article states no consequence of its own; its story (oil) is the archive sentence's. (Its
    # purpose clause, "met ... to discuss crude output", the causal head reads as causal: 0.89.)
    _, items = _implications("Oil ministers met in Vienna on Monday about crude output and prices. "
                             "The meeting was held at the cartel's offices.", archive)
    assert items and items[0]["evidence"] == [{"source": "a-1", "span": [10, 99], "text": archive[0]["text"]}]


def test_an_archive_sentence_off_the_article_s_story_is_no_implication():
    """Read in the article's story, an oil-price forecast is not a concert's implication."""
    archive = [{"archive_id": "a-1", "span": [10, 99],
                "text": "Higher oil prices are expected to drive up inflation across the region next year."}]
    _, items = _implications("The band played on. The hall was full of people from the town.", archive)
    assert items == []


def test_key_points_never_repeat_an_implication():
    prepared, items = _implications(SHELL)
    taken = frozenset(tuple(e["span"]) for i in items for e in i["evidence"])
    points = key_points.key_points(prepared["text"], prepared["sentences"], prepared["entities"],
                                   prepared["terms"], taken=taken)
    assert points and not {tuple(p["span"]) for p in points} & taken


@pytest.mark.parametrize(("body", "name"), [
    ("Sheikh Ali al-Khalifa al-Sabah, Kuwait's oil minister, said OPEC would meet in Vienna.",
     "Ali al-Khalifa al-Sabah"),
    ("Osama bin Laden was seen in Kandahar, officials said.", "Osama bin Laden"),
    ("Charles de Gaulle spoke in Paris on Tuesday.", "Charles de Gaulle"),
])
def test_names_with_particles_stay_whole(body, name):
    prepared = prepare_article({"title": "News", "body": body}, MODEL)
    assert name in {e["name"] for e in prepared["entities"]}


def test_one_name_one_type():
    body = ("Shell Oil said profits fell. Shell Oil shares rose in London. Shell Oil will cut jobs, "
            "the company said. Analysts at Shell Oil expect more cuts.")
    prepared = prepare_article({"title": "Shell Oil results", "body": body}, MODEL)
    names = [e["name"].lower() for e in prepared["entities"]]
    assert len(names) == len(set(names))
    assert any(e["name"] == "Shell Oil" and len(e["mentions"]) >= 4 for e in prepared["entities"])


@pytest.mark.parametrize(("body", "name", "etype"), [
    ("Shell Oil said profits fell. Shell Oil shares rose in London.", "Shell Oil", "ORG"),  # model: a person
    ("Talks on the West Bank resumed, officials said.", "West Bank", "LOC"),  # a place, though "bank"
])
def test_organisations_named_like_places_or_people_are_typed_by_their_last_word(body, name, etype):
    prepared = prepare_article({"title": "News", "body": body}, MODEL)
    assert {e["name"]: e["type"] for e in prepared["entities"]}.get(name) == etype


def test_a_precedent_cites_a_dated_archive_consequence_of_the_same_kind():
    text = "The last oil price collapse forced producers to cut output by a fifth within a year."
    archive = [{"archive_id": "a-7", "span": [0, len(text)], "date": "1986-04", "text": text}]
    _, items = _implications(SHELL, archive)
    economic = next(i for i in items if i["category"] == "economic")
    assert economic["evidence"][0]["source"] == "article"
    assert economic["precedent"] == {"date": "1986-04", "text": statement(text),
                                     "evidence": [{"source": "a-7", "span": [0, len(text)], "text": text}]}
    assert all(e["source"] != "a-7" for i in items for e in i["evidence"])  # not also an item's evidence


def test_a_consequence_to_come_ranks_before_one_already_reported():
    reported = "Oil prices fell sharply because the OPEC meeting collapsed."
    ahead = "Lower oil prices could force the government to cut its budget next year, analysts warned."
    text = f"{reported} {ahead}"
    spans = [[0, len(reported)], [len(reported) + 1, len(text)]]
    # The model is surer of the reported effect; the ranking still puts what it reads as looking
    # ahead first, unless it is far surer of the other. (causal, ahead) for each sentence:
    for heads, expected in (([(0.90, 0.05), (0.80, 0.9)], ahead), ([(0.99, 0.05), (0.55, 0.1)], reported)):
        items = implications.implications(text, spans, 7, read=lambda texts, h=heads: h)
        economic = next(i for i in items if i["category"] == "economic")
        assert economic["evidence"][0]["text"] == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # None of these says a word of the word lists that chose categories before (evaluation/category_domains.py).
    ("The carmaker's quarterly earnings beat forecasts and its dividend was raised.", "economic"),
    ("The jury convicted him of manslaughter.", "legal"),
    ("Tens of thousands fled their villages and now sleep in tents without clean water.", "humanitarian"),
])
def test_categories_come_from_a_trained_classifier_not_a_word_list(sentence, expected):
    from evaluation.category_domains import word_list_scores

    assert not word_list_scores(sentence)
    assert categories.categories(sentence)[0][0] == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # What is said is the war's, though its words are a market's or a court's: "reach", "freed",
    # "plans", "staff" (the stem student read these economic or legal: evaluation/stem_categories.py).
    ("Rebels could reach the capital within weeks, officials warned.", "security"),
    ("Foreign embassies drew up plans to evacuate their staff.", "security"),
])
def test_a_category_is_read_from_what_the_sentence_means(sentence, expected):
    assert categories.categories(sentence)[0][0] == expected


def test_a_sentence_is_filed_as_its_story_reads_it():
    # Read alone, 0.7.0's head files this one humanitarian (0.59; 0.6.0's read security):
    # the service reads every candidate in its story's context (categories.in_context), as here.
    sentence = "The freed inmates could join the insurgents."
    story = ["Rebels seized the provincial capital after days of fighting with government troops.",
             "The insurgents opened the city's jail and freed hundreds of prisoners.",
             "Army reinforcements were sent to defend the road to the capital."]
    assert categories.in_context([sentence], story)[0][0][0] == "security"


def test_one_pass_of_the_consequence_model_reads_the_heads_and_the_categories():
    sentence = "Higher fuel costs could push inflation above 5 pct this year."
    [reading] = consequence.readings([sentence])
    assert set(reading.about) == {*categories.LABELS, categories.OTHER}
    assert sum(reading.about.values()) == pytest.approx(1.0, abs=1e-3)
    assert consequence.read([sentence]) == [(reading.causal, reading.ahead)]
    consequence.forget()  # read again, with others: the same reading
    assert consequence.readings(["Shares fell.", sentence, sentence])[1:] == [reading, reading]


def test_a_sentence_about_none_of_the_categories_has_none():
    assert categories.categories("The home side won the league title with a late goal on Sunday.") == []


def test_a_sentence_is_read_in_its_story():
    sentence = "It was the first major city to fall to them in a year."
    fighting = ["Rebel fighters stormed the city after days of shelling.",
                "Government troops retreated and dozens of soldiers were killed.",
                "The army launched air strikes on militant positions."]
    markets = ["Shares slumped on the stock exchange.", "The index lost 3 pct as investors sold bank stocks.",
               "Traders expect prices to fall further next week."]
    [in_markets] = categories.in_context([sentence], [*markets, sentence])
    [in_fighting] = categories.in_context([sentence], [*fighting, sentence])
    assert in_markets and in_markets[0][0] == "economic"
    assert "economic" not in dict(in_fighting)


def test_a_category_the_story_is_hardly_about_is_not_served():
    """One market sentence in a war story is plainly economic, alone and even weighed by the story;
    the story's mass of economic sentences is too small for an economic item."""
    fighting = ["Rebel fighters stormed the city after days of shelling.",
                "Government troops retreated and dozens of soldiers were killed.",
                "The army launched air strikes on militant positions.",
                "Militants ambushed a convoy near the border.",
                "The fighting forced the garrison to surrender its weapons."]
    markets = "Shares slumped on the stock exchange as investors sold bank stocks."
    assert categories.categories(markets)[0][0] == "economic"
    [in_war] = categories.in_context([markets, fighting[0]], [*fighting, markets])[:1]
    assert in_war == []
    [alone] = categories.in_context([markets], [markets])
    assert alone[0][0] == "economic"


def test_the_story_s_latest_coverage_gets_a_read_of_its_own(monkeypatch):
    """With a quota (ARCHIVE_READS; none since the category head reads every candidate), archive
    sentences compete for it per category, most about it first; the one most about it in the story's
    latest coverage is read besides, though others are more about it."""
    monkeypatch.setattr(implications, "ARCHIVE_READS", 3)
    texts = [f"Older coverage sentence number {n} about the talks and the government." for n in range(4)]
    latest = "Embassies are preparing to move their staff out if the capital is threatened."
    archive = [{"archive_id": f"old-{n}", "span": [0, len(t)], "text": t} for n, t in enumerate(texts)]
    archive.append({"archive_id": "new", "span": [0, len(latest)], "text": latest, "latest": True})
    strength = {t: 0.9 - 0.1 * n for n, t in enumerate(texts)} | {latest: 0.5}
    monkeypatch.setattr(categories, "in_context", lambda sentences, story: [
        [("political", strength[s])] if s in strength else [] for s in sentences])
    pool = implications.candidates("", [], archive)
    read = [c["text"] for c, _ in implications.most_about_each_category(pool)]
    assert read == texts[:implications.ARCHIVE_READS] + [latest]
    monkeypatch.setattr(implications, "LATEST_READS", 0)
    assert latest not in [c["text"] for c, _ in implications.most_about_each_category(pool)]


def test_every_article_sentence_about_a_category_is_read_and_none_about_none(monkeypatch):
    """A long article's own consequences are read however many sentences are more about their
    category (the Shell demo lost its forecasts to a quota of three); archive sentences keep theirs."""
    texts = [f"Article sentence number {n} about crude output and prices this year." for n in range(9)]
    off = "The home side won the league title with a late goal on Sunday."
    text = " ".join([*texts, off])
    spans, at = [], 0
    for t in [*texts, off]:
        spans.append([at, at + len(t)])
        at += len(t) + 1
    monkeypatch.setattr(categories, "in_context", lambda sentences, story: [
        [] if s == off else [("economic", 0.9 - 0.01 * texts.index(s))] for s in sentences])
    read = [c["text"] for c, _ in implications.most_about_each_category(implications.candidates(text, spans, []))]
    assert read == texts
    monkeypatch.setattr(implications, "ARTICLE_READS", 3)
    read = [c["text"] for c, _ in implications.most_about_each_category(implications.candidates(text, spans, []))]
    assert read == texts[:3]


def test_an_item_that_says_what_an_earlier_one_said_is_left_out(monkeypatch):
    """Two copies of one story carry the same sentence, one word and the attribution changed: one
    item. A different consequence that shares some words with it stays."""
    first = "The police will not release the name of the suspect until the investigation is complete, the sheriff said."
    again = "Police will not release the name of the suspect until the investigation is complete, a spokesman said."
    other = "The suspect will appear in court on Monday to face a charge of murder, the police said."
    archive = [{"archive_id": f"a-{n}", "span": [0, len(t)], "text": t} for n, t in enumerate([first, again, other])]
    monkeypatch.setattr(categories, "in_context", lambda sentences, story: [[("legal", 0.9)] for _ in sentences])
    heads = {first: (0.9, 0.9), again: (0.9, 0.85), other: (0.85, 0.8)}

    def evidence() -> list[str]:
        found = implications.implications("", [], 5, archive, read=lambda ts: [heads[t] for t in ts])
        return [i["evidence"][0]["text"] for i in found]

    assert evidence() == [first, other]
    monkeypatch.setattr(implications, "REPEAT_OVERLAP", None)
    assert evidence() == [first, again, other]


def test_a_table_s_line_is_no_evidence_however_the_heads_read_it():
    """A wire table's line has no English function word (PROSE_WORDS): it is no candidate, though
    the consequence heads may read it as looking ahead; a sentence of the same length is one, and
    numerals do not count as function words."""
    table = "Qtly div nine cts vs eight cts prior Pay April 15"
    prose = "The dividend will be paid on April 15, the company said."
    assert implications.function_words(table) == 0 and implications.function_words(prose) >= 3
    text = f"{table}\n{prose}"
    found = [c["text"] for c in implications.candidates(text, [[0, len(table)], [len(table) + 1, len(text)]], [])]
    assert found == [prose]
    archive = [{"archive_id": "t", "span": [0, len(table)], "text": table, "published": "1987-03-01"}]
    assert implications.candidates("", [], archive) == []
