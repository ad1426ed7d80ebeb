"""Gold versions: a correction round on the seed gold, from the export to the rescored board.

Three items of the seed gold are corrected in the recorded Label Studio export (one event's
boundary, one entity's label, one claim's speaker), as an adjudicator would fix them in
Label Studio before pulling again. Then ``annotate export --previous`` versions the new gold,
``annotate diff`` lists exactly the three changes, and ``annotate bench --rescore`` moves the
baseline's scores by the amounts worked out here from the counts of the first run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from annotate.cli import main
from annotate.dataset.version import read_release
from annotate.dataset.writer import read_gold
from annotate.extractors.baseline import predict_corpus
from annotate.labelstudio.client import Client
from annotate.labelstudio.convert import annotator_name
from annotate.labelstudio.push import existing_tasks, push
from annotate.labelstudio.submit import RecordedAnnotation, submit
from annotate.predictions import Prediction
from annotate.records import Annotation, Claim, Entity, Event

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "gold"
RECORDED = REPO / "annotations" / "sochi-2017.json"
BASELINE = "annotate.extractors.baseline:extract"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_seed_gold_is_version_one_with_an_empty_changelog() -> None:
    card = (GOLD / "README.md").read_text(encoding="utf-8")
    assert read_release(GOLD).version == "1.0.0"
    assert "Version: `1.0.0`." in card
    assert "## Changes\n\nVersion 1.0.0 is the first version" in card
    assert "Changes since" not in card


# --- choosing the three corrections -----------------------------------------------------


@dataclass(frozen=True)
class Corrections:
    """The three items to correct, each with its document and its correction."""

    label: tuple[Annotation, Entity, str]  # the entity's new label
    boundary: tuple[Annotation, Event, int]  # the event's new start: one word earlier
    speaker: tuple[Annotation, Claim, Entity]  # the claim's new speaker: the baseline's


def _overlapping(items: Any, start: int, end: int) -> list[Any]:
    return [p for p in items if p.start < end and start < p.end]


def _alone(predicted: list[Any], start: int, end: int) -> bool:
    """One prediction only near the span, with exactly that span."""
    return len(predicted) == 1 and (predicted[0].start, predicted[0].end) == (start, end)


def choose(gold: list[Annotation], predictions: dict[str, Prediction]) -> Corrections:
    """An entity and an event the baseline got right (they become its errors), and a claim
    whose speaker it got wrong (its speaker becomes the gold: a gold error)."""
    label = boundary = speaker = None
    for annotation in gold:
        prediction = predictions[annotation.document.id]
        label = label or _label(annotation, prediction)
        boundary = boundary or _boundary(annotation, prediction)
        speaker = speaker or _speaker(annotation, prediction)
    assert label and boundary and speaker, (label, boundary, speaker)
    return Corrections(label, boundary, speaker)


def _label(annotation: Annotation, prediction: Prediction) -> tuple[Annotation, Entity, str] | None:
    speakers = {c.speaker for c in annotation.claims}
    for entity in annotation.entities:
        near = _overlapping(prediction.entities, entity.start, entity.end)
        if (
            entity.label == "GPE"
            and entity.id not in speakers
            and _alone(near, entity.start, entity.end)
            and near[0].label == entity.label
        ):
            return annotation, entity, "LOC"
    return None


def _boundary(
    annotation: Annotation, prediction: Prediction
) -> tuple[Annotation, Event, int] | None:
    text = annotation.document.text
    for event in annotation.event_dates:
        before = text[: event.start].rstrip(" ")
        new_start = before.rfind(" ") + 1
        if len(before) != event.start - 1 or not text[new_start : len(before)].isalpha():
            continue
        near = _overlapping(prediction.event_dates, new_start, event.end)
        others = _overlapping(annotation.event_dates, new_start, event.end)
        if _alone(near, event.start, event.end) and len(others) == 1:
            return annotation, event, new_start
    return None


def _speaker(
    annotation: Annotation, prediction: Prediction
) -> tuple[Annotation, Claim, Entity] | None:
    for claim in annotation.claims:
        near = _overlapping(prediction.claims, claim.start, claim.end)
        spoken = annotation.entity(claim.speaker) if claim.speaker else None
        if not _alone(near, claim.start, claim.end) or near[0].type != claim.type:
            continue  # the claim itself must be right, to tell the speaker's effect
        if spoken is None or near[0].speaker is None:
            continue
        if len(_overlapping(annotation.claims, near[0].start, near[0].end)) != 1:
            continue  # another gold claim could take the prediction
        start, end = (int(part) for part in near[0].speaker.split("-"))  # a span id
        named = [e for e in annotation.entities if (e.start, e.end) == (start, end)]
        wrong = not any(
            _overlapping([e], start, end)
            for e in annotation.entities
            if e is spoken or (spoken.canonical and e.canonical == spoken.canonical)
        )
        if wrong and named and named[0].label == spoken.label:
            return annotation, claim, named[0]
    return None


def corrected_export(path: Path, fixes: Corrections) -> Path:
    """The recorded export with the three items fixed in each gold submission that has them."""
    tasks = json.loads(RECORDED.read_text(encoding="utf-8"))
    for task in tasks:
        for submission in task["annotations"]:
            correct(task["data"]["doc_id"], submission["result"], fixes)
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def correct(document_id: str, results: list[dict[str, Any]], fixes: Corrections) -> bool:
    """Fix the three items in one submission's Label Studio results; True if any was there."""
    (_, entity, new_label) = fixes.label
    (annotation, event, new_start) = fixes.boundary
    (_, claim, new_speaker) = fixes.speaker
    new_text = annotation.document.text[new_start : event.end]
    fixed = False
    for result in results:
        value = result.get("value", {})
        if result.get("id") == entity.id and "labels" in value and _in(document_id, fixes.label):
            value["labels"] = [new_label]
            fixed = True
        if result.get("id") == event.id and "start" in value and _in(document_id, fixes.boundary):
            value.update(start=new_start, text=new_text)
            fixed = True
        if (
            result.get("type") == "relation"
            and result["from_id"] == claim.id
            and _in(document_id, fixes.speaker)
        ):
            result["to_id"] = new_speaker.id
            fixed = True
    return fixed


