"""The bad-input catalogue: one export fixture per case, each with the message it must give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.cli import main
from annotate.errors import ExportFileError
from annotate.gold.validate import quarantine_path, validate_export
from annotate.labelstudio.convert import iter_tasks, normalise_date
from annotate.schema import SchemaSet

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def test_valid_export_converts_every_layer(schemas: SchemaSet) -> None:
    [converted] = list(iter_tasks(EXPORTS / "valid-emoji-crlf-script.json", schemas))
    assert converted.problems == () and converted.rejected == ()
    task = converted.task
    assert task.cancelled == 1  # the skipped annotation is counted, not converted
    [submission] = task.submissions  # the draft is ignored
    layers = submission.layers
    text = task.document.text
    assert text.startswith("😀 Line one\r\n<script>")
    for record in (*layers.entities, *layers.claims, *layers.event_dates):
        assert text[record.start : record.end] == record.text
    putin = layers.entity("e5")
    assert putin is not None and putin.canonical == "Vladimir Putin"
    speakers = {c.text: c.speaker for c in layers.claims}
    assert speakers == {"Putin met Assad in Sochi on Monday": "e4", "We are close to victory": "e5"}
    [event] = layers.event_dates
    assert (event.text, event.date, event.precision, event.basis) == (
        "met",
        "2017-11-20",
        "day",
        "relative",
    )


CATALOGUE = [
    pytest.param(
        "offsets-out-of-range",
        'region e3 "Sochi" (GPE), field value.start/end: offsets out of range; '
        "expected 0 <= start < end <= text length 149, found start 57, end 189",
        id="offsets",
    ),
    pytest.param(
        "span-text-differs",
        'region e2 "Assad" (PERSON), field value.text: span text differs from the task '
        "text at these offsets; expected 'Assad', found 'Asad'",
        id="span-text",
    ),
    pytest.param(
        "unknown-label",
        'region e3 "Sochi" (CITY), field entities.labels: unknown label in layer entities; '
        "expected one of PERSON, ORG, GPE, LOC, NORP, EVENT, found 'CITY'",
        id="unknown-label",
    ),
    pytest.param(
        "choice-outside-schema",
        'region c2 "We are close to victory" (CLAIM), field claims_type: '
        "choice outside the schema; "
        "expected one of quote, paraphrase, assertion, found ['rumour']",
        id="choice",
    ),
    pytest.param(
        "attribute-without-region",
        "region ghost, field claims_type: per-region attribute without its region",
        id="orphan-attribute",
    ),
    pytest.param(
        "relation-to-missing-region",
        "region zzz, field relation: relation to a missing region",
        id="relation-missing-region",
    ),
    pytest.param(
        "speaker-not-person-org-norp",
        'region c1 "Putin met Assad in Sochi on Monday" (CLAIM), field speaker: '
        "speaker must be an entity "
        "labelled PERSON/ORG/NORP; expected PERSON/ORG/NORP, found entities region e3 labelled GPE",
        id="speaker-label",
    ),
    pytest.param(
        "impossible-date",
        'region v1 "met" (EVENT_DATE), field date: not a real date; expected a real '
        "date YYYY-MM-DD, found '2017-02-30'",
        id="impossible-date",
    ),
    pytest.param(
        "precision-disagrees-with-date",
        'region v1 "met" (EVENT_DATE), field date: date form disagrees with '
        "precision 'day'; expected YYYY-MM-DD, found '2017-11'",
        id="precision",
    ),
    pytest.param(
        "duplicate-document-ids",
        "task 6, doc doc-emoji, field data.doc_id: duplicate document id (also task 5)",
        id="duplicate-doc-ids",
    ),
    pytest.param(
        "annotation-without-results",
        "task 3, doc doc-emoji, annotation 30, by user 1, field result: annotation has no results",
        id="no-results",
    ),
    pytest.param(
        "text-hash-mismatch",
        "task 4, doc doc-emoji, field data.text_sha256: the task text no longer matches its hash",
        id="text-hash",
    ),
]


@pytest.mark.parametrize(("case", "message"), CATALOGUE)
def test_catalogue_message(case: str, message: str, schemas: SchemaSet) -> None:
    report = validate_export(EXPORTS / f"{case}.json", schemas)
    messages = [str(p) for p in report.problems]
    assert any(message in m for m in messages), messages
    assert not report.ok
    assert len(report.rejected) == 1  # kept aside, never dropped
    assert report.valid + len(report.rejected) == report.annotations


def test_rejected_annotations_are_records_with_their_own_problems(schemas: SchemaSet) -> None:
    [rejected] = validate_export(EXPORTS / "unknown-label.json", schemas).rejected
    assert (rejected.task_id, rejected.document_id, rejected.annotation_id) == (2, "doc-emoji", 20)
    assert [(p.code, p.where.region_id) for p in rejected.problems] == [("label", "e3")]
    kept = rejected.to_dict()
    assert list(kept) == ["task_id", "document_id", "problems", "annotation"]
    assert kept["annotation"]["id"] == 20 and kept["annotation"]["completed_by"] == 1


def test_a_duplicate_task_is_rejected_whole(schemas: SchemaSet) -> None:
    report = validate_export(EXPORTS / "duplicate-document-ids.json", schemas)
    [rejected] = report.rejected
    assert (rejected.task_id, rejected.document_id) == (6, "doc-emoji")
    assert [p.code for p in rejected.problems] == ["duplicate-document"]
    assert report.valid == 1


def test_only_the_root_cause_is_reported_for_a_bad_choice(schemas: SchemaSet) -> None:
    report = validate_export(EXPORTS / "choice-outside-schema.json", schemas)
    assert len(report.problems) == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(
            "truncated",
            r"truncated\.json: truncated or not JSON after 1 complete task\(s\)",
            id="truncated",
        ),
        pytest.param(
            "not-json",
            r"not-json\.json: not a Label Studio JSON export \(expected a list of "
            r"tasks, found '<'\)",
            id="not-json",
        ),
    ],
)
def test_unreadable_export(case: str, message: str, schemas: SchemaSet) -> None:
    with pytest.raises(ExportFileError, match=message):
        validate_export(EXPORTS / f"{case}.json", schemas)


def test_validate_command_quarantines_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.json"
    export.write_bytes((EXPORTS / "unknown-label.json").read_bytes())
    assert main(["validate", str(export), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["rejected_annotations"] == 1
    assert report["problems"][0]["where"] == {
        "task_id": 2,
        "document_id": "doc-emoji",
        "annotation_id": 20,
        "annotator": "user 1",
        "region_id": "e3",
        "region_text": "Sochi",
        "region_label": "CITY",
        "field": "entities.labels",
    }
    kept = json.loads(quarantine_path(export).read_text(encoding="utf-8"))
    assert kept[0]["annotation"]["id"] == 20
    assert kept[0]["problems"][0]["code"] == "label"


def test_validate_command_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXPORTS / "valid-emoji-crlf-script.json")]) == 0
    assert "1 valid, 0 rejected, 1 cancelled" in capsys.readouterr().out


def test_unreadable_export_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXPORTS / "truncated.json")]) == 1
    assert "truncated or not JSON" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("raw", "precision", "expected"),
    [
        pytest.param("2017-11-20", "day", "2017-11-20", id="day"),
        pytest.param("2017-11-01", "month", "2017-11", id="month"),
        pytest.param("2017-01-01", "year", "2017", id="year"),
        pytest.param("2017-11-20T10:00", "day", "2017-11-20", id="datetime-value"),
    ],
)
def test_normalise_date(raw: str, precision: str, expected: str) -> None:
    assert normalise_date(raw, precision, ("year", "month", "day")) == (expected, None)
