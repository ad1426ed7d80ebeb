"""The local Label Studio servers: the embedded default, and what the team server shares with it.

The embedded default is Label Studio on SQLite, bound to 127.0.0.1, for one person. Its state
lives in a project-local folder, ``.annotate/server``, found from any subfolder of the project
as git finds its repository (:func:`find_home`):

- ``credentials.json`` (0600): the admin login and API token, made on first start;
- ``server.json``: kind, host, port and URL of the server, and its pid while it runs; the port
  is kept across restarts (reused when free), so links given out keep working;
- ``data/``: Label Studio's data directory (SQLite database, uploads);
- ``server.log``: the server's output.

The folder is private: directories 0700, files 0600 (the SQLite database holds the API token).
Secrets reach the server through its environment, never its command line, and are never
printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from annotate.atomic import atomic_write_text
from annotate.errors import ServerError

STATE_DIR = Path(".annotate") / "server"
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@annotate.local"
START_TIMEOUT = 300.0
PRIVATE_UMASK = 0o077
QUIET_ENV = {
    "LATEST_VERSION_CHECK": "false",  # no call home for the latest version
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",  # no error reports leave the machine
    "FRONTEND_SENTRY_DSN": "",
}


@dataclass(frozen=True)
class Credentials:
    """The local admin's login and API token; repr hides the secrets."""

    email: str
    password: str = field(repr=False)
    token: str = field(repr=False)

    @classmethod
    def generate(cls) -> Credentials:
        return cls(ADMIN_EMAIL, secrets.token_urlsafe(18), secrets.token_hex(20))


@dataclass(frozen=True)
class ServerState:
    """What server.json records: where the server listens, and its pid while it runs."""

    kind: str
    host: str
    port: int
    url: str
    pid: int | None = None
    workers: int = 1
    database: str = "sqlite"

    @classmethod
    def read(cls, path: Path) -> ServerState | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            pid = data.get("pid")
            return cls(
                str(data.get("kind", "embedded")),
                str(data.get("host", HOST)),
                int(data["port"]),
                str(data["url"]),
                int(pid) if pid is not None else None,
                int(data.get("workers", 1)),
                str(data.get("database", "sqlite")),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, path: Path) -> None:
        data = {
            "kind": self.kind,
            "host": self.host,
            "port": self.port,
            "url": self.url,
            "pid": self.pid,
            "workers": self.workers,
            "database": self.database,
        }
        atomic_write_text(path, json.dumps(data, indent=2) + "\n")
        path.chmod(0o600)


@dataclass(frozen=True)
class ServerStatus:
    """Whether the server runs, and where; ``database`` never holds a password."""

    running: bool
    url: str | None
    pid: int | None
    home: Path
    email: str | None = None
    kind: str = "embedded"
    workers: int = 1
    database: str = "sqlite"
    port: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "kind": self.kind,
            "url": self.url,
            "pid": self.pid,
            "port": self.port,
            "workers": self.workers,
            "database": self.database,
            "home": str(self.home),
        }


