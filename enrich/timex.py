"""A temporal tagger for news sentences: every time expression with its span, kind and value,
resolved against the source's publication date.

Values follow TIMEX3 (TempEval): `1998-08-07` (day), `1998-W32` (week), `1998-08` (month),
`1998-Q3` (quarter), `1998-SU` (season), `1998` (year), `199` (decade). Rules, not a model:
the libraries measured on TempEval-3 (docs/evaluation.md) miss what news writes most — bare
weekdays, "last year", "the third quarter", "a year earlier" — or match "may" the verb and
"10 percent"; see `event_date` for which expression dates the sentence's event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name: i for i, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for name in names}
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday",
                                         "saturday", "sunday"])}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
SEASON_STARTS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}  # the month each season begins
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": 3, "a few": 3}
UNITS = ("day", "week", "month", "quarter", "year")

FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
ABBR_MONTH = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\."
MONTH = rf"(?P<month>{FULL_MONTH}|{ABBR_MONTH}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)(?=\s+\d))"
YEAR = r"(?:1[89]\d\d|20\d\d)"
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
NUM = r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few)"
WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
PART = r"(?:\s+(?:morning|afternoon|evening|night))?"

# Order matters: at each place the first (longest, most specific) pattern wins.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(rx, re.IGNORECASE if kind in {
    "relative_day", "this_unit", "ago", "later", "quarter", "season", "decade"} else 0)) for kind, rx in [
    ("iso", rf"\b(?P<year>{YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    ("month_day", rf"\b(?:{WEEKDAY},?\s+)?{MONTH}\s+{DAY}(?:,?\s+(?P<year>{YEAR}))?\b"),
    ("day_month", rf"\b{DAY}\s+{MONTH}(?:,?\s+(?P<year>{YEAR}))?\b"),
    ("weekday", rf"\b(?P<rel>(?:[Ll]ast|[Nn]ext|[Tt]his|[Ee]arly|[Ll]ate)\s+)?{WEEKDAY}{PART}\b"),
    ("relative_day", r"\b(?P<word>yesterday|today|tonight|tomorrow|this (?:morning|afternoon|evening)|last night)\b"),
    ("quarter", rf"\b(?:(?P<yrel>year-ago|year-earlier|last year's|this year's|next year's)\s+)?"
                rf"(?:(?P<rel>last|this|next|the|latest|the latest)\s+)?(?:(?P<ord>first|second|third|fourth|1st|2nd"
                rf"|3rd|4th)[- ])?quarter(?:\s+of\s+(?P<year>{YEAR}))?\b"),
    ("season", rf"\b(?:(?P<rel>last|this|next|early|late|the)\s+)?(?P<season>spring|summer|fall|autumn|winter)"
               rf"(?:\s+(?:of\s+)?(?P<year>{YEAR}))?\b"),
    ("month_year", rf"\b(?:(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Ee]arly|[Ll]ate|[Mm]id-?)\s*)?{MONTH}"
                   rf"(?:,?\s+(?P<year>{YEAR}))?\b"),
    ("ago", rf"\b{NUM}\s+(?P<unit>day|week|month|quarter|year)s?\s+(?P<dir>ago|earlier|before|later|after)\b"),
    ("later", r"\b(?P<unit>day|week|month|quarter|year)-(?P<dir>earlier|ago|later)\b"),
    ("this_unit", r"\b(?P<rel>last|this|next|earlier this|later this|the past|the previous|the next|the coming)\s+"
                  r"(?P<unit>week|month|year)\b"),
    ("decade", r"\b(?:the\s+)?(?P<decade>(?:1[89]|20)\d0)'?s\b"),
    ("year", rf"\b(?P<fiscal>fiscal\s+)?(?P<year>{YEAR})\b"),
]]
FUTURE = re.compile(r"\b(?:will|won't|'ll|shall|plans? to|planned to|is to|are to|is due|are due|expects? to|"
                    r"is expected|are expected|scheduled|next|tomorrow|upcoming|as soon as|would|"
                    r"likely to|unlikely to)\b", re.IGNORECASE)
PAST_VERB = re.compile(r"\b(?:[a-z]+ed|said|was|were|had|came|went|began|took|made|told|met|left|won|lost|"
                       r"held|gave|saw|fell|rose|got|put|set|quit|hit|cut|struck|sent|spoke|wrote)\s+(?:on\s+)?$",
                       re.IGNORECASE)
# A bare year is a date only where a date can stand: not "2000 people", "$1995", "1,995".
NOT_YEAR_AFTER = re.compile(r"^\s*(?:%|percent|per\b|people|persons|troops|soldiers|tons|tonnes|"
                            r"barrels|shares|points|dollars|miles|kilometers|feet|meters|\d|,\d)", re.IGNORECASE)
NOUN_AFTER = re.compile(r"^[- ](?!(?:and|or|to|when|as|but|in|on|at|by|for|with|from|the|a|was|were|is|"
                        r"are|had|has|have|that|which|after|before|until|since|while|amid)\b)[a-z]{3,}")
MONTH_GUARD_BEFORE = re.compile(r"\b(?:in|on|since|by|until|till|from|to|through|during|before|after|of|"
                                r"early|late|mid|last|next|this|between|and)\s+$", re.IGNORECASE)


# Every pattern needs one of these: most sentences have none and are passed over at once.
MAYBE_TIME = re.compile(r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|"
                        r"yesterday|today|tonight|tomorrow|last|next|this|quarter|spring|summer|fall|autumn|"
                        r"winter|year|month|week|day)", re.IGNORECASE)


@dataclass(frozen=True)
class Timex:
    start: int
    end: int
    text: str
    kind: str
    value: str
    granularity: str  # day, week, month, quarter, season, year, decade
    relative: bool  # resolved against the publication (or an earlier) date, not written out


def _quarter(d: date) -> int:
    return (d.month - 1) // 3 + 1


def _shift(day: date, unit: str, n: int) -> tuple[str, str]:
    """The value `n` units from `day` (negative: back), at that unit's granularity."""
    if unit == "day":
        return (day + timedelta(days=n)).isoformat(), "day"
    if unit == "week":
        year, week, _ = (day + timedelta(weeks=n)).isocalendar()
        return f"{year}-W{week:02d}", "week"
    if unit == "month":
        index = day.year * 12 + day.month - 1 + n
        return f"{index // 12}-{index % 12 + 1:02d}", "month"
    if unit == "quarter":
        index = day.year * 4 + _quarter(day) - 1 + n
        return f"{index // 4}-Q{index % 4 + 1}", "quarter"
    return str(day.year + n), "year"


