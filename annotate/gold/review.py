"""Folding a reviewed project back into an export's tasks.

The reviewer's submission on a document becomes that document's only ground truth, so the
adjudication picks it (rule 1) and credits the annotators who agreed with it. The export
engine (:class:`annotate.dataset.run.ExportRun`) reads the review's verdicts first and
applies them task by task.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from annotate.gold.adjudicate import Mode, disagreeing_tasks
from annotate.records import Submission, Task
from annotate.schema import SchemaSet


def review_verdicts(reviewed: Iterable[Task]) -> dict[str, Submission]:
    """Document id → the latest review submission on it (the highest annotation id)."""
    verdicts: dict[str, Submission] = {}
    for task in reviewed:
        for submission in task.submissions:
            best = verdicts.get(task.document.id)
            if best is None or submission.annotation_id > best.annotation_id:
                verdicts[task.document.id] = submission
    return verdicts


def with_verdict(task: Task, verdicts: Mapping[str, Submission]) -> Task:
    """``task`` with its document's verdict, if any, as its only ground truth.

    The verdict replaces its reviewer's own submission on the task, if there is one.
    """
    verdict = verdicts.get(task.document.id)
    if verdict is None:
        return task
    others = tuple(
        replace(s, ground_truth=False) for s in task.submissions if s.annotator != verdict.annotator
    )
    return replace(task, submissions=(*others, replace(verdict, ground_truth=True)))


def apply_review(tasks: Iterable[Task], reviewed: Iterable[Task]) -> Iterator[Task]:
    """``tasks`` with each reviewed document's latest review submission as ground truth.

    >>> list(apply_review([], []))
    []
    """
    verdicts = review_verdicts(reviewed)
    return (with_verdict(task, verdicts) for task in tasks)


@dataclass(frozen=True, slots=True)
class ForReview:
    """A task a reviewer must settle, with the number of disagreements found in it."""

    task: Task
    disagreements: int


def for_review(
    tasks: Iterable[Task], schemas: SchemaSet, mode: Mode = "majority"
) -> list[ForReview]:
    """The tasks a reviewer must settle (:func:`annotate.gold.adjudicate.disagreeing_tasks`),
    each with its disagreements counted; a document in several tasks counts by its last."""
    by_doc = {task.document.id: task for task in tasks}
    return [
        ForReview(by_doc[a.document_id], len(a.disagreements))
        for a in disagreeing_tasks(by_doc.values(), schemas, mode)
    ]
