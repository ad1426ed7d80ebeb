"""Predictions: what an extractor returns for one document, and the JSONL files holding them.

A :class:`Prediction` is an :class:`~annotate.records.Annotation` plus the extractor (name
and version) that made it: its regions are the same records as gold regions. Two things
set predicted regions apart, both because extractors produce spans, not ids:

- a predicted region's id is its span, ``"start-end"`` (:func:`span_id`);
- a relation (a claim's speaker) names the span of the mention it points at, by that id,
  whether or not the extractor also predicted that mention as an entity.

The wire format is ``schemas/predictions.schema.json``: one JSON object per line, with the
extractor as ``{"name", "version"}``, regions without ids or provenance, a relation as the
span ``{"start", "end"}`` and an optional confidence ``score``; every other field of a
region is a field of its layer's schema, so an attribute added to a schema travels in the
file with no code change.

A file is validated before anything is built from it, and every problem is reported at
once, located by file, line, document and field (``claims[2].speaker.end``): JSON Schema
errors, unknown document ids, spans outside the text, impossible dates, a date whose form
disagrees with its precision, and duplicate document ids.

>>> p = Prediction.of("doc1", "demo", "1", entities=(entity(0, 5, "PERSON"),))
>>> p.to_dict()["extractor"], p.to_dict()["entities"]
({'name': 'demo', 'version': '1'}, [{'start': 0, 'end': 5, 'label': 'PERSON'}])
>>> Prediction.from_dict(p.to_dict()) == p
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Self

from annotate.atomic import atomic_write_text
from annotate.errors import PredictionsError
from annotate.jsonl import read_jsonl
from annotate.problems import Location, Problem, field_name, schema_problems, shorten
from annotate.records import (
    LAYER_TYPES,
    Annotation,
    Claim,
    Document,
    Entity,
    Event,
    Region,
    date_error,
)
from annotate.schema import PREDICTIONS, SchemaSet

Json = dict[str, Any]
_NOT_SENT = ("id", "annotators")  # what a region has that the wire format leaves out


def span_id(start: int, end: int) -> str:
    """The id of a predicted region: its span.

    >>> span_id(24, 38)
    '24-38'
    """
    return f"{start}-{end}"


def id_span(region_id: str) -> tuple[int, int] | None:
    """The span a predicted region id names, or None when it names none.

    >>> id_span("24-38"), id_span("e1")
    ((24, 38), None)
    """
    start, dash, end = region_id.partition("-")
    if not dash or not start.isdigit() or not end.isdigit():
        return None
    return int(start), int(end)


def entity(
    start: int, end: int, label: str, text: str = "", canonical: str | None = None
) -> Entity:
    """A predicted entity mention (``text`` may be left empty: offsets are what count)."""
    return Entity(span_id(start, end), start, end, text, label, canonical)


def claim(
    start: int,
    end: int,
    claim_type: str,
    speaker: tuple[int, int] | None = None,
    text: str = "",
) -> Claim:
    """A predicted claim; ``speaker`` is the span of the mention that made it."""
    said_by = None if speaker is None else span_id(*speaker)
    return Claim(span_id(start, end), start, end, text, claim_type, said_by)


def event(
    start: int, end: int, date: str, precision: str, basis: str | None = None, text: str = ""
) -> Event:
    """A predicted dated event: its trigger span, ISO date at ``precision``, and basis."""
    return Event(span_id(start, end), start, end, text, date, precision, basis)


def with_score(region: Region, score: float) -> Region:
    """``region`` with the extractor's confidence, sent as ``score``."""
    extra = tuple((k, v) for k, v in region.extra if k != "score")
    return replace(region, extra=(*extra, ("score", score)))


