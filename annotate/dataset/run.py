"""From a Label Studio export file to the gold dataset, with every CPU at work.

This process reads the file and cuts it into batches of raw tasks
(:mod:`annotate.labelstudio.exportfile`). Worker processes each take a batch: decode,
convert and validate its tasks, adjudicate them, count labels and agreement, and build
the batch's rows of both configs (a :class:`annotate.parts.Part`). This process checks
document ids across batches and writes the dataset (:func:`annotate.dataset.writer.write_dataset`).

Batches are cut by size, the same way whatever the number of workers, and come back in
file order, so the dataset is byte-identical for any number of workers. A batch holding
a document id seen before is redone here, with the duplicate's annotations set aside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.dataset.build import Counts, Part
from annotate.dataset.parallel import default_workers, ordered_map
from annotate.dataset.worker import ExportWorker, Outcome
from annotate.dataset.writer import ExportOptions, ExportSummary, write_dataset
from annotate.errors import InvalidInputError
from annotate.labelstudio.convert import drop_duplicate
from annotate.labelstudio.exportfile import Segment, task_segments
from annotate.problems import Problem
from annotate.schema import SchemaSet
from annotate.schema.columns import TableLayout, table_layout

BATCH_BYTES = 1 << 19  # raw tasks per batch: about a dozen news articles with their annotations
PARALLEL_BYTES = 16 << 20  # smaller exports are done in this process: workers take ~1 s to start


@dataclass
class ExportRun:
    """One ``annotate export`` of a file: its options, and the problems met on the way.

    Without ``skip_invalid``, any problem fails the run once the whole file has been read
    (so every problem is reported) and nothing is written. With it, invalid annotations
    and duplicate tasks are left out and listed in ``problems``.
    """

    path: Path
    schemas: SchemaSet
    options: ExportOptions = field(default_factory=ExportOptions)
    annotators: Mapping[int, str] = field(default_factory=dict)
    skip_invalid: bool = False
    workers: int | None = None  # None: one per CPU for an export of PARALLEL_BYTES or more
    progress: Callable[[int], object] | None = None  # called with the tasks done
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.path = Path(self.path)  # a str is welcome too

    def write(self, output: Path | str, *, force: bool = False) -> ExportSummary:
        """Build the dataset folder ``output`` (see :func:`write_dataset`)."""
        return write_dataset(self.parts(), output, self.schemas, self.options, force=force)

    def parts(self) -> Iterator[Part]:
        """The adjudicated parts of the file, in file order."""
        self.problems.clear()  # those of this pass only, in the same list
        layout = table_layout(self.schemas)
        worker = ExportWorker(*self._job(layout))
        seen: dict[str, int] = {}
        batches = _batches(task_segments(self.path))
        for batch, (outcomes, part) in ordered_map(
            ExportWorker, self._job(layout), batches, self._workers()
        ):
            if _repeats(outcomes, seen):
                outcomes, part = self._redo(worker, batch, seen)
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
                f"{self.path}: {len(self.problems)} problem(s); nothing was written (fix them, "
                "or pass --skip-invalid to leave the invalid annotations out)",
                self.problems,
            )

    def _redo(
        self, worker: ExportWorker, batch: list[Segment], seen: dict[str, int]
    ) -> tuple[list[Outcome], Part]:
        """A batch with a document id met before, done here: each repeat is reported and
        counted as a duplicate, like :func:`annotate.parts.task_parts` does."""
        outcomes, kept, counts = [], [], Counts()
        for converted, segment in zip(worker.convert(batch), batch, strict=True):
            repeated = converted.task.document.id in seen
            converted = drop_duplicate(converted, segment, seen, self.path)
            outcomes.append(Outcome.of(converted))
            if repeated:
                counts.duplicate(converted.task)
            else:
                kept.append(converted.task)
        return outcomes, worker.build(kept, counts)

    def _job(self, layout: TableLayout) -> tuple[Any, ...]:
        """The arguments of ExportWorker, as sent to each worker process."""
        splits = self.options.splits
        return (
            str(self.schemas.directory),
            str(self.path),
            dict(self.annotators),
            self.options.mode,
            layout,
            None if splits is None else dict(splits),
        )

    def _workers(self) -> int:
        if self.workers is not None:
            return self.workers
        try:
            size = self.path.stat().st_size
        except OSError:
            return 1  # task_segments reports it
        return default_workers(size, PARALLEL_BYTES)


def _repeats(outcomes: list[Outcome], seen: Mapping[str, int]) -> bool:
    ids = [o.document_id for o in outcomes]
    return len(set(ids)) < len(ids) or any(i in seen for i in ids)


def _batches(segments: Iterable[Segment]) -> Iterator[list[Segment]]:
    batch: list[Segment] = []
    size = 0
    for segment in segments:
        batch.append(segment)
        size += len(segment.raw)
        if size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
