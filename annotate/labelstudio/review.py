"""The review round trip Label Studio's open-source edition lacks.

Tasks whose annotators disagree (chosen by :func:`annotate.gold.review.for_review`) are
pushed to a review project, each annotator's version attached as a prediction
(``model_version`` = ``review: <annotator>``), so a reviewer sees the versions side by side
in the browser, picks or merges them and submits. Pulling the review
project and passing it to the export (:func:`annotate.gold.review.apply_review`) makes the
reviewer's submission the task's ground truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from annotate.labelstudio.client import Client
from annotate.labelstudio.push import PushOptions, add_prediction, existing_tasks, push
from annotate.labelstudio.results import annotation_results
from annotate.records import Task
from annotate.schema import SchemaSet

PREFIX = "review: "


class Chosen(Protocol):
    """A task chosen for review, with the number of disagreements found in it
    (:class:`annotate.gold.review.ForReview`)."""

    @property
    def task(self) -> Task: ...

    @property
    def disagreements(self) -> int: ...


@dataclass
class ReviewReport:
    """What was sent for review."""

    project_id: int
    documents: list[str] = field(default_factory=list)
    versions_added: int = 0
    disagreements: int = 0


def send_for_review(
    client: Client, chosen: Iterable[Chosen], title: str, schemas: SchemaSet | None = None
) -> ReviewReport:
    """Push the ``chosen`` tasks to project ``title`` with each annotator's version."""
    schemas = schemas or SchemaSet()
    flagged = list(chosen)
    documents = [item.task.document for item in flagged]
    pushed = push(client, documents, title, PushOptions(schemas))
    report = ReviewReport(
        pushed.project.id,
        [d.id for d in documents],
        disagreements=sum(item.disagreements for item in flagged),
    )
    known = existing_tasks(client, pushed.project.id, with_versions=True) if documents else {}
    for item in flagged:
        target = known[item.task.document.id]
        for submission in item.task.submissions:
            version = f"{PREFIX}{submission.annotator}"
            if version in target.model_versions:
                continue
            payload = {
                "model_version": version,
                "result": annotation_results(submission.layers, schemas),
            }
            add_prediction(client, target.task_id, payload)
            report.versions_added += 1
    return report
