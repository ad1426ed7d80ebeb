"""The export engine: from a Label Studio export file (or typed tasks) to the gold dataset.

This process reads the file and cuts it into batches of raw tasks
(:func:`annotate.labelstudio.exportfile.export_batches`). Workers
(:class:`annotate.dataset.worker.ExportWorker`, in worker processes or in this one) each
take a batch: convert and validate its tasks, apply the review's verdicts, adjudicate,
count labels and agreement, and build the batch's rows of both configs (a
:class:`annotate.dataset.build.Part`). This process checks document ids across batches,
applies the one problem policy, and writes the dataset
(:func:`annotate.dataset.writer.write_dataset`).

Batches are cut by size, the same way whatever the number of workers, and come back in
file order, so the dataset is byte-identical for any number of workers. A batch holding
a document id seen before is redone here, the repeats set aside as duplicates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from annotate.dataset.build import Part
from annotate.dataset.parallel import default_workers, ordered_map
from annotate.dataset.rows import table_layout
from annotate.dataset.worker import Batch, ExportWorker, Outcome, worker_process
from annotate.dataset.writer import ExportOptions, ExportSummary, write_dataset
from annotate.errors import InvalidInputError
from annotate.gold.review import review_verdicts
from annotate.labelstudio.convert import iter_tasks
from annotate.labelstudio.exportfile import export_batches
from annotate.labelstudio.manifest import load_annotators
from annotate.problems import Problem
from annotate.records import Submission, Task
from annotate.schema import SchemaSet

BATCH_BYTES = 1 << 19  # raw tasks per batch: about a dozen news articles with their annotations
BATCH_TASKS = 32  # typed tasks per batch
PARALLEL_BYTES = 16 << 20  # smaller exports are done in this process: workers take ~1 s to start

Source = Path | str | Iterable[Task]


@dataclass
class ExportRun:
    """One export: its source, its options, and the problems met on the way.

    ``source`` is a Label Studio export file (a path), or typed tasks (an iterable, read
    once: give a list to write more than once; they go to workers only when ``workers``
    asks for them, since they must be pickled there). ``review`` is the
    export of a review project (see :mod:`annotate.labelstudio.review`): its latest
    submission on a document becomes that document's ground truth. ``annotators`` names
    the export's user ids (default: the manifest ``annotate pull`` wrote beside it).

    Any problem (an invalid annotation, a document in two tasks) fails the run once every
    task has been read, so every problem is reported, and nothing is written. With
    ``skip_invalid``, invalid annotations and duplicate tasks are left out instead. Either
    way the problems are in ``problems``.
    """

    source: Source
    schemas: SchemaSet
    options: ExportOptions = field(default_factory=ExportOptions)
    annotators: Mapping[int, str] | None = None
    review: Path | str | None = None
    skip_invalid: bool = False
    workers: int | None = None  # None: one per CPU for an export of PARALLEL_BYTES or more
    progress: Callable[[int], object] | None = None  # called with the tasks done
    problems: list[Problem] = field(default_factory=list)

    def write(self, output: Path | str, *, force: bool = False) -> ExportSummary:
        """Build the dataset folder ``output`` (see :func:`write_dataset`)."""
        return write_dataset(self.parts(), output, self.schemas, self.options, force=force)

    def parts(self) -> Iterator[Part]:
        """The adjudicated parts of the source, in order."""
        self.problems.clear()  # those of this pass only, in the same list
        job = self._job(self._verdicts())
        redo: ExportWorker | None = None  # made when a batch repeats a document
        seen: dict[str, int] = {}
        count = self._worker_count()
        make = worker_process if count > 1 else ExportWorker  # a process of its own, or this
        done = ordered_map(make, job, self._batches(), count)
        for batch, (outcomes, part) in done:
            if _repeats(outcomes, seen):
                redo = redo or ExportWorker(*job)
                outcomes, part = redo.redo(batch, seen)
            else:
                seen.update((o.document_id, o.task_id) for o in outcomes)
            for outcome in outcomes:
                self.problems += outcome.problems
            if self.progress is not None:
                self.progress(len(batch))
            if self.skip_invalid or not self.problems:
                yield part
        if self.problems and not self.skip_invalid:
            raise InvalidInputError(
                f"{self._name()}: {len(self.problems)} problem(s); nothing was written (fix "
                "them, or pass --skip-invalid to leave the invalid annotations out)",
                self.problems,
            )

    def _verdicts(self) -> dict[str, Submission]:
        """The review's verdicts; its problems go with the export's."""
        if self.review is None:
            return {}
        return review_verdicts(self._checked(self.review))

    def _checked(self, path: Path | str) -> Iterator[Task]:
        for converted in iter_tasks(path, self.schemas):
            self.problems += converted.problems
            yield converted.task

    def _job(self, verdicts: dict[str, Submission]) -> tuple[Any, ...]:
        """The arguments of ExportWorker, as sent to each worker process."""
        splits = self.options.splits
        return (
            str(self.schemas.directory),
            dict(self._annotators()),
            self.options.mode,
            table_layout(self.schemas),
            None if splits is None else dict(splits),
            verdicts,
        )

    def _annotators(self) -> Mapping[int, str]:
        if self.annotators is not None:
            return self.annotators
        path = self._path()
        return {} if path is None else load_annotators(path)

    def _batches(self) -> Iterator[Batch]:
        if isinstance(self.source, str | os.PathLike):
            return export_batches(Path(self.source), BATCH_BYTES)
        return _task_batches(iter(self.source), BATCH_TASKS)

    def _worker_count(self) -> int:
        if self.workers is not None:
            return self.workers
        path = self._path()
        try:
            size = 0 if path is None else path.stat().st_size
        except OSError:
            return 1  # export_batches reports it
        return default_workers(size, PARALLEL_BYTES)

    def _path(self) -> Path | None:
        """The export file, if the source is one."""
        return Path(self.source) if isinstance(self.source, str | os.PathLike) else None

    def _name(self) -> str:
        path = self._path()
        name = "the tasks" if path is None else str(path)
        return name if self.review is None else f"{name} (reviewed by {self.review})"


def export_dataset(
    source: Source,
    output: Path | str,
    schemas: SchemaSet | None = None,
    options: ExportOptions | None = None,
    *,
    force: bool = False,
) -> ExportSummary:
    """Adjudicate an export file (or typed tasks) and write the gold dataset folder ``output``.

    The :class:`ExportRun` of ``source`` with its defaults: any problem fails the export.
    An existing different dataset is replaced only with ``force`` (else
    OutputExistsError); an identical one is left as it is. An error raised while reading
    ``source`` leaves ``output`` untouched.
    """
    run = ExportRun(source, schemas or SchemaSet(), options or ExportOptions())
    return run.write(output, force=force)


def _task_batches(tasks: Iterator[Task], size: int) -> Iterator[tuple[Task, ...]]:
    while batch := tuple(islice(tasks, size)):
        yield batch


def _repeats(outcomes: list[Outcome], seen: Mapping[str, int]) -> bool:
    ids = [o.document_id for o in outcomes]
    return len(set(ids)) < len(ids) or any(i in seen for i in ids)
