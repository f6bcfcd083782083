"""A consequence sentence shortened to its statement: the clause, then who says so.

"The ministry warned on Tuesday that prices would rise further, hurting exporters." ->
"Prices would rise further, hurting exporters (the ministry)".

The statement is built only from pieces of its sentence: it never holds a name, number or date
that the sentence lacks, and it is never longer than the sentence.
"""

from __future__ import annotations

import re

SAYING = (r"(?:said|says|say|warned|warns|warn|predicted|predicts|expects|expect|expected|added|"
          r"believes|believe|estimated|estimates|forecast|forecasts|cautioned|noted|argued|told\s+\w+)")
# "said on Tuesday", "said in a statement": when or where it was said, not part of the claim
WHEN = r"(?:\s+(?:on|last|this|late|early)\s+\w+|\s+in\s+an?\s+\w+)?"
WHO = r"(?P<who>[A-Za-z][^,;:\"“”]{1,80}?)"
# "..., Barclays' Chris Rowland said (on Tuesday)." / "..., said Chris Rowland, an analyst."
SAID_AFTER = re.compile(rf"^(?P<clause>.{{20,}}?)[,;]?\s*[\"”']?\s*{WHO}\s+{SAYING}{WHEN}\s*[.!]?$")
SAID_BEFORE_NAME = re.compile(rf"^(?P<clause>.{{20,}}?)[,;]\s*[\"”']?\s*{SAYING}\s+{WHO}(?:,[^.]*)?[.!]?$")
# "Analysts said (on Tuesday) (that) ..." / "The ministry warned that ..."
# ... but not "The company expects to sell the unit": the subject will act, no one is quoted.
SAID_FIRST = re.compile(rf"^{WHO}\s+{SAYING}{WHEN}(?:\s+that)?[,:]?\s+(?!to\b)(?P<clause>.{{20,}})$")
ACCORDING = re.compile(rf"^According to {WHO},\s+(?P<clause>.{{20,}})$", re.IGNORECASE)
CONJUNCTIONS = "but|and|however|meanwhile|still|yet|so"
LEADING = re.compile(rf"^(?:{CONJUNCTIONS}|also|in addition|moreover)\b,?\s+", re.IGNORECASE)
MAX_WHO_WORDS = 8
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "one"}  # "(he)" tells an editor nothing
# Words around a speaker that are not the speaker: "But he also said", "the ministry has warned".
WHO_BEFORE = re.compile(rf"^(?:(?:{CONJUNCTIONS}|while|although)\b,?\s*)+", re.IGNORECASE)
WHO_AFTER = re.compile(r"(?:\s+(?:also|again|further|earlier|later|previously|today|yesterday|has|have|had))+$",
                       re.IGNORECASE)
# A form of "be" before the verb makes it passive, and no one is speaking: "Output is expected to
# rise", "Exports are forecast at 5 mln tonnes". A phrase that starts with a preposition ("said in
# a report") is no speaker either.
PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)(?:\s+(?:now|still|also|not|already|\w+ly))?$",
                     re.IGNORECASE)
PREPOSITION = re.compile(r"^(?:in|on|at|by|for|with|from|to|of|after|before|during)\b", re.IGNORECASE)


def _who_ok(who: str) -> bool:
    words = who.split()
    return (0 < len(words) <= MAX_WHO_WORDS and not re.search(r"\b(?:that|which|would|will)\b", who)
            and not PASSIVE.search(who) and not PREPOSITION.match(who))


def split_attribution(sentence: str) -> tuple[str, str]:
    """(clause, who) of a sentence; who is '' when the sentence names no speaker."""
    text = " ".join(sentence.split())
    for pattern in (SAID_BEFORE_NAME, SAID_AFTER, ACCORDING, SAID_FIRST):
        match = pattern.match(text)
        if not match:
            continue
        who = WHO_AFTER.sub("", WHO_BEFORE.sub("", match.group("who").strip(" \"'”“"))).strip(" ,")
        if _who_ok(who):
            return match.group("clause"), "" if who.lower() in PRONOUNS else who
    return text, ""


def statement(sentence: str) -> str:
    """The sentence's consequence as a short statement with its attribution in brackets."""
    text = " ".join(sentence.split())
    clause, who = split_attribution(text)
    clause = LEADING.sub("", clause).strip(" ,;:\"'“”").rstrip(".!")
    if not clause:
        return text
    clause = clause[0].upper() + clause[1:]
    out = f"{clause} ({who})" if who else clause
    return out if len(out) <= len(text) else text
