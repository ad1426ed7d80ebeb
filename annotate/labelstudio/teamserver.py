"""The team server: Label Studio on PostgreSQL under gunicorn, for several annotators.

Next to the embedded default (:class:`~annotate.labelstudio.server.LocalServer`), with the same
state folder and the same commands. What differs:

- the database is PostgreSQL: ``--database postgresql://…`` for an existing server, else a
  private cluster made in ``.annotate/server/postgres`` (:mod:`annotate.labelstudio.postgres`),
  started with the server and stopped with it;
- migrations (``label-studio init``, which also makes the admin and the organisation) run before
  the workers start;
- gunicorn serves Label Studio with several workers, bound to the address the lead chooses;
- signup needs an invite link (``DISABLE_SIGNUP_WITHOUT_LINK=true``); no Sentry, analytics or
  version check; secrets only in the environment and in 0600 files (``database.json`` holds
  the database URL with its password, ``secret-key.json`` Django's SECRET_KEY, which signs
  the session cookies).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path

from annotate.errors import ServerError
from annotate.labelstudio.postgres import CLUSTER_USER, Cluster, Database
from annotate.labelstudio.server import (
    HOST,
    QUIET_ENV,
    Credentials,
    LocalServer,
    ServerState,
    choose_port,
    client_url,
    label_studio_executable,
    make_private,
    write_secret,
)

DEFAULT_WORKERS = 2
INIT_TIMEOUT = 900.0
SETTINGS_MODULE = "core.settings.label_studio"
FIND_PACKAGE = "import label_studio, os; print(os.path.dirname(label_studio.__file__))"


class TeamServer(LocalServer):
    """Start, stop and inspect the team server whose state lives in ``home``."""

    kind = "team"
    data_name = "team-data"

    def __init__(
        self,
        home: Path | str | None = None,
        host: str | None = None,
        workers: int | None = None,
        database_url: str | None = None,
    ) -> None:
        super().__init__(home)
        previous = self.state()
        recorded = previous if previous is not None and previous.kind == self.kind else None
        self.host = host or (recorded.host if recorded else HOST)
        self.workers = workers or (recorded.workers if recorded else DEFAULT_WORKERS)
        self.database_file = self.home / "database.json"
        self.cluster = Cluster(self.home / "postgres", self.home / "cluster.json")
        self._given = Database.from_url(database_url) if database_url else None

    def database(self) -> Database:
        """The database to use: --database, else the one recorded, else the private cluster."""
        if self._given is not None:
            return self._given
        try:
            data = json.loads(self.database_file.read_text(encoding="utf-8"))
            return Database.from_url(str(data["url"]))
        except (OSError, ValueError, KeyError):
            pass
        return self.cluster.start()

    def secret_key(self) -> str:
        """Django's SECRET_KEY (it signs the session cookies): $SECRET_KEY when set, else the
        one in ``secret-key.json`` (0600), made on first use. Every app host of one team
        needs the same."""
        given = os.environ.get("SECRET_KEY")
        if given:
            return given
        path = self.home / "secret-key.json"
        if not path.exists():
            write_secret(path, {"SECRET_KEY": secrets.token_urlsafe(48)})
        return str(json.loads(path.read_text(encoding="utf-8"))["SECRET_KEY"])

    def uses_private_cluster(self) -> bool:
        return self._given is None and not self.database_file.exists()

    def stop(self) -> bool:
        """Stop the workers, then the private cluster (if this server made one)."""
        stopped = super().stop()
        cluster_stopped = self.cluster.stop() if (self.home / "cluster.json").exists() else False
        return stopped or cluster_stopped

    def _prepare(self) -> None:
        make_private(self.home)
        if self._given is not None:
            self.database_file.unlink(missing_ok=True)
            write_secret(self.database_file, {"url": self._given.url()})
        if os.geteuid() == 0 and self.uses_private_cluster():
            self._let_cluster_user_in()

    def _let_cluster_user_in(self) -> None:
        """Under root the cluster runs as ``postgres``: it must reach its folder. The state
        folder becomes 0711 (enter, not list); what it holds stays 0600/0700."""
        self.home.chmod(0o711)
        for folder in self.home.parents:
            if not folder.stat().st_mode & 0o001:
                raise ServerError(
                    f"the private PostgreSQL cluster runs as user {CLUSTER_USER} (initdb refuses "
                    f"root), and {CLUSTER_USER} cannot enter {folder}: allow it (chmod o+x "
                    f"{folder}), keep the project elsewhere, or give --database postgresql://…"
                )

    def _planned_state(self, port: int | None, previous: ServerState | None) -> ServerState:
        recorded = previous.port if previous else None
        chosen = choose_port(port, recorded, self.host)
        return ServerState(
            self.kind,
            self.host,
            chosen,
            client_url(self.host, chosen),
            workers=self.workers,
            database=self.database().public(),
        )

    def _spawn(self, state: ServerState, creds: Credentials) -> subprocess.Popen[bytes]:
        database = self.database()
        env = {
            **os.environ,
            **QUIET_ENV,
            **database.env(),
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
            "SECRET_KEY": self.secret_key(),
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DISABLE_SIGNUP_WITHOUT_LINK": "true",
        }
        self._migrate(env, creds)
        executable = Path(label_studio_executable()).resolve()  # gunicorn lives beside it
        return self._popen(self._gunicorn_command(executable, state), env)

    def _migrate(self, env: dict[str, str], creds: Credentials) -> None:
        """``label-studio init``: migrations, the admin (from the environment) and the
        organisation with legacy tokens enabled; a no-op for what exists already."""
        init_env = {
            **env,
            "LABEL_STUDIO_USERNAME": creds.email,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        }
        init_env.pop("DJANGO_SETTINGS_MODULE")
        command = [label_studio_executable(), "init", "--enable-legacy-api-token", "--quiet"]
        with self._child_output() as output:
            result = subprocess.run(
                command, env=init_env, timeout=INIT_TIMEOUT, check=False, **output
            )
        if result.returncode != 0:
            raise ServerError(
                f"Label Studio's migrations (label-studio init) failed with exit code "
                f"{result.returncode}; see {self.log_file}"
            )

    def _gunicorn_command(self, executable: Path, state: ServerState) -> list[str]:
        gunicorn = executable.parent / "gunicorn"
        if not gunicorn.exists():
            raise ServerError(
                f"gunicorn is not installed beside {executable}: run 'make install', or "
                f"pip install gunicorn into that venv"
            )
        return [
            str(gunicorn),
            "core.wsgi:application",
            "--chdir",
            str(_package_dir(executable)),
            "--bind",
            f"{state.host}:{state.port}",
            "--workers",
            str(state.workers),
            "--timeout",
            "300",
            "--graceful-timeout",
            "10",
            "--no-control-socket",
        ]


def _package_dir(executable: Path) -> Path:
    """The installed ``label_studio`` package of the venv ``executable`` belongs to."""
    python = executable.parent / "python"
    found = subprocess.run(
        [str(python), "-c", FIND_PACKAGE],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    folder = Path(found.stdout.strip())
    if found.returncode != 0 or not (folder / "core").is_dir():
        raise ServerError(f"cannot find the label_studio package of {executable}")
    return folder
