"""Baseline dated-event extractor: time expressions normalised by dateparser.

1. Time expressions are found with a few patterns: calendar dates (``November 20``,
   ``18 November 2017``), months (``March 2011``, ``in January``, ``early December``),
   years after a preposition (``in 2011``), weekdays, ``yesterday``/``today``/``tomorrow``
   and ``this``/``next``/``last`` ``week``/``month``/``year``.
2. dateparser normalises each against the document's publication date (its
   ``RELATIVE_BASE``); the period it reports gives the precision (a week becomes its month
   when it lies in one month, and is skipped otherwise).
3. Tense decides which way weekdays and bare months point: backwards by default (news
   reports the past), forwards when a cue such as ``will``, ``next``, ``planned``, ``due``,
   ``scheduled`` or ``ahead`` comes shortly before the expression in the sentence (for
   ``Wednesday's talks``, anywhere after it in the sentence). The publication's own weekday
   is the publication date. Day and month without a year take the publication year.
4. The event is the trigger word nearest to the expression in its sentence (``met``,
   ``meeting``, ``summit``, ``talks``, ``visit``…), looking back first, or forward first
   for ``Wednesday's talks``/``the Monday meeting``; without one, the expression itself.
5. Basis: explicit when the expression names a month or a year, relative otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from dateparser.date import DateDataParser

from annotate.extractors import checked, enclosing, schemas, sentences
from annotate.predictions import Prediction, event
from annotate.records import Document, Event

NAME = "baseline-dates"
VERSION = "1"

# Rule -> basis choice of the schema (checked on first use).
RULE_BASIS = {"calendar": "explicit", "relative": "relative"}
# dateparser's period -> how many parts of the ISO date it fixes (1 year, 2 month, 3 day).
PERIOD_PARTS = {"year": 1, "month": 2, "day": 3, "time": 3, "part_of_day": 3}

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_EXPRESSIONS = [
    ("calendar", rf"\b{_DAY}\s+{_MONTH}(?:,?\s+\d{{4}})?\b"),
    ("calendar", rf"\b{_MONTH}\s+{_DAY}(?:,\s+\d{{4}}|\s+\d{{4}})?\b(?!\d)"),
    ("calendar", rf"\b{_MONTH}(?:\s+of)?\s+\d{{4}}\b"),
    (
        "calendar",
        rf"\b(?:[Ii]n|by|of|on|since|until|before|after|for|from)\s+"
        rf"(?P<x>(?:(?:early|late|mid-?)\s*)?{_MONTH})\b(?!\s+\d)",
    ),
    (
        "calendar",
        r"\b(?:[Ii]n|since|until|by|of|before|after|from)\s+(?P<x>(?:19|20)\d{2})\b(?![-–]\d)",
    ),
    ("relative", r"\b(?:" + "|".join(_WEEKDAYS) + r")\b"),
    ("relative", r"\b(?:[Yy]esterday|[Tt]oday|[Tt]omorrow|[Tt]onight)\b"),
    ("relative", r"\b(?:[Tt]his|[Nn]ext|[Ll]ast)\s+(?:week|month|year)\b"),
]
_PATTERNS = [(rule, re.compile(pattern)) for rule, pattern in _EXPRESSIONS]
_CUES = re.compile(
    r"\b(?:will|'ll|’ll|would|could|shall|next|plan|plans|planned|planning|due|scheduled"
    r"|ahead|set to|expected|upcoming|intend|intends|intended)\b",
    re.IGNORECASE,
)
_CUE_WINDOW = 120
_TRIGGERS = re.compile(
    r"\b(?:meet|meets|met|meeting|meetings|summit|talks|visit|visits|visited|conversation"
    r"|call|calls|phone|telephone|talk|hosted|hosts|resigned|resignation|captured|launched|began"
    r"|started|ordered|said|announced|declared|revealed|statement|congress|conference|gathering"
    r"|resume|negotiations|embrace|agreed|signed|attack|election|trip|arrived|withdrawal)\b",
    re.IGNORECASE,
)
_MODIFIERS = re.compile(r"^(?:early|late|mid-?)\s*", re.IGNORECASE)
_POSSESSIVE = re.compile(r"^(?:’s|'s)")
_ATTRIBUTIVE = re.compile(r"(?:’s|'s)\s+(?:[A-Z]\w*\s+)?|[ \u00a0]")  # "Thursday’s Syria summit"
_CLAUSE_BREAK = re.compile(r"[,;:—–]")


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression of the text, resolved to a date that fixes ``parts`` parts (1 the
    year, 2 the month, 3 the day; the date is the first day of its year or month)."""

    start: int
    end: int
    rule: str
    date: dt.date
    parts: int


def extract(document: Document) -> Prediction:
    """The dated events of a document."""
    return Prediction.of(document, NAME, VERSION, event_dates=find_events(document))


def find_events(document: Document) -> list[Event]:
    """Dated event mentions, each on a trigger word or, failing that, its time expression.

    >>> doc = Document("d", "Putin met Assad on Monday. They will meet on Wednesday.",
    ...                "wire", "2017-11-21", "en")
    >>> [(e.text, e.date, e.basis) for e in find_events(doc)]
    [('met', '2017-11-20', 'relative'), ('meet', '2017-11-22', 'relative')]
    """
    text, basis, precisions = document.text, _basis(), _precisions()
    spans = sentences(text)
    taken: set[tuple[int, int]] = set()
    events = []
    for expression in find_time_expressions(text, dt.date.fromisoformat(document.published)):
        sentence = enclosing(spans, expression.start, expression.end) or (
            expression.start,
            expression.end,
        )
        start, end = _trigger(text, sentence, expression, taken)
        taken.add((start, end))
        events.append(
            event(
                start,
                end,
                _iso(expression.date, expression.parts),
                precisions[expression.parts - 1],
                basis[expression.rule],
                text[start:end],
            )
        )
    return events


