"""Statements: an item's claim is its evidence sentence's clause, with who says so, and never says
more than the sentence (enrich/statements.py)."""

from __future__ import annotations

import re

import pytest

from enrich.statements import split_attribution, statement

NAMES_AND_NUMBERS = re.compile(r"\b(?:[A-Z][\w'-]*|\d[\d.,]*)")


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Analysts expect a sharp fall in results, said Chris Rowland of Barclays de Zoete Wedd.",
     "Analysts expect a sharp fall in results (Chris Rowland of Barclays de Zoete Wedd)"),
    ("The ministry warned on Tuesday that prices would rise further, hurting exporters.",
     "Prices would rise further, hurting exporters (The ministry)"),
    ("But the strike will cost the company about 10 million dlrs a week, the union said.",
     "The strike will cost the company about 10 million dlrs a week (the union)"),
    ("According to police, the shooting could lead to new charges against the two men.",
     "The shooting could lead to new charges against the two men (police)"),
    ("Shares fell 5 pct after the report.", "Shares fell 5 pct after the report"),
])
def test_a_statement_is_its_clause_and_who_says_so(sentence, expected):
    assert statement(sentence) == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # passive: no one is speaking, so nothing is cut off and no one is named
    ("The merger is expected to be completed by the end of the year.",
     "The merger is expected to be completed by the end of the year"),
    ("Coal exports are now forecast at 12 mln tonnes for the season.",
     "Coal exports are now forecast at 12 mln tonnes for the season"),
    # the subject will act: "expects to", "told them to"
    ("The airline expects to cut 400 jobs at its two northern bases.",
     "The airline expects to cut 400 jobs at its two northern bases"),
    # auxiliaries, adverbs, conjunctions and pronouns are not the speaker
    ("The central bank has warned that the currency could weaken further.",
     "The currency could weaken further (The central bank)"),
    ("Freight rates will keep rising into the spring, the broker also said.",
     "Freight rates will keep rising into the spring (the broker)"),
    ("Local fishing could collapse within two years, the union has said.",
     "Local fishing could collapse within two years (the union)"),
    ("But he said the shortage would ease once the new mine opens.",
     "The shortage would ease once the new mine opens"),
    ("A second vote could be held in the autumn, one said.", "A second vote could be held in the autumn"),
    # where it was said is not part of the claim
    ("The regulator said in a statement that fares would rise by a tenth.",
     "Fares would rise by a tenth (The regulator)"),
])
def test_an_attribution_names_a_speaker_or_nothing(sentence, expected):
    assert statement(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "Prices rose.",  # too short to split
    "He said that.",
    "The talks, which officials said would resume, collapsed on Monday after the army moved in.",
])
def test_a_statement_never_says_more_than_its_sentence(sentence):
    claim = statement(sentence)
    assert len(claim) <= len(" ".join(sentence.split()))
    assert set(NAMES_AND_NUMBERS.findall(claim)) <= set(NAMES_AND_NUMBERS.findall(sentence)) | {
        claim.split()[0]}  # the first word may gain a capital
    assert split_attribution("Prices rose.") == ("Prices rose.", "")
