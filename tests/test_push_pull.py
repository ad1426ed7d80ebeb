"""Push, re-push, predictions, pull, conversion and validation against a real Label Studio."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from annotate.cli import main
from annotate.corpus import load_corpus
from annotate.errors import ConfigChangeError, LabelStudioError
from annotate.gold.validate import validate_export
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.convert import iter_tasks
from annotate.labelstudio.project import require_project
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import PushOptions, existing_tasks, push
from annotate.labelstudio.results import annotation_results
from annotate.labelstudio.submit import RecordedAnnotation, submit
from annotate.records import Annotation, Claim, Document, Entity, Event
from annotate.schema import SchemaSet

pytestmark = pytest.mark.server
REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus" / "sochi-2017"
FIXTURES = Path(__file__).parent / "fixtures"

TRICKY = (
    "😀 Line one\r\n<script>alert(1)</script> <img src=x onerror=alert(2)>\r\n"
    "Putin met Assad in Sochi on Monday."
)


def tricky_document() -> Document:
    return Document("tricky-1", TRICKY, 'Wire "&" <Co>', "2017-11-21", "en")


def tricky_annotation(doc: Document) -> Annotation:
    def span(sub: str) -> tuple[int, int]:
        start = doc.text.index(sub)
        return start, start + len(sub)

    putin, assad, met = span("Putin"), span("Assad"), span("met")
    claim = span("Putin met Assad in Sochi on Monday")
    return Annotation(
        doc,
        (
            Entity("e1", *putin, "Putin", "PERSON", "Vladimir Putin"),
            Entity("e2", *assad, "Assad", "PERSON", "Bashar al-Assad"),
        ),
        (Claim("c1", *claim, doc.text[claim[0] : claim[1]], "assertion", None),),
        (Event("v1", *met, "met", "2017-11-20", "day", "relative"),),
    )


def test_push_is_idempotent(client: Client, project_title: str) -> None:
    documents = load_corpus(CORPUS)
    first = push(client, documents, project_title)
    assert first.created and len(first.imported) == 5
    again = push(client, documents, project_title)
    assert not again.created and again.imported == [] and len(again.unchanged) == 5
    assert len(existing_tasks(client, first.project.id)) == 5
    assert require_project(client, project_title).task_number == 5


def test_changed_text_is_reported_not_imported(client: Client, project_title: str) -> None:
    doc = tricky_document()
    push(client, [doc], project_title)
    edited = Document(doc.id, doc.text + " Edited.", doc.source, doc.published, doc.language)
    report = push(client, [edited], project_title)
    assert [d for d, _ in report.changed] == [doc.id]
    assert report.imported == []
    assert require_project(client, project_title).task_number == 1


def test_push_cli_reports_changed_text(
    ls_env, tmp_path: Path, project_title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c.jsonl"
    doc = {
        "id": "x1",
        "text": "Putin spoke.",
        "source": "W",
        "published": "2017-11-21",
        "language": "en",
    }
    corpus.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    assert main(["push", str(corpus), "--project", project_title]) == 0
    corpus.write_text(json.dumps({**doc, "text": "Putin spoke again."}) + "\n", encoding="utf-8")
    assert main(["push", str(corpus), "--project", project_title]) == 1
    err = capsys.readouterr().err
    assert "changed text, NOT imported: document x1" in err
    assert ls_env.credentials.token not in err


def test_unicode_markup_round_trip(
    client: Client, project_title: str, tmp_path: Path, schemas: SchemaSet
) -> None:
    """Offsets are code points end to end: emoji, CRLF and markup before the spans."""
    doc = tricky_document()
    report = push(client, [doc], project_title)
    expected = tricky_annotation(doc)
    submit(
        client,
        report.project.id,
        [
            RecordedAnnotation(
                doc.id, "annotator-a@example.com", annotation_results(expected, schemas)
            )
        ],
    )
    out = tmp_path / "export.json"
    pulled = pull(client, project_title, out)
    assert (pulled.tasks, pulled.annotations) == (1, 1)
    assert validate_export(out).ok
    [converted] = list(iter_tasks(out, schemas, {}))
    [submission] = converted.task.submissions
    got = submission.layers

    def credited(records: tuple[Any, ...]) -> tuple[Any, ...]:  # conversion records who made it
        return tuple(dataclasses.replace(r, annotators=(submission.annotator,)) for r in records)

    assert got.entities == credited(expected.entities)
    assert got.claims == credited(expected.claims)
    assert got.event_dates == credited(expected.event_dates)
    for record in (*got.entities, *got.claims, *got.event_dates):
        assert TRICKY[record.start : record.end] == record.text
    manifest = json.loads(out.with_name("export.manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"tasks": 1, "annotations": 1, "cancelled": 0}
    assert manifest["schema_version"] == schemas.version
    assert "annotator-a@example.com" in manifest["annotators"].values()


def test_resubmitting_is_idempotent(client: Client, project_title: str, schemas: SchemaSet) -> None:
    doc = tricky_document()
    report = push(client, [doc], project_title)
    item = RecordedAnnotation(
        doc.id, "annotator-b@example.com", annotation_results(tricky_annotation(doc), schemas)
    )
    assert submit(client, report.project.id, [item]) == 1
    assert submit(client, report.project.id, [item]) == 0


def test_pull_is_complete_beyond_one_page(
    client: Client, project_title: str, tmp_path: Path
) -> None:
    docs = [
        Document(f"d{i:03d}", f"Document {i} about Sochi.", "W", "2017-11-21", "en")
        for i in range(230)
    ]
    report = push(client, docs, project_title, PushOptions(batch_size=100))
    assert len(report.imported) == 230
    assert len(existing_tasks(client, report.project.id, page_size=50)) == 230
    pulled = pull(client, project_title, tmp_path / "all.json")
    assert pulled.tasks == 230
    assert {c.task.document.id for c in iter_tasks(tmp_path / "all.json", SchemaSet())} == {
        d.id for d in docs
    }


def test_pull_of_missing_project_is_clear(client: Client, tmp_path: Path) -> None:
    with pytest.raises(LabelStudioError, match="no project titled 'no such project'"):
        pull(client, "no such project", tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_removing_a_used_label_is_refused(
    client: Client, project_title: str, schemas: SchemaSet, schema_copy
) -> None:
    doc = tricky_document()
    report = push(client, [doc], project_title)
    submit(
        client,
        report.project.id,
        [
            RecordedAnnotation(
                doc.id,
                "annotator-a@example.com",
                annotation_results(tricky_annotation(doc), schemas),
            )
        ],
    )

    def drop_person(loaded: dict) -> None:
        loaded["entities"]["properties"]["label"]["enum"].remove("PERSON")
        loaded["claims"]["properties"]["speaker"]["x-annotate"]["target_labels"].remove("PERSON")

    with pytest.raises(
        ConfigChangeError,
        match=r"removes values that existing annotations use: "
        r"'PERSON' of entities \(2 result\(s\)\)",
    ):
        push(client, [doc], project_title, PushOptions(schema_copy(drop_person)))


def test_additive_config_change_is_allowed(client: Client, project_title: str, schema_copy) -> None:
    doc = tricky_document()
    push(client, [doc], project_title)
    extended = schema_copy(
        lambda loaded: loaded["entities"]["properties"]["label"]["enum"].append("FACILITY")
    )
    report = push(client, [doc], project_title, PushOptions(extended))
    assert report.config_updated
    assert 'value="FACILITY"' in require_project(client, project_title).label_config


def test_import_fault_after_processing_leaves_no_duplicates(
    fault_proxy, label_studio, project_title: str
) -> None:
    """The server stores the batch, then the client sees a 503: the push must not re-send it."""
    client = Client(Connection(fault_proxy.url, label_studio.credentials.token), backoff=0.05)
    documents = load_corpus(CORPUS)
    fault_proxy.fail("POST", "/import", times=1, forward_first=True)
    report = push(client, documents, project_title)
    assert report.retried_batches == 1
    assert require_project(Client(label_studio.connection), project_title).task_number == 5
    assert [s for m, p, s in fault_proxy.seen if m == "POST" and "/import" in p] == [503]


def test_import_fault_before_processing_is_retried(
    fault_proxy, label_studio, project_title: str
) -> None:
    client = Client(Connection(fault_proxy.url, label_studio.credentials.token), backoff=0.05)
    fault_proxy.fail("POST", "/import", times=2, forward_first=False)
    report = push(client, load_corpus(CORPUS), project_title)
    assert report.retried_batches == 2 and len(report.imported) == 5
    assert require_project(Client(label_studio.connection), project_title).task_number == 5


def test_5xx_on_reads_is_retried_then_reported(fault_proxy, label_studio) -> None:
    token = label_studio.credentials.token
    client = Client(Connection(fault_proxy.url, token), attempts=3, backoff=0.05)
    fault_proxy.fail("GET", "/api/projects/", times=2)
    assert client.get_json("/api/projects/") is not None  # third attempt goes through
    fault_proxy.fail("GET", "/api/projects/", times=5)
    with pytest.raises(LabelStudioError) as info:
        client.get_json("/api/projects/")
    message = str(info.value)
    assert f"at {fault_proxy.url} failed after 3 attempts: HTTP 503" in message
    assert token not in message and token not in repr(info.value.__cause__)


def test_unreachable_server_names_the_url(label_studio) -> None:
    token = label_studio.credentials.token
    client = Client(Connection("http://127.0.0.1:9", token), attempts=2, backoff=0.01)
    with pytest.raises(
        LabelStudioError,
        match=r"http://127\.0\.0\.1:9 failed after 2 attempts: "
        r"connection refused or unreachable",
    ) as info:
        push(client, [tricky_document()], "anything")
    assert token not in str(info.value)


def test_cli_connection_error_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "secret-token-value")
    assert main(["pull", "--project", "x", "-o", "/dev/null"]) == 2
    err = capsys.readouterr().err
    assert "http://127.0.0.1:9" in err and "secret-token-value" not in err


def test_push_cli_with_baseline_predictions(
    ls_env, tmp_path: Path, project_title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Predictions are validated, then shown as pre-annotations once per model version."""
    from annotate.extractors.baseline import predict_corpus
    from annotate.labelstudio.push import model_version
    from annotate.predictions import write_predictions

    documents = load_corpus(CORPUS)
    predictions = predict_corpus(documents)
    path = tmp_path / "predictions.jsonl"
    write_predictions(path, predictions)
    assert main(["push", str(CORPUS), "--project", project_title, "--predictions", str(path)]) == 0
    assert "predictions added 5" in capsys.readouterr().out
    client = Client(ls_env.connection)
    project = require_project(client, project_title)
    tasks = existing_tasks(client, project.id, with_versions=True)
    assert {t.model_versions for t in tasks.values()} == {
        frozenset({model_version(predictions[0])})
    }
    assert main(["push", str(CORPUS), "--project", project_title, "--predictions", str(path)]) == 0
    assert "imported 0, already there 5, predictions added 0" in capsys.readouterr().out


def test_push_cli_refuses_invalid_predictions_before_sending(
    ls_env, tmp_path: Path, project_title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    record = {
        "document_id": "nope",
        "extractor": {"name": "x", "version": "1"},
        "entities": [{"start": 0, "end": 5, "label": "CITY"}],
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["push", str(CORPUS), "--project", project_title, "--predictions", str(path)]) == 1
    err = capsys.readouterr().err
    assert "bad.jsonl:1" in err and "CITY" in err
    client = Client(ls_env.connection)
    from annotate.labelstudio.project import find_project

    assert find_project(client, project_title) is None  # nothing was sent
