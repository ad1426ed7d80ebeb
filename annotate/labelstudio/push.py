"""Pushing documents (and pre-annotations) to a Label Studio project, idempotently.

Each task carries its document id and a hash of its text. A re-run imports only documents
the project lacks; a document whose text changed under an existing id is reported, never
imported twice. Imports are sent without the SDK's automatic retries (a retried POST can
duplicate tasks); after a failure, the project is re-read to see whether the batch landed,
and only what is missing is sent again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from label_studio_sdk.core.api_error import ApiError

from annotate.errors import LabelStudioError
from annotate.labelstudio.client import Client, describe, retryable
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.instructions import labeling_instructions
from annotate.labelstudio.project import (
    Project,
    create_project,
    find_project,
    update_config,
    update_instructions,
)
from annotate.labelstudio.results import Result, region_results, relation, task_data, text_hash
from annotate.records import Document, Span
from annotate.schema import SchemaSet

if TYPE_CHECKING:
    from annotate.predictions import Prediction

Progress = Callable[[int], None]
IMPORT_ATTEMPTS = 4


@dataclass(frozen=True)
class ExistingTask:
    """What a project already holds for one document."""

    task_id: int
    text_sha256: str | None
    model_versions: frozenset[str]


@dataclass(frozen=True)
class Overlap:
    """Planned double annotation: up to ``maximum`` annotators on ``share`` of the tasks."""

    maximum: int
    share: float

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    def to_dict(self) -> dict[str, Any]:
        return {"maximum_annotations": self.maximum, "share": self.percent / 100}


@dataclass
class PushReport:
    """What a push did."""

    project: Project
    created: bool = False
    config_updated: bool = False
    instructions_updated: bool = False
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[tuple[str, int]] = field(default_factory=list)
    predictions_added: int = 0
    retried_batches: int = 0
    overlap: Overlap | None = None
    overlap_before: Overlap | None = None

    @property
    def overlap_changed(self) -> bool:
        return self.overlap is not None and self.overlap != self.overlap_before

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": {"id": self.project.id, "title": self.project.title},
            "created": self.created,
            "config_updated": self.config_updated,
            "instructions_updated": self.instructions_updated,
            "imported": len(self.imported),
            "unchanged": len(self.unchanged),
            "changed": [{"document_id": d, "task_id": t} for d, t in self.changed],
            "predictions_added": self.predictions_added,
            "retried_batches": self.retried_batches,
            "overlap": self.overlap.to_dict() if self.overlap else None,
            "overlap_before": self.overlap_before.to_dict() if self.overlap_before else None,
        }


def existing_tasks(
    client: Client, project_id: int, page_size: int = 1000, with_versions: bool = False
) -> dict[str, ExistingTask]:
    """Document id → what the project holds, read page by page (every page, no truncation).

    Prediction model versions are only listed ``with_versions``, which costs a heavier query.
    """
    found: dict[str, ExistingTask] = {}
    page, seen, total = 1, 0, None
    while total is None or seen < total:
        body = client.get_json(
            "/api/tasks",
            project=project_id,
            page=page,
            page_size=page_size,
            fields="all" if with_versions else "task_only",
        )
        total = int(body.get("total", 0))
        tasks = body.get("tasks") or []
        if not tasks:
            break
        for task in tasks:
            data = task.get("data") or {}
            versions = str(task.get("predictions_model_versions") or "")
            key = str(data.get("doc_id") or f"task-{task['id']}")
            found[key] = ExistingTask(
                int(task["id"]),
                data.get("text_sha256"),
                frozenset(v.strip() for v in versions.split(",") if v.strip()),
            )
        seen += len(tasks)
        page += 1
    return found


def model_version(prediction: Prediction) -> str:
    """The Label Studio model_version naming an extractor and its version."""
    return f"{prediction.extractor}@{prediction.version}"


def prediction_results(
    prediction: Prediction, document: Document, schemas: SchemaSet
) -> list[Result]:
    """A prediction as Label Studio results; a relation (a claim's speaker span) links to the
    predicted region with that span."""
    out: list[Result] = []
    ids: dict[tuple[str, str], str] = {}  # (layer, predicted id = span) -> Label Studio id
    links: list[tuple[str, tuple[str, str], str]] = []
    for n, layer in enumerate(schemas.layers.values()):
        for i, region in enumerate(prediction.layer(layer.name)):
            rid = f"p{n}_{i}"
            ids.setdefault((layer.name, region.id), rid)
            span = Span(rid, region.start, region.end, document.text[region.start : region.end])
            values = region.to_dict()
            out += region_results(layer, span, values)
            rel = layer.relation
            target = values.get(rel.field) if rel else None
            if rel and target:
                links.append((rid, (rel.target_layer, target), rel.name))
    for rid, target, name in links:
        if target in ids:
            out.append(relation(rid, ids[target], name))
    return out


def _prediction_payload(
    prediction: Prediction, document: Document, schemas: SchemaSet
) -> dict[str, Any]:
    scores = prediction.scores()
    payload: dict[str, Any] = {
        "model_version": model_version(prediction),
        "result": prediction_results(prediction, document, schemas),
    }
    if scores:
        payload["score"] = sum(scores) / len(scores)
    return payload


@dataclass(frozen=True)
class PushOptions:
    """How to push: which schemas and layers, which pre-annotations, how many per request,
    and the labeling instructions (HTML; None: the summary of the guidelines)."""

    schemas: SchemaSet = field(default_factory=SchemaSet)
    layers: Sequence[str] | None = None
    predictions: Iterable[Prediction] = ()
    batch_size: int = 500
    instructions: str | None = None
    overlap: Overlap | None = None


def push(
    client: Client,
    documents: Sequence[Document],
    title: str,
    options: PushOptions | None = None,
    progress: Progress | None = None,
) -> PushReport:
    """Create or reuse the project ``title`` and import the documents it lacks."""
    options = options or PushOptions()
    schemas, predictions, batch_size = options.schemas, options.predictions, options.batch_size
    report, project = _open_project(client, title, options)
    by_doc = {p.document_id: p for p in predictions}
    existing = (
        existing_tasks(client, report.project.id, with_versions=bool(by_doc))
        if project and project.task_number
        else {}
    )
    new: list[Document] = []
    for document in documents:
        known = existing.get(document.id)
        if known is None:
            new.append(document)
        elif known.text_sha256 not in (None, text_hash(document.text)):
            report.changed.append((document.id, known.task_id))
        else:
            report.unchanged.append(document.id)
            pred = by_doc.get(document.id)
            if pred is not None and model_version(pred) not in known.model_versions:
                add_prediction(client, known.task_id, _prediction_payload(pred, document, schemas))
                report.predictions_added += 1
        if progress and known is not None:
            progress(1)
    for start in range(0, len(new), batch_size):
        batch = new[start : start + batch_size]
        payload = [_task_payload(d, by_doc.get(d.id), schemas) for d in batch]
        report.retried_batches += _import(client, report.project.id, batch, payload)
        report.imported += [d.id for d in batch]
        report.predictions_added += sum(1 for d in batch if d.id in by_doc)
        if progress:
            progress(len(batch))
    if options.overlap is not None:
        report.overlap_before = project_overlap(client, report.project.id)
        report.overlap = set_overlap(client, report.project.id, options.overlap)
    return report


def _open_project(
    client: Client, title: str, options: PushOptions
) -> tuple[PushReport, Project | None]:
    """The report of a push into project ``title``, created, or found and brought up to
    date (config, instructions); with the project as it was found (None: just created)."""
    config = labeling_config(options.schemas, options.layers)
    instructions = options.instructions
    if instructions is None:
        instructions = labeling_instructions()
    project = find_project(client, title)
    report = PushReport(
        project or create_project(client, title, config, instructions), created=project is None
    )
    if project is not None:
        report.config_updated = update_config(client, project, config)
        report.instructions_updated = update_instructions(client, project, instructions)
    return report, project


def project_overlap(client: Client, project_id: int) -> Overlap:
    """The overlap a project plans now."""
    data = client.get_json(f"/api/projects/{project_id}/")
    percent = int(data.get("overlap_cohort_percentage") or 100)
    return Overlap(int(data.get("maximum_annotations") or 1), percent / 100)


def set_overlap(client: Client, project_id: int, overlap: Overlap) -> Overlap:
    """Plan ``overlap`` (after the import, so the server spreads it over every task); Label
    Studio then recomputes which tasks still need an annotator."""
    if overlap.maximum < 1 or not 0 <= overlap.share <= 1:
        raise LabelStudioError(
            f"overlap: expected at least 1 annotator per task and a share between 0 and 1, "
            f"got {overlap.maximum} and {overlap.share}"
        )
    client.call(
        f"set the overlap of project {project_id}",
        lambda: client.sdk.projects.update(
            id=project_id,
            maximum_annotations=overlap.maximum,
            overlap_cohort_percentage=overlap.percent,
        ),
    )
    return project_overlap(client, project_id)


def _task_payload(
    document: Document, prediction: Prediction | None, schemas: SchemaSet
) -> dict[str, Any]:
    task: dict[str, Any] = {"data": task_data(document)}
    if prediction is not None:
        task["predictions"] = [_prediction_payload(prediction, document, schemas)]
    return task


def add_prediction(client: Client, task_id: int, payload: dict[str, Any]) -> None:
    """Attach one prediction to an existing task (not retried: a repeat would duplicate it)."""
    client.call(
        f"add a prediction to task {task_id}",
        lambda: client.sdk.predictions.create(
            task=task_id,
            result=payload["result"],
            model_version=payload["model_version"],
            score=payload.get("score"),
        ),
        idempotent=False,
    )


def _import(
    client: Client, project_id: int, batch: list[Document], payload: list[dict[str, Any]]
) -> int:
    """Import one batch exactly once; returns how many extra attempts it took."""
    pending = payload
    for attempt in range(IMPORT_ATTEMPTS):
        try:
            client.sdk.projects.import_tasks(
                project_id,
                request=pending,  # type: ignore[arg-type]  # plain dicts are what the API takes
                return_task_ids=True,
                request_options={"max_retries": 0},
            )
            return attempt
        except (ApiError, httpx.HTTPError) as exc:
            if not retryable(exc) or attempt == IMPORT_ATTEMPTS - 1:
                raise LabelStudioError(
                    f"import of {len(pending)} task(s) into project {project_id} at {client.url} "
                    f"failed: {describe(exc)}; re-running the push is safe"
                ) from exc
            time.sleep(client.backoff * 2**attempt)
            landed = existing_tasks(client, project_id)
            pending = [t for t in pending if t["data"]["doc_id"] not in landed]
            if not pending:
                return attempt + 1
    return IMPORT_ATTEMPTS