def count(word: str) -> int:
    """A written count as a number: "14", "two", "a few" (3)."""
    return int(word) if word.isdigit() else NUMBERS.get(word.lower(), 1)


def _month_year(month: int, year: str | None, rel: str, ref: date, future: bool) -> int:
    if year:
        return int(year)
    rel = rel.lower().strip()
    if rel == "last":
        return ref.year - 1 if month >= ref.month else ref.year
    if rel == "next":
        return ref.year + 1 if month <= ref.month else ref.year
    if rel == "this":
        return ref.year
    if future:
        return ref.year + 1 if month < ref.month else ref.year
    return ref.year - 1 if month > ref.month else ref.year


def _resolve(kind: str, m: re.Match[str], ref: date, future: bool, anchor: date | None
             ) -> tuple[str, str, bool] | None:
    g = m.groupdict()
    if kind == "iso":
        try:
            return date(int(g["year"]), int(g["m"]), int(g["d"])).isoformat(), "day", False
        except ValueError:
            return None
    if kind in {"month_day", "day_month"}:
        month = MONTHS[g["month"].lower().rstrip(".")]
        day_of_month = int(g["day"])
        year = int(g["year"]) if g.get("year") else ref.year
        if not g.get("year"):  # the nearest such day; the tense decides only when it is far
            try:
                candidate = date(year, month, day_of_month)
            except ValueError:
                return None
            if not future and candidate > ref + timedelta(days=150):
                year -= 1
            elif future and candidate < ref - timedelta(days=150):
                year += 1
        try:
            return date(year, month, day_of_month).isoformat(), "day", not g.get("year")
        except ValueError:
            return None
    if kind == "weekday":
        target = WEEKDAYS[g["weekday"].lower()]
        rel = (g.get("rel") or "").strip().lower()
        if rel == "next" or (future and rel not in {"last"}):
            ahead = (target - ref.weekday()) % 7 or (7 if rel == "next" else 0)
            return (ref + timedelta(days=ahead)).isoformat(), "day", True
        back = (ref.weekday() - target) % 7
        if rel == "last" and back == 0:
            back = 7
        return (ref - timedelta(days=back)).isoformat(), "day", True
    if kind == "relative_day":
        word = g["word"].lower()
        shift = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(word, 0)
        return (ref + timedelta(days=shift)).isoformat(), "day", True
    if kind == "quarter":
        rel = (g.get("rel") or "").lower()
        if g.get("ord"):
            q = ORDINALS[g["ord"].lower()]
            if g.get("year"):
                return f"{g['year']}-Q{q}", "quarter", False
            # "third-quarter profit" in October is this year's; in February, last year's.
            year = ref.year - 1 if q > _quarter(ref) and not future else ref.year
            yrel = (g.get("yrel") or "").lower()
            if yrel:
                year = ref.year + (1 if yrel.startswith("next") else 0 if yrel.startswith("this") else -1)
            return f"{year}-Q{q}", "quarter", True
        shift = {"this": 0, "next": 1}.get(rel, -1)  # "the (latest) quarter": the one just reported
        return (*_shift(ref, "quarter", shift), True) if rel else None
    if kind == "season":
        code = SEASONS[g["season"].lower()]
        if g.get("year"):
            return f"{g['year']}-{code}", "season", False
        rel = (g.get("rel") or "").lower()
        if not rel:
            return None  # "in summer" without a year: too vague to date
        year = ref.year + {"last": -1, "next": 1}.get(rel, 0)
        starts = SEASON_STARTS[code]
        if rel == "the" and (starts > ref.month) != future:  # "over the summer": the latest one
            year += 1 if future else -1
        return f"{year}-{code}", "season", True
    if kind == "month_year":
        month = MONTHS[g["month"].lower().rstrip(".")]
        rel = (g.get("rel") or "").strip().rstrip("-")
        year = _month_year(month, g.get("year"), rel if rel.lower() in {"last", "next", "this"} else "", ref, future)
        return f"{year}-{month:02d}", "month", not g.get("year")
    if kind in {"ago", "later"}:
        n = count(g["n"]) if kind == "ago" else 1
        direction, unit = g["dir"].lower(), g["unit"].lower()
        sign = 1 if direction in {"later", "after"} else -1
        if direction == "ago":
            base = ref
        elif anchor is not None:
            base = anchor
        elif sign < 0 and unit in {"year", "quarter"}:
            base = ref  # "a year earlier" in a results story: the same period a year before
        else:
            return None  # "13 days after the bombings": after what, is not in the sentence
        return (*_shift(base, unit, sign * n), True)
    if kind == "this_unit":
        rel = g["rel"].lower()
        n = {"last": -1, "the past": -1, "the previous": -1, "next": 1, "the next": 1, "the coming": 1}.get(rel, 0)
        return (*_shift(ref, g["unit"].lower(), n), True)
    if kind == "decade":
        return g["decade"][:3], "decade", False
    if kind == "year":
        return g["year"], "year", False
    return None


