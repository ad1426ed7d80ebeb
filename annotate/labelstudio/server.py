"""The embedded default: a local Label Studio on SQLite, bound to 127.0.0.1.

State lives in a project-local folder (``.annotate/server`` by default):

- ``credentials.json`` (mode 0600): the admin login and API token, made on first start;
- ``server.json``: pid, port and URL of the running server;
- ``data/``: Label Studio's data directory (SQLite database, uploads);
- ``server.log``: the server's output.

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
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from annotate.atomic import atomic_write_text
from annotate.errors import ServerError

DEFAULT_HOME = Path(".annotate") / "server"
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@annotate.local"
START_TIMEOUT = 300.0


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
    """What server.json records about the running server."""

    pid: int
    port: int
    url: str


@dataclass(frozen=True)
class ServerStatus:
    """Whether the local server runs, and where."""

    running: bool
    url: str | None
    pid: int | None
    home: Path
    email: str | None = None


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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


class LocalServer:
    """Start, stop and inspect the local Label Studio whose state lives in ``home``."""

    def __init__(self, home: Path | str = DEFAULT_HOME) -> None:
        self.home = Path(home).absolute()
        self.credentials_file = self.home / "credentials.json"
        self.state_file = self.home / "server.json"
        self.data_dir = self.home / "data"
        self.log_file = self.home / "server.log"

    def credentials(self) -> Credentials:
        """The stored admin credentials, created (mode 0600) on first use."""
        if self.credentials_file.exists():
            data = json.loads(self.credentials_file.read_text(encoding="utf-8"))
            return Credentials(data["email"], data["password"], data["token"])
        creds = Credentials.generate()
        self.home.mkdir(parents=True, exist_ok=True)
        payload = {"email": creds.email, "password": creds.password, "token": creds.token}
        fd = os.open(self.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
        return creds

    def status(self) -> ServerStatus:
        """Running or not; a stale state file (dead pid) counts as not running."""
        state = self._state()
        if state is None or not self._alive(state.pid):
            return ServerStatus(False, None, None, self.home)
        email = self.credentials().email if self.credentials_file.exists() else None
        return ServerStatus(True, state.url, state.pid, self.home, email)

    def start(self, port: int | None = None, timeout: float = START_TIMEOUT) -> ServerStatus:
        """Start the server unless it already runs, and wait until it answers /health."""
        current = self.status()
        if current.running:
            return current
        port = port or free_port()
        if not _port_is_free(port):
            raise ServerError(f"port {port} on {HOST} is already in use; pick another with --port")
        creds = self.credentials()
        process = self._spawn(port, creds)
        url = f"http://{HOST}:{port}"
        self._write_state(process.pid, port, url)
        try:
            self._wait_healthy(process, url, creds, timeout)
        except ServerError:
            self._terminate(process.pid)
            self.state_file.unlink(missing_ok=True)
            raise
        return ServerStatus(True, url, process.pid, self.home, creds.email)

    def stop(self) -> bool:
        """Stop the server this folder started (by its pid); False when none was running."""
        state = self._state()
        self.state_file.unlink(missing_ok=True)
        if state is None or not self._alive(state.pid):
            return False
        self._terminate(state.pid)
        return True

    def _spawn(self, port: int, creds: Credentials) -> subprocess.Popen[bytes]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
            "LATEST_VERSION_CHECK": "false",
            "LABEL_STUDIO_USERNAME": creds.email,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "COLLECT_ANALYTICS": "false",
            "SENTRY_DSN": "",  # no error reports leave the machine
            "FRONTEND_SENTRY_DSN": "",
        }
        command = [
            label_studio_executable(),
            "start",
            "--no-browser",
            "--internal-host",
            HOST,
            "-p",
            str(port),
            "--enable-legacy-api-token",
        ]
        with self.log_file.open("ab") as log:
            return subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                start_new_session=True,
            )

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
            if self._healthy(url) and self._owns(url, creds):
                return
            time.sleep(0.5)
        raise ServerError(
            f"Label Studio did not answer {url}/health within {timeout:.0f} s "
            f"(it may have taken another port); see {self.log_file}"
        )

    @staticmethod
    def _healthy(url: str) -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == httpx.codes.OK
        except httpx.HTTPError:
            return False

    @staticmethod
    def _owns(url: str, creds: Credentials) -> bool:
        """True when the server on ``url`` is ours: it knows our token and our admin."""
        headers = {"Authorization": f"Token {creds.token}"}
        try:
            response = httpx.get(f"{url}/api/current-user/whoami", headers=headers, timeout=5)
        except httpx.HTTPError:
            return False
        return (
            response.status_code == httpx.codes.OK and response.json().get("email") == creds.email
        )

    def _state(self) -> ServerState | None:
        if not self.state_file.exists():
            return None
        data = json.loads(self.state_file.read_text(encoding="utf-8"))
        return ServerState(int(data["pid"]), int(data["port"]), str(data["url"]))

    def _write_state(self, pid: int, port: int, url: str) -> None:
        state = {"pid": pid, "port": port, "url": url, "data_dir": str(self.data_dir)}
        atomic_write_text(self.state_file, json.dumps(state, indent=2) + "\n")

    def _alive(self, pid: int) -> bool:
        """True when ``pid`` runs and is a Label Studio started with our data folder."""
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return False
        return b"label-studio" in cmdline and str(self.data_dir).encode() in environ

    def _terminate(self, pid: int, grace: float = 20.0) -> None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and not _gone(pid):
            time.sleep(0.2)
        if not _gone(pid):
            os.killpg(pid, signal.SIGKILL)


def _gone(pid: int) -> bool:
    """True once ``pid`` has exited (reaping it when it is our child)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"
