"""Incremental and paged pulls against a real Label Studio: a pull after changes equals a
fresh full pull byte for byte; failures are located and leave the previous snapshot alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import annotate.labelstudio.pull as pull_module
from annotate.errors import LabelStudioError
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.exportfile import read_export
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import PushOptions, push
from annotate.records import Document

pytestmark = pytest.mark.server


def documents(first: int, count: int) -> list[Document]:
    return [
        Document(f"inc-{i:03d}", f"Document {i} about Sochi.", "W", "2017-11-21", "en")
        for i in range(first, first + count)
    ]


def entity(label: str = "PERSON") -> list[dict[str, Any]]:
    value = {"start": 0, "end": 8, "text": "Document", "labels": [label]}
    return [
        {"id": "r1", "from_name": "entities", "to_name": "text", "type": "labels", "value": value}
    ]


def request(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    wrapper = client.sdk._client_wrapper
    response = wrapper.httpx_client.httpx_client.request(
        method, f"{client.url}{path}", json=body, headers=wrapper.get_headers()
    )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def annotate_task(client: Client, task_id: int, **fields: Any) -> int:
    body = {"result": entity(), "ground_truth": False, **fields}
    return int(request(client, "POST", f"/api/tasks/{task_id}/annotations/", body)["id"])


def task_ids(client: Client, project_id: int) -> list[int]:
    answer = client.get_json("/api/tasks/", project=project_id, page_size=1000, include="id")
    return sorted(int(t["id"]) for t in answer["tasks"])


def test_pull_after_changes_equals_a_fresh_full_pull(
    client: Client, project_title: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pull_module, "CHUNK", 3)  # several export requests per pull
    report = push(client, documents(0, 12), project_title, PushOptions(batch_size=100))
    project_id = report.project.id
    ids = task_ids(client, project_id)
    changed, deleted_annotation = annotate_task(client, ids[0]), annotate_task(client, ids[1])
    annotate_task(client, ids[2])
    snapshot = tmp_path / "new folder" / "pulled.json"  # made by the pull
    first = pull(client, project_title, snapshot)
    assert (first.tasks, first.annotations, first.fetched, first.incremental) == (12, 3, 12, False)

    request(client, "PATCH", f"/api/annotations/{changed}/", {"result": entity("ORG")})
    request(client, "DELETE", f"/api/annotations/{deleted_annotation}/")
    annotate_task(client, ids[3])
    annotate_task(client, ids[4], was_cancelled=True, result=[])
    request(client, "POST", f"/api/tasks/{ids[5]}/drafts", {"result": entity(), "lead_time": 1})
    client.sdk.tasks.delete(id=ids[6])
    push(client, documents(12, 2), project_title, PushOptions(batch_size=100))

    second = pull(client, project_title, snapshot)
    fresh = pull(client, project_title, tmp_path / "fresh.json", full=True)
    assert snapshot.read_bytes() == (tmp_path / "fresh.json").read_bytes()
    assert second.incremental and not fresh.incremental
    assert second.listed_every_task  # a task was deleted: only a whole listing shows which
    # changed, deleted annotation, added, cancelled, draft, and the two new tasks
    assert (second.fetched, fresh.fetched) == (7, 13)
    assert (second.tasks, second.annotations, second.cancelled) == (13, 4, 1)
    tasks = {t["id"]: t for t in read_export(snapshot)}
    assert ids[6] not in tasks
    assert tasks[ids[1]]["annotations"] == []
    assert tasks[ids[0]]["annotations"][0]["result"][0]["value"]["labels"] == ["ORG"]
    assert len(tasks[ids[5]]["drafts"]) == 1
    assert list(tasks) == sorted(tasks)
    manifest = json.loads(snapshot.with_name("pulled.manifest.json").read_text())
    assert sorted(p.name for p in snapshot.parent.iterdir()) == [
        "pulled.json",
        "pulled.manifest.json",
    ]
    assert manifest["counts"] == {"tasks": 13, "annotations": 4, "cancelled": 1}

    third = pull(client, project_title, snapshot)  # nothing changed but the draft
    assert (third.fetched, third.incremental, third.listed_every_task) == (1, True, False)
    assert snapshot.read_bytes() == (tmp_path / "fresh.json").read_bytes()


def test_an_interrupted_incremental_pull_leaves_the_previous_snapshot(
    label_studio: Any, fault_proxy: Any, project_title: str, tmp_path: Path
) -> None:
    client = Client(Connection(fault_proxy.url, label_studio.credentials.token), backoff=0.01)
    report = push(client, documents(0, 4), project_title, PushOptions(batch_size=100))
    ids = task_ids(client, report.project.id)
    snapshot = tmp_path / "pulled.json"
    pull(client, project_title, snapshot)
    before = snapshot.read_bytes(), snapshot.with_name("pulled.manifest.json").read_bytes()
    annotate_task(client, ids[0])
    fault_proxy.fail("GET", "/export", times=4)
    with pytest.raises(LabelStudioError, match=r"export of 1 task\(s\) of project .* after 4"):
        pull(client, project_title, snapshot)
    after = snapshot.read_bytes(), snapshot.with_name("pulled.manifest.json").read_bytes()
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pulled.json", "pulled.manifest.json"]
    again = pull(client, project_title, snapshot)
    assert (again.incremental, again.fetched, again.annotations) == (True, 1, 1)
    assert not again.listed_every_task


def test_a_task_deleted_while_pulling_is_a_located_error(
    client: Client, project_title: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pull_module, "CHUNK", 2)
    report = push(client, documents(0, 5), project_title, PushOptions(batch_size=100))
    ids = task_ids(client, report.project.id)

    def delete_the_fourth(done: int, total: int) -> None:
        if done == 1:  # after the listing, before the chunk holding the fourth task
            client.sdk.tasks.delete(id=ids[3])

    progress: Callable[[int, int], None] = delete_the_fourth
    snapshot = tmp_path / "pulled.json"
    with pytest.raises(LabelStudioError) as failure:
        pull(client, project_title, snapshot, progress=progress)
    message = str(failure.value)
    assert f"missing [{ids[3]}]" in message and "asked for 2 task(s)" in message
    assert project_title in message
    assert not snapshot.exists()
    assert list(tmp_path.iterdir()) == []


def test_changes_made_while_pulling_are_fetched_by_the_next_pull(
    client: Client, project_title: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pull_module, "CHUNK", 2)
    report = push(client, documents(0, 4), project_title, PushOptions(batch_size=100))
    ids = task_ids(client, report.project.id)
    annotations = [annotate_task(client, task_id) for task_id in ids]

    def edit_during_the_pull(done: int, total: int) -> None:
        if done == 1:  # the first chunk is in; the second is not
            for annotation in (annotations[0], annotations[3]):
                request(client, "PATCH", f"/api/annotations/{annotation}/", {"result": []})

    snapshot = tmp_path / "pulled.json"
    pull(client, project_title, snapshot, progress=edit_during_the_pull)
    tasks = {t["id"]: t for t in read_export(snapshot)}
    assert tasks[ids[0]]["annotations"][0]["result"] != []  # fetched before the edit
    assert tasks[ids[3]]["annotations"][0]["result"] == []  # after it
    second = pull(client, project_title, snapshot)
    pull(client, project_title, tmp_path / "fresh.json", full=True)
    assert snapshot.read_bytes() == (tmp_path / "fresh.json").read_bytes()
    assert (second.listed_every_task, second.fetched) == (False, 1)


def test_cli_pulls_again_incrementally_and_fully_on_request(
    ls_env: Any,
    client: Client,
    cli: Callable[[list[str]], int],
    project_title: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = push(client, documents(0, 3), project_title, PushOptions(batch_size=100))
    out = str(tmp_path / "pulled.json")
    assert cli(["pull", "--project", project_title, "-o", out]) == 0
    assert "fetched 3 task(s) from the server (full pull)" in capsys.readouterr().out
    annotate_task(client, task_ids(client, report.project.id)[1])
    assert cli(["pull", "--project", project_title, "-o", out]) == 0
    printed = capsys.readouterr().out
    assert "fetched 1 task(s) from the server (changed since the last pull)" in printed
    assert "pulled 3 task(s), 1 annotation(s) (0 cancelled)" in printed
    assert cli(["pull", "--project", project_title, "-o", out, "--full"]) == 0
    assert "fetched 3 task(s) from the server (full pull)" in capsys.readouterr().out