def _plausible(kind: str, m: re.Match[str], sentence: str) -> bool:
    """Rules against look-alikes: "may" the verb, "March" as a name, "2000 people"."""
    before, after = sentence[:m.start()], sentence[m.end():]
    if kind == "year":
        if NOT_YEAR_AFTER.match(after) or before.endswith(("$", "#", "No. ", "no. ", "C$", "US$")):
            return False
        # A year stands as a date after a preposition and as a modifier ("its 1990 invasion"),
        # but not as a count of something plural ("1998 cars").
        return not re.match(r"\s+[a-z]+s\b(?<!'s)", after) or bool(re.match(r"\s+(?:was|is|has|as)\b", after))
    if kind == "month_year":
        month = m.group("month")
        rel = m.group("rel")
        if m.group("year") or rel or month.endswith("."):
            return True
        if month in {"May", "March"}:  # the verb, and names (Fredric March): only after a preposition
            return bool(MONTH_GUARD_BEFORE.search(before))
        return bool(MONTH_GUARD_BEFORE.search(before)) or not re.match(r"\s+[A-Z]", after)
    if kind == "month_day":
        return not (m.group("month") in {"May", "March"} and not m.group("year")
                    and re.match(r"\s+\d+\s*(?:%|percent)", sentence[m.start() + len(m.group("month")):]))
    return True


# A past verb: an -ed form (not a verb whose stem ends so: "succeed", "exceed", "need"; not a passive
# participle after "be": "will be named", "to be published"), or a common irregular past.
PAST_CUE = re.compile(r"(?<!\bbe )(?<!\bbeen )(?<!\bbeing )"
                      r"\b(?:(?!(?:succeed|proceed|exceed|need|feed|indeed|speed|breed|bleed|heed|seed)\b)[a-z]+ed|"
                      r"said|was|were|had|came|went|"
                      r"began|took|made|told|met|left|won|lost|held|gave|saw|fell|rose|got|spoke|wrote)\b",
                      re.IGNORECASE)


