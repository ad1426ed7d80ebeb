"""Label Studio export JSON → typed records, with every problem located.

A task's annotations are converted one by one. Results are joined by region id; span text
is recomputed from the task text (Label Studio's ``value.text`` is unreliable); ``said_by``
relations become claim speakers; a DateTime plus its precision becomes the normalised date.
An annotation with any problem is rejected whole and kept as exported (a
:class:`RawAnnotation`), so nothing is lost; cancelled (skipped) annotations are counted;
drafts are ignored. A task whose document came in an earlier task is set aside whole
(:func:`drop_duplicate`).

The export is read as a stream (:mod:`annotate.labelstudio.exportfile`), so its size does
not bound memory: :func:`iter_tasks` task by task, :func:`convert_batch` a batch at a time
(in the export's worker processes).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeGuard

from annotate.errors import ExportFileError
from annotate.labelstudio.exportfile import (
    MAX_DEPTH,
    ExportBatch,
    Segment,
    decode_task,
    nesting_depth,
    position,
    task_segments,
)
from annotate.labelstudio.manifest import load_annotators
from annotate.labelstudio.results import text_hash
from annotate.problems import Location, Problem, missing_field, schema_problems, shorten
from annotate.records import (
    LAYER_TYPES,
    Annotation,
    Claim,
    Document,
    Entity,
    Event,
    Submission,
    Task,
    cut_date,
    date_error,
    real_date,
)
from annotate.schema import DOCUMENT, Attribute, Layer, SchemaSet

Item = Entity | Claim | Event
_SPACE = re.compile(r"(?:\s|\\[nrt])+")
_DATA_FIELDS = {  # Document field -> its key in the task data
    "id": "doc_id",
    "text": "text",
    "source": "outlet",
    "published": "published",
    "language": "language",
    "url": "url",
    "title": "title",
}


OLD_EXPORT = "the export uses the key 'completions' of Label Studio before 1.0: read as annotations"


class OldExportWarning(UserWarning):
    """An export in a format Label Studio no longer writes, read all the same."""


@dataclass(frozen=True, slots=True)
class RawAnnotation:
    """An annotation set aside as Label Studio exported it.

    Past :mod:`annotate.labelstudio` it is opaque: its id, and its JSON text for whoever
    keeps it (:meth:`value`).
    """

    annotation_id: int | None
    json: str

    @classmethod
    def of(cls, annotation: Mapping[str, Any]) -> RawAnnotation:
        return cls(annotation.get("id"), json.dumps(annotation, ensure_ascii=False))

    def value(self) -> Any:
        """The annotation as exported, as JSON-ready values."""
        return json.loads(self.json)


@dataclass(frozen=True, slots=True)
class Converted:
    """One task converted: its valid submissions, the problems found, the rejected
    annotations, and the earlier task holding its document if it is a duplicate."""

    task: Task
    problems: tuple[Problem, ...] = ()
    rejected: tuple[RawAnnotation, ...] = ()
    duplicate_of: int | None = None


def iter_tasks(
    path: Path | str, schemas: SchemaSet, annotators: Mapping[int, str] | None = None
) -> Iterator[Converted]:
    """Every task of an export, converted, in file order; duplicate document ids are reported.

    ``annotators`` names Label Studio's user ids; by default, the manifest ``annotate
    pull`` wrote beside the export does (:func:`annotate.labelstudio.manifest.load_annotators`).
    """
    names = load_annotators(path) if annotators is None else annotators
    seen: dict[str, int] = {}
    for segment in task_segments(path):
        yield _convert_segment(segment, path, schemas, names, seen)


def convert_batch(
    batch: ExportBatch,
    schemas: SchemaSet,
    annotators: Mapping[int, str],
    seen: dict[str, int] | None = None,
) -> list[Converted]:
    """The tasks of a batch, converted, in order.

    With ``seen`` (the document ids met so far, each with its task id; updated), a task
    whose document came before is set aside (:func:`drop_duplicate`); without it, the
    caller checks document ids.
    """
    return [_convert_segment(s, batch.path, schemas, annotators, seen) for s in batch.segments]


def _convert_segment(
    segment: Segment,
    path: Path | str,
    schemas: SchemaSet,
    annotators: Mapping[int, str],
    seen: dict[str, int] | None,
) -> Converted:
    """One task of the export at ``path``, from its raw bytes to its records.

    A task nested too deeply to decode is a located problem of that task alone; any other
    undecodable item is an ExportFileError (the file is damaged).
    """
    try:
        raw = decode_task(segment, path)
    except ExportFileError:
        depth = nesting_depth(segment.raw)
        if depth <= MAX_DEPTH:
            raise
        line, column = position(path, segment.offset)
        where = Location(file=str(path), line=line, field=f"item {segment.number}")
        message = f"task nested too deeply to read (from column {column}): set aside whole"
        found = f"{depth:,} levels"
        problem = Problem(where, message, f"at most {MAX_DEPTH:,} levels", found, "too-deep")
        document = Document(f"item {segment.number}", "", "", "", "")
        return Converted(Task(-1, document, ()), (problem,))
    converted = convert_task(raw, schemas, annotators)
    return converted if seen is None else drop_duplicate(converted, seen, raw)


def drop_duplicate(
    converted: Converted, seen: dict[str, int], raw: Mapping[str, Any] | None = None
) -> Converted:
    """The task as converted, or set aside if its document id came before.

    ``seen`` maps the document ids met so far to their task ids; it is updated. A task set
    aside keeps no submissions and gets a ``duplicate-document`` problem; the annotations
    of ``raw`` (its exported JSON, when there is one) are all rejected.
    """
    doc_id, task_id = converted.task.document.id, converted.task.task_id
    first = seen.get(doc_id)
    if first is None:
        seen[doc_id] = task_id
        return converted
    where = Location(task_id=task_id, document_id=doc_id, field="data.doc_id")
    message = f"duplicate document id (also task {first})"
    dup = Problem(where, message, code="duplicate-document")
    rejected = converted.rejected if raw is None else _raw_annotations(raw)
    task = replace(converted.task, submissions=())
    return Converted(task, (*converted.problems, dup), rejected, first)


def _raw_annotations(raw: Mapping[str, Any]) -> tuple[RawAnnotation, ...]:
    return _kept(_annotation_list(raw)[0])


def _kept(annotations: list[Any]) -> tuple[RawAnnotation, ...]:
    """The annotations that were not cancelled, set aside as exported."""
    return tuple(RawAnnotation.of(_as_object(a)) for a in annotations if not _cancelled_one(a))


def _as_object(annotation: Any) -> dict[str, Any]:
    """An annotation as the quarantine keeps it: itself, or wrapped when not an object."""
    return dict(annotation) if isinstance(annotation, dict) else {"not_an_object": annotation}


def _cancelled_one(annotation: Any) -> bool:
    return isinstance(annotation, dict) and bool(annotation.get("was_cancelled"))


def _annotation_list(raw: Mapping[str, Any]) -> tuple[list[Any], str | None]:
    """The task's annotations (``completions`` before Label Studio 1.0), and what is wrong
    with their container if anything: a single object or a scalar is kept, not lost."""
    key = "annotations" if "annotations" in raw or "completions" not in raw else "completions"
    if key == "completions":
        warnings.warn(OLD_EXPORT, OldExportWarning, stacklevel=2)
    annotations = raw.get(key)
    if annotations is None:
        return [], None
    if isinstance(annotations, list):
        return annotations, None
    return [annotations], f"{key} is not a list"


def _integer(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _task_id(raw: Mapping[str, Any]) -> tuple[int, list[Problem]]:
    task_id = raw.get("id")
    if _integer(task_id):
        return task_id, []
    where = Location(field="id")
    found = shorten(task_id)
    return -1, [Problem(where, "task id is not an integer", "an integer", found, "task-id")]


def convert_task(
    raw: Mapping[str, Any], schemas: SchemaSet, annotators: Mapping[int, str]
) -> Converted:
    """One exported task → its Task record, problems and rejected annotations.

    Total: whatever JSON the task holds, every annotation ends up a submission, rejected
    (with its problems) or counted as cancelled.
    """
    task_id, problems = _task_id(raw)
    document, found = _document(raw, schemas, task_id)
    problems = [replace(p, where=replace(p.where, document_id=document.id)) for p in problems]
    problems += found
    annotations, container = _annotation_list(raw)
    cancelled = sum(map(_cancelled_one, annotations))
    if container:
        where = Location(task_id=task_id, document_id=document.id, field="annotations")
        problems.append(
            Problem(where, container, "a list of annotations", shorten(annotations[0]), "task")
        )
    if problems:  # offsets cannot be trusted against this text: keep every annotation aside
        task = Task(task_id, document, (), cancelled)
        return Converted(task, tuple(problems), _kept(annotations))
    submissions: list[Submission] = []
    rejected: list[RawAnnotation] = []
    for annotation in annotations:
        if _cancelled_one(annotation):
            continue
        where = Location(task_id=task_id, document_id=document.id)
        submission, found = _submission(annotation, where, schemas, document, annotators)
        if submission is None:
            problems += found
            rejected.append(RawAnnotation.of(_as_object(annotation)))
        else:
            submissions.append(submission)
    task = Task(task_id, document, tuple(submissions), cancelled)
    return Converted(task, tuple(problems), tuple(rejected))


def _submission(
    annotation: Any,
    where: Location,
    schemas: SchemaSet,
    document: Document,
    annotators: Mapping[int, str],
) -> tuple[Submission | None, list[Problem]]:
    """One annotation → a Submission, or None and its problems."""
    if not isinstance(annotation, dict):
        found = shorten(annotation)
        problem = Problem(where, "annotation is not an object", "an object", found, "annotation")
        return None, [problem]
    annotation_id = annotation.get("id")
    name = _annotator(annotation, annotators)
    shown = annotation_id if _integer(annotation_id) else shorten(annotation_id)
    where = replace(where, annotation_id=shown, annotator=name)
    layers, problems = AnnotationReader(schemas, document, where).read(annotation)
    if not _integer(annotation_id):
        message = "annotation id is not an integer"
        problems.append(Problem(where, message, "an integer", shorten(annotation_id), "annotation"))
    if not _unicode(name):
        message = "annotator name is not valid Unicode (a lone surrogate)"
        problems.append(Problem(where, message, "valid Unicode", shorten(name), "unicode"))
    if problems or layers is None or not _integer(annotation_id):
        return None, problems
    truth = bool(annotation.get("ground_truth"))
    return Submission(annotation_id, name, truth, layers), []


def _annotator(annotation: Mapping[str, Any], annotators: Mapping[int, str]) -> str:
    """Who made an annotation; one without ``completed_by`` is kept apart by its id."""
    completed_by = annotation.get("completed_by")
    if isinstance(completed_by, dict) or _integer(completed_by):
        return annotator_name(completed_by, annotators)
    return f"unknown (annotation {shorten(annotation.get('id'))})"


def _unicode(text: str) -> bool:
    """False for a string pyarrow cannot write: one with a lone surrogate."""
    if text.isascii():  # most are: no need to encode them
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
    data = raw.get("data")
    if not isinstance(data, Mapping):  # the export reader refuses such a task before this
        data = {}
    doc_id = str(data.get("doc_id") or f"task-{task_id}")
    fields = {key: data.get(name) for key, name in _DATA_FIELDS.items()}
    fields = {k: v for k, v in fields.items() if v is not None}
    fields["id"] = doc_id
    problems = []
    where = Location(task_id=task_id, document_id=doc_id)
    for error in schemas.errors(DOCUMENT, fields):
        for problem in schema_problems(error, where, prefix="data"):
            message = f"task data: {problem.message}"
            problems.append(replace(problem, message=message, code="task-data"))
    for key, value in fields.items():
        if isinstance(value, str) and not _unicode(value):
            field = f"data.{_DATA_FIELDS[key]}"
            message = "task data is not valid Unicode (a lone surrogate)"
            found = shorten(value)
            problems.append(
                Problem(replace(where, field=field), message, "valid Unicode", found, "unicode")
            )
    text = fields.get("text") if isinstance(fields.get("text"), str) else ""
    stored = data.get("text_sha256")
    if stored is not None and text and _unicode(text) and stored != text_hash(text):
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
        self.results: list[Any] = []  # those of the annotation being read

    def problem(
        self,
        message: str,
        code: str,
        region: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        text, label = self._describe(region)
        where = replace(
            self.where, region_id=region, region_text=text, region_label=label, field=field
        )
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
        self.results = results
        usual = self._usual_results(results)
        if usual is not None:
            values, relations = usual
        else:  # start again, carefully: every problem is found and reported once
            self.problems.clear()
            self.invalid.clear()
            values, relations = self._results(results)
        self._relations(relations, values)
        records = self._records(values)
        return (records if not self.problems else None), self.problems

    def _usual_results(
        self, results: list[Any]
    ) -> tuple[dict[str, dict[str, Any] | None], list[dict[str, Any]]] | None:
        """The regions in one pass, when every result is as Label Studio writes it (labels
        before attributes, offsets and labels valid, one value each); None at the first
        thing that is not, and the careful reading (:meth:`_results`) takes over. About 15%
        faster (``benchmarks/fastpaths_bench.py``); ``tests/test_convert_total.py`` proves
        both read every annotation alike."""
        values: dict[str, dict[str, Any] | None] = {}
        relations: list[dict[str, Any]] = []
        for result in results:
            if type(result) is not dict:
                return None
            if result.get("type") == "relation":
                relations.append(result)
            elif not self._usual_result(result, values):
                return None
        return values, relations

    def _usual_result(self, result: dict[str, Any], values: dict[str, Any]) -> bool:
        rid, name, value = result.get("id"), result.get("from_name"), result.get("value")
        if not (type(rid) is str and rid and rid.isascii() and type(name) is str):
            return False
        if type(value) is not dict:
            return False
        layer = self.layers.get(name)
        if layer is not None:
            out = None if rid in values else self._usual(rid, layer, value)
            values[rid] = out
            return out is not None
        return self._usual_attribute(rid, result, value, values.get(rid))

    def _usual_attribute(
        self, rid: str, result: dict[str, Any], value: dict[str, Any], out: dict[str, Any] | None
    ) -> bool:
        owner, attribute = self.controls.get(result["from_name"], (None, None))
        if attribute is None or out is None or owner is None or out["layer"] is not owner:
            return False
        if attribute.field in out:  # a second value: the careful reading words it
            return False
        if attribute.control != "Choices":
            self._attribute(rid, owner, result, out)
            return not self.problems
        choices = value.get("choices")
        if type(choices) is list and len(choices) == 1 and choices[0] in attribute.choices:
            out[attribute.field] = choices[0]
            return True
        return False

    def _usual(self, rid: str, layer: Layer, value: Mapping[str, Any]) -> dict[str, Any] | None:
        """A region whose offsets, text and label pass at a glance (most of them); else None."""
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if not (
            type(start) is int
            and type(end) is int
            and 0 <= start < end <= len(self.text)
            and type(labels) is list
            and len(labels) == 1
            and type(labels[0]) is str
            and labels[0] in layer.label_set
        ):
            return None
        text = self.text[start:end]
        shown = value.get("text")
        if shown is not None and shown != text:
            return None
        out = {"layer": layer, "id": rid, "start": start, "end": end, "text": text}
        if layer.label_field:
            out[layer.label_field] = labels[0]
        return out

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
            elif type(rid := result.get("id")) is str and rid and (rid.isascii() or _unicode(rid)):
                group = regions.get(rid)
                if group is None:
                    regions[rid] = [result]
                else:
                    group.append(result)
            else:
                self._bad_region_id(result)
        return {rid: self._region(rid, items) for rid, items in regions.items()}, relations

    def _bad_region_id(self, result: Mapping[str, Any]) -> None:
        """Report a result that does not name its region by a string id."""
        rid = result.get("id")
        if rid is None:
            message = "result has no region id"
        elif isinstance(rid, str) and rid:
            message = "region id is not valid Unicode (a lone surrogate)"
        else:
            message = "region id is not a string"
        self.problem(
            message,
            "region-id",
            field=f"{result.get('from_name')}.id",
            expected="the id of its region, a string",
            found=shorten(rid),
        )

    def _describe(self, rid: str | None) -> tuple[str | None, str | None]:
        """A region's text and label as its labels result gives them, to name it in problems."""
        labelled = [
            r
            for r in self.results
            if isinstance(r, dict) and r.get("id") == rid and _name(r) in self.layers
        ]
        value = labelled[0].get("value") if labelled else None
        if not isinstance(value, dict):
            return None, None
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        text: str | None = None
        if _integer(start) and _integer(end) and 0 <= start < end <= len(self.text):
            text = self.text[start:end]
        elif isinstance(value.get("text"), str):
            text = value["text"]
        label = labels[0] if isinstance(labels, list) and labels else None
        return text, label if isinstance(label, str) else None

    def _region(self, rid: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
        layers = self.layers
        labelled = [r for r in items if type(n := r.get("from_name")) is str and n in layers]
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
        value = labelled[0].get("value")
        if type(value) is not dict:
            value = self._value(rid, labelled[0])
        if value is None:
            return None
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

    def _value(self, rid: str, result: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """A result's ``value`` object ({} when absent); None, reported, when not an object."""
        value = result.get("value")
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.problem(
            "result value is not an object",
            "malformed-result",
            rid,
            f"{_name(result)}.value",
            "an object",
            shorten(value),
        )
        return None

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
        if type(labels) is list and len(labels) == 1 and str(labels[0]) in layer.label_set:
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
        value = item.get("value")
        if type(value) is not dict:
            value = self._value(rid, item)
        if attribute.field in out or (rid, attribute.field) in self.invalid:
            self._not_single(rid, name, attribute, "two results")
        elif value is None:
            self.invalid.add((rid, attribute.field))
        elif attribute.control == "Choices":
            self._choice(rid, name, attribute, value.get("choices"), out)
        elif attribute.control == "DateTime":
            out[attribute.field] = value.get("datetime")
        else:
            self._text(rid, name, attribute, value.get("text"), out)

    def _not_single(self, rid: str, name: str, attribute: Attribute, found: str) -> None:
        self.problem(
            f"more than one {attribute.field} for this region",
            "single-value",
            rid,
            name,
            f"one {attribute.field}",
            found,
        )
        self.invalid.add((rid, attribute.field))

    def _choice(
        self, rid: str, name: str, attribute: Attribute, choices: Any, out: dict[str, Any]
    ) -> None:
        if isinstance(choices, list) and len(choices) > 1:
            self._not_single(rid, name, attribute, shorten(choices))
        elif isinstance(choices, list) and choices and choices[0] in attribute.choices:
            out[attribute.field] = choices[0]
        else:
            self.problem(
                "choice outside the schema",
                "choice",
                rid,
                name,
                "one of " + ", ".join(attribute.choices),
                shorten(choices),
            )
            self.invalid.add((rid, attribute.field))

    def _text(
        self, rid: str, name: str, attribute: Attribute, texts: Any, out: dict[str, Any]
    ) -> None:
        """A free-text attribute: one line of text (or none)."""
        if isinstance(texts, list) and len(texts) > 1:
            self._not_single(rid, name, attribute, shorten(texts))
            return
        text = texts[0] if isinstance(texts, list) and texts else texts
        if text is not None and not isinstance(text, str):
            self.problem(
                f"{attribute.field} is not text", "text", rid, name, "a string", shorten(text)
            )
            self.invalid.add((rid, attribute.field))
        elif text is not None and not (text.isascii() or _unicode(text)):
            message = f"{attribute.field} is not valid Unicode (a lone surrogate)"
            self.problem(message, "unicode", rid, name, "valid Unicode", shorten(text))
            self.invalid.add((rid, attribute.field))
        elif text is not None and len(text.strip().splitlines()) > 1:
            message = f"{attribute.field} has more than one line"
            self.problem(message, "single-value", rid, name, "one line", shorten(text))
            self.invalid.add((rid, attribute.field))
        else:
            out[attribute.field] = text.strip() if text and text.strip() else None

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
        if not isinstance(labels, list) or spec.name not in labels:
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
        compiled = self.schemas.compiled
        for rid, value in values.items():
            if value is None:
                continue
            layer: Layer = value.pop("layer")
            if layer.dates and not self._dates(rid, layer, value):
                continue
            if layer.relation:
                value.setdefault(layer.relation.field, None)
            # the compiled validator answers first (no lone surrogate reaches here: the text,
            # the ids and free text are checked); _schema_ok words what it rejects
            if compiled[layer.name].is_valid(value) or self._schema_ok(rid, layer, value):
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
            missing = missing_field(error)
            if missing is not None:
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
                self.problems += schema_problems(error, replace(self.where, region_id=rid))
        return not errors


def _record(cls: type[Item], value: dict[str, Any]) -> Item:
    """A record from a region's validated fields (a schema may hold fields a record lacks)."""
    try:
        return cls(**value)
    except TypeError:
        return cls.from_dict(value)


def _name(result: Mapping[str, Any]) -> str | None:
    """A result's control name (``from_name``) when it is a string."""
    name = result.get("from_name")
    return name if isinstance(name, str) else None


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def normalise_date(
    raw: Any, precision: str | None, precisions: tuple[str, ...]
) -> tuple[str | None, tuple[str, str, str] | None]:
    """The DateTime widget's value cut to ``precision`` (``precisions`` coarsest first).

    Returns (date, None) or (None, (message, expected, found)); the rule is
    :func:`annotate.records.date_error`.

    >>> normalise_date("2017-11-20", "month", ("year", "month", "day"))
    ('2017-11', None)
    >>> normalise_date("2017-02-30", "day", ("year", "month", "day"))[1][0]
    'not a real date'
    """
    text = str(raw).split("T")[0].strip() if raw is not None else ""
    date = cut_date(text, precision, precisions) if real_date(text) else text
    error = date_error(date, precision, precisions)
    if error:
        return None, (error.message, error.expected, error.found)
    return date, None
