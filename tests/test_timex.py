"""The temporal tagger's rules (enrich/timex.py): what it must resolve, and what must not match."""

from __future__ import annotations

from datetime import date

import pytest

from enrich.timex import as_date, event_date, tag

FRI = date(1998, 8, 7)  # a Friday


def values(sentence: str, published: date = FRI) -> list[tuple[str, str]]:
    return [(t.text, t.value) for t in tag(sentence, published)]


@pytest.mark.parametrize("sentence, expected", [
    ("Bombs exploded outside the embassies on August 7, 1998, officials said.", [("August 7, 1998", "1998-08-07")]),
    ("The talks resume on Aug. 12, the ministry said.", [("Aug. 12", "1998-08-12")]),
    ("The treaty was signed on 3 March 1994.", [("3 March 1994", "1994-03-03")]),
    ("Prices fell in February 2011, the bank said.", [("February 2011", "2011-02")]),
    ("The Taliban first captured Kandahar in 1994.", [("1994", "1994")]),
    ("The deal was struck in the 1990s.", [("the 1990s", "199")]),
    ("Profit rose in the third quarter.", [("the third quarter", "1998-Q3")]),
    ("Fourth-quarter sales will be weaker.", [("Fourth-quarter", "1998-Q4")]),
    ("In the year-earlier third quarter, it earned $2.8 million.", [("year-earlier third quarter", "1997-Q3")]),
    ("Sales rose last year and will rise next year.", [("last year", "1997"), ("next year", "1999")]),
    ("The strike began last week.", [("last week", "1998-W31")]),
    ("Exports fell last month.", [("last month", "1998-07")]),
    ("The plant closed three years ago.", [("three years ago", "1995")]),
    ("It rained yesterday; it is dry today and will rain tomorrow.",
     [("yesterday", "1998-08-06"), ("today", "1998-08-07"), ("tomorrow", "1998-08-08")]),
    ("The vote is due this summer.", [("this summer", "1998-SU")]),
    ("Over the summer, competitors cut prices.", [("the summer", "1998-SU")]),
    ("The new Central Bank governor takes office on Monday, Oct. 26.", [("Monday, Oct. 26", "1998-10-26")]),
])
def test_resolves(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert values(sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    ("Suspected bombs exploded outside the embassies Friday.", "1998-08-07"),  # publication weekday: that day
    ("The minister said last Friday that talks had failed.", "1998-07-31"),  # "last": a week back
    ("The union met on Tuesday.", "1998-08-04"),  # past: the latest Tuesday before
    ("The union will meet on Tuesday.", "1998-08-11"),  # future: the next one
    ("Cuba predicted Wednesday that exiles will appeal.", "1998-08-05"),  # the verb before it is past
    ("The team planned to leave Nairobi on Thursday for Dar es Salaam.", "1998-08-13"),
])
def test_weekdays_follow_the_tense(sentence: str, expected: str) -> None:
    picked = event_date(sentence, FRI)
    assert picked is not None and picked.value == expected


@pytest.mark.parametrize("sentence, expected", [
    # "likely to" looks ahead: a quarter to come, not the last one (the Shell demo's misdated sentence)
    ("Volatility is likely to continue into the third quarter, traders said.", "1987-Q3"),
    ("The deal is expected to close in September.", "1987-09"),  # "expected" inside "is expected"
    ("The sale is scheduled to close Monday.", "1987-03-16"),  # "scheduled" is not a past verb here
    ("He will succeed the chairman on Monday.", "1987-03-16"),  # "succeed" is no -ed past
    ("The guidelines will be published in November.", "1987-11"),  # a passive after "be"
    ("Profit fell in the third quarter.", "1986-Q3"),  # still the last one where the verb is past
])
def test_what_is_to_come_is_dated_ahead(sentence: str, expected: str) -> None:
    picked = event_date(sentence, date(1987, 3, 10))
    assert picked is not None and picked.value == expected, picked


