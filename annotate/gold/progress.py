"""How far a project is: tasks done, who did what, planned overlap against reached, agreement
so far and the time left.

Measured from the typed records :mod:`annotate.labelstudio.progress` reads live (the
project, its tasks' planned overlap, and every task converted); agreement comes from
:mod:`annotate.gold.agreement` on the tasks already annotated by two or more people. The
library returns a :class:`ProjectStatus`; the CLI prints it.

Definitions, per task, with *submitted* the annotations not skipped and *overlap* the number
of annotators Label Studio plans for the task:

- finished: submitted ≥ overlap; in progress: 0 < submitted < overlap;
- skipped: nothing submitted, skipped by someone (Label Studio offers it again);
- not started: nothing at all.

The time left is the annotations still missing times the median time per annotation
(``lead_time``), shared among the annotators who have worked on the project so far.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotate.gold.agreement import AgreementAccumulator, AgreementReport, bar_chart
from annotate.labelstudio.client import Client
from annotate.labelstudio.progress import AnnotationMark, Snapshot, snapshot
from annotate.labelstudio.push import Overlap
from annotate.records import LAYERS, Submission
from annotate.schema import SchemaSet
from annotate.tables import fmt, markdown_table, text_table


@dataclass(frozen=True)
class AnnotatorProgress:
    """One annotator's work in the project."""

    annotator: str
    tasks: int
    skipped: int
    regions: dict[str, int]
    median_seconds: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "tasks": self.tasks,
            "skipped": self.skipped,
            "regions": dict(self.regions),
            "median_seconds": self.median_seconds,
        }


@dataclass(frozen=True)
class TaskCounts:
    """Tasks by state."""

    total: int = 0
    finished: int = 0
    in_progress: int = 0
    skipped: int = 0
    not_started: int = 0


@dataclass(frozen=True)
class ProjectStatus:
    """Everything :func:`project_status` measured."""

    project_id: int
    title: str
    counts: TaskCounts
    overlap: Overlap
    planned_multi: int
    reached_multi: int
    annotators: tuple[AnnotatorProgress, ...]
    agreement: AgreementReport
    remaining: int
    median_seconds: float | None
    problems: int = 0
    active: int = 0

    @property
    def seconds_left(self) -> float | None:
        """Wall-clock estimate: missing annotations × median time, shared by active annotators."""
        if self.remaining == 0:
            return 0.0
        if self.median_seconds is None:
            return None
        return self.remaining * self.median_seconds / max(1, self.active)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": {"id": self.project_id, "title": self.title},
            "tasks": self.counts.__dict__,
            "overlap": {
                "planned": self.overlap.to_dict(),
                "tasks_planned_multi": self.planned_multi,
                "tasks_reached_multi": self.reached_multi,
            },
            "annotators": [a.to_dict() for a in self.annotators],
            "agreement": self.agreement.to_dict(),
            "remaining_annotations": self.remaining,
            "median_seconds_per_task": self.median_seconds,
            "active_annotators": self.active,
            "estimated_seconds_left": self.seconds_left,
            "invalid_annotations": self.problems,
        }

    def to_text(self) -> str:
        c = self.counts
        lines = [
            f"project {self.title!r} (id {self.project_id})",
            f"tasks: {c.total} total, {c.finished} finished, {c.in_progress} in progress, "
            f"{c.skipped} skipped, {c.not_started} not started",
            f"overlap: planned up to {self.overlap.maximum} annotator(s) on "
            f"{self.overlap.percent}% of the tasks ({self.planned_multi} task(s)); "
            f"reached on {self.reached_multi} task(s)",
            f"left: {self.remaining} annotation(s), about {duration(self.seconds_left)} "
            f"with {self.active} annotator(s) at {duration(self.median_seconds)} per task",
            "",
            text_table(*self._annotator_table()),
            "",
            f"agreement so far ({self.agreement.compared_tasks} task(s) with 2+ annotators):",
            text_table(*self._agreement_table()),
        ]
        if self.problems:
            lines.append(f"{self.problems} invalid annotation(s) left out: see 'annotate validate'")
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        c = self.counts
        return "\n".join(
            [
                f"# Progress of {self.title}\n",
                f"{c.finished} of {c.total} tasks finished, {c.in_progress} in progress, "
                f"{c.skipped} skipped, {c.not_started} not started. Overlap planned: up to "
                f"{self.overlap.maximum} annotators on {self.overlap.percent}% of the tasks "
                f"({self.planned_multi}); reached on {self.reached_multi}. Left: "
                f"{self.remaining} annotations, about {duration(self.seconds_left)}.\n",
                "## Tasks per annotator\n",
                "```text\n" + progress_chart(self.annotators) + "```\n",
                markdown_table(*self._annotator_table()),
                "## Agreement so far (pairwise F1)\n",
                f"{self.agreement.compared_tasks} task(s) have 2 or more annotators.\n",
                "```text\n" + bar_chart(self.agreement.labels) + "```\n",
                markdown_table(*self._agreement_table()),
            ]
        )

    def _annotator_table(self) -> tuple[list[str], list[list[str]]]:
        head = ["annotator", "tasks", "skipped", *LAYERS, "median time"]
        rows = [
            [
                a.annotator,
                str(a.tasks),
                str(a.skipped),
                *(str(a.regions.get(layer, 0)) for layer in LAYERS),
                duration(a.median_seconds),
            ]
            for a in self.annotators
        ]
        return head, rows

    def _agreement_table(self) -> tuple[list[str], list[list[str]]]:
        rows = [
            [x.layer, x.label or "(all)", fmt(x.strict_f1), fmt(x.relaxed_f1), str(x.pairs)]
            for x in self.agreement.labels
            if x.label is None
        ]
        return ["layer", "label", "strict F1", "relaxed F1", "pairs"], rows


