"""Finding the server's state folder, keeping its port, keeping it private (no server needed)."""

from __future__ import annotations

import socket
import stat

import pytest

from annotate.errors import ServerError
from annotate.labelstudio.postgres import Database
from annotate.labelstudio.server import (
    LocalServer,
    ServerState,
    choose_port,
    client_url,
    find_home,
    make_private,
    open_server,
)


def test_find_home_searches_upward_like_git(tmp_path) -> None:
    home = tmp_path / "project" / ".annotate" / "server"
    home.mkdir(parents=True)
    deep = tmp_path / "project" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_home(deep) == home
    assert find_home(tmp_path / "project") == home


def test_find_home_without_state_is_the_start_folder(tmp_path) -> None:
    assert find_home(tmp_path) == tmp_path / ".annotate" / "server"


def test_port_is_kept_across_restarts_when_free(tmp_path) -> None:
    server = LocalServer(tmp_path)
    port = choose_port(None, None)
    previous = ServerState("embedded", "127.0.0.1", port, f"http://127.0.0.1:{port}")
    assert server._planned_state(None, previous).port == port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        moved = server._planned_state(None, previous).port
        assert moved != port
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            server._planned_state(port, previous)


def test_stop_keeps_the_port_for_the_next_start(tmp_path) -> None:
    server = LocalServer(tmp_path)
    ServerState("embedded", "127.0.0.1", 54321, "http://127.0.0.1:54321", 999999).write(
        server.state_file
    )
    assert server.stop() is False  # pid 999999 is not our server
    state = server.state()
    assert state is not None and state.pid is None and state.port == 54321
    assert not server.status().running


def test_open_server_picks_the_recorded_kind(tmp_path) -> None:
    from annotate.labelstudio.teamserver import TeamServer

    assert type(open_server(tmp_path)) is LocalServer
    ServerState("team", "0.0.0.0", 8080, "http://127.0.0.1:8080", workers=3).write(
        tmp_path / "server.json"
    )
    team = open_server(tmp_path)
    assert isinstance(team, TeamServer)
    assert team.workers == 3 and team.host == "0.0.0.0"


def test_make_private(tmp_path) -> None:
    (tmp_path / "data" / "media").mkdir(parents=True)
    db = tmp_path / "data" / "label_studio.sqlite3"
    db.write_text("x")
    db.chmod(0o644)
    make_private(tmp_path)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "media").stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_client_url_reaches_a_wildcard_bind_over_loopback() -> None:
    assert client_url("0.0.0.0", 8080) == "http://127.0.0.1:8080"
    assert client_url("10.1.2.3", 80) == "http://10.1.2.3:80"


def test_database_url_never_shows_its_password() -> None:
    db = Database.from_url("postgresql://ls:s%40cret@db.example.org:6543/labels")
    assert (db.user, db.password, db.host, db.port, db.name) == (
        "ls",
        "s@cret",
        "db.example.org",
        6543,
        "labels",
    )
    assert "s@cret" not in db.public() and "s@cret" not in repr(db)
    assert db.public() == "postgresql://ls@db.example.org:6543/labels"
    assert Database.from_url(db.url()) == db
    assert db.env()["POSTGRE_PASSWORD"] == "s@cret"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:p@h/db", "got a mysql URL"),
        ("postgresql://h/db", "user, host and database name are required"),
        ("postgresql://u:p@h:port/db", "the port is not a number"),
    ],
)
def test_bad_database_urls_are_refused_without_echoing_them(url: str, message: str) -> None:
    with pytest.raises(ServerError, match=message) as caught:
        Database.from_url(url)
    assert ":p@" not in str(caught.value)
