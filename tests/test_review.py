"""The review round trip against a real Label Studio: disagreements out, verdict back in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from annotate.cli import main
from annotate.dataset.writer import read_gold
from annotate.gold.adjudicate import adjudicate
from annotate.gold.review import apply_review, for_review
from annotate.labelstudio.client import Client
from annotate.labelstudio.convert import iter_tasks
from annotate.labelstudio.manifest import load_annotators
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import existing_tasks, push
from annotate.labelstudio.results import annotation_results
from annotate.labelstudio.review import PREFIX, send_for_review
from annotate.labelstudio.submit import RecordedAnnotation, submit
from annotate.records import Annotation, Document, Entity
from annotate.schema import SchemaSet

pytestmark = pytest.mark.server
TEXT = "Putin met Assad in Sochi. Peskov said so."


def version(doc: Document, *entities: tuple[str, str, str]) -> Annotation:
    items = []
    for i, (surface, label, canonical) in enumerate(entities, 1):
        start = doc.text.index(surface)
        items.append(Entity(f"e{i}", start, start + len(surface), surface, label, canonical))
    return Annotation(doc, tuple(items))


def test_disagreements_go_to_review_and_the_verdict_becomes_gold(
    client: Client, project_title: str, tmp_path: Path, schemas: SchemaSet
) -> None:
    doc = Document("review-1", TEXT, "Wire", "2017-11-21", "en")
    a = version(doc, ("Putin", "PERSON", "Vladimir Putin"), ("Sochi", "GPE", "Sochi"))
    b = version(doc, ("Putin", "PERSON", "Vladimir Putin"), ("Sochi", "LOC", "Sochi"))
    project = push(client, [doc], project_title).project
    submit(
        client,
        project.id,
        [
            RecordedAnnotation(doc.id, "rev-a@example.com", annotation_results(a, schemas)),
            RecordedAnnotation(doc.id, "rev-b@example.com", annotation_results(b, schemas)),
        ],
    )
    export = tmp_path / "export.json"
    pull(client, project_title, export)
    tasks = [c.task for c in iter_tasks(export, schemas, load_annotators(export))]
    disagreements = adjudicate(tasks[0], schemas).disagreements
    assert disagreements  # Sochi: GPE vs LOC is a tie

    review_title = f"{project_title[:36]} review"
    chosen = for_review(tasks, schemas)
    assert [(c.task.document.id, c.disagreements) for c in chosen] == [(doc.id, len(disagreements))]
    report = send_for_review(client, chosen, review_title, schemas)
    assert report.documents == [doc.id] and report.versions_added == 2
    assert report.disagreements == len(disagreements)
    [review_task] = existing_tasks(client, report.project_id, with_versions=True).values()
    assert review_task.model_versions == {
        f"{PREFIX}rev-a@example.com",
        f"{PREFIX}rev-b@example.com",
    }
    again = send_for_review(client, chosen, review_title, schemas)
    assert again.versions_added == 0  # idempotent

    verdict = version(
        doc,
        ("Putin", "PERSON", "Vladimir Putin"),
        ("Sochi", "GPE", "Sochi"),
        ("Peskov", "PERSON", "Dmitry Peskov"),
    )
    submit(
        client,
        report.project_id,
        [RecordedAnnotation(doc.id, "reviewer@example.com", annotation_results(verdict, schemas))],
    )
    reviewed_export = tmp_path / "review.json"
    pull(client, review_title, reviewed_export)
    reviewed = [
        c.task for c in iter_tasks(reviewed_export, schemas, load_annotators(reviewed_export))
    ]
    [merged] = apply_review(tasks, reviewed)
    result = adjudicate(merged, schemas)
    assert result.method == "ground-truth"
    assert result.gold is not None
    got = [(e.text, e.label, e.annotators) for e in result.gold.entities]
    assert got == [
        ("Putin", "PERSON", ("rev-a@example.com", "rev-b@example.com", "reviewer@example.com")),
        ("Sochi", "GPE", ("rev-a@example.com", "reviewer@example.com")),
        ("Peskov", "PERSON", ("reviewer@example.com",)),
    ]
    out = tmp_path / "gold"
    argv = ["export", str(export), "--review", str(reviewed_export), "-o", str(out)]
    assert main(argv) == 0
    [row] = read_gold(out)
    assert [(e.text, e.label) for e in row.entities] == [
        ("Putin", "PERSON"),
        ("Sochi", "GPE"),
        ("Peskov", "PERSON"),
    ]


def test_apply_review_leaves_unreviewed_tasks_alone(schemas: SchemaSet) -> None:
    from annotate.records import Submission, Task

    doc = Document("d", TEXT, "W", "2017-11-21", "en")
    sub = Submission(1, "a", True, version(doc, ("Putin", "PERSON", "Vladimir Putin")))
    task = Task(1, doc, (sub,))
    other = Task(2, replace(doc, id="other"), (replace(sub, annotator="r", ground_truth=False),))
    assert list(apply_review([task], [other])) == [task]
