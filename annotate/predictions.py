"""Predictions: what an extractor returns for one document, and the JSONL files holding them.

The wire format is ``schemas/predictions.schema.json``: one JSON object per line, with the
extractor as ``{"name", "version"}`` and a claim's speaker as the span ``{"start", "end"}``
of the mention that made it (extractors produce spans, not gold region ids).

A file is validated before anything is built from it, and every problem is reported at
once, located by file, line, document and field (``claims[2].speaker.end``): JSON Schema
errors, unknown document ids, spans outside the text, impossible dates, a date whose form
disagrees with its precision, and duplicate document ids.

>>> p = Prediction("doc1", "demo", "1", entities=(PredictedEntity(0, 5, "PERSON"),))
>>> p.to_dict()["extractor"]
{'name': 'demo', 'version': '1'}
>>> Prediction.from_dict(p.to_dict()) == p
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Self

from jsonschema.exceptions import ValidationError

from annotate.atomic import atomic_write_text
from annotate.errors import PredictionsError, SchemaError
from annotate.jsonl import read_jsonl
from annotate.problems import Location, Problem, shorten
from annotate.records import Document
from annotate.schema import PREDICTIONS, SchemaSet

Json = dict[str, Any]
SPAN_LAYERS = ("entities", "claims", "event_dates")


def _wire(record: object, names: Sequence[str]) -> Json:
    """The named fields of a record that are set (optional fields left out when None)."""
    return {name: value for name in names if (value := getattr(record, name)) is not None}


@dataclass(frozen=True, slots=True)
class PredictedEntity:
    """A predicted entity mention: a half-open code-point range and its label."""

    start: int
    end: int
    label: str
    text: str | None = None
    canonical: str | None = None
    score: float | None = None

    def to_dict(self) -> Json:
        return _wire(self, ("start", "end", "text", "label", "canonical", "score"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            data["start"], data["end"], data["label"], get("text"), get("canonical"), get("score")
        )


@dataclass(frozen=True, slots=True)
class PredictedClaim:
    """A predicted claim; ``speaker`` is the (start, end) span of the mention that made it."""

    start: int
    end: int
    type: str
    speaker: tuple[int, int] | None = None
    text: str | None = None
    score: float | None = None

    def to_dict(self) -> Json:
        out = _wire(self, ("start", "end", "text", "type"))
        speaker = self.speaker
        out["speaker"] = None if speaker is None else {"start": speaker[0], "end": speaker[1]}
        if self.score is not None:
            out["score"] = self.score
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        speaker = data.get("speaker")
        span = None if speaker is None else (speaker["start"], speaker["end"])
        return cls(
            data["start"], data["end"], data["type"], span, data.get("text"), data.get("score")
        )


@dataclass(frozen=True, slots=True)
class PredictedEvent:
    """A predicted dated event: its trigger span, ISO date at ``precision``, and basis."""

    start: int
    end: int
    date: str
    precision: str
    basis: str | None = None
    text: str | None = None
    score: float | None = None

    def to_dict(self) -> Json:
        return _wire(self, ("start", "end", "text", "date", "precision", "basis", "score"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        args = (get("basis"), get("text"), get("score"))
        return cls(data["start"], data["end"], data["date"], data["precision"], *args)


@dataclass(frozen=True, slots=True)
class Prediction:
    """Everything one extractor (name and version) predicted for one document."""

    document_id: str
    extractor: str
    version: str
    entities: tuple[PredictedEntity, ...] = ()
    claims: tuple[PredictedClaim, ...] = ()
    event_dates: tuple[PredictedEvent, ...] = ()

    def to_dict(self) -> Json:
        """The JSON object of one line of a predictions file."""
        return {
            "document_id": self.document_id,
            "extractor": {"name": self.extractor, "version": self.version},
            "entities": [e.to_dict() for e in self.entities],
            "claims": [c.to_dict() for c in self.claims],
            "event_dates": [v.to_dict() for v in self.event_dates],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """A prediction from a (valid) line of a predictions file."""
        extractor = data["extractor"]
        return cls(
            data["document_id"],
            extractor["name"],
            extractor["version"],
            tuple(PredictedEntity.from_dict(e) for e in data.get("entities") or ()),
            tuple(PredictedClaim.from_dict(c) for c in data.get("claims") or ()),
            tuple(PredictedEvent.from_dict(v) for v in data.get("event_dates") or ()),
        )


# --- validation -------------------------------------------------------------------------


def field_name(path: Iterable[str | int]) -> str | None:
    """A JSON path as written in messages.

    >>> field_name(["claims", 2, "speaker", "end"])
    'claims[2].speaker.end'
    """
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or None


@cache
def _precision_parts(schemas: SchemaSet) -> dict[str, int]:
    """Precision value -> number of date parts it keeps (the enum runs coarsest to finest)."""
    choices = schemas.layers["event_dates"].attribute("precision").choices
    if not choices:
        raise SchemaError("event_dates.schema.json: 'precision' needs an enum of choices")
    return {choice: index + 1 for index, choice in enumerate(choices)}


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
        problems += _schema_problems(error, where)
        path = list(error.absolute_path)
        if len(path) >= 2 and isinstance(path[1], int):
            broken.add((str(path[0]), path[1]))
    items = [(layer, i, item) for layer, i, item in _items(data) if (layer, i) not in broken]
    problems += _date_problems(items, _precision_parts(schemas), where)
    if documents is not None and isinstance(doc_id, str):
        document = documents.get(doc_id)
        if document is None:
            problems.append(_unknown_document(doc_id, len(documents), where))
        else:
            problems += _offset_problems(items, document.text, where)
    return problems


def _items(data: Mapping[str, Any]) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    for layer in SPAN_LAYERS:
        values = data.get(layer)
        if isinstance(values, list):
            for index, item in enumerate(values):
                if isinstance(item, dict):
                    yield layer, index, item


def _schema_problems(error: ValidationError, where: Location) -> list[Problem]:
    here = replace(where, field=field_name(error.absolute_path))
    if error.validator in ("oneOf", "anyOf") and error.context:
        # A branch rejected only for its type says nothing; report the branch that applies.
        deeper = [e for e in error.context if not _type_only(e, error)]
        if deeper:
            return [p for e in deeper for p in _schema_problems(e, where)]
        kinds = " or ".join(str(e.validator_value) for e in error.context)
        return [
            Problem(
                here, "wrong type", expected=kinds, found=shorten(error.instance), code="schema"
            )
        ]
    return [_schema_problem(error, here)]


def _type_only(error: ValidationError, parent: ValidationError) -> bool:
    return error.validator == "type" and list(error.absolute_path) == list(parent.absolute_path)


def _schema_problem(error: ValidationError, here: Location) -> Problem:
    found = shorten(error.instance)
    if error.validator == "enum":
        values = error.validator_value
        allowed = ", ".join(str(v) for v in values) if isinstance(values, list) else str(values)
        return Problem(
            here, "not an allowed value", expected=f"one of {allowed}", found=found, code="schema"
        )
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        here = replace(here, field=field_name([*error.absolute_path, missing]))
        return Problem(here, "missing required field", code="schema")
    if error.validator == "pattern":
        expected = f"a string matching {error.validator_value}"
        return Problem(here, "malformed value", expected=expected, found=found, code="schema")
    if error.validator == "type":
        return Problem(
            here, "wrong type", expected=str(error.validator_value), found=found, code="schema"
        )
    return Problem(here, error.message, code="schema")


def _unknown_document(doc_id: str, count: int, where: Location) -> Problem:
    return Problem(
        replace(where, field="document_id"),
        "unknown document id",
        expected=f"the id of one of the {count} documents scored against",
        found=repr(doc_id),
        code="unknown-document",
    )


def _date_problems(
    items: Sequence[tuple[str, int, Mapping[str, Any]]],
    parts_of: Mapping[str, int],
    where: Location,
) -> list[Problem]:
    problems: list[Problem] = []
    for layer, index, item in items:
        if layer == "event_dates":
            here = replace(where, field=f"{layer}[{index}].date")
            problems += _date_problem(item["date"], item["precision"], parts_of, here)
    return problems


def _date_problem(
    date: str, precision: str, parts_of: Mapping[str, int], here: Location
) -> list[Problem]:
    parts = [int(p) for p in date.split("-")]
    year, month, day = [*parts, 1, 1][:3]
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        return [Problem(here, f"not a real date ({exc})", found=repr(date), code="date")]
    wanted = parts_of[precision]
    if len(parts) != wanted:
        form = "-".join(("YYYY", "MM", "DD")[:wanted])
        msg = f"date form disagrees with precision {precision!r}"
        return [Problem(here, msg, expected=form, found=repr(date), code="date")]
    return []


def _offset_problems(
    items: Sequence[tuple[str, int, Mapping[str, Any]]], text: str, where: Location
) -> list[Problem]:
    problems: list[Problem] = []
    for layer, index, item in items:
        field = f"{layer}[{index}]"
        problems += _span_problems(item, text, replace(where, field=field))
        speaker = item.get("speaker") if layer == "claims" else None
        if isinstance(speaker, dict):
            problems += _span_problems(speaker, text, replace(where, field=f"{field}.speaker"))
    return problems


def _span_problems(span: Mapping[str, Any], text: str, where: Location) -> list[Problem]:
    start, end, prefix = span["start"], span["end"], where.field
    if start >= end:
        found = f"start {start}, end {end}"
        return [
            Problem(
                where, "empty or reversed span", expected="start < end", found=found, code="offsets"
            )
        ]
    if end > len(text):
        here = replace(where, field=f"{prefix}.end")
        msg = f"end {end} > text length {len(text)}"
        return [
            Problem(
                here, msg, expected="offsets in code points of the document text", code="offsets"
            )
        ]
    given = span.get("text")
    if isinstance(given, str) and given != text[start:end]:
        here = replace(where, field=f"{prefix}.text")
        msg = f"text differs from the document at [{start}:{end}] (offsets must count code points)"
        return [
            Problem(here, msg, expected=shorten(text[start:end]), found=shorten(given), code="text")
        ]
    return []


# --- files ------------------------------------------------------------------------------


def load_predictions(
    path: Path | str,
    documents: Mapping[str, Document] | None = None,
    schemas: SchemaSet | None = None,
) -> list[Prediction]:
    """The predictions of a JSONL file, in file order, after validating all of it.

    With ``documents`` (id -> Document), document ids and offsets are checked too. Raises
    PredictionsError listing every problem found, each located by file, line and field.
    """
    path = Path(path)
    schemas = schemas or SchemaSet()
    rows, problems = _read_rows(path)
    first_line: dict[str, int] = {}
    for number, data in rows:
        where = Location(file=str(path), line=number)
        problems += check_prediction(data, documents, schemas, where)
        problems += _duplicate(data.get("document_id"), number, first_line, where)
    if problems:
        raise PredictionsError(f"{path}: {len(problems)} problem(s) in the predictions", problems)
    return [Prediction.from_dict(data) for _, data in rows]


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


def _read_rows(path: Path) -> tuple[list[tuple[int, Json]], list[Problem]]:
    rows: list[tuple[int, Json]] = []
    problems: list[Problem] = []
    for number, data, found in read_jsonl(path, PredictionsError):
        problems += found
        if data is not None:
            rows.append((number, data))
    return rows, problems


def write_predictions(path: Path | str, predictions: Iterable[Prediction]) -> None:
    """Write predictions as JSONL (one document per line), atomically."""
    lines = (json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in predictions)
    atomic_write_text(path, "".join(lines))