def find_home(start: Path | str | None = None) -> Path:
    """The server state folder of the project that ``start`` (default: cwd) lies in.

    Searches ``start`` and its parents for ``.annotate/server``, as git looks for ``.git``;
    when none exists, the folder that would be made in ``start`` itself.
    """
    here = Path(start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / STATE_DIR
        if candidate.is_dir():
            return candidate.resolve()
    return here / STATE_DIR


def make_private(path: Path) -> None:
    """Make ``path`` and everything under it owner-only: 0700 folders, 0600 files.

    Entries owned by another user (a PostgreSQL cluster run as ``postgres``) are left alone.
    """
    path.mkdir(parents=True, exist_ok=True)
    uid = os.getuid()
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            _chmod_private(Path(root) / name, uid)
        dirs[:] = [d for d in dirs if (Path(root) / d).stat().st_uid == uid]
    _chmod_private(path, uid)


def _chmod_private(path: Path, uid: int) -> None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != uid:
        return
    path.chmod(0o700 if stat.S_ISDIR(info.st_mode) else 0o600)


def write_secret(path: Path, data: dict[str, str], exclusive: bool = True) -> None:
    """Write ``data`` as JSON to a new 0600 file (never one that exists, when ``exclusive``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def label_studio_executable() -> str:
    """The ``label-studio`` command: $ANNOTATE_LABEL_STUDIO, beside this Python, or on PATH."""
    candidates = [
        os.environ.get("ANNOTATE_LABEL_STUDIO"),
        str(Path(sys.executable).parent / "label-studio"),
        shutil.which("label-studio"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise ServerError(
        "the Label Studio server is not installed: run 'make install' (it puts it in "
        ".venv-server), or pip install 'annotate[server]', or set ANNOTATE_LABEL_STUDIO"
    )


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when ``port`` on ``host`` can be bound now by a server, which (as Label Studio's
    and gunicorn's do) reuses an address that only closed connections still hold."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def choose_port(requested: int | None, recorded: int | None, host: str = HOST) -> int:
    """--port when given (it must be free), else the recorded port when free, else a free one."""
    if requested is not None:
        if not port_is_free(requested, host):
            raise ServerError(
                f"port {requested} on {host} is already in use; pick another with --port"
            )
        return requested
    if recorded and port_is_free(recorded, host):
        return recorded
    return free_port(host)


def client_url(host: str, port: int) -> str:
    """The URL this machine reaches a server bound to ``host`` with (loopback for 0.0.0.0)."""
    reach = {"0.0.0.0": HOST, "::": "[::1]", "": HOST}.get(host, host)
    if ":" in reach and not reach.startswith("["):
        reach = f"[{reach}]"
    return f"http://{reach}:{port}"


def healthy(url: str) -> bool:
    """True when ``url/health`` answers 200."""
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


def owns(url: str, creds: Credentials) -> bool:
    """True when the server on ``url`` is ours: it knows our token and our admin."""
    headers = {"Authorization": f"Token {creds.token}"}
    try:
        response = httpx.get(f"{url}/api/current-user/whoami", headers=headers, timeout=5)
    except httpx.HTTPError:
        return False
    return response.status_code == httpx.codes.OK and response.json().get("email") == creds.email


def terminate(pid: int, grace: float = 20.0) -> None:
    """SIGTERM the process group of ``pid``, SIGKILL it after ``grace`` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and not gone(pid):
        time.sleep(0.2)
    if not gone(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def gone(pid: int) -> bool:
    """True once ``pid`` has exited (reaping it when it is our child)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat_line.rsplit(")", 1)[-1].split()[0] == "Z"


class LocalServer:
    """Start, stop and inspect the embedded Label Studio whose state lives in ``home``."""

    kind = "embedded"
    data_name = "data"

    def __init__(self, home: Path | str | None = None) -> None:
        self.home = Path(home).absolute() if home is not None else find_home()
        self.credentials_file = self.home / "credentials.json"
        self.state_file = self.home / "server.json"
        self.data_dir = self.home / self.data_name
        self.log_file = self.home / "server.log"

    def credentials(self) -> Credentials:
        """The stored admin credentials, created (mode 0600) on first use."""
        if self.credentials_file.exists():
            data = json.loads(self.credentials_file.read_text(encoding="utf-8"))
            return Credentials(data["email"], data["password"], data["token"])
        creds = Credentials.generate()
        self.home.mkdir(parents=True, exist_ok=True)
        payload = {"email": creds.email, "password": creds.password, "token": creds.token}
        write_secret(self.credentials_file, payload)
        return creds

    def state(self) -> ServerState | None:
        """What server.json records, or None."""
        return ServerState.read(self.state_file)

    def status(self) -> ServerStatus:
        """Running or not; a stale state (dead pid) counts as not running."""
        state = self.state()
        if state is None or state.pid is None or not self._alive(state.pid):
            kind = state.kind if state else self.kind
            return ServerStatus(False, None, None, self.home, kind=kind)
        email = self.credentials().email if self.credentials_file.exists() else None
        return ServerStatus(
            True,
            state.url,
            state.pid,
            self.home,
            email,
            state.kind,
            state.workers,
            state.database,
            state.port,
        )

    def start(self, port: int | None = None, timeout: float = START_TIMEOUT) -> ServerStatus:
        """Start the server unless it already runs, and wait until it answers /health."""
        current = self.status()
        if current.running:
            return current
        self._refuse_other_kind()
        self._prepare()
        previous = self.state()
        state = self._planned_state(port, previous)
        creds = self.credentials()
        process = self._spawn(state, creds)
        state = replace(state, pid=process.pid)
        state.write(self.state_file)
        try:
            self._wait_healthy(process, state.url, creds, timeout)
        except ServerError:
            terminate(process.pid)
            self._record_stopped()
            raise
        return self.status()

    def _refuse_other_kind(self) -> None:
        """One server per state folder: the other kind must be stopped first."""
        recorded = self.state()
        if recorded is None or recorded.kind == self.kind:
            return
        other = open_server(self.home).status()
        if other.running:
            raise ServerError(
                f"the {other.kind} server already runs at {other.url} from {self.home}; "
                "stop it first ('annotate server stop')"
            )

    def stop(self) -> bool:
        """Stop the server this folder started (by its pid); False when none was running."""
        state = self.state()
        self._record_stopped()
        if state is None or state.pid is None or not self._alive(state.pid):
            return False
        terminate(state.pid)
        return True

    def _prepare(self) -> None:
        make_private(self.home)

    def _planned_state(self, port: int | None, previous: ServerState | None) -> ServerState:
        chosen = choose_port(port, previous.port if previous else None, HOST)
        return ServerState(self.kind, HOST, chosen, client_url(HOST, chosen))

    def _record_stopped(self) -> None:
        """Forget the pid, keep the port (and the rest) for the next start."""
        state = self.state()
        if state is not None:
            replace(state, pid=None).write(self.state_file)

    def _env(self, creds: Credentials) -> dict[str, str]:
        return {
            **os.environ,
            **QUIET_ENV,
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
            "LABEL_STUDIO_USERNAME": creds.email,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        }

    def _spawn(self, state: ServerState, creds: Credentials) -> subprocess.Popen[bytes]:
        command = [
            label_studio_executable(),
            "start",
            "--no-browser",
            "--internal-host",
            state.host,
            "-p",
            str(state.port),
            "--enable-legacy-api-token",
        ]
        return self._popen(command, self._env(creds))

    def _popen(self, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Run ``command`` detached, in its own session, output to the log, files private."""
        with self._child_output() as output:
            return subprocess.Popen(command, env=env, start_new_session=True, **output)

    @contextlib.contextmanager
    def _child_output(self) -> Iterator[dict[str, Any]]:
        """How a child of the server runs: no input, output to the private log, in the state
        folder, creating private files."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.log_file.open("ab") as log:
            self.log_file.chmod(0o600)
            yield {
                "stdin": subprocess.DEVNULL,
                "stdout": log,
                "stderr": subprocess.STDOUT,
                "cwd": self.home,
                "umask": PRIVATE_UMASK,
            }

    def _wait_healthy(
        self, process: subprocess.Popen[bytes], url: str, creds: Credentials, timeout: float
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerError(
                    f"Label Studio exited with code {process.returncode} while starting; "
                    f"see {self.log_file}"
                )
            if healthy(url) and owns(url, creds):
                return
            time.sleep(0.5)
        raise ServerError(
            f"Label Studio did not answer {url}/health within {timeout:.0f} s "
            f"(it may have taken another port); see {self.log_file}"
        )

    def _alive(self, pid: int) -> bool:
        """True when ``pid`` runs and is a Label Studio started with our data folder."""
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return False
        ours = f"LABEL_STUDIO_BASE_DATA_DIR={self.data_dir}\0".encode()
        return (b"label-studio" in cmdline or b"gunicorn" in cmdline) and ours in environ


def open_server(home: Path | str | None = None) -> LocalServer:
    """The server recorded in ``home`` (default: found from cwd): embedded or team."""
    folder = Path(home).absolute() if home is not None else find_home()
    state = ServerState.read(folder / "server.json")
    if state is not None and state.kind == "team":
        from annotate.labelstudio.teamserver import TeamServer

        return TeamServer(folder)
    return LocalServer(folder)