def find_time_expressions(text: str, published: dt.date) -> list[TimeExpression]:
    """The time expressions of ``text`` that resolve to a date, in text order.

    >>> [(e.date.isoformat(), e.parts) for e in find_time_expressions(
    ...     "In March 2011 and on Monday; talks will resume on Wednesday.", dt.date(2017, 11, 21))]
    [('2011-03-01', 2), ('2017-11-20', 3), ('2017-11-22', 3)]
    """
    found = []
    spans = sentences(text)
    for rule, start, end in _matches(text):
        sentence = enclosing(spans, start, end) or (start, end)
        forward = _points_forward(text, sentence, start, end)
        resolved = _resolve(text[start:end], rule, published, forward)
        if resolved is not None:
            found.append(TimeExpression(start, end, rule, *resolved))
    return found


def _matches(text: str) -> list[tuple[str, int, int]]:
    """Pattern matches, longest first where they overlap, in text order."""
    candidates = sorted(
        (
            m.start("x") if "x" in m.groupdict() else m.start(),
            -(m.end("x") if "x" in m.groupdict() else m.end()),
            rule,
        )
        for rule, pattern in _PATTERNS
        for m in pattern.finditer(text)
    )
    out: list[tuple[str, int, int]] = []
    for start, negative_end, rule in candidates:
        if not out or start >= out[-1][2]:
            out.append((rule, start, -negative_end))
    return out


def _points_forward(text: str, sentence: tuple[int, int], start: int, end: int) -> bool:
    window = max(sentence[0], start - _CUE_WINDOW)
    window = max(window, text.rfind("”", window, start) + 1, text.rfind('"', window, start) + 1)
    before = text[window:start]  # a quotation just before has its own tense
    after = text[end : sentence[1]] if _POSSESSIVE.match(text[end : end + 2]) else ""
    return bool(_CUES.search(before) or _CUES.search(after))


def _resolve(
    expression: str, rule: str, published: dt.date, forward: bool
) -> tuple[dt.date, int] | None:
    """The date and number of date parts an expression fixes, or None."""
    expression = _MODIFIERS.sub("", expression)
    if expression in _WEEKDAYS and _WEEKDAYS.index(expression) == published.weekday():
        return published, 3
    has_day_month = (
        rule == "calendar" and re.search(r"\d", expression) and not re.search(r"\d{4}", expression)
    )
    prefer = "current_period" if has_day_month else ("future" if forward else "past")
    data = _parser(published, prefer).get_date_data(expression)
    if data.date_obj is None or data.period is None:
        return None
    date = data.date_obj.date()
    if data.period == "week":
        return _week(date)
    parts = PERIOD_PARTS.get(data.period)
    return None if parts is None else (_first_day(date, parts), parts)


def _week(day: dt.date) -> tuple[dt.date, int] | None:
    """A week as its month when it lies inside one month."""
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    return (_first_day(monday, 2), 2) if monday.month == sunday.month else None


def _first_day(date: dt.date, parts: int) -> dt.date:
    """The first day of the year (1 part) or month (2 parts) of ``date``."""
    return date.replace(month=date.month if parts > 1 else 1, day=date.day if parts > 2 else 1)


@cache
def _parser(published: dt.date, prefer: str) -> DateDataParser:
    base = dt.datetime(published.year, published.month, published.day)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer, "RETURN_TIME_AS_PERIOD": True}
    return DateDataParser(languages=["en"], settings=settings)


def _trigger(
    text: str, sentence: tuple[int, int], expression: TimeExpression, taken: set[tuple[int, int]]
) -> tuple[int, int]:
    """The trigger word an expression dates, or the expression itself.

    ``Wednesday's talks``/``the Monday meeting``: the noun after it. Otherwise the nearest
    trigger before it in the sentence, else the nearest after it in the same clause (or
    anywhere after a fronted ``On November 19, ...``).
    """
    found = ((m.start(), m.end()) for m in _TRIGGERS.finditer(text, *sentence))
    triggers = [t for t in found if t not in taken]
    before = max((t for t in triggers if t[1] <= expression.start), default=None)
    after = min((t for t in triggers if t[0] >= expression.end), default=None)
    gap = text[expression.end : after[0]] if after is not None else ""
    if after is not None and _ATTRIBUTIVE.fullmatch(gap):
        return after
    if before is not None:
        return before
    fronted = len(text[sentence[0] : expression.start].split()) <= 2
    if after is not None and (fronted or not _CLAUSE_BREAK.search(gap)):
        return after
    return expression.start, expression.end


def _iso(date: dt.date, parts: int) -> str:
    return "-".join((f"{date.year:04d}", f"{date.month:02d}", f"{date.day:02d}")[:parts])


@cache
def _basis() -> dict[str, str]:
    layer = schemas().layers["event_dates"]
    return checked(RULE_BASIS, layer.attribute("basis").choices, "date rule basis")


@cache
def _precisions() -> Sequence[str]:
    """The precision choices, coarsest first: the n-th keeps n parts of the date."""
    return schemas().layers["event_dates"].attribute("precision").choices