@dataclass(frozen=True, slots=True, eq=False)
class Prediction:
    """An annotation of one document made by an extractor (name and version).

    Two predictions are equal when they are the same extractor's regions for the same
    document id, whether or not the document's text was at hand when they were made.
    """

    annotation: Annotation
    extractor: str
    version: str

    def _key(self) -> tuple[object, ...]:
        layers = (self.layer(name) for name in LAYER_TYPES)
        return (self.document_id, self.extractor, self.version, *layers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Prediction) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @classmethod
    def of(
        cls,
        document: Document | str,
        extractor: str,
        version: str,
        **layers: Sequence[Region],
    ) -> Self:
        """A prediction from its regions by layer; ``document`` may be just its id."""
        if isinstance(document, str):
            document = unknown_document(document)
        regions = {name: tuple(items) for name, items in layers.items()}
        return cls(Annotation(document, **regions), extractor, version)  # type: ignore[arg-type]

    @property
    def document_id(self) -> str:
        return self.annotation.document.id

    @property
    def entities(self) -> tuple[Entity, ...]:
        return self.annotation.entities

    @property
    def claims(self) -> tuple[Claim, ...]:
        return self.annotation.claims

    @property
    def event_dates(self) -> tuple[Event, ...]:
        return self.annotation.event_dates

    def layer(self, name: str) -> tuple[Region, ...]:
        """The predicted regions of the layer called ``name``."""
        return self.annotation.layer(name)

    def scores(self) -> list[float]:
        """The confidence of every region that has one."""
        regions = (r for name in LAYER_TYPES for r in self.layer(name))
        return [score for r in regions if (score := getattr(r, "score", None)) is not None]

    def to_dict(self) -> Json:
        """The JSON object of one line of a predictions file."""
        out: Json = {
            "document_id": self.document_id,
            "extractor": {"name": self.extractor, "version": self.version},
        }
        for name in LAYER_TYPES:
            out[name] = [_wire(region) for region in self.layer(name)]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], document: Document | None = None) -> Self:
        """A prediction from a (valid) line of a predictions file; ``document``, when given,
        is the document predicted on (else only its id is known)."""
        extractor = data["extractor"]
        layers = {
            name: tuple(
                kind.from_dict(_record(item, kind.RELATIONS)) for item in data.get(name) or ()
            )
            for name, kind in LAYER_TYPES.items()
        }
        name, version = extractor["name"], extractor["version"]
        return cls.of(document or data["document_id"], name, version, **layers)


def unknown_document(document_id: str) -> Document:
    """The document of a prediction read without its text: only its id is known."""
    return Document(document_id, "", "", "", "")


def _wire(region: Region) -> Json:
    out = region.to_dict()
    for name in _NOT_SENT:
        out.pop(name, None)
    if not out.get("text"):
        out.pop("text", None)
    for name, value in out.items():
        if name in type(region).RELATIONS:
            span = None if value is None else id_span(value)
            out[name] = None if span is None else {"start": span[0], "end": span[1]}
    return out


def _record(item: Mapping[str, Any], relations: frozenset[str]) -> Json:
    """A wire region as a record dict: its span as id, relation spans as ids ("" for a
    text left out)."""
    out = {"id": span_id(item["start"], item["end"]), "text": ""}
    out.update(item)
    for name in relations:
        span = item.get(name)
        if span is not None:
            out[name] = span_id(span["start"], span["end"])
    return out


# --- validation -------------------------------------------------------------------------


def check_prediction(
    data: Mapping[str, Any],
    documents: Mapping[str, Document] | None,
    schemas: SchemaSet,
    where: Location,
) -> list[Problem]:
    """Every problem of one prediction object; ``where`` locates it (file, line, ...).

    Checks the JSON Schema, then, item by item (items with schema errors are skipped), the
    dates and, when ``documents`` is given, the document id and the offsets against its text.
    """
    doc_id = data.get("document_id")
    where = replace(where, document_id=doc_id if isinstance(doc_id, str) else where.document_id)
    problems: list[Problem] = []
    broken: set[tuple[str, int]] = set()
    for error in schemas.errors(PREDICTIONS, data):
        problems += schema_problems(error, where)
        path = list(error.absolute_path)
        if len(path) >= 2 and isinstance(path[1], int):
            broken.add((str(path[0]), path[1]))
    items = _items(data, broken)
    problems += _date_problems(items, schemas, where)
    if documents is not None and isinstance(doc_id, str):
        document = documents.get(doc_id)
        if document is None:
            problems.append(_unknown_document(doc_id, len(documents), where))
        else:
            problems += _offset_problems(items, document.text, where)
    return problems


def _items(
    data: Mapping[str, Any], broken: set[tuple[str, int]]
) -> list[tuple[str, int, Mapping[str, Any]]]:
    """(layer, index, item) of each region object, but those with schema errors."""
    out: list[tuple[str, int, Mapping[str, Any]]] = []
    for layer in LAYER_TYPES:
        values = data.get(layer)
        if isinstance(values, list):
            out += [
                (layer, index, item)
                for index, item in enumerate(values)
                if isinstance(item, dict) and (layer, index) not in broken
            ]
    return out


def _unknown_document(doc_id: str, count: int, where: Location) -> Problem:
    return Problem(
        replace(where, field="document_id"),
        "unknown document id",
        expected=f"the id of one of the {count} documents scored against",
        found=repr(doc_id),
        code="unknown-document",
    )


