"""What the export's worker processes run: conversion and adjudication of a batch of tasks.

A worker imports this module and what it needs (numpy, pyarrow, the schemas), not
``datasets``: that keeps each worker's start short and its memory small.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotate.dataset.build import Part, PartBuilder
from annotate.gold.adjudicate import Mode
from annotate.labelstudio.convert import Converted, convert_segment
from annotate.labelstudio.exportfile import Segment
from annotate.problems import Problem
from annotate.schema import SchemaSet
from annotate.schema.columns import TableLayout


@dataclass(frozen=True, slots=True)
class Outcome:
    """What this process needs to know of each task a worker converted."""

    task_id: int
    document_id: str
    problems: tuple[Problem, ...]

    @classmethod
    def of(cls, converted: Converted) -> Outcome:
        return cls(converted.task.task_id, converted.task.document.id, converted.problems)


class ExportWorker:
    """Converts and adjudicates one batch of raw tasks (in a worker process, or this one)."""

    def __init__(
        self,
        schema_dir: str,
        path: str,
        annotators: dict[int, str],
        mode: Mode,
        layout: TableLayout,
        ratios: dict[str, float] | None = None,
    ) -> None:
        self.schemas = SchemaSet(schema_dir)
        self.path = path
        self.annotators = annotators
        self.build = PartBuilder(self.schemas, mode, layout, ratios)

    def convert(self, batch: list[Segment]) -> list[Converted]:
        return [convert_segment(s, self.path, self.schemas, self.annotators) for s in batch]

    def __call__(self, batch: list[Segment]) -> tuple[list[Outcome], Part]:
        converted = self.convert(batch)
        return [Outcome.of(c) for c in converted], self.build(c.task for c in converted)
