"""A project as ``annotate status`` needs it, read live and turned into typed records.

The Label Studio side of the status: the project's settings, each task's planned overlap
(how many annotators Label Studio plans for it) and an export of every task, converted
task by task (:func:`annotate.labelstudio.convert.convert_task`). Each annotation keeps
what the status counts: who made it, whether it was skipped (cancelled) and the time spent
on it (``lead_time``). :mod:`annotate.gold.progress` measures the status from these records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotate.labelstudio.accounts import user_emails
from annotate.labelstudio.client import Client
from annotate.labelstudio.convert import annotator_name, convert_task
from annotate.labelstudio.project import require_project
from annotate.labelstudio.push import Overlap, project_overlap
from annotate.records import Task
from annotate.schema import SchemaSet


@dataclass(frozen=True, slots=True)
class AnnotationMark:
    """One annotation of a task: who made it, whether skipped, the seconds it took."""

    annotator: str
    cancelled: bool
    lead_time: float | None = None


@dataclass(frozen=True, slots=True)
class TaskProgress:
    """One task: converted, its planned overlap, its annotations, its invalid annotations."""

    task: Task
    overlap: int
    annotations: tuple[AnnotationMark, ...]
    problems: int = 0

    @property
    def submitted(self) -> int:
        """The annotations not skipped."""
        return sum(1 for a in self.annotations if not a.cancelled)


@dataclass(frozen=True)
class Snapshot:
    """A project as read: its settings, every task's planned overlap, every task."""

    project_id: int
    title: str
    overlap: Overlap
    planned: Mapping[int, int]
    tasks: tuple[TaskProgress, ...]


@dataclass(frozen=True)
class ProjectExport:
    """What the server holds for a project: its export, each task's planned overlap, users."""

    project_id: int
    title: str
    overlap: Overlap
    planned: Mapping[int, int]
    users: Mapping[int, str]
    tasks: list[dict[str, Any]]


def snapshot(client: Client, title: str, schemas: SchemaSet) -> Snapshot:
    """Project ``title`` read live, as typed records."""
    return convert_snapshot(read_project(client, title), schemas)


def read_project(client: Client, title: str) -> ProjectExport:
    """Read project ``title`` live: settings, planned overlaps, every task with annotations."""
    project = require_project(client, title)
    export = client.get_json(
        f"/api/projects/{project.id}/export", exportType="JSON", download_all_tasks="true"
    )
    users = user_emails(client)
    return ProjectExport(
        project.id,
        title,
        project_overlap(client, project.id),
        _planned_overlaps(client, project.id),
        users,
        [t for t in export if isinstance(t, dict)],
    )


def convert_snapshot(export: ProjectExport, schemas: SchemaSet) -> Snapshot:
    """The typed records of a project read from the server."""
    tasks = tuple(_task_progress(raw, export, schemas) for raw in export.tasks)
    return Snapshot(export.project_id, export.title, export.overlap, export.planned, tasks)


def _task_progress(
    raw: Mapping[str, Any], export: ProjectExport, schemas: SchemaSet
) -> TaskProgress:
    annotations = [a for a in raw.get("annotations") or [] if isinstance(a, dict)]
    marks = tuple(
        AnnotationMark(
            annotator_name(a.get("completed_by"), export.users),
            bool(a.get("was_cancelled")),
            _lead_time(a.get("lead_time")),
        )
        for a in annotations
    )
    converted = convert_task(raw, schemas, export.users)
    overlap = export.planned.get(int(raw.get("id", -1)), 1)
    return TaskProgress(converted.task, overlap, marks, len(converted.problems))


def _lead_time(value: Any) -> float | None:
    """Seconds spent on an annotation, when Label Studio recorded a positive number."""
    if isinstance(value, int | float) and value > 0:
        return float(value)
    return None


def _planned_overlaps(client: Client, project_id: int) -> dict[int, int]:
    """Task id → how many annotators Label Studio plans for it."""
    planned: dict[int, int] = {}
    page = 1
    while True:
        body = client.get_json(
            "/api/tasks", project=project_id, page=page, page_size=1000, fields="task_only"
        )
        tasks = body.get("tasks") or []
        planned.update({int(t["id"]): int(t.get("overlap") or 1) for t in tasks})
        if not tasks or len(planned) >= int(body.get("total", 0)):
            return planned
        page += 1