@cache
def _dated(schemas: SchemaSet) -> dict[str, list[tuple[str, str | None, tuple[str, ...]]]]:
    """Per layer, each date field with its precision field and the precisions, coarsest first."""
    out: dict[str, list[tuple[str, str | None, tuple[str, ...]]]] = {}
    for layer in schemas.layers.values():
        for attribute in layer.dates:
            precision = attribute.precision_field
            choices = layer.attribute(precision).choices if precision else ()
            out.setdefault(layer.name, []).append((attribute.field, precision, choices))
    return out


def _date_problems(
    items: Sequence[tuple[str, int, Mapping[str, Any]]], schemas: SchemaSet, where: Location
) -> list[Problem]:
    dated = _dated(schemas)
    problems: list[Problem] = []
    for layer, index, item in items:
        for name, precision_field, precisions in dated.get(layer, ()):
            if item.get(name) is None or precision_field is None:
                continue
            error = date_error(item[name], item.get(precision_field), precisions)
            if error is not None:
                here = replace(where, field=field_name([layer, index, name]))
                problems.append(Problem(here, error.message, error.expected, error.found, "date"))
    return problems


def _offset_problems(
    items: Sequence[tuple[str, int, Mapping[str, Any]]], text: str, where: Location
) -> list[Problem]:
    """The problems of every span (a region's own, and those its relations name) against
    ``text``; a location is built only for a span that has one."""
    problems: list[Problem] = []
    for layer, index, item in items:
        fault = _span_fault(item, text)
        if fault is not None:
            problems.append(_located(fault, where, f"{layer}[{index}]"))
        for name, value in item.items():
            if isinstance(value, dict):  # a relation: the span of the mention it names
                fault = _span_fault(value, text)
                if fault is not None:
                    problems.append(_located(fault, where, f"{layer}[{index}].{name}"))
    return problems


# What is wrong with a span: the field under the span's own, message, expected, found, code.
_Fault = tuple[str, str, str | None, str | None, str]


def _span_fault(span: Mapping[str, Any], text: str) -> _Fault | None:
    start, end = span["start"], span["end"]
    if start >= end:
        return "", "empty or reversed span", "start < end", f"start {start}, end {end}", "offsets"
    if end > len(text):
        msg = f"end {end} > text length {len(text)}"
        return ".end", msg, "offsets in code points of the document text", None, "offsets"
    given = span.get("text")
    if isinstance(given, str) and given != text[start:end]:
        msg = f"text differs from the document at [{start}:{end}] (offsets must count code points)"
        return ".text", msg, shorten(text[start:end]), shorten(given), "text"
    return None


def _located(fault: _Fault, where: Location, span_field: str) -> Problem:
    suffix, message, expected, found, code = fault
    return Problem(replace(where, field=span_field + suffix), message, expected, found, code)


# --- files ------------------------------------------------------------------------------


def load_predictions(
    path: Path | str,
    documents: Mapping[str, Document] | None = None,
    schemas: SchemaSet | None = None,
) -> list[Prediction]:
    """The predictions of a JSONL file, in file order, after validating all of it.

    With ``documents`` (id -> Document), document ids and offsets are checked too. Raises
    PredictionsError listing every problem found, each located by file, line and field:
    first the lines that are not JSON objects, then the problems of the others.

    One pass: each line is checked, then made a record at once while no problem has been
    found (so no line waits in memory as a dict); the first problem stops the building,
    not the checking.
    """
    path = Path(path)
    schemas = schemas or SchemaSet()
    known = documents or {}
    unread: list[Problem] = []
    problems: list[Problem] = []
    predictions: list[Prediction] = []
    first_line: dict[str, int] = {}
    for number, data, found in read_jsonl(path, PredictionsError):
        unread += found
        if data is None:
            continue
        where = Location(file=str(path), line=number)
        problems += check_prediction(data, documents, schemas, where)
        problems += _duplicate(data.get("document_id"), number, first_line, where)
        if not problems and not unread:
            predictions.append(Prediction.from_dict(data, known.get(data["document_id"])))
    problems = unread + problems
    if problems:
        raise PredictionsError(f"{path}: {len(problems)} problem(s) in the predictions", problems)
    return predictions


def _duplicate(
    doc_id: object, number: int, first_line: dict[str, int], where: Location
) -> list[Problem]:
    if not isinstance(doc_id, str):
        return []
    if doc_id in first_line:
        here = replace(where, document_id=doc_id, field="document_id")
        msg = f"duplicate document id (first seen on line {first_line[doc_id]})"
        return [Problem(here, msg, expected="one line per document", code="duplicate-id")]
    first_line[doc_id] = number
    return []


def write_predictions(path: Path | str, predictions: Iterable[Prediction]) -> None:
    """Write predictions as JSONL (one document per line), atomically."""
    lines = (json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in predictions)
    atomic_write_text(path, "".join(lines))
