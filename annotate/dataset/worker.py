"""What the export's worker processes run: conversion and adjudication of a batch of tasks.

A worker imports this module and what it needs (numpy, pyarrow, the schemas), not
``datasets``: that keeps each worker's start short and its memory small.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import Any

import pyarrow as pa

from annotate.dataset.build import Counts, Part, PartBuilder
from annotate.dataset.rows import TableLayout
from annotate.gold.adjudicate import Mode
from annotate.gold.review import with_verdict
from annotate.labelstudio.convert import Converted, convert_batch, drop_duplicate
from annotate.labelstudio.exportfile import ExportBatch
from annotate.problems import Problem
from annotate.records import Submission, Task
from annotate.schema import SchemaSet

Batch = ExportBatch | Sequence[Task]  # raw tasks of an export file, or tasks already typed


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the engine needs to know of each task a worker converted."""

    task_id: int
    document_id: str
    problems: tuple[Problem, ...]

    @classmethod
    def of(cls, converted: Converted) -> Outcome:
        return cls(converted.task.task_id, converted.task.document.id, converted.problems)


class ExportWorker:
    """Converts and adjudicates one batch of tasks (in a worker process, or the engine's).

    ``verdicts`` (document id → a reviewer's submission) are made each task's ground truth
    (:func:`annotate.gold.review.with_verdict`).
    """

    def __init__(
        self,
        schema_dir: str,
        annotators: Mapping[int, str],
        mode: Mode,
        layout: TableLayout,
        ratios: Mapping[str, float] | None = None,
        verdicts: Mapping[str, Submission] | None = None,
    ) -> None:
        self.schemas = SchemaSet(schema_dir)
        self.annotators = annotators
        self.verdicts = verdicts or {}
        self.build = PartBuilder(self.schemas, mode, layout, ratios)

    def convert(self, batch: Batch, seen: dict[str, int] | None = None) -> list[Converted]:
        """The tasks of ``batch``, typed, reviewed; with ``seen``, duplicates set aside (see
        :func:`annotate.labelstudio.convert.drop_duplicate`)."""
        if isinstance(batch, ExportBatch):
            converted = convert_batch(batch, self.schemas, self.annotators, seen)
        elif seen is None:
            converted = [Converted(task) for task in batch]
        else:
            converted = [drop_duplicate(Converted(task), seen) for task in batch]
        if self.verdicts:
            converted = [replace(c, task=with_verdict(c.task, self.verdicts)) for c in converted]
        return converted

    def __call__(self, batch: Batch) -> tuple[list[Outcome], Part]:
        """Each task's outcome, and the part of them all (document ids unchecked)."""
        converted = self.convert(batch)
        return [Outcome.of(c) for c in converted], self.build(c.task for c in converted)

    def redo(self, batch: Batch, seen: dict[str, int]) -> tuple[list[Outcome], Part]:
        """Like calling the worker, with the tasks whose document is in ``seen`` (or came
        earlier in the batch) set aside and counted as duplicates; ``seen`` is updated."""
        outcomes, kept, counts = [], [], Counts()
        for converted in self.convert(batch, seen):
            outcomes.append(Outcome.of(converted))
            if converted.duplicate_of is None:
                kept.append(converted.task)
            else:
                counts.duplicate(converted.task)
        return outcomes, self.build(kept, counts)


def worker_process(*job: Any) -> ExportWorker:
    """An ExportWorker for a worker process of its own (``job``: its arguments), kept small.

    Only for a process that runs nothing else: pyarrow imports pandas the first time it
    converts a Python list, if it can (~40 MB per process, and no step here uses it), so
    pandas is made unimportable; and arrow buffers are taken from the system allocator,
    which gives freed memory back, rather than from mimalloc's pool, which keeps it.
    """
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _Refused("pandas"))
    pa.set_memory_pool(pa.system_memory_pool())
    return ExportWorker(*job)


class _Refused(MetaPathFinder):
    """Makes a package unimportable in this process (pyarrow then does without it)."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, name: str, path: object, target: object = None) -> ModuleSpec | None:
        if name == self.package or name.startswith(f"{self.package}."):
            raise ModuleNotFoundError(f"{name} is not used in this worker process", name=name)
        return None
