"""Shared fixtures. Integration tests talk to a real Label Studio started here on 127.0.0.1
with a temporary data folder; if the server cannot start, they fail (they never skip)."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from annotate.cli import main
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.server import Credentials, LocalServer

if TYPE_CHECKING:
    from annotate.labelstudio.teamserver import TeamServer
from annotate.schema import SchemaSet, default_schema_dir

# Property tests: a bounded number of examples; in CI (CI set) a fixed seed and no example
# database, so a run is reproducible. HYPOTHESIS_PROFILE=thorough looks harder, locally.
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", settings.get_profile("default"), derandomize=True, database=None)
settings.register_profile("thorough", settings.get_profile("default"), max_examples=2000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus" / "sochi-2017"


@dataclass(frozen=True)
class LiveServer:
    url: str
    credentials: Credentials
    server: LocalServer

    @property
    def connection(self) -> Connection:
        return Connection(self.url, self.credentials.token)


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LocalServer(tmp_path_factory.mktemp("label-studio"))
    status = server.start()
    assert status.url is not None
    try:
        yield LiveServer(status.url, server.credentials(), server)
    finally:
        server.stop()


@pytest.fixture
def client(label_studio: LiveServer) -> Client:
    return Client(label_studio.connection)


@pytest.fixture
def project_title(request: pytest.FixtureRequest) -> str:
    return f"{request.node.name[:40]} {uuid.uuid4().hex[:8]}"  # Label Studio allows 50 chars


@pytest.fixture
def ls_env(label_studio: LiveServer, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    """Point the CLI at the test server through the documented environment variables."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.credentials.token)
    return label_studio


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    return SchemaSet()


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse rejected an argument
        return exc.code if isinstance(exc.code, int) else 2


@pytest.fixture(scope="session")
def cli() -> Callable[[list[str]], int]:
    """Runs the command line in this process; the exit code a shell would see, argparse's
    usage errors (exit 2) included."""
    return _exit_code


@pytest.fixture
def schema_copy(
    tmp_path: Path,
) -> Callable[[Callable[[dict[str, dict[str, Any]]], None]], SchemaSet]:
    """Make a copy of the shipped schemas, let a test edit them, and load the copy."""

    def make(edit: Callable[[dict[str, dict[str, Any]]], None]) -> SchemaSet:
        folder = tmp_path / f"schemas-{uuid.uuid4().hex[:6]}"
        shutil.copytree(default_schema_dir(), folder)
        loaded = {
            p.name.split(".")[0]: json.loads(p.read_text(encoding="utf-8"))
            for p in folder.glob("*.schema.json")
        }
        edit(loaded)
        for name, schema in loaded.items():
            (folder / f"{name}.schema.json").write_text(json.dumps(schema), encoding="utf-8")
        return SchemaSet(folder)

    return make


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 in front of the test server that can inject faults.

    ``fail(method, path_fragment, times, forward_first)`` makes the next ``times`` matching
    requests answer 503; with ``forward_first`` the request reaches the server first, which
    is what a load balancer timing out on a slow import looks like.
    """

    def __init__(self, upstream: str) -> None:
        import http.server
        import threading

        import httpx

        self.upstream = upstream
        self.rules: list[dict[str, object]] = []
        self.seen: list[tuple[str, str, int]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rule = proxy._match(self.command, self.path)
                status = 0
                if rule is None or rule["forward_first"]:
                    headers = {
                        k: v
                        for k, v in self.headers.items()
                        if k.lower() not in {"host", "content-length", "accept-encoding"}
                    }
                    upstream = httpx.request(
                        self.command,
                        proxy.upstream + self.path,
                        content=body,
                        headers=headers,
                        timeout=120,
                    )
                    status = upstream.status_code
                proxy.seen.append((self.command, self.path, 503 if rule else status))
                if rule is not None:
                    self.send_response(503)
                    self.send_header("Content-Type", "application/json")
                    payload = b'{"detail": "injected fault"}'
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in {
                        "content-length",
                        "transfer-encoding",
                        "content-encoding",
                        "connection",
                    }:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def fail(self, method: str, fragment: str, times: int = 1, forward_first: bool = False) -> None:
        self.rules.append(
            {"method": method, "fragment": fragment, "left": times, "forward_first": forward_first}
        )

    def _match(self, method: str, path: str) -> dict[str, object] | None:
        for rule in self.rules:
            if rule["method"] == method and str(rule["fragment"]) in path and int(rule["left"]) > 0:  # type: ignore[call-overload]
                rule["left"] = int(rule["left"]) - 1  # type: ignore[call-overload]
                return rule
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fault_proxy(label_studio: LiveServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(label_studio.url)
    try:
        yield proxy
    finally:
        proxy.close()


@dataclass(frozen=True)
class LiveTeamServer:
    url: str
    credentials: Credentials
    server: TeamServer
    project_dir: Path


@pytest.fixture(scope="session")
def team_server() -> Iterator[LiveTeamServer]:
    """The team server (its own private PostgreSQL cluster, 2 gunicorn workers) on loopback,
    one per session. Its project folder is made outside pytest's private temp folder: under
    root the cluster runs as the ``postgres`` user, which must be able to enter it."""
    import tempfile

    from annotate.labelstudio.teamserver import TeamServer

    root = Path(tempfile.mkdtemp(prefix="annotate-team-"))
    root.chmod(0o711)
    project_dir = root / "project"
    server = TeamServer(project_dir / ".annotate" / "server", workers=2)
    try:
        status = server.start()
        assert status.url is not None
        yield LiveTeamServer(status.url, server.credentials(), server, project_dir)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright driver for the whole session: a second ``sync_playwright()`` cannot
    start while another one runs, so every browser test shares this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver
