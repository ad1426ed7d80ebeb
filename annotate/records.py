"""Typed records: the project's own data model, independent of Label Studio's JSON.

Everything past the conversion step works on these. Each record turns into a JSON-ready
dict (``to_dict``) that validates against its schema, and back (``from_dict``): one round
trip, written once in :class:`Record`, for documents, regions and annotations alike.

The schemas are the source of every field. A record class names the fields the code
relies on; any other field a schema declares (an attribute added to ``claims``, say) is
kept in ``extra`` and read like a field (``claim.stance``), so it travels through
conversion, agreement, export and scoring without a code change.

>>> e = Entity(id="e1", start=0, end=5, text="Putin", label="PERSON")
>>> Entity.from_dict(e.to_dict()) == e
True
>>> c = Claim.from_dict({"id": "c1", "start": 0, "end": 4, "text": "Peace", "type": "quote",
...                      "speaker": None, "stance": "for"})
>>> c.stance, c.to_dict()["stance"]
('for', 'for')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple, Self

from annotate.problems import shorten

Extra = tuple[tuple[str, Any], ...]


def _frozen(value: Any) -> Any:
    """Lists as tuples, so records stay hashable."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def _thawed(value: Any) -> Any:
    """Tuples as lists, so dicts are JSON-ready."""
    return [_thawed(v) for v in value] if isinstance(value, tuple) else value


class Record:
    """The dict round trip every record shares.

    ``to_dict`` leaves out an optional field that is unset (None or empty) unless the class
    lists it in ``ALWAYS``; fields the class does not name go to and come from ``extra``.
    """

    __slots__ = ()
    ALWAYS: ClassVar[frozenset[str]] = frozenset()
    RELATIONS: ClassVar[frozenset[str]] = frozenset()  # fields holding the id of a region
    _NAMES: ClassVar[dict[type, tuple[frozenset[str], tuple[tuple[str, bool], ...]]]] = {}

    @classmethod
    def _names(cls) -> tuple[frozenset[str], tuple[tuple[str, bool], ...]]:
        known = Record._NAMES.get(cls)
        if known is None:
            own = [f for f in fields(cls) if f.name != "extra"]  # type: ignore[arg-type]
            required = {f.name for f in own if f.default is f.default_factory}
            order = tuple((f.name, f.name in required or f.name in cls.ALWAYS) for f in own)
            known = Record._NAMES[cls] = (frozenset(f.name for f in own), order)
        return known

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the record, in field order, then its extra fields."""
        out: dict[str, Any] = {}
        for name, always in self._names()[1]:
            value = getattr(self, name)
            if always or value not in (None, ()):
                out[name] = _thawed(value)
        for name, value in getattr(self, "extra", ()):
            out[name] = _thawed(value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The record of a dict; keys the class does not name are kept as extra fields."""
        names = (Record._NAMES.get(cls) or cls._names())[0]
        kwargs: dict[str, Any] = {}
        extra: list[tuple[str, Any]] = []
        for key, value in data.items():
            if type(value) is list:
                value = _frozen(value)
            if key in names:
                kwargs[key] = value
            else:
                extra.append((key, value))
        if extra:
            kwargs["extra"] = tuple(extra)
        return cls(**kwargs)

    def __getattr__(self, name: str) -> Any:
        """An extra field, read like a declared one (only called when no field has the name)."""
        if name != "extra":
            for key, value in getattr(self, "extra", ()):
                if key == name:
                    return value
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")


@dataclass(frozen=True, slots=True)
class Document(Record):
    """A news article; offsets in every layer count code points of ``text``."""

    id: str
    text: str
    source: str
    published: str
    language: str
    url: str | None = None
    title: str | None = None
    extra: Extra = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Span:
    """The part every region shares: an id and a half-open code-point range of the text."""

    id: str
    start: int
    end: int
    text: str

    def overlaps(self, other: Span) -> bool:
        """True when the two ranges share at least one code point.

        >>> Span("a", 0, 5, "Putin").overlaps(Span("b", 4, 9, "n met"))
        True
        """
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Entity(Record, Span):
    """A named-entity mention."""

    label: str
    canonical: str | None = None
    annotators: tuple[str, ...] = field(default=())
    extra: Extra = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Claim(Record, Span):
    """A claim; ``speaker`` is the id of an entity of the same document, or None."""

    ALWAYS: ClassVar[frozenset[str]] = frozenset({"speaker"})
    RELATIONS: ClassVar[frozenset[str]] = frozenset({"speaker"})

    type: str
    speaker: str | None = None
    annotators: tuple[str, ...] = field(default=())
    extra: Extra = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Event(Record, Span):
    """A dated event mention; ``date`` is ISO 8601 at ``precision`` (2017, 2017-11, 2017-11-20).

    ``basis`` is None only in predictions, where an extractor may leave it out.
    """

    date: str
    precision: str
    basis: str | None = None
    annotators: tuple[str, ...] = field(default=())
    extra: Extra = field(default=(), repr=False)


Region = Entity | Claim | Event

# The one spelling of the layers and their record classes; the schemas (one
# ``<layer>.schema.json`` each) and everything else follow this order.
LAYER_TYPES: dict[str, type[Entity] | type[Claim] | type[Event]] = {
    "entities": Entity,
    "claims": Claim,
    "event_dates": Event,
}
LAYERS = tuple(LAYER_TYPES)


