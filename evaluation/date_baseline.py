"""The date resolver background used before enrich/timex.py, kept as a baseline for
evaluation/tempeval_dates.py: an explicit date or year in the sentence, or a weekday or
"yesterday" relative to its source's publication date; otherwise the publication date."""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
MONTH_DAY = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})"
                       r"(?:st|nd|rd|th)?(?:,?\s+((?:19|20)\d\d))?\b", re.IGNORECASE)
IN_YEAR = re.compile(r"\b(?:in|since|of)\s+((?:19|20)\d\d)\b", re.IGNORECASE)
WEEKDAY = re.compile(r"\b(last\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                     re.IGNORECASE)
RELATIVE = re.compile(r"\b(yesterday|today)\b", re.IGNORECASE)


def resolve(sentence: str, published: date) -> tuple[str, str]:
    """Return (date as YYYY-MM-DD or YYYY, how it was found: 'text' or 'published')."""
    match = MONTH_DAY.search(sentence)
    if match:
        year = int(match.group(3)) if match.group(3) else published.year
        try:
            found = date(year, MONTHS[match.group(1).lower()[:3]], int(match.group(2)))
        except ValueError:
            found = None
        if found and (match.group(3) or found <= published):
            return found.isoformat(), "text"
    match = IN_YEAR.search(sentence)
    if match and int(match.group(1)) < published.year:
        return match.group(1), "text"
    match = RELATIVE.search(sentence)
    if match:
        shift = 1 if match.group(1).lower() == "yesterday" else 0
        return (published - timedelta(days=shift)).isoformat(), "text"
    match = WEEKDAY.search(sentence)
    if match:
        # News reports past events by weekday: the latest such day before publication.
        back = (published.weekday() - WEEKDAYS[match.group(2).lower()]) % 7 or 7
        return (published - timedelta(days=back)).isoformat(), "text"
    return published.isoformat(), "published"
