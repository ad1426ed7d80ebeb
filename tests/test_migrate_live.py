"""Migrating a live project against a real Label Studio: apply, faults, a kill, undo."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from annotate.cli import main
from annotate.errors import LabelStudioError, PlanError
from annotate.gold.validate import validate_export
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.migrate import apply, preview, undo
from annotate.labelstudio.project import require_project
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import add_prediction, push
from annotate.labelstudio.relabel import parse_plan
from annotate.labelstudio.submit import RecordedAnnotation, submit
from annotate.records import Document
from annotate.schema import SchemaSet

pytestmark = pytest.mark.server
REPO = Path(__file__).resolve().parent.parent
TEXT = 'Gazprom said in Sochi on Monday that the Olympics went well. "Prices rise," Lukoil said.'
PLAN = {
    "rename": {
        "entities": {"ORG": "ORGANIZATION", "LOC": "GPE"},
        "claims_type": {"paraphrase": "reported"},
    },
    "drop": {"entities": ["EVENT"]},
}


def new_schemas(schema_copy: Callable[..., SchemaSet]) -> SchemaSet:
    """ORG renamed ORGANIZATION, LOC merged into GPE, EVENT retired, paraphrase renamed."""

    def edit(loaded: dict[str, dict[str, Any]]) -> None:
        entities = loaded["entities"]["properties"]["label"]
        entities["enum"] = ["PERSON", "ORGANIZATION", "GPE", "NORP"]
        speaker = loaded["claims"]["properties"]["speaker"]["x-annotate"]
        speaker["target_labels"] = ["PERSON", "ORGANIZATION", "NORP"]
        loaded["claims"]["properties"]["type"]["enum"] = ["quote", "reported", "assertion"]

    return schema_copy(edit)


def span(sub: str) -> dict[str, Any]:
    start = TEXT.index(sub)
    return {"start": start, "end": start + len(sub), "text": sub}


def entity(rid: str, sub: str, label: str) -> dict[str, Any]:
    value = {**span(sub), "labels": [label]}
    return {"id": rid, "from_name": "entities", "to_name": "text", "type": "labels", "value": value}


def claim(rid: str, sub: str, kind: str, speaker: str) -> list[dict[str, Any]]:
    region = {"id": rid, "to_name": "text", "from_name": "claims", "type": "labels"}
    return [
        {**region, "value": {**span(sub), "labels": ["CLAIM"]}},
        {
            **region,
            "from_name": "claims_type",
            "type": "choices",
            "value": {**span(sub), "choices": [kind]},
        },
        {
            "from_id": rid,
            "to_id": speaker,
            "type": "relation",
            "direction": "right",
            "labels": ["said_by"],
        },
    ]


def full_result() -> list[dict[str, Any]]:
    return [
        entity("e1", "Gazprom", "ORG"),
        entity("e2", "Sochi", "LOC"),
        entity("e3", "Olympics", "EVENT"),
        entity("e4", "Lukoil", "ORG"),
        *claim("c1", '"Prices rise,"', "quote", "e4"),
        *claim("c2", "the Olympics went well", "paraphrase", "e1"),
        *claim("c3", "Gazprom said in Sochi", "quote", "e3"),  # its speaker is retired
    ]


def documents(n: int) -> list[Document]:
    return [Document(f"m{i:02d}", TEXT, "Wire", "2017-11-21", "en") for i in range(n)]


def build_project(client: Client, title: str, n: int = 2) -> int:
    """n tasks, each with two annotations, a prediction and two drafts (one attached)."""
    report = push(client, documents(n), title)
    short = [entity("e2", "Sochi", "LOC"), entity("e4", "Lukoil", "ORG")]
    submit(
        client,
        report.project.id,
        [RecordedAnnotation(d.id, "ann-a@example.com", full_result()) for d in documents(n)]
        + [RecordedAnnotation(d.id, "ann-b@example.com", short) for d in documents(n)],
    )
    headers = {"Authorization": f"Token {client.connection.api_key}"}
    tasks = client.get_json("/api/tasks", project=report.project.id, page_size=1000)["tasks"]
    for task in tasks:
        add_prediction(client, task["id"], {"model_version": "m@1", "result": full_result()})
        draft = [entity("e9", "Sochi", "LOC"), entity("e3", "Olympics", "EVENT")]
        url = f"{client.url}/api/tasks/{task['id']}/drafts"
        httpx.post(url, json={"result": draft, "lead_time": 1}, headers=headers).raise_for_status()
        first = client.get_json(f"/api/tasks/{task['id']}/annotations/")[0]["id"]
        url = f"{client.url}/api/tasks/{task['id']}/annotations/{first}/drafts"
        body = {"result": full_result()[:3], "lead_time": 1}
        httpx.post(url, json=body, headers=headers).raise_for_status()
    return report.project.id


def state(client: Client, project_id: int) -> dict[str, Any]:
    """Everything a migration may touch, keyed by what does not change between projects."""
    tasks = client.get_json(
        f"/api/projects/{project_id}/export", exportType="JSON", download_all_tasks="true"
    )
    predictions = client.get_json("/api/predictions/", project=project_id)
    out: dict[str, Any] = {}
    for task in tasks:
        authors = {a["id"]: a["completed_by"] for a in task["annotations"]}
        out[task["data"]["doc_id"]] = {
            "annotations": sorted(
                (authors[a["id"]], json.dumps(a["result"], sort_keys=True))
                for a in task["annotations"]
            ),
            "drafts": sorted(
                (authors.get(d["annotation"], 0), json.dumps(d["result"], sort_keys=True))
                for d in task["drafts"]
            ),
            "predictions": sorted(
                json.dumps(p["result"], sort_keys=True)
                for p in predictions
                if p["task"] == task["id"]
            ),
        }
    config = client.get_json(f"/api/projects/{project_id}/")["label_config"]
    return {"tasks": out, "config": config}


def label_counts(project_state: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for task in project_state["tasks"].values():
        for item in [r for _, r in task["annotations"]] + task["predictions"]:
            for result in json.loads(item):
                value = result.get("value") or {}
                counts.update(value.get("labels") or [])
                counts.update(value.get("choices") or [])
    return counts


def test_apply_migrates_every_item(
    client: Client, project_title: str, schema_copy, tmp_path: Path
) -> None:
    schemas = new_schemas(schema_copy)
    plan = parse_plan(PLAN)
    project_id = build_project(client, project_title)
    before = state(client, project_id)

    dry = preview(client, project_title, plan, schemas)
    assert state(client, project_id) == before  # a dry run changes nothing
    values = {(v.control, v.value): v for v in dry.impact.values.values()}
    org = values[("entities", "ORG")]
    assert org.items == {"annotations": 4, "predictions": 2, "drafts": 2}
    assert org.annotators == {"ann-a@example.com", "ann-b@example.com", "admin@annotate.local"}
    assert len(org.tasks) == 2
    event = values[("entities", "EVENT")]
    assert event.dropped == 2 * (1 + 1 + 1 + 1)  # per task: annotation a, prediction, 2 drafts
    assert {d["text"] for d in dry.impact.dropped} == {"Olympics"}

    report = apply(client, project_title, plan, schemas, tmp_path / "records")
    assert report.state == "complete" and report.skipped == 0
    after = state(client, project_id)
    counts_before, counts_after = label_counts(before), label_counts(after)
    assert counts_after["ORGANIZATION"] == counts_before["ORG"]
    assert counts_after["GPE"] == counts_before["GPE"] + counts_before["LOC"]
    assert counts_after["reported"] == counts_before["paraphrase"]
    assert counts_after["quote"] == counts_before["quote"]  # c3 stays, without its speaker
    for gone in ("ORG", "LOC", "EVENT", "paraphrase"):
        assert counts_after[gone] == 0
    for task in after["tasks"].values():  # nothing duplicated or lost, drafts still attached
        assert len(task["annotations"]) == 2 and len(task["predictions"]) == 1
        assert sorted(a == 0 for a, _ in task["drafts"]) == [False, True]
    described = client.get_json(f"/api/projects/{project_id}/")["description"]
    assert f"annotate schema version: {schemas.version}" in described

    pulled = tmp_path / "fresh.json"
    pull(client, project_title, pulled, schemas)
    validation = validate_export(pulled, schemas)
    assert validation.ok, validation.to_text()
    assert validation.valid == 4
    assert main(["validate", str(pulled), "--schemas", str(schemas.directory)]) == 0
    assert main(["validate", str(pulled)]) == 1  # the old schemas no longer fit

    again = apply(client, project_title, plan, schemas, tmp_path / "records")
    assert again.sent == 0 and state(client, project_id) == after


def test_plan_missing_a_retired_value_is_refused(
    client: Client, project_title: str, schema_copy, tmp_path: Path
) -> None:
    schemas = new_schemas(schema_copy)
    push(client, documents(1), project_title)
    partial = parse_plan({"rename": {"entities": {"ORG": "ORGANIZATION"}}})
    with pytest.raises(PlanError) as info:
        apply(client, project_title, partial, schemas, tmp_path / "records")
    message = str(info.value)
    assert "3 retired value(s) not covered" in message
    for value in ("entities.LOC", "entities.EVENT", "claims_type.paraphrase"):
        assert f"field {value}: retired by the new schemas but not covered" in message
    assert not (tmp_path / "records").exists()  # nothing backed up, nothing changed


def test_values_outside_the_config_must_be_covered_too(
    client: Client, project_title: str, schema_copy, tmp_path: Path
) -> None:
    """Label Studio takes a prediction with a label its config lacks: the plan must cover it."""
    schemas = new_schemas(schema_copy)
    report = push(client, documents(1), project_title)
    [task] = client.get_json("/api/tasks", project=report.project.id)["tasks"]
    add_prediction(
        client, task["id"], {"model_version": "x@1", "result": [entity("p", "Sochi", "CITY")]}
    )
    with pytest.raises(PlanError, match=r"field entities\.CITY: retired by the new schemas"):
        apply(client, project_title, parse_plan(PLAN), schemas, tmp_path / "records")
    assert list((tmp_path / "records").iterdir()) == []  # no record, the backup removed
    covered = {**PLAN, "drop": {"entities": ["EVENT", "CITY"]}}
    done = apply(client, project_title, parse_plan(covered), schemas, tmp_path / "records")
    assert done.impact.values[("entities", "CITY")].dropped == 1


def _twin(client: Client, title: str, schemas: SchemaSet, records: Path) -> dict[str, Any]:
    """An uninterrupted migration of an identical project: what every resumed run must equal."""
    project_id = build_project(client, title)
    apply(client, title, parse_plan(PLAN), schemas, records)
    return state(client, project_id)


def test_fault_mid_migration_then_rerun_equals_uninterrupted(
    fault_proxy, label_studio, project_title: str, schema_copy, tmp_path: Path
) -> None:
    schemas = new_schemas(schema_copy)
    direct = Client(label_studio.connection)
    expected = _twin(direct, project_title[:40] + " twin", schemas, tmp_path / "twin")
    project_id = build_project(direct, project_title)
    flaky = Client(Connection(fault_proxy.url, label_studio.credentials.token), 2, 0.01)
    fault_proxy.fail("PATCH", "/api/predictions/", times=1, forward_first=True)  # landed, 503
    fault_proxy.fail("PATCH", "/api/annotations/", times=2)  # second try fails too: stop
    with pytest.raises(LabelStudioError, match="run the same command again to finish it"):
        apply(flaky, project_title, parse_plan(PLAN), schemas, tmp_path / "records")
    assert direct.get_json(f"/api/projects/{project_id}/")["label_config"] != expected["config"]
    report = apply(flaky, project_title, parse_plan(PLAN), schemas, tmp_path / "records")
    assert report.skipped > 0  # the steps done before the fault are not sent again
    assert state(direct, project_id) == expected


def test_killed_process_then_rerun_equals_uninterrupted(
    ls_env, project_title: str, schema_copy, tmp_path: Path
) -> None:
    schemas = new_schemas(schema_copy)
    client = Client(ls_env.connection)
    expected = _twin(client, project_title[:40] + " twin", schemas, tmp_path / "twin")
    project_id = build_project(client, project_title, n=8)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    args = ["migrate", "--project", project_title, "--plan", str(plan), "--apply"]
    args += ["--schemas", str(schemas.directory), "--record-dir", str(tmp_path / "records")]
    run = "import sys; from annotate.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    process = subprocess.Popen([sys.executable, "-c", run, *args], env=env, cwd=tmp_path)
    progress: list[Path] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        progress = list((tmp_path / "records").glob("*.progress.jsonl"))
        if progress and len(progress[0].read_text(encoding="utf-8").splitlines()) >= 5:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the migration ended before it was killed"
    done = len(progress[0].read_text(encoding="utf-8").splitlines())
    assert client.get_json(f"/api/projects/{project_id}/")["label_config"] != expected["config"]

    assert main(args) == 0  # the same command again, in this process
    after = state(client, project_id)
    assert after["config"] == expected["config"]
    twin_task = next(iter(expected["tasks"].values()))
    assert all(task == twin_task for task in after["tasks"].values())
    total = len(progress[0].read_text(encoding="utf-8").splitlines())
    assert done < total  # killed part-way, and each step logged once
    lines = progress[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))


def test_undo_restores_annotations_and_config(
    ls_env, project_title: str, schema_copy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schemas = new_schemas(schema_copy)
    client = Client(ls_env.connection)
    project_id = build_project(client, project_title)
    before = state(client, project_id)
    description = client.get_json(f"/api/projects/{project_id}/")["description"]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    dry = ["migrate", "--project", project_title, "--plan", str(plan)]
    assert main([*dry, "--schemas", str(schemas.directory)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^entities:ORG +→ ORGANIZATION +4 +2 +2 +12 +0 +2$", out, re.MULTILINE)
    assert "dry run on project" in out and "nothing changed" in out
    assert state(client, project_id) == before

    report = apply(client, project_title, parse_plan(PLAN), schemas, tmp_path / "records")
    assert state(client, project_id) != before
    assert report.record is not None
    assert main(["migrate", "--undo", str(report.record)]) == 0
    assert "restored from" in capsys.readouterr().out
    assert state(client, project_id) == before
    assert client.get_json(f"/api/projects/{project_id}/")["description"] == description
    assert require_project(client, project_title).label_config == before["config"]
    assert undo(client, report.record).sent == 0  # undoing twice changes nothing