@dataclass(frozen=True, slots=True)
class Annotation:
    """The layers of one document, as one annotator (or the gold) made them."""

    document: Document
    entities: tuple[Entity, ...] = ()
    claims: tuple[Claim, ...] = ()
    event_dates: tuple[Event, ...] = ()

    def layer(self, name: str) -> tuple[Region, ...]:
        """The regions of the layer called ``name``."""
        regions: tuple[Region, ...] = getattr(self, name)
        return regions

    def to_dict(self) -> dict[str, Any]:
        """A dataset row: the document's fields plus one list per layer."""
        out = self.document.to_dict()
        for name in LAYERS:
            out[name] = [region.to_dict() for region in self.layer(name)]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        document = Document.from_dict({k: v for k, v in data.items() if k not in LAYER_TYPES})
        layers = {
            name: tuple(kind.from_dict(item) for item in data.get(name) or ())
            for name, kind in LAYER_TYPES.items()
        }
        return cls(document, **layers)  # type: ignore[arg-type]

    def entity(self, region_id: str) -> Entity | None:
        """The entity with this region id, if any."""
        return next((e for e in self.entities if e.id == region_id), None)


@dataclass(frozen=True, slots=True)
class Submission:
    """One annotator's submitted annotation of a task, converted to records."""

    annotation_id: int
    annotator: str
    ground_truth: bool
    layers: Annotation


@dataclass(frozen=True, slots=True)
class Task:
    """A Label Studio task: its document and every valid submission made on it."""

    task_id: int
    document: Document
    submissions: tuple[Submission, ...] = ()
    cancelled: int = 0


# --- dates at a precision ---------------------------------------------------------------
#
# The one date rule: a date is ISO 8601 with as many parts as its precision keeps (the
# precisions run coarsest to finest, the n-th keeps the first n of year, month, day) and
# names a real day, month or year. Conversion, prediction files and scoring all use it.

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class DateError(NamedTuple):
    """Why a date breaks the rule: message, what was expected, what was found."""

    message: str
    expected: str
    found: str


def date_error(date: object, precision: str | None, precisions: Sequence[str]) -> DateError | None:
    """What is wrong with ``date`` at ``precision`` (``precisions`` coarsest first), if anything.

    >>> precisions = ("year", "month", "day")
    >>> date_error("2017-11", "month", precisions) is None
    True
    >>> date_error("2017-02-30", "day", precisions).message
    'not a real date'
    >>> date_error("2017-11", "day", precisions)
    DateError(message="date form disagrees with precision 'day'", expected='YYYY-MM-DD', \
found="'2017-11'")
    """
    if not isinstance(date, str) or not real_date(date):
        return DateError("not a real date", "a real date YYYY-MM-DD", shorten(date))
    if precision is None or precision not in precisions:
        found = "none" if precision is None else repr(precision)
        return DateError("date has no precision", "one of " + ", ".join(precisions), found)
    wanted = precisions.index(precision) + 1
    if date.count("-") + 1 != wanted:
        form = "-".join(("YYYY", "MM", "DD")[:wanted])
        return DateError(f"date form disagrees with precision {precision!r}", form, repr(date))
    return None


def cut_date(date: str, precision: str | None, precisions: Sequence[str]) -> str:
    """``date`` cut to the parts ``precision`` keeps (unchanged when it has fewer or no
    precision is known).

    >>> cut_date("2017-11-20", "month", ("year", "month", "day"))
    '2017-11'
    """
    if precision not in precisions:
        return date
    return "-".join(date.split("-")[: precisions.index(precision) + 1])


def date_right(gold: str, predicted: str) -> bool:
    """True when ``predicted`` cut to the precision of ``gold`` equals it.

    >>> date_right("2017-11", "2017-11-20"), date_right("2017-11-20", "2017-11")
    (True, False)
    """
    gold_parts, predicted_parts = gold.split("-"), predicted.split("-")
    n = len(gold_parts)
    return len(predicted_parts) >= n and predicted_parts[:n] == gold_parts


def date_within_day(gold: str, predicted: str) -> bool:
    """Like :func:`date_right`, but two day dates one day apart also count.

    >>> date_within_day("2017-11-20", "2017-11-21"), date_within_day("2017-11-20", "2017-12-20")
    (True, False)
    """
    if date_right(gold, predicted):
        return True
    if gold.count("-") != 2 or predicted.count("-") != 2:
        return False
    gap = dt.date.fromisoformat(gold) - dt.date.fromisoformat(predicted)
    return abs(gap.days) <= 1


@lru_cache(maxsize=4096)  # a corpus names the same days again and again
def real_date(date: str) -> bool:
    """True for a real date of the form YYYY, YYYY-MM or YYYY-MM-DD.

    >>> real_date("2016-02-29"), real_date("2017-02-29"), real_date("2017/02/28")
    (True, False, False)
    """
    if not _DATE.fullmatch(date):
        return False
    parts = [int(p) for p in date.split("-")]
    try:
        dt.date(*parts, *[1] * (3 - len(parts)))
    except ValueError:
        return False
    return True