def duration(seconds: float | None) -> str:
    """``95`` → ``1 min 35 s``; None → ``unknown``.

    >>> duration(3725.0)
    '1 h 02 min'
    """
    if seconds is None:
        return "unknown"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def progress_chart(annotators: Iterable[AnnotatorProgress], width: int = 30) -> str:
    """Bars of tasks submitted per annotator, scaled to the busiest one.

    >>> print(progress_chart([AnnotatorProgress("a@x", 4, 0, {}, None),
    ...                       AnnotatorProgress("b@x", 2, 1, {}, None)], width=4), end="")
    a@x ████ 4
    b@x ██   2
    """
    rows = list(annotators)
    most = max((a.tasks for a in rows), default=0) or 1
    pad = max((len(a.annotator) for a in rows), default=0)
    return "".join(
        f"{a.annotator:<{pad}} {'█' * round(a.tasks / most * width):<{width}} {a.tasks}\n"
        for a in rows
    )


class _Tally:
    """Per-annotator counts gathered task by task."""

    def __init__(self) -> None:
        self.tasks: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.regions: dict[str, Counter[str]] = defaultdict(Counter)
        self.seconds: dict[str, list[float]] = defaultdict(list)

    def add(self, annotation: AnnotationMark) -> None:
        who = annotation.annotator
        if annotation.cancelled:
            self.skipped[who] += 1
            return
        self.tasks[who] += 1
        if annotation.lead_time is not None:
            self.seconds[who].append(annotation.lead_time)

    def rows(self) -> tuple[AnnotatorProgress, ...]:
        names = sorted(set(self.tasks) | set(self.skipped))
        return tuple(
            AnnotatorProgress(
                n,
                self.tasks[n],
                self.skipped[n],
                dict(self.regions[n]),
                statistics.median(self.seconds[n]) if self.seconds[n] else None,
            )
            for n in names
        )

    def median(self) -> float | None:
        every = [s for values in self.seconds.values() for s in values]
        return statistics.median(every) if every else None


def _state(submitted: int, cancelled: int, overlap: int) -> str:
    if submitted >= overlap:
        return "finished"
    if submitted:
        return "in_progress"
    return "skipped" if cancelled else "not_started"


def project_status(client: Client, title: str, schemas: SchemaSet | None = None) -> ProjectStatus:
    """The progress of project ``title``, read live."""
    schemas = schemas or SchemaSet()
    return summarise(snapshot(client, title, schemas), schemas)


def summarise(snap: Snapshot, schemas: SchemaSet) -> ProjectStatus:
    """The status of a project as read in ``snap``."""
    tally = _Tally()
    states: Counter[str] = Counter()
    accumulator = AgreementAccumulator(schemas)
    remaining = reached = problems = 0
    for progress in snap.tasks:
        for annotation in progress.annotations:
            tally.add(annotation)
        submitted = progress.submitted
        cancelled = len(progress.annotations) - submitted
        states[_state(submitted, cancelled, progress.overlap)] += 1
        remaining += max(0, progress.overlap - submitted)
        reached += submitted >= 2
        problems += progress.problems
        _count_regions(tally, progress.task.submissions)
        if len(progress.task.submissions) >= 2:
            accumulator.add(progress.task)
    return ProjectStatus(
        snap.project_id,
        snap.title,
        TaskCounts(len(snap.tasks), *(states[s] for s in _STATES)),
        snap.overlap,
        sum(1 for v in snap.planned.values() if v > 1),
        reached,
        tally.rows(),
        accumulator.report(),
        remaining,
        tally.median(),
        problems,
        len(tally.tasks),
    )


_STATES = ("finished", "in_progress", "skipped", "not_started")


def _count_regions(tally: _Tally, submissions: Iterable[Submission]) -> None:
    for submission in submissions:
        layers = submission.layers
        for layer in LAYERS:
            tally.regions[submission.annotator][layer] += len(layers.layer(layer))
