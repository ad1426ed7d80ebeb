"""Typed records: the project's own data model, independent of Label Studio's JSON.

Everything past the conversion step works on these. Each record turns into a JSON-ready
dict (``to_dict``) that validates against its schema, and back (``from_dict``).

>>> e = Entity(id="e1", start=0, end=5, text="Putin", label="PERSON")
>>> Entity.from_dict(e.to_dict()) == e
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Self, TypeVar

T = TypeVar("T")


_FIELDS: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(f.name for f in fields(cls))
    return names


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    names = _field_names(cls)
    kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names}
    return cls(**kwargs)


def _to_dict(record: object, optional: tuple[str, ...]) -> dict[str, Any]:
    out = asdict(record)  # type: ignore[call-overload]
    for key in optional:
        if out.get(key) in (None, ()):
            out.pop(key, None)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class Document:
    """A news article; offsets in every layer count code points of ``text``."""

    id: str
    text: str
    source: str
    published: str
    language: str
    url: str | None = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self, ("url", "title"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)


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
class Entity(Span):
    """A named-entity mention."""

    label: str
    canonical: str | None = None
    annotators: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self, ("canonical", "annotators"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)


@dataclass(frozen=True, slots=True)
class Claim(Span):
    """A claim; ``speaker`` is the id of an entity of the same document, or None."""

    type: str
    speaker: str | None = None
    annotators: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out = _to_dict(self, ("annotators",))
        out["speaker"] = self.speaker
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)


@dataclass(frozen=True, slots=True)
class Event(Span):
    """A dated event mention; ``date`` is ISO 8601 at ``precision`` (2017, 2017-11, 2017-11-20)."""

    date: str
    precision: str
    basis: str
    annotators: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self, ("annotators",))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data)


@dataclass(frozen=True, slots=True)
class Annotation:
    """The three layers of one document, as one annotator (or the gold) made them."""

    document: Document
    entities: tuple[Entity, ...] = ()
    claims: tuple[Claim, ...] = ()
    event_dates: tuple[Event, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A dataset row: the document's fields plus one list per layer."""
        return {
            **self.document.to_dict(),
            "entities": [e.to_dict() for e in self.entities],
            "claims": [c.to_dict() for c in self.claims],
            "event_dates": [v.to_dict() for v in self.event_dates],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        layers = ("entities", "claims", "event_dates")
        document = Document.from_dict({k: v for k, v in data.items() if k not in layers})
        return cls(
            document,
            tuple(Entity.from_dict(e) for e in data.get("entities") or ()),
            tuple(Claim.from_dict(c) for c in data.get("claims") or ()),
            tuple(Event.from_dict(v) for v in data.get("event_dates") or ()),
        )

    def entity(self, region_id: str) -> Entity | None:
        """The entity with this region id, if any."""
        return next((e for e in self.entities if e.id == region_id), None)


LAYER_TYPES: dict[str, type[Entity] | type[Claim] | type[Event]] = {
    "entities": Entity,
    "claims": Claim,
    "event_dates": Event,
}


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
