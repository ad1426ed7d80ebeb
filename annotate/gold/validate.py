"""Validating a pulled export: JSON Schema plus semantic checks, every problem located.

Invalid annotations are never dropped silently: :func:`validate_export` returns them with
their problems (:class:`Rejected`), and :func:`write_quarantine` keeps them aside in a file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.atomic import atomic_write_text
from annotate.labelstudio.convert import Converted, RawAnnotation, iter_tasks
from annotate.problems import Problem, printable
from annotate.schema import SchemaSet


@dataclass(frozen=True, slots=True)
class Rejected:
    """An annotation kept out of the gold, with its problems and the task it belongs to.

    ``raw`` is the annotation as Label Studio exported it, kept whole and unread.
    """

    task_id: int
    document_id: str
    annotation_id: int | None
    problems: tuple[Problem, ...]
    raw: RawAnnotation

    @classmethod
    def all_of(cls, converted: Converted) -> list[Rejected]:
        """The rejected annotations of a task, each with its own problems and the task's."""
        task = converted.task
        return [
            cls(
                task.task_id,
                task.document.id,
                raw.annotation_id,
                tuple(
                    p
                    for p in converted.problems
                    if p.where.annotation_id in (None, raw.annotation_id)
                ),
                raw,
            )
            for raw in converted.rejected
        ]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the task, the problems and the annotation as exported."""
        return {
            "task_id": self.task_id,
            "document_id": self.document_id,
            "problems": [p.to_dict() for p in self.problems],
            "annotation": self.raw.value(),
        }


@dataclass
class ValidationReport:
    """What validation found in an export."""

    tasks: int = 0
    annotations: int = 0
    valid: int = 0
    cancelled: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tasks": self.tasks,
            "annotations": self.annotations,
            "valid_annotations": self.valid,
            "rejected_annotations": len(self.rejected),
            "cancelled_annotations": self.cancelled,
            "problems": [p.to_dict() for p in self.problems],
        }

    def to_text(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(
            f"{self.tasks} task(s), {self.annotations} annotation(s): {self.valid} valid, "
            f"{len(self.rejected)} rejected, {self.cancelled} cancelled (set aside); "
            f"{len(self.problems)} problem(s)"
        )
        return "\n".join(lines) + "\n"


def validate_export(
    path: Path | str, schemas: SchemaSet | None = None, annotators: Mapping[int, str] | None = None
) -> ValidationReport:
    """Check every task and annotation of an export; collect every problem."""
    schemas = schemas or SchemaSet()
    report = ValidationReport()
    for converted in iter_tasks(path, schemas, annotators):
        report.tasks += 1
        report.valid += len(converted.task.submissions)
        report.cancelled += converted.task.cancelled
        report.annotations += len(converted.task.submissions) + len(converted.rejected)
        report.problems += converted.problems
        report.rejected += Rejected.all_of(converted)
    return report


def quarantine_path(export: Path | str) -> Path:
    """Where the invalid annotations of an export are kept: EXPORT.quarantine.json."""
    export = Path(export)
    return export.with_name(export.stem + ".quarantine.json")


def write_quarantine(path: Path | str, report: ValidationReport) -> None:
    """Keep the rejected annotations, each with its problems, in a JSON file (atomically)."""
    rows = [r.to_dict() for r in report.rejected]
    text = json.dumps(rows, indent=2, ensure_ascii=False)
    if printable(text) != text:  # a lone surrogate: only its \u escape can be written
        text = json.dumps(rows, indent=2)
    atomic_write_text(path, text + "\n")
