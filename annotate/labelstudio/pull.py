"""Pulling every task of a project with its annotations, written atomically with a manifest."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.atomic import atomic_binary, atomic_write_text
from annotate.errors import LabelStudioError
from annotate.labelstudio.client import Client
from annotate.labelstudio.exportfile import read_export
from annotate.labelstudio.manifest import manifest_path
from annotate.labelstudio.project import require_project
from annotate.schema import SchemaSet


@dataclass(frozen=True)
class PullReport:
    """What a pull fetched and where it wrote it."""

    project_id: int
    title: str
    tasks: int
    annotations: int
    cancelled: int
    output: Path
    manifest: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": {"id": self.project_id, "title": self.title},
            "tasks": self.tasks,
            "annotations": self.annotations,
            "cancelled": self.cancelled,
            "output": str(self.output),
            "manifest": str(self.manifest),
        }


def pull(
    client: Client, title: str, output: Path | str, schemas: SchemaSet | None = None
) -> PullReport:
    """Export every task (annotated or not) of project ``title`` to ``output``.

    The count of tasks in the export is checked against the project's, so a truncated
    export is an error, never a silent loss. The export and its manifest are written
    atomically.
    """
    schemas = schemas or SchemaSet()
    output = Path(output)
    project = require_project(client, title)
    with atomic_binary(output) as handle:

        def download() -> None:
            handle.seek(0)
            handle.truncate()
            for chunk in client.sdk.projects.exports.download_sync(
                project.id, export_type="JSON", download_all_tasks=True
            ):
                handle.write(chunk)

        client.call(f"export of project {title!r}", download)
        handle.flush()
        tasks, annotations, cancelled = _count(Path(handle.name))
        if tasks != project.task_number:
            raise LabelStudioError(
                f"{client.url}: the export of project {title!r} holds {tasks} task(s) but the "
                f"project has {project.task_number}; nothing was written, pull again"
            )
    manifest = {
        "project": {"id": project.id, "title": project.title},
        "url": client.url,
        "pulled_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": {"tasks": tasks, "annotations": annotations, "cancelled": cancelled},
        "schema_version": schemas.version,
        "annotators": _annotators(client),
    }
    target = manifest_path(output)
    atomic_write_text(target, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return PullReport(project.id, project.title, tasks, annotations, cancelled, output, target)


def _count(path: Path) -> tuple[int, int, int]:
    tasks = annotations = cancelled = 0
    for task in read_export(path):
        tasks += 1
        for annotation in task.get("annotations") or []:
            annotations += 1
            cancelled += bool(annotation.get("was_cancelled"))
    return tasks, annotations, cancelled


def _annotators(client: Client) -> dict[str, str]:
    users: list[dict[str, Any]] = client.get_json("/api/users/")
    return {str(u["id"]): str(u.get("email") or u["id"]) for u in users}
