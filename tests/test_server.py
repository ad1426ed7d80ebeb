"""The embedded default server, against the real label-studio package."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import httpx
import pytest

from annotate.errors import ServerError
from annotate.labelstudio.server import LocalServer, free_port

pytestmark = pytest.mark.server


def test_server_runs_on_loopback_with_private_credentials(label_studio) -> None:
    server: LocalServer = label_studio.server
    assert label_studio.url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{label_studio.url}/health", timeout=5).json() == {"status": "UP"}
    mode = stat.S_IMODE(server.credentials_file.stat().st_mode)
    assert mode == 0o600
    token = label_studio.credentials.token
    whoami = httpx.get(
        f"{label_studio.url}/api/current-user/whoami",
        headers={"Authorization": f"Token {token}"},
        timeout=5,
    )
    assert whoami.json()["email"] == label_studio.credentials.email


def test_start_is_idempotent(label_studio) -> None:
    server: LocalServer = label_studio.server
    before = server.status()
    again = server.start()
    assert again.running and again.pid == before.pid and again.url == before.url


def test_secrets_stay_out_of_logs_and_command_line(label_studio) -> None:
    server: LocalServer = label_studio.server
    creds = label_studio.credentials
    log = server.log_file.read_text(encoding="utf-8", errors="replace")
    status = server.status()
    cmdline = Path(f"/proc/{status.pid}/cmdline").read_bytes().decode(errors="replace")
    for secret in (creds.token, creds.password):
        assert secret not in log
        assert secret not in cmdline
        assert secret not in repr(creds)


def test_busy_port_is_refused(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            LocalServer(tmp_path).start(port=port)


def test_stop_only_stops_its_own_server(tmp_path, label_studio) -> None:
    other = LocalServer(tmp_path)
    assert other.stop() is False  # nothing started from this folder
    assert label_studio.server.status().running
    port = free_port()
    assert not label_studio.url.endswith(f":{port}")  # the running server's port is not free
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))  # and the port it gives can be taken


def test_status_of_a_stopped_server_exits_2(tmp_path, monkeypatch, capsys) -> None:
    from annotate.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["server", "status"]) == 2
    assert "not running" in capsys.readouterr().out
    assert main(["server", "stop"]) == 0


def test_status_from_a_subfolder_finds_the_running_server(
    tmp_path, label_studio, monkeypatch, capsys
) -> None:
    from annotate.cli import main

    project = tmp_path / "project"
    (project / ".annotate").mkdir(parents=True)
    (project / ".annotate" / "server").symlink_to(label_studio.server.home)
    deep = project / "notes" / "2026"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert main(["server", "status"]) == 0
    out = capsys.readouterr().out
    assert f"embedded server running at {label_studio.url}" in out
    assert "start it with" not in out


def test_server_data_folder_is_private(label_studio) -> None:
    server: LocalServer = label_studio.server
    database = server.data_dir / "label_studio.sqlite3"
    assert database.exists()
    assert stat.S_IMODE(server.home.stat().st_mode) == 0o700
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(server.state_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(server.log_file.stat().st_mode) == 0o600


def test_a_team_server_is_refused_while_the_embedded_one_runs(label_studio) -> None:
    from annotate.labelstudio.teamserver import TeamServer

    home = label_studio.server.home
    message = f"the embedded server already runs at {label_studio.url}"
    with pytest.raises(ServerError, match=message):
        TeamServer(home).start()
    assert label_studio.server.status().running