def _in(document_id: str, fix: tuple[Annotation, Any, Any]) -> bool:
    return document_id == fix[0].document.id


# --- the correction round ---------------------------------------------------------------


def test_a_correction_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = read_gold(GOLD)
    predictions = {p.document_id: p for p in predict_corpus([a.document for a in gold])}
    fixes = choose(gold, predictions)
    board = tmp_path / "board.json"
    first = json.loads(
        run_cli(
            capsys,
            "bench",
            "--gold",
            GOLD,
            "--extractor",
            BASELINE,
            "--format",
            "json",
            "--leaderboard",
            board,
        )
    )

    export = corrected_export(tmp_path / "export.json", fixes)
    new = tmp_path / "gold-1.1"
    printed = run_cli(capsys, "export", export, "-o", new, "--previous", GOLD)
    assert "version 1.1.0 (minor release after 1.0.0)" in printed

    # diff lists exactly the three changes
    diff = json.loads(run_cli(capsys, "diff", GOLD, new, "--format", "json"))
    found = {
        (c["layer"], c["old"]["id"], tuple(f["field"] for f in c["fields"]))
        for c in diff["changes"]
    }
    assert found == {
        ("entities", fixes.label[1].id, ("label",)),
        ("event_dates", fixes.boundary[1].id, ("boundary",)),
        ("claims", fixes.speaker[1].id, ("speaker",)),
    }
    assert diff["counts"] == {
        "added": 0,
        "removed": 0,
        "relabelled": 1,
        "moved": 1,
        "attributes": 1,
    }
    label = next(c for c in diff["changes"] if c["layer"] == "entities")
    assert label["fields"][0]["old"] == fixes.label[1].label
    assert label["fields"][0]["new"] == fixes.label[2]

    changelog = tmp_path / "CHANGES.md"
    markdown = run_cli(capsys, "diff", GOLD, new, "--format", "markdown", "--changelog", changelog)
    assert changelog.read_text(encoding="utf-8") == markdown
    assert len([line for line in markdown.splitlines() if line.startswith("- ")]) == 3

    # the new card: version 1.1.0 and the three changes
    card = (new / "README.md").read_text(encoding="utf-8")
    assert read_release(new).version == "1.1.0"
    assert "Version: `1.1.0`." in card
    changes = card.split("## Changes since v1.0.0\n", 1)[1].split("\n## ", 1)[0]
    assert "3 item(s) changed" in changes
    listed = [line for line in changes.splitlines() if line.startswith("- ")]
    assert len(listed) == 3
    assert any(f"label: {fixes.label[1].label} → {fixes.label[2]}" in line for line in listed)

    # rescore: the moves worked out from the first run's counts
    rescored = json.loads(
        run_cli(
            capsys,
            "bench",
            "--rescore",
            board,
            "--gold",
            new,
            "--old-gold",
            GOLD,
            "--format",
            "json",
        )
    )
    (run,) = rescored["runs"]
    moved = run["moved"]
    strict = first["scores"]["entities"]["strict"]["micro"]
    actual = strict["correct"] + strict["incorrect"] + strict["partial"] + strict["spurious"]
    possible = strict["correct"] + strict["incorrect"] + strict["partial"] + strict["missed"]
    # The entity's label is no longer the baseline's: one correct mention fewer, and
    # strict F1 = 2PR / (P + R) = 2C / (A + P) with A and P unchanged.
    assert moved["entities.strict.f1"] == pytest.approx(-2 / (actual + possible))
    events = first["scores"]["events"]
    # The event now starts a word earlier: one strict match fewer, F1 = 2M / (pred + gold).
    assert moved["events.strict.f1"] == pytest.approx(-2 / (events["predicted"] + events["gold"]))
    assert "events.relaxed.f1" not in moved
    speaker = first["scores"]["claims"]["speaker"]
    # The claim's speaker is now the one the baseline named: one right more.
    assert moved["claims.speaker_accuracy"] == pytest.approx(1 / speaker["total"])
    status = {v["change"]["layer"]: v["status"] for v in run["verdicts"]}
    assert status == {"entities": "new error", "event_dates": "new error", "claims": "gold error"}
    assert run["items"] == {"gold error": 1, "new error": 2, "still wrong": 0, "still right": 0}


