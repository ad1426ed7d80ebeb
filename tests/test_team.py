"""The team loop on the real team server (PostgreSQL, 2 gunicorn workers): three annotator
accounts made by ``annotate team add``, each working as themselves through their own login,
planned overlap, live status, agreement, adjudication and export; invite-only signup; no
secret in any output or log."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from annotate.cli import main
from annotate.errors import LabelStudioError
from annotate.labelstudio.accounts import add_member, log_in, own_token, sign_up
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.results import region_results
from annotate.records import Span
from annotate.schema import SchemaSet

pytestmark = [pytest.mark.team, pytest.mark.server]

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus" / "sochi-2017"
ANNOTATORS = ("ana@example.org", "ben@example.org", "chloe@example.org")
TITLE = "Team loop"


class Annotator:
    """One annotator acting as themselves: logged in with their own password and token."""

    def __init__(self, url: str, email: str, password: str) -> None:
        self.email = email
        self.password = password
        session = log_in(url, email, password)
        self.token = own_token(session, email)
        session.close()
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Token {self.token}"}, timeout=60
        )

    def next_task(self, project_id: int) -> dict[str, Any] | None:
        response = self.http.get(f"/api/projects/{project_id}/next")
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        response.raise_for_status()
        task: dict[str, Any] = response.json()
        return task

    def submit(self, task: dict[str, Any], result: list[dict[str, Any]], seconds: float) -> None:
        body = {"result": result, "lead_time": seconds, "was_cancelled": False}
        response = self.http.post(f"/api/tasks/{task['id']}/annotations/", json=body)
        assert response.status_code == httpx.codes.CREATED, response.text

    def skip(self, task: dict[str, Any]) -> None:
        body = {"result": [], "lead_time": 3.0, "was_cancelled": True}
        response = self.http.post(f"/api/tasks/{task['id']}/annotations/", json=body)
        assert response.status_code == httpx.codes.CREATED, response.text


def first_word(task: dict[str, Any], schemas: SchemaSet) -> list[dict[str, Any]]:
    """Every annotator marks the task's first word as a PERSON: full agreement, known counts."""
    text = str(task["data"]["text"])
    end = len(text.split()[0])
    span = Span("w1", 0, end, text[:end])
    return region_results(schemas.layers["entities"], span, {"label": "PERSON"})


def run(argv: list[str], capsys: pytest.CaptureFixture[str], outputs: list[str]) -> int:
    code = main(argv)
    captured = capsys.readouterr()
    outputs.append(captured.out + captured.err)
    return code


@pytest.fixture
def in_project(team_server, monkeypatch) -> Iterator[Path]:
    """Work from a subfolder of the team server's project, with no URL in the environment."""
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    folder = team_server.project_dir / "work"
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(folder)
    yield folder


def test_the_team_loop(team_server, in_project, capsys, schemas) -> None:
    outputs: list[str] = []
    assert run(["server", "status", "--format", "json"], capsys, outputs) == 0
    status = json.loads(outputs[-1])
    assert (status["kind"], status["workers"], status["running"]) == ("team", 2, True)
    assert status["database"].startswith("postgresql://annotate@127.0.0.1:")
    assert status["database"].endswith("/labelstudio")

    team = _accounts(team_server, in_project, capsys, outputs)
    push = ["push", str(CORPUS), "--project", TITLE, "--overlap", "2", "--overlap-share", "0.4"]
    assert run(push, capsys, outputs) == 0
    assert "to up to 2 annotator(s) on 40% of the tasks" in outputs[-1]
    project_id = int(outputs[-1].split("(id ")[1].split(")")[0])

    chloe = team[2]
    skipped = chloe.next_task(project_id)
    assert skipped is not None
    chloe.skip(skipped)
    assert run(["status", "--project", TITLE, "--format", "json"], capsys, outputs) == 0
    early = json.loads(outputs[-1])
    assert early["tasks"] == {
        "total": 5,
        "finished": 0,
        "in_progress": 0,
        "skipped": 1,
        "not_started": 4,
    }
    assert early["overlap"]["tasks_planned_multi"] == 2
    assert early["remaining_annotations"] == 7

    submitted = _label_everything(team, project_id, schemas)
    assert sum(submitted.values()) == 7  # 3 tasks once, 2 tasks twice
    _check_final_status(in_project, capsys, outputs, submitted)

    assert run(["team", "list", "--format", "json"], capsys, outputs) == 0
    members = {m["email"]: m for m in json.loads(outputs[-1])}
    assert sum(members[e]["annotations"] for e in ANNOTATORS) == 7
    assert members[chloe.email]["skipped"] == 1

    export = in_project / "export.json"
    assert run(["pull", "--project", TITLE, "-o", str(export)], capsys, outputs) == 0
    assert run(["agreement", str(export), "--format", "json"], capsys, outputs) == 0
    assert json.loads(outputs[-1])["compared_tasks"] == 2
    assert run(["adjudicate", str(export), "--project", f"{TITLE} review"], capsys, outputs) == 0
    dataset = in_project / "gold"
    assert run(["export", str(export), "-o", str(dataset)], capsys, outputs) == 0
    assert (dataset / "README.md").exists()

    _no_secret_anywhere(team_server, team, outputs)