def _future(sentence: str, start: int) -> bool:
    """Whether the expression at `start` speaks of what is to come: a past verb right before it
    ("announced Wednesday") says no; else the nearest cue in its clause, a future marker
    ("will ... on Friday") or a past verb ("In September, it announced plans to ...")."""
    before = sentence[:start]
    if PAST_VERB.search(before):
        return False
    clause = re.split(r"[;:]|,\s+(?:but|and|while|after|as)\b|\bsaid\b", before)[-1]
    after = sentence[start:start + 60]
    for text, distance in ((clause, lambda m: len(clause) - m.end()), (after, lambda m: m.start())):
        future = list(FUTURE.finditer(text))
        # a past form inside a future cue ("is expected", "scheduled") is that cue
        past = [m for m in PAST_CUE.finditer(text) if not any(f.start() <= m.start() < f.end() for f in future)]
        cues = [(distance(m), True) for m in future] + [(distance(m), False) for m in past]
        if cues:  # the clause before speaks first ("will double its flights by August in ... untouched")
            return min(cues)[1]
    return False


def tag(sentence: str, published: date, anchor: date | None = None, tense_free: bool = False) -> list[Timex]:
    """Every time expression in `sentence`, resolved against `published`; "two days later" and
    "a year earlier" count from `anchor` (an earlier date of the story) when one is given.
    `tense_free` keeps only those whose value does not depend on the sentence's tense ("next
    month", "March 3, 1988", not a bare "Friday"): what a label about the tense may rest on."""
    if not MAYBE_TIME.search(sentence):
        return []
    taken: list[tuple[int, int]] = []
    found: list[Timex] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            if not _plausible(kind, m, sentence):
                continue
            future = _future(sentence, m.start())
            resolved = _resolve(kind, m, published, future, anchor)
            if tense_free and resolved != _resolve(kind, m, published, not future, anchor):
                continue
            if resolved is None:
                continue
            value, granularity, relative = resolved
            taken.append((m.start(), m.end()))
            found.append(Timex(m.start(), m.end(), m.group(0), kind, value, granularity, relative))
    return sorted(found, key=lambda t: t.start)


SPECIFIC = {"day": 4, "week": 3, "month": 3, "quarter": 2, "season": 2, "year": 1, "decade": 0}
ATTACHED = re.compile(r"\b(?:on|in|at|during|late|early|last|this|yesterday|today)\s*$", re.IGNORECASE)
DETACHED = re.compile(r"\b(?:since|until|till|by|before|from|through|as of|compared with|versus|than)\s+"
                      r"(?:the\s+)?$", re.IGNORECASE)


def event_date(sentence: str, published: date, anchor: date | None = None) -> Timex | None:
    """The expression that dates the event the sentence reports, or None.

    Without a parser, attachment to the main verb is read from the words around each expression:
    one that follows "on", "in" or stands alone after the verb ("... said Friday") dates the event;
    one after "since", "until", "by", "compared with" bounds or compares it; a year used as a
    modifier ("the 1994 capture of ...") names another event. Among the rest the most specific wins,
    then the first."""
    best: tuple[float, int, Timex] | None = None
    for timex in tag(sentence, published, anchor):
        if timex.granularity == "decade":
            continue
        before, after = sentence[:timex.start], sentence[timex.end:]
        score = float(SPECIFIC[timex.granularity])
        if DETACHED.search(before):
            score -= 3
        elif ATTACHED.search(before):
            score += 1
        if timex.kind == "year" and NOUN_AFTER.match(after):
            score -= 2  # "the 1994 capture": a modifier, not the sentence's date
        key = (score, -timex.start, timex)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]


def as_date(value: str) -> date | None:
    """The first day a TIMEX value covers (a day, month or year value), for ordering and anchors."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if m:
        return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    q = re.fullmatch(r"(\d{4})-Q([1-4])", value)
    if q:
        return date(int(q.group(1)), (int(q.group(2)) - 1) * 3 + 1, 1)
    s = re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value)  # a season: from its first month
    return date(int(s.group(1)), SEASON_STARTS[s.group(2)], 1) if s else None


def dated(sentence: str, published: date) -> tuple[str, str]:
    """The date of the sentence's event and how it was found: 'text' (written out), 'relative'
    (a weekday, "last year": resolved against the source's date) or 'published' (no expression,
    or one ahead of the source: a plan or forecast is dated by when it was reported)."""
    event = event_date(sentence, published)
    start = as_date(event.value) if event else None
    if event is None or (start is not None and start > published) or event.granularity in {"week", "decade"}:
        return published.isoformat(), "published"
    return event.value, "relative" if event.relative else "text"
