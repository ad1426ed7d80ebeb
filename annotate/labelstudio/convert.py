"""Label Studio export JSON → typed records, with every problem located.

A task's annotations are converted one by one. Results are joined by region id; span text
is recomputed from the task text (Label Studio's ``value.text`` is unreliable); ``said_by``
relations become claim speakers; a DateTime plus its precision becomes the normalised date.
An annotation with any problem is rejected whole and returned raw, so nothing is lost;
cancelled (skipped) annotations are counted; drafts are ignored.

The export is read as a stream (:mod:`annotate.labelstudio.exportfile`), so its size does
not bound memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from annotate.labelstudio.exportfile import Segment, decode_task, task_segments
from annotate.labelstudio.results import text_hash
from annotate.problems import Location, Problem, shorten
from annotate.records import (
    LAYER_TYPES,
    Annotation,
    Claim,
    Document,
    Entity,
    Event,
    Submission,
    Task,
)
from annotate.schema import DOCUMENT, Layer, SchemaSet

Item = Entity | Claim | Event
_SPACE = re.compile(r"(?:\s|\\[nrt])+")


@dataclass(frozen=True, slots=True)
class Converted:
    """One task converted: its valid submissions, the problems found, the rejected raw JSON."""

    task: Task
    problems: tuple[Problem, ...] = ()
    rejected: tuple[dict[str, Any], ...] = ()


def iter_tasks(
    path: Path | str, schemas: SchemaSet, annotators: Mapping[int, str] | None = None
) -> Iterator[Converted]:
    """Every task of an export, converted, in file order; duplicate document ids are reported."""
    seen: dict[str, int] = {}
    for segment in task_segments(path):
        converted = convert_segment(segment, path, schemas, annotators or {})
        yield drop_duplicate(converted, segment, seen, path)


def convert_segment(
    segment: Segment, path: Path | str, schemas: SchemaSet, annotators: Mapping[int, str]
) -> Converted:
    """One task of the export at ``path``, from its raw bytes to its records."""
    return convert_task(decode_task(segment, path), schemas, annotators)


def drop_duplicate(
    converted: Converted, segment: Segment, seen: dict[str, int], path: Path | str
) -> Converted:
    """The task as converted, or without its submissions if its document id came before.

    ``seen`` maps the document ids met so far to their task ids; it is updated.
    """
    doc_id, task_id = converted.task.document.id, converted.task.task_id
    if doc_id not in seen:
        seen[doc_id] = task_id
        return converted
    where = Location(task_id=task_id, document_id=doc_id, field="data.doc_id")
    message = f"duplicate document id (also task {seen[doc_id]})"
    dup = Problem(where, message, code="duplicate-document")
    rejected = tuple(_raw_annotations(decode_task(segment, path)))
    task = replace(converted.task, submissions=())
    return Converted(task, (*converted.problems, dup), rejected)


def _raw_annotations(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [a for a in raw.get("annotations") or [] if not a.get("was_cancelled")]


def convert_task(
    raw: Mapping[str, Any], schemas: SchemaSet, annotators: Mapping[int, str]
) -> Converted:
    """One exported task → its Task record, problems and rejected annotations."""
    task_id = int(raw.get("id", -1))
    document, problems = _document(raw, schemas, task_id)
    annotations = raw.get("annotations") or []
    if problems:  # offsets cannot be trusted against this text: keep every annotation aside
        task = Task(task_id, document, (), _cancelled(annotations))
        return Converted(task, tuple(problems), tuple(_raw_annotations(raw)))
    submissions: list[Submission] = []
    rejected: list[dict[str, Any]] = []
    for annotation in annotations:
        if annotation.get("was_cancelled"):
            continue
        where = Location(
            task_id=task_id,
            document_id=document.id,
            annotation_id=annotation.get("id"),
            annotator=annotator_name(annotation.get("completed_by"), annotators),
        )
        layers, found = AnnotationReader(schemas, document, where).read(annotation)
        if found or layers is None:
            problems += found
            rejected.append(dict(annotation))
            continue
        submissions.append(
            Submission(
                int(annotation.get("id", -1)),
                where.annotator or "unknown",
                bool(annotation.get("ground_truth")),
                layers,
            )
        )
    task = Task(task_id, document, tuple(submissions), _cancelled(annotations))
    return Converted(task, tuple(problems), tuple(rejected))


def _cancelled(annotations: list[dict[str, Any]]) -> int:
    return sum(1 for a in annotations if a.get("was_cancelled"))


def annotator_name(completed_by: Any, annotators: Mapping[int, str]) -> str:
    """An annotator's email when known, else ``user N``."""
    if isinstance(completed_by, dict):
        return str(completed_by.get("email") or f"user {completed_by.get('id')}")
    if isinstance(completed_by, int):
        return annotators.get(completed_by, f"user {completed_by}")
    return "unknown"