def _accounts(team_server, in_project: Path, capsys, outputs: list[str]) -> list[Annotator]:
    """``annotate team add`` for three people, who then log in with their own passwords."""
    passwords = in_project / "passwords"
    assert run(["team", "add", *ANNOTATORS, "--passwords", str(passwords)], capsys, outputs) == 0
    logins = {}
    for email in ANNOTATORS:
        path = passwords / f"{email}.txt"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        lines = dict(line.split(": ", 1) for line in path.read_text().splitlines())
        logins[email] = lines["password"]
    team = [Annotator(team_server.url, e, logins[e]) for e in ANNOTATORS]
    for member in team:  # ordinary members, never superusers
        whoami = member.http.get("/api/current-user/whoami").json()
        assert whoami["email"] == member.email and not whoami.get("is_superuser", False)
    return team


def _label_everything(team: list[Annotator], project_id: int, schemas) -> dict[str, int]:
    """Each annotator in turn takes the next task of the stream, until none is left."""
    submitted = {m.email: 0 for m in team}
    for _ in range(10):
        progressed = False
        for member in team:
            task = member.next_task(project_id)
            if task is not None:
                seconds = 20.0 + submitted[member.email]
                member.submit(task, first_word(task, schemas), seconds)
                submitted[member.email] += 1
                progressed = True
        if not progressed:
            break
    return submitted


def _check_final_status(in_project: Path, capsys, outputs, submitted: dict[str, int]) -> None:
    report = in_project / "status.md"
    argv = ["status", "--project", TITLE, "--format", "json", "--report", str(report)]
    assert run(argv, capsys, outputs) == 0
    done = json.loads(outputs[-1])
    assert done["tasks"] == {
        "total": 5,
        "finished": 5,
        "in_progress": 0,
        "skipped": 0,
        "not_started": 0,
    }
    assert done["overlap"]["tasks_reached_multi"] == 2
    assert done["remaining_annotations"] == 0 and done["estimated_seconds_left"] == 0.0
    per_annotator = {a["annotator"]: a for a in done["annotators"]}
    for email, count in submitted.items():
        assert per_annotator.get(email, {"tasks": 0})["tasks"] == count
    assert per_annotator[ANNOTATORS[2]]["skipped"] == 1
    assert sum(a["regions"]["entities"] for a in done["annotators"]) == 7
    assert done["agreement"]["compared_tasks"] == 2
    entities = next(
        x for x in done["agreement"]["labels"] if x["layer"] == "entities" and x["label"] is None
    )
    assert entities["strict_f1"] == 1.0
    markdown = report.read_text()
    assert "## Tasks per annotator" in markdown and "█" in markdown


