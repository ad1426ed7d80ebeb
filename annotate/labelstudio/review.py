"""The review round trip Label Studio's open-source edition lacks.

Tasks whose annotators disagree are pushed to a review project, each annotator's version
attached as a prediction (``model_version`` = ``review: <annotator>``), so a reviewer sees the
versions side by side in the browser, picks or merges them and submits. Pulling the review
project and passing it to the export (:func:`annotate.gold.review.apply_review`) makes the
reviewer's submission the task's ground truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from annotate.gold.adjudicate import disagreeing_tasks
from annotate.labelstudio.client import Client
from annotate.labelstudio.push import PushOptions, add_prediction, existing_tasks, push
from annotate.labelstudio.results import annotation_results
from annotate.records import Task
from annotate.schema import SchemaSet

PREFIX = "review: "


@dataclass
class ReviewReport:
    """What was sent for review."""

    project_id: int
    documents: list[str] = field(default_factory=list)
    versions_added: int = 0
    disagreements: int = 0


def send_for_review(
    client: Client, tasks: Iterable[Task], title: str, schemas: SchemaSet | None = None
) -> ReviewReport:
    """Push every disagreeing task to project ``title`` with each annotator's version."""
    schemas = schemas or SchemaSet()
    by_doc = {task.document.id: task for task in tasks}
    flagged = list(disagreeing_tasks(by_doc.values(), schemas))
    documents = [by_doc[a.document_id].document for a in flagged]
    pushed = push(client, documents, title, PushOptions(schemas))
    report = ReviewReport(
        pushed.project.id,
        [d.id for d in documents],
        disagreements=sum(len(a.disagreements) for a in flagged),
    )
    known = existing_tasks(client, pushed.project.id, with_versions=True) if documents else {}
    for document in documents:
        target = known[document.id]
        for submission in by_doc[document.id].submissions:
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