def _document(
    raw: Mapping[str, Any], schemas: SchemaSet, task_id: int
) -> tuple[Document, list[Problem]]:
    data: Mapping[str, Any] = raw.get("data") or {}
    doc_id = str(data.get("doc_id") or f"task-{task_id}")
    fields = {
        "id": doc_id,
        "text": data.get("text"),
        "source": data.get("outlet"),
        "published": data.get("published"),
        "language": data.get("language"),
        "url": data.get("url"),
        "title": data.get("title"),
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    problems = []
    for error in schemas.errors(DOCUMENT, fields):
        field = ".".join(str(p) for p in error.absolute_path) or None
        where = Location(
            task_id=task_id, document_id=doc_id, field=f"data.{field}" if field else "data"
        )
        problems.append(Problem(where, f"task data: {error.message}", code="task-data"))
    text = fields.get("text") if isinstance(fields.get("text"), str) else ""
    stored = data.get("text_sha256")
    if stored is not None and text and stored != text_hash(text):
        where = Location(task_id=task_id, document_id=doc_id, field="data.text_sha256")
        problems.append(
            Problem(
                where,
                "the task text no longer matches its hash: the text was "
                "edited after import, so offsets may not fit",
                expected=str(stored)[:12] + "…",
                found=text_hash(text)[:12] + "…",
                code="text-hash",
            )
        )
    fields.setdefault("text", text)
    for key in ("source", "published", "language"):
        fields.setdefault(key, "")
    return Document.from_dict(fields), problems


class AnnotationReader:
    """Reads one Label Studio annotation of a document into an Annotation record."""

    def __init__(self, schemas: SchemaSet, document: Document, where: Location) -> None:
        self.schemas = schemas
        self.document = document
        self.where = where
        self.text = document.text
        self.problems: list[Problem] = []
        self.invalid: set[tuple[str, str]] = set()  # (region, field) already reported
        self.layers = schemas.layers
        self.controls = schemas.controls

    def problem(
        self,
        message: str,
        code: str,
        region: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        where = replace(self.where, region_id=region, field=field)
        self.problems.append(Problem(where, message, expected, found, code))

    def read(self, annotation: Mapping[str, Any]) -> tuple[Annotation | None, list[Problem]]:
        results = annotation.get("result")
        if not isinstance(results, list) or not results:
            self.problem(
                "annotation has no results",
                "empty-annotation",
                field="result",
                expected="at least one region",
                found=shorten(results),
            )
            return None, self.problems
        values, relations = self._results(results)
        self._relations(relations, values)
        records = self._records(values)
        return (records if not self.problems else None), self.problems

    def _results(
        self, results: list[Any]
    ) -> tuple[dict[str, dict[str, Any] | None], list[dict[str, Any]]]:
        """The regions, each checked step by step, every problem reported."""
        regions: dict[str, list[dict[str, Any]]] = {}
        relations: list[dict[str, Any]] = []
        for result in results:
            if not isinstance(result, dict):
                self.problem("result is not an object", "malformed-result", found=shorten(result))
            elif result.get("type") == "relation":
                relations.append(result)
            else:
                rid = result.get("id")
                rid = rid if isinstance(rid, str) else str(rid)
                group = regions.get(rid)
                if group is None:
                    regions[rid] = [result]
                else:
                    group.append(result)
        return {rid: self._region(rid, items) for rid, items in regions.items()}, relations

    def _region(self, rid: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
        layers = self.layers
        labelled = [r for r in items if r.get("from_name") in layers]
        if not labelled:
            names = ", ".join(sorted({str(r.get("from_name")) for r in items}))
            self.problem(
                "per-region attribute without its region",
                "orphan-attribute",
                rid,
                field=names,
                expected="a labels result with the same region id",
                found="none",
            )
            return None
        if len(labelled) > 1:
            names = ", ".join(str(r.get("from_name")) for r in labelled)
            self.problem(
                "region is labelled in more than one layer",
                "multi-layer",
                rid,
                field="from_name",
                expected="one layer",
                found=names,
            )
            return None
        layer = layers[labelled[0]["from_name"]]
        value = labelled[0].get("value") or {}
        span = self._span(rid, layer, value)
        label = self._label(rid, layer, value)
        if span is None or label is None:
            return None
        out = {"layer": layer, "id": rid, **span}
        if layer.label_field:
            out[layer.label_field] = label
        for item in items:
            if item is not labelled[0]:
                self._attribute(rid, layer, item, out)
        return out

    def _span(self, rid: str, layer: Layer, value: Mapping[str, Any]) -> dict[str, Any] | None:
        start, end, length = value.get("start"), value.get("end"), len(self.text)
        if not (isinstance(start, int) and isinstance(end, int)):
            self.problem(
                "region has no integer offsets",
                "offsets",
                rid,
                "value.start/end",
                "integers",
                f"start {shorten(start)}, end {shorten(end)}",
            )
            return None
        if not 0 <= start < end <= length:
            self.problem(
                "offsets out of range",
                "offsets",
                rid,
                "value.start/end",
                f"0 <= start < end <= text length {length}",
                f"start {start}, end {end}",
            )
            return None
        text = self.text[start:end]
        shown = value.get("text")
        if isinstance(shown, str) and shown != text and _squash(shown) != _squash(text):
            self.problem(
                "span text differs from the task text at these offsets",
                "span-text",
                rid,
                "value.text",
                shorten(text),
                shorten(shown),
            )
            return None
        return {"start": start, "end": end, "text": text}

    def _label(self, rid: str, layer: Layer, value: Mapping[str, Any]) -> str | None:
        labels = value.get("labels")
        if type(labels) is list and len(labels) == 1 and labels[0] in layer.label_set:
            return str(labels[0])
        if not isinstance(labels, list) or len(labels) != 1:
            self.problem(
                "region needs exactly one label",
                "label",
                rid,
                f"{layer.name}.labels",
                "one label",
                shorten(labels),
            )
            return None
        if labels[0] not in layer.labels:
            self.problem(
                f"unknown label in layer {layer.name}",
                "label",
                rid,
                f"{layer.name}.labels",
                "one of " + ", ".join(layer.labels),
                repr(labels[0]),
            )
            return None
        return str(labels[0])

    def _attribute(
        self, rid: str, layer: Layer, item: Mapping[str, Any], out: dict[str, Any]
    ) -> None:
        name = str(item.get("from_name"))
        owner, attribute = self.controls.get(name, (None, None))
        if attribute is None or owner is not layer:
            where = f"an attribute of layer {layer.name}"
            self.problem(
                "result does not belong to this region's layer",
                "foreign-attribute",
                rid,
                name,
                where,
                name,
            )
            return
        value = item.get("value") or {}
        if attribute.control == "Choices":
            choices = value.get("choices")
            if (
                not isinstance(choices, list)
                or len(choices) != 1
                or choices[0] not in attribute.choices
            ):
                self.problem(
                    "choice outside the schema",
                    "choice",
                    rid,
                    name,
                    "one of " + ", ".join(attribute.choices),
                    shorten(choices),
                )
                self.invalid.add((rid, attribute.field))
                return
            out[attribute.field] = choices[0]
        elif attribute.control == "DateTime":
            out[attribute.field] = value.get("datetime")
        else:
            texts = value.get("text")
            text = texts[0] if isinstance(texts, list) and texts else texts
            out[attribute.field] = text.strip() if isinstance(text, str) and text.strip() else None

    def _relations(
        self, relations: list[dict[str, Any]], values: dict[str, dict[str, Any] | None]
    ) -> None:
        for rel in relations:
            ends = (str(rel.get("from_id")), str(rel.get("to_id")))
            missing = [rid for rid in ends if rid not in values]
            if missing:
                self.problem(
                    "relation to a missing region",
                    "relation",
                    missing[0],
                    "relation",
                    "ids of regions in this annotation",
                    ", ".join(missing),
                )
                continue
            first, second = ends if rel.get("direction") != "left" else ends[::-1]
            source, target = values[first], values[second]
            if source is not None and target is not None:  # else the region is reported
                self._link(rel, source, target)

    def _link(self, rel: Mapping[str, Any], source: dict[str, Any], target: dict[str, Any]) -> None:
        if source["layer"].relation is None and target["layer"].relation is not None:
            source, target = target, source  # drawn the other way round
        spec = source["layer"].relation
        if spec is None:
            self.problem(
                "relation between regions that cannot be linked",
                "relation",
                source["id"],
                "relation",
                "a claim linked to its speaker",
                f"{source['layer'].name} → {target['layer'].name}",
            )
            return
        labels = rel.get("labels") or [spec.name]
        target_label = target.get(target["layer"].label_field or "", None)
        if spec.name not in labels:
            self.problem(
                "unknown relation label",
                "relation",
                source["id"],
                "relation.labels",
                spec.name,
                shorten(labels),
            )
        elif target["layer"].name != spec.target_layer or target_label not in spec.target_labels:
            self.problem(
                f"{spec.field} must be an entity labelled " + "/".join(spec.target_labels),
                "speaker",
                source["id"],
                spec.field,
                "/".join(spec.target_labels),
                f"{target['layer'].name} region {target['id']} labelled {target_label}",
            )
        elif source.get(spec.field) not in (None, target["id"]):
            self.problem(
                f"more than one {spec.field}",
                "speaker",
                source["id"],
                spec.field,
                "one",
                f"{source[spec.field]} and {target['id']}",
            )
        else:
            source[spec.field] = target["id"]

    def _records(self, values: dict[str, dict[str, Any] | None]) -> Annotation:
        layers: dict[str, list[Any]] = {name: [] for name in self.schemas.layers}
        credit = (self.where.annotator or "unknown",)
        for rid, value in values.items():
            if value is None:
                continue
            layer: Layer = value.pop("layer")
            if layer.dates and not self._dates(rid, layer, value):
                continue
            if layer.relation:
                value.setdefault(layer.relation.field, None)
            if self._schema_ok(rid, layer, value):
                value["annotators"] = credit  # provenance: who made it
                layers[layer.name].append(_record(LAYER_TYPES[layer.name], value))
        return Annotation(self.document, *(tuple(layers[n]) for n in self.schemas.layers))

    def _dates(self, rid: str, layer: Layer, value: dict[str, Any]) -> bool:
        for attribute in layer.dates:
            if value.get(attribute.field) is None:
                continue
            precision_field = attribute.precision_field
            precision = value.get(precision_field) if precision_field else None
            choices = layer.attribute(precision_field).choices if precision_field else ()
            date, error = normalise_date(value[attribute.field], precision, choices)
            if error:
                self.problem(error[0], "date", rid, attribute.field, error[1], error[2])
                return False
            value[attribute.field] = date
        return True

    def _schema_ok(self, rid: str, layer: Layer, value: dict[str, Any]) -> bool:
        errors = self.schemas.errors(layer.name, value)
        for error in errors:
            field = ".".join(str(p) for p in error.absolute_path) or None
            if error.validator == "required":
                missing = error.message.split("'")[1]
                if (rid, missing) in self.invalid:
                    continue
                self.problem(
                    f"{layer.name} region has no {missing}",
                    "missing-attribute",
                    rid,
                    missing,
                    f"a value for {missing}",
                    "none",
                )
            else:
                self.problem(error.message, "schema", rid, field)
        return not errors


def _record(cls: type[Item], value: dict[str, Any]) -> Item:
    """A record from a region's validated fields (a schema may hold fields a record lacks)."""
    try:
        return cls(**value)
    except TypeError:
        return cls.from_dict(value)


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def normalise_date(
    raw: Any, precision: str | None, precisions: tuple[str, ...]
) -> tuple[str | None, tuple[str, str, str] | None]:
    """The DateTime widget's value cut to ``precision`` (``precisions`` coarsest first).

    Returns (date, None) or (None, (message, expected, found)).

    >>> normalise_date("2017-11-20", "month", ("year", "month", "day"))
    ('2017-11', None)
    >>> normalise_date("2017-02-30", "day", ("year", "month", "day"))[1][0]
    'invalid or impossible date'
    """
    text = str(raw).split("T")[0].strip() if raw is not None else ""
    parts = text.split("-")
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) or not _real(parts):
        return None, ("invalid or impossible date", "a real date YYYY-MM-DD", shorten(raw))
    if precision is None:
        return None, ("date has no precision", "one of " + ", ".join(precisions), "none")
    keep = precisions.index(precision) + 1 if precision in precisions else len(parts)
    if len(parts) < keep:
        return None, (
            "date precision disagrees with its value",
            f"a date with {keep} part(s) for precision {precision}",
            repr(text),
        )
    return "-".join(parts[:keep]), None


def _real(parts: list[str]) -> bool:
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        dt.date(*numbers)
    except ValueError:
        return False
    return True
