"""The bad-input catalogue, continued: wrong JSON types, ids, Unicode, nesting, values that
must be single, and exports not read whole. One fixture per case, each with its message.
Every annotation is counted: valid, rejected (quarantined) or cancelled; never lost."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from annotate.cli import main
from annotate.errors import ExportFileError
from annotate.gold.adjudicate import adjudicate
from annotate.gold.validate import quarantine_path, validate_export
from annotate.labelstudio.convert import OldExportWarning, iter_tasks
from annotate.schema import SchemaSet

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
TASK = "task 2, doc doc-emoji"
ANNOTATION = f"{TASK}, annotation 20, by user 1"

CATALOGUE = [
    pytest.param(
        "value-not-an-object",
        f"{ANNOTATION}, region e2, field entities.value: result value is not an object; "
        "expected an object, found ['Assad']",
        id="value-not-an-object",
    ),
    pytest.param(
        "annotations-not-a-list",
        f"{TASK}, field annotations: annotations is not a list; expected a list of annotations",
        id="annotations-not-a-list",
    ),
    pytest.param(
        "annotation-not-an-object",
        f"{TASK}: annotation is not an object; expected an object, found 'annotated on paper'",
        id="annotation-not-an-object",
    ),
    pytest.param(
        "relation-labels-not-a-list",
        f'{ANNOTATION}, region c1 "Putin met Assad in Sochi on Monday" (CLAIM), '
        "field relation.labels: unknown relation label; expected said_by, found 7",
        id="relation-labels-not-a-list",
    ),
    pytest.param(
        "task-id-not-an-integer",
        "doc doc-emoji, field id: task id is not an integer; expected an integer, found 'abc'",
        id="task-id-string",
    ),
    pytest.param(
        "task-id-infinity",
        "doc doc-emoji, field id: task id is not an integer; expected an integer, found inf",
        id="task-id-infinity",
    ),
    pytest.param(
        "annotation-id-not-an-integer",
        f"{TASK}, annotation None, by user 1: annotation id is not an integer; "
        "expected an integer, found None",
        id="annotation-id-null",
    ),
    pytest.param(
        "lone-surrogate-in-text",
        f"{TASK}, field data.text: task data is not valid Unicode (a lone surrogate)",
        id="surrogate-in-text",
    ),
    pytest.param(
        "lone-surrogate-in-canonical",
        f'{ANNOTATION}, region e2 "Assad" (PERSON), field entities_canonical: canonical is not '
        "valid Unicode (a lone surrogate); expected valid Unicode, found 'Bashar \\ud83d'",
        id="surrogate-in-canonical",
    ),
    pytest.param(
        "two-claim-types",
        f'{ANNOTATION}, region c2 "We are close to victory" (CLAIM), field claims_type: '
        "more than one type for this region; expected one type, found ['quote', 'paraphrase']",
        id="two-claim-types",
    ),
    pytest.param(
        "two-canonical-names",
        f'{ANNOTATION}, region e2 "Assad" (PERSON), field entities_canonical: more than one '
        "canonical for this region; expected one canonical, found two results",
        id="two-canonical-names",
    ),
    pytest.param(
        "multi-line-canonical",
        f'{ANNOTATION}, region e2 "Assad" (PERSON), field entities_canonical: canonical has '
        "more than one line; expected one line, found 'Bashar\\nal-Assad'",
        id="multi-line-canonical",
    ),
    pytest.param(
        "labels-result-without-id",
        f"{ANNOTATION}, field entities.id: result has no region id; "
        "expected the id of its region, a string, found None",
        id="labels-without-id",
    ),
    pytest.param(
        "annotation-id-beyond-64-bits",
        f"{TASK}, annotation 1180591620717411303424, by user 1, "
        'region e3 "Sochi" (CITY), field entities.labels: unknown label',
        id="annotation-id-beyond-64-bits",
    ),
]


@pytest.mark.parametrize(("case", "message"), CATALOGUE)
def test_catalogue_message(case: str, message: str, schemas: SchemaSet) -> None:
    report = validate_export(EXPORTS / f"{case}.json", schemas)
    messages = [str(p) for p in report.problems]
    assert any(m.startswith(message) for m in messages), messages
    assert not report.ok
    assert len(report.rejected) == 1  # kept aside, never dropped
    assert report.valid + len(report.rejected) == report.annotations


@pytest.mark.parametrize(("case", "message"), CATALOGUE)
def test_validate_command_reports_it_without_a_traceback(
    case: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / f"{case}.json"
    shutil.copy(EXPORTS / f"{case}.json", export)
    assert main(["validate", str(export)]) == 1
    out = capsys.readouterr()
    assert message in out.out and "Traceback" not in out.err
    assert quarantine_path(export).is_file()


def test_an_id_beyond_64_bits_keeps_its_value_in_the_quarantine(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    shutil.copy(EXPORTS / "annotation-id-beyond-64-bits.json", export)
    assert main(["validate", str(export)]) == 1
    [kept] = json.loads(quarantine_path(export).read_text(encoding="utf-8"))
    assert kept["annotation"]["id"] == 2**70
    assert kept["problems"][0]["where"]["annotation_id"] == 2**70


def test_annotations_without_completed_by_stay_apart(schemas: SchemaSet) -> None:
    [converted] = iter_tasks(EXPORTS / "annotations-without-completed-by.json", schemas)
    assert converted.problems == ()
    names = [s.annotator for s in converted.task.submissions]
    assert names == ["unknown (annotation 20)", "unknown (annotation 21)"]
    result = adjudicate(converted.task, schemas)  # two annotators: e1 is PERSON vs ORG
    assert result.method == "majority"
    assert {d.item.text for d in result.disagreements} == {"Putin"}


def test_completions_are_read_as_annotations_with_a_warning(schemas: SchemaSet) -> None:
    with pytest.warns(OldExportWarning, match="'completions' of Label Studio before 1.0"):
        report = validate_export(EXPORTS / "completions-before-1.0.json", schemas)
    assert (report.annotations, report.valid, report.problems) == (1, 1, [])


def test_a_task_nested_too_deeply_is_a_problem_of_its_own(
    schemas: SchemaSet, capsys: pytest.CaptureFixture[str]
) -> None:
    path = EXPORTS / "nested-too-deep.json"
    report = validate_export(path, schemas)
    [problem] = report.problems
    assert str(problem) == (
        f"{path}:2, field item 0: task nested too deeply to read (from column 2): set aside "
        "whole; expected at most 1,000 levels, found 1,501 levels"
    )
    assert main(["validate", str(path), "--format", "json"]) == 1
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(
            "two-exports-joined",
            "content after the list of tasks at line 317, column 1 (two exports joined, or a "
            'damaged file?): found \'[\\n {\\n  "id": 3,',
            id="two-exports-joined",
        ),
        pytest.param(
            "trailing-garbage",
            "content after the list of tasks at line 317, column 1 (two exports joined, or a "
            "damaged file?): found '<!-- saved by a brow'",
            id="trailing-garbage",
        ),
        pytest.param(
            "bad-json-in-a-task",
            "truncated or not JSON after 0 complete task(s): Expecting property name enclosed "
            "in double quotes at line 7, column 26",
            id="json-error-line-and-column",
        ),
    ],
)
def test_the_export_is_read_whole(
    case: str, message: str, schemas: SchemaSet, capsys: pytest.CaptureFixture[str]
) -> None:
    path = EXPORTS / f"{case}.json"
    with pytest.raises(ExportFileError, match=re.escape(f"{path}: {message}")):
        validate_export(path, schemas)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(("case", "message"), CATALOGUE)
def test_export_refuses_what_validate_refuses(
    case: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``validate`` and ``export`` agree: the same problem, named, and nothing written."""
    out = tmp_path / "gold"
    assert main(["export", str(EXPORTS / f"{case}.json"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_a_malformed_manifest_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.json"
    shutil.copy(EXPORTS / "unknown-label.json", export)
    (tmp_path / "export.manifest.json").write_text("{not json", encoding="utf-8")
    assert main(["validate", str(export)]) == 1
    err = capsys.readouterr().err
    assert "export.manifest.json: unreadable manifest" in err and "Traceback" not in err
