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
WHEN = r"(?:\s+(?:on|last|this|late|early)\s+\w+)?"
WHO = r"(?P<who>[A-Za-z][^,;:\"“”]{1,80}?)"
# "..., Barclays' Chris Rowland said (on Tuesday)." / "..., said Chris Rowland, an analyst."
SAID_AFTER = re.compile(rf"^(?P<clause>.{{20,}}?)[,;]?\s*[\"”']?\s*{WHO}\s+{SAYING}{WHEN}\s*[.!]?$")
SAID_BEFORE_NAME = re.compile(rf"^(?P<clause>.{{20,}}?)[,;]\s*[\"”']?\s*{SAYING}\s+{WHO}(?:,[^.]*)?[.!]?$")
# "Analysts said (on Tuesday) (that) ..." / "The ministry warned that ..."
SAID_FIRST = re.compile(rf"^{WHO}\s+{SAYING}{WHEN}(?:\s+that)?[,:]?\s+(?P<clause>.{{20,}})$")
ACCORDING = re.compile(rf"^According to {WHO},\s+(?P<clause>.{{20,}})$", re.IGNORECASE)
LEADING = re.compile(r"^(?:but|and|however|meanwhile|still|yet|so|also|in addition|moreover)\b,?\s+",
                     re.IGNORECASE)
MAX_WHO_WORDS = 8
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}  # "(he)" tells an editor nothing


def _who_ok(who: str) -> bool:
    words = who.split()
    return 0 < len(words) <= MAX_WHO_WORDS and not re.search(r"\b(?:that|which|would|will)\b", who)


def split_attribution(sentence: str) -> tuple[str, str]:
    """(clause, who) of a sentence; who is '' when the sentence names no speaker."""
    text = " ".join(sentence.split())
    for pattern in (SAID_BEFORE_NAME, SAID_AFTER, ACCORDING, SAID_FIRST):
        match = pattern.match(text)
        if match and _who_ok(match.group("who")):
            who = match.group("who").strip(" \"'”“")
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
