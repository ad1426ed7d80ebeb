"""PostgreSQL for the team server: an existing server's URL, or a private cluster made here.

The private cluster is Debian's PostgreSQL (``initdb``, ``pg_ctl``, found through
``pg_config --bindir`` or ``/usr/lib/postgresql/*/bin``), created in the server's state
folder, listening on 127.0.0.1 only, with password (scram-sha-256) authentication. ``initdb``
refuses to run as root, so under root the cluster runs as the ``postgres`` user, which owns
its data folder. Its password lives in a 0600 file and reaches programs only through their
environment.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from annotate.errors import ServerError
from annotate.labelstudio.server import HOST, choose_port, free_port, write_secret

DB_NAME = "labelstudio"
DB_USER = "annotate"
CLUSTER_USER = "postgres"
TIMEOUT = 120.0


@dataclass(frozen=True)
class Database:
    """Where Label Studio's PostgreSQL database is; repr and :meth:`public` hide the password."""

    name: str
    user: str
    password: str = field(repr=False)
    host: str
    port: int

    @classmethod
    def from_url(cls, url: str) -> Database:
        """Parse ``postgresql://USER:PASSWORD@HOST:PORT/NAME``; errors never echo the password."""
        parts = urlsplit(url)
        if parts.scheme not in {"postgresql", "postgres"}:
            raise ServerError(
                f"--database: expected postgresql://USER:PASSWORD@HOST:PORT/NAME, "
                f"got a {parts.scheme or 'schemeless'} URL"
            )
        name = parts.path.lstrip("/")
        try:
            port = parts.port or 5432
        except ValueError as exc:
            raise ServerError("--database: the port is not a number") from exc
        if not (parts.hostname and parts.username and name):
            raise ServerError(
                "--database: expected postgresql://USER:PASSWORD@HOST:PORT/NAME "
                "(user, host and database name are required)"
            )
        password = unquote(parts.password or "")
        return cls(unquote(name), unquote(parts.username), password, parts.hostname, port)

    def url(self) -> str:
        """The full URL, password included: only for 0600 files."""
        user = quote(self.user, safe="")
        password = quote(self.password, safe="")
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{quote(self.name)}"

    def public(self) -> str:
        """The URL without the password, for status lines and logs."""
        return f"postgresql://{quote(self.user, safe='')}@{self.host}:{self.port}/{self.name}"

    def env(self) -> dict[str, str]:
        """What Label Studio reads to use this database."""
        return {
            "DJANGO_DB": "default",
            "POSTGRE_NAME": self.name,
            "POSTGRE_USER": self.user,
            "POSTGRE_PASSWORD": self.password,
            "POSTGRE_HOST": self.host,
            "POSTGRE_PORT": str(self.port),
        }


def postgres_bindir() -> Path:
    """The folder of Debian's PostgreSQL programs (``initdb``, ``pg_ctl``, ``psql``)."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found:
            candidates.append(Path(found))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    candidates += versions
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise ServerError(
        "PostgreSQL is not installed (no initdb/pg_ctl under pg_config --bindir or "
        "/usr/lib/postgresql/*/bin): apt-get install postgresql, or give --database "
        "postgresql://… for an existing server"
    )


def _version(path: Path) -> int:
    name = path.parent.name
    return int(name) if name.isdigit() else 0


class Cluster:
    """A private PostgreSQL cluster in ``folder``; its settings (0600) in ``settings_file``."""

    def __init__(self, folder: Path, settings_file: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.sockets = folder / "sockets"
        self.log = folder / "postgres.log"
        self.settings_file = settings_file
        self.runner = pwd.getpwnam(CLUSTER_USER) if os.geteuid() == 0 else None

    def database(self) -> Database | None:
        """The database settings recorded when the cluster was made."""
        try:
            data = json.loads(self.settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Database.from_url(str(data["url"]))

    def start(self) -> Database:
        """Create the cluster on first use, start it (on its recorded port when free)."""
        bindir = postgres_bindir()
        recorded = self.database()
        if recorded is None or not (self.data / "PG_VERSION").exists():
            recorded = self._initdb(bindir)
        if self.running():
            return recorded
        port = choose_port(None, recorded.port, HOST)
        database = Database(recorded.name, recorded.user, recorded.password, HOST, port)
        options = f"-c listen_addresses={HOST} -p {port} -k {self.sockets}"
        command = ["pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options]
        self._run(bindir, [*command, "-w", "-t", "60", "start"])
        self._save(database)
        self._create_database(bindir, database)
        return database

    def running(self) -> bool:
        """True when the cluster's postmaster runs."""
        if not (self.data / "PG_VERSION").exists():
            return False
        result = self._run(
            postgres_bindir(), ["pg_ctl", "-D", str(self.data), "status"], check=False
        )
        return result.returncode == 0

    def stop(self) -> bool:
        """Stop the cluster (fast shutdown); False when it was not running."""
        if not self.running():
            return False
        self._run(postgres_bindir(), ["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])
        return True

    def _initdb(self, bindir: Path) -> Database:
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(mode=0o700, parents=True)
        self.sockets.mkdir(mode=0o700)
        password = secrets.token_urlsafe(24)
        pwfile = self.folder / "pwfile"
        pwfile.write_text(password + "\n", encoding="utf-8")
        pwfile.chmod(0o600)
        if self.runner is not None:
            for path in (self.folder, self.sockets, pwfile):
                os.chown(path, self.runner.pw_uid, self.runner.pw_gid)
        command = ["initdb", "-D", str(self.data), "-U", DB_USER, "--auth=scram-sha-256"]
        command += [f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C"]
        try:
            self._run(bindir, command)
        finally:
            pwfile.unlink(missing_ok=True)
        database = Database(DB_NAME, DB_USER, password, HOST, free_port(HOST))
        self._save(database)
        return database

    def _save(self, database: Database) -> None:
        if self.settings_file.exists():
            self.settings_file.unlink()
        write_secret(self.settings_file, {"url": database.url(), "private": "true"})

    def _create_database(self, bindir: Path, database: Database) -> None:
        query = f"SELECT 1 FROM pg_database WHERE datname = '{database.name}'"
        found = self._psql(bindir, database, ["-tAc", query]).stdout.strip()
        if found != "1":
            self._psql(bindir, database, ["-c", f'CREATE DATABASE "{database.name}"'])

    def _psql(
        self, bindir: Path, database: Database, args: list[str]
    ) -> subprocess.CompletedProcess[str]:
        command = ["psql", "-h", HOST, "-p", str(database.port), "-U", database.user]
        secret = {"PGPASSWORD": database.password}
        return self._run(bindir, [*command, "-d", "postgres", *args], secret)

    def _run(
        self,
        bindir: Path,
        command: list[str],
        env: dict[str, str] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program (as the cluster's user under root); errors show its output."""
        extra: dict[str, Any] = {}
        if self.runner is not None:
            extra = {"user": self.runner.pw_uid, "group": self.runner.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(bindir / command[0]), *command[1:]],
            env={**os.environ, "LC_ALL": "C", **(env or {})},
            capture_output=True,
            text=True,
            cwd=self.folder,
            timeout=TIMEOUT,
            check=False,
            **extra,
        )
        if check and result.returncode != 0:
            output = (result.stderr or result.stdout).strip()[-600:]
            raise ServerError(
                f"PostgreSQL {command[0]} failed (exit {result.returncode}) for the cluster in "
                f"{self.folder}: {output}"
            )
        return result
