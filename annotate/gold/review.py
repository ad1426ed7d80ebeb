"""Folding a reviewed project back into an export's tasks.

The reviewer's submission on a document becomes that document's only ground truth, so the
adjudication picks it (rule 1) and credits the annotators who agreed with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from annotate.records import Submission, Task


def apply_review(tasks: Iterable[Task], reviewed: Iterable[Task]) -> Iterator[Task]:
    """``tasks`` with each reviewed document's latest review submission as ground truth.

    >>> list(apply_review([], []))
    []
    """
    verdicts: dict[str, Submission] = {}
    for task in reviewed:
        for submission in task.submissions:
            best = verdicts.get(task.document.id)
            if best is None or submission.annotation_id > best.annotation_id:
                verdicts[task.document.id] = submission
    for task in tasks:
        verdict = verdicts.get(task.document.id)
        if verdict is None:
            yield task
            continue
        others = tuple(
            replace(s, ground_truth=False)
            for s in task.submissions
            if s.annotator != verdict.annotator
        )
        yield replace(task, submissions=(*others, replace(verdict, ground_truth=True)))
