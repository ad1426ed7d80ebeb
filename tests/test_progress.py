"""``annotate status`` arithmetic on a known project, from its raw export through the Label
Studio conversion (the live loop is in test_team.py)."""

from __future__ import annotations

from typing import Any

from annotate.gold.progress import duration, summarise
from annotate.labelstudio.progress import AnnotationMark, ProjectExport, convert_snapshot
from annotate.labelstudio.push import Overlap
from annotate.labelstudio.results import region_results, task_data
from annotate.records import Document, Span

USERS = {1: "lead@x", 2: "ana@x", 3: "ben@x"}


def _task(task_id: int, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    document = Document(f"d{task_id}", "Putin met Assad in Sochi.", "wire", "2017-11-21", "en")
    return {"id": task_id, "data": task_data(document), "annotations": annotations}


def _submitted(schemas, user: int, start: int, end: int, seconds: float) -> dict[str, Any]:
    text = "Putin met Assad in Sochi."
    span = Span("r1", start, end, text[start:end])
    result = region_results(schemas.layers["entities"], span, {"label": "PERSON"})
    return {
        "id": user * 100 + start,
        "completed_by": user,
        "result": result,
        "lead_time": seconds,
        "was_cancelled": False,
    }


def _skip(user: int) -> dict[str, Any]:
    return {"id": user * 1000, "completed_by": user, "result": [], "was_cancelled": True}


def test_status_counts_a_known_project(schemas) -> None:
    tasks = [
        _task(1, [_submitted(schemas, 2, 0, 5, 30.0), _submitted(schemas, 3, 0, 5, 50.0)]),
        _task(2, [_submitted(schemas, 2, 10, 15, 40.0)]),  # planned twice, done once
        _task(3, [_submitted(schemas, 3, 0, 5, 60.0)]),
        _task(4, [_skip(3)]),
        _task(5, []),
    ]
    planned = {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    export = ProjectExport(7, "known", Overlap(2, 0.4), planned, USERS, tasks)
    snap = convert_snapshot(export, schemas)
    assert snap.tasks[3].annotations == (AnnotationMark("ben@x", True, None),)
    assert [t.overlap for t in snap.tasks] == [2, 2, 1, 1, 1]
    status = summarise(snap, schemas)
    c = status.counts
    assert (c.total, c.finished, c.in_progress, c.skipped, c.not_started) == (5, 2, 1, 1, 1)
    assert (status.planned_multi, status.reached_multi) == (2, 1)
    assert status.remaining == 3  # task 2 once more, tasks 4 and 5 once
    assert status.median_seconds == 45.0  # of 30, 40, 50, 60
    assert status.active == 2
    assert status.seconds_left == 3 * 45.0 / 2
    rows = {a.annotator: a for a in status.annotators}
    assert (rows["ana@x"].tasks, rows["ana@x"].median_seconds) == (2, 35.0)
    assert (rows["ben@x"].tasks, rows["ben@x"].skipped) == (2, 1)
    assert rows["ben@x"].regions == {"entities": 2, "claims": 0, "event_dates": 0}
    assert status.agreement.compared_tasks == 1
    entities = next(x for x in status.agreement.labels if x.layer == "entities" and not x.label)
    assert entities.strict_f1 == 1.0
    data = status.to_dict()
    assert data["tasks"]["skipped"] == 1 and data["estimated_seconds_left"] == 67.5
    text = status.to_text()
    assert "5 total, 2 finished, 1 in progress, 1 skipped, 1 not started" in text
    assert "reached on 1 task(s)" in text
    markdown = status.to_markdown()
    assert "ana@x" in markdown and "█" in markdown


def test_a_finished_project_has_no_time_left(schemas) -> None:
    tasks = [_task(1, [_submitted(schemas, 2, 0, 5, 30.0)])]
    export = ProjectExport(1, "done", Overlap(1, 1.0), {1: 1}, USERS, tasks)
    status = summarise(convert_snapshot(export, schemas), schemas)
    assert status.remaining == 0 and status.seconds_left == 0.0


def test_duration() -> None:
    assert duration(None) == "unknown"
    assert duration(42.4) == "42 s"
    assert duration(95) == "1 min 35 s"
    assert duration(3725) == "1 h 02 min"