@pytest.mark.parametrize("sentence", [
    "The market was 10 percent lower at the close.",  # "mar" starts a word: no March
    "Mayor Jane Doe said the budget was balanced.",  # "May" starts a word
    "The rebels may attack the city, officials warned.",  # "may" the verb
    "Investors may 10 times over regret it.",
    "The film starred Fredric March and Myrna Loy.",  # March, a name
    "About 2000 people marched, and 1998 cars were sold.",  # counts that look like years
    "The company paid $1995 for the license.",
    "Turnout rose 1,995 votes.",
    "The shares rose 300 points.",
    "Apple unveiled a phone.",
    "He arrived with a Sunday newspaper? No: with a bag.",
])
def test_look_alikes_do_not_match(sentence: str) -> None:
    found = [(t.text, t.value) for t in tag(sentence, FRI)
             if not (t.text == "Sunday" and "Sunday newspaper" in sentence)]
    assert found == []


def test_may_and_march_count_after_a_preposition() -> None:
    assert values("Elections are due in May.", FRI) == [("May", "1999-05")]
    assert values("The ceasefire held until March.", FRI) == [("March", "1998-03")]


def test_later_and_earlier_count_from_the_anchor_only() -> None:
    assert values("Two days later the rebels withdrew.") == []  # later than what? not in the sentence
    assert [(t.text, t.value) for t in tag("Two days later the rebels withdrew.", FRI, anchor=date(1994, 11, 5))] \
        == [("Two days later", "1994-11-07")]


def test_event_date_prefers_the_expression_on_the_verb() -> None:
    sentence = "Since 1994 the Taliban have held Kandahar, which they entered on Nov. 5, 1994."
    assert event_date(sentence, FRI).value == "1994-11-05"  # type: ignore[union-attr]
    modifier = "The 1994 capture of Kandahar was recalled by officials on Thursday."
    assert event_date(modifier, FRI).value == "1998-08-06"  # type: ignore[union-attr]
    assert event_date("Officials have made no comment.", FRI) is None


def test_as_date_orders_values_of_any_granularity() -> None:
    assert as_date("1994") == date(1994, 1, 1)
    assert as_date("1994-11") == date(1994, 11, 1)
    assert as_date("1994-11-05") == date(1994, 11, 5)
    assert as_date("1994-Q4") == date(1994, 10, 1)
    assert as_date("1994-FA") == date(1994, 9, 1)  # a season sorts by its first month, not last
    assert sorted(["2021-08-12", "2001-FA", "1994-FA"], key=as_date) == ["1994-FA", "2001-FA", "2021-08-12"]
    assert as_date("1994-W31") is None


@pytest.mark.parametrize("value, shown", [("1994-11-05", "5 November 1994"), ("2011-02", "February 2011"),
                                          ("1998-Q3", "Q3 1998"), ("1998-SU", "summer 1998"), ("1994", "1994")])
def test_rendered_dates_read_as_an_editor_writes_them(value: str, shown: str) -> None:
    from enrich.render import readable_date

    assert readable_date(value) == shown


def test_tense_free_keeps_only_what_the_tense_cannot_move():
    # A bare weekday is last Friday or next Friday depending on the verb; "next month" and a written
    # date are not: only those may label a sentence as looking ahead (training/consequence).
    sentence = "Talks resume on Friday and the plant reopens next month, before March 3, 1988."
    published = date(1987, 6, 10)
    assert [t.text for t in tag(sentence, published)] == ["Friday", "next month", "March 3, 1988"]
    assert [t.text for t in tag(sentence, published, tense_free=True)] == ["next month", "March 3, 1988"]


def test_a_sentence_read_without_its_dates_keeps_its_words():
    from evaluation.tempeval_ahead import undated

    sentence = "The talks will resume on Friday, after Tuesday's vote, in April 1999."
    spans = [(sentence.index(w), sentence.index(w) + len(w)) for w in ("Friday", "Tuesday", "April 1999")]
    assert undated(sentence, spans) == "The talks will resume, after the vote."