def _no_secret_anywhere(team_server, team: list[Annotator], outputs: list[str]) -> None:
    server = team_server.server
    database = server.database()
    secrets = [
        team_server.credentials.password,
        team_server.credentials.token,
        database.password,
        server.secret_key(),
    ]
    for member in team:
        secrets += [member.password, member.token]
    logs = [
        server.log_file.read_text(errors="replace"),
        server.cluster.log.read_text(errors="replace"),
    ]
    state = server.state_file.read_text()
    pid = server.status().pid
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    for secret in secrets:
        assert len(secret) >= 16
        for text in [*outputs, *logs, state, cmdline]:
            assert secret not in text
    for name in ("credentials.json", "cluster.json", "server.json", "secret-key.json"):
        assert stat.S_IMODE((server.home / name).stat().st_mode) == 0o600


def test_signup_needs_an_invite(team_server) -> None:
    with pytest.raises(LabelStudioError, match="HTTP 403"):
        sign_up(team_server.url, "mallory@example.org", "a long enough password 1", None)
    with pytest.raises(LabelStudioError, match="HTTP 403"):
        sign_up(team_server.url, "mallory@example.org", "a long enough password 1", "wrong")


def test_the_web_ui_and_its_static_files_are_served_by_gunicorn(team_server) -> None:
    page = httpx.get(f"{team_server.url}/user/login/", timeout=30)
    assert page.status_code == httpx.codes.OK
    assets = re.findall(r'(?:src|href)="(/(?:static|react-app)/[^"?]+\.(?:css|js))', page.text)
    assert len(assets) >= 3
    for asset in assets:
        response = httpx.get(f"{team_server.url}{asset}", timeout=30)
        assert response.status_code == httpx.codes.OK, asset
        assert len(response.content) > 100


def test_team_commands_work_against_a_url(team_server, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)  # no state folder here: only --url and the key say where
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", team_server.credentials.token)
    argv = ["team", "add", "eve@example.org", "--url", team_server.url, "--passwords", "pw"]
    assert main(argv) == 0
    assert (tmp_path / "pw" / "eve@example.org.txt").exists()
    assert main(["team", "list", "--url", team_server.url, "--format", "json"]) == 0
    out = capsys.readouterr().out
    emails = {m["email"] for m in json.loads(out[out.index("[") :])}
    assert {"eve@example.org", team_server.credentials.email} <= emails
    assert team_server.credentials.token not in out


def test_a_second_app_host_on_the_same_database_shares_data_and_sessions(team_server) -> None:
    """Scale-out as docs/leads.md describes it: another gunicorn on the same PostgreSQL,
    with the same admin credentials and the same SECRET_KEY, serves the same data, and a
    session logged in on one host is valid on the other."""
    import shutil

    from annotate.labelstudio.teamserver import TeamServer

    first = team_server.server
    home = team_server.project_dir.parent / "second-host" / ".annotate" / "server"
    home.mkdir(parents=True)
    for name in ("credentials.json", "secret-key.json"):
        shutil.copy(first.home / name, home / name)
    second = TeamServer(home, database_url=first.database().url())
    try:
        status = second.start()
        assert status.url is not None and status.url != team_server.url
        assert status.database == first.status().database  # one database, no password shown
        admin = Client(Connection(team_server.url, first.credentials().token))
        member = add_member(admin, "fay@example.org")
        session = log_in(team_server.url, member.email, member.password)
        cookies = dict(session.cookies.items())
        session.close()
        on_second = httpx.get(f"{status.url}/api/current-user/whoami", cookies=cookies, timeout=30)
        assert on_second.status_code == httpx.codes.OK
        assert on_second.json()["email"] == "fay@example.org"
    finally:
        second.stop()
    assert first.cluster.running() and first.status().running  # the first host is untouched


def test_a_restart_keeps_the_port_and_the_data(team_server) -> None:
    from annotate.labelstudio.server import open_server

    before = team_server.server.status()
    assert team_server.server.stop()
    assert not team_server.server.cluster.running()
    again = open_server(team_server.server.home)  # as a later 'annotate server start' would
    after = again.start()
    assert (after.kind, after.url, after.workers) == ("team", before.url, 2)
    admin = Client(Connection(after.url or "", team_server.credentials.token))
    emails = {u["email"] for u in admin.get_json("/api/users/")}
    assert team_server.credentials.email in emails