def test_the_same_data_again_is_a_patch_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run_cli(capsys, "export", RECORDED, "-o", tmp_path / "again", "--previous", GOLD)
    assert "version 1.0.1 (patch release after 1.0.0): No change in 5 document(s)." in printed
    assert read_release(tmp_path / "again").version == "1.0.1"


def test_diff_of_a_gold_with_itself_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "diff", GOLD, RECORDED) == "No change in 5 document(s).\n"


@pytest.mark.server
def test_a_correction_made_in_label_studio(
    client: Client,
    project_title: str,
    ls_env: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gold = read_gold(GOLD)
    predictions = {p.document_id: p for p in predict_corpus([a.document for a in gold])}
    fixes = choose(gold, predictions)
    tasks = json.loads(RECORDED.read_text(encoding="utf-8"))
    report = push(client, [a.document for a in gold], project_title)
    recorded = [
        RecordedAnnotation(
            task["data"]["doc_id"],
            annotator_name(submission["completed_by"], {}),
            submission["result"],
            bool(submission.get("ground_truth")),
        )
        for task in tasks
        for submission in task["annotations"]
    ]
    submit(client, report.project.id, recorded)
    # The adjudicator's fix, made in Label Studio: the gold submissions are updated.
    updated = 0
    for document_id, task in existing_tasks(client, report.project.id).items():
        for submission in client.get_json(f"/api/tasks/{task.task_id}/annotations/"):
            results = submission["result"]
            if correct(document_id, results, fixes):
                client.sdk.annotations.update(id=submission["id"], result=results)
                updated += 1
    assert updated >= 1
    export = tmp_path / "export.json"
    run_cli(capsys, "pull", "--project", project_title, "-o", export)
    printed = run_cli(capsys, "export", export, "-o", tmp_path / "new", "--previous", GOLD)
    assert "version 1.1.0 (minor release after 1.0.0): 3 item(s) changed" in printed
    diff = json.loads(run_cli(capsys, "diff", GOLD, tmp_path / "new", "--format", "json"))
    assert sorted(c["layer"] for c in diff["changes"]) == ["claims", "entities", "event_dates"]
