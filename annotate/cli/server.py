"""``annotate server start|stop|status``: the embedded default, or ``--team``."""

from __future__ import annotations

import argparse

from annotate.cli.output import print_json
from annotate.labelstudio.server import LocalServer, ServerStatus, find_home, open_server


def _chosen(args: argparse.Namespace) -> LocalServer:
    """The server to start: --team (with its options) or the embedded default; for stop and
    status, whatever the project's state folder records."""
    if args.action != "start":
        return open_server()
    if args.team:
        from annotate.labelstudio.teamserver import TeamServer

        return TeamServer(find_home(), args.host, args.workers, args.database)
    return LocalServer(find_home())


def describe(status: ServerStatus) -> str:
    """One line on what runs and where; the database never shows a password."""
    if status.kind == "team":
        return (
            f"team server running at {status.url} (pid {status.pid}, {status.workers} "
            f"gunicorn worker(s), database {status.database})"
        )
    return f"embedded server running at {status.url} (pid {status.pid}, SQLite)"


def server(args: argparse.Namespace) -> int:
    chosen = _chosen(args)
    if args.action == "start":
        return _start(chosen, args)
    if args.action == "stop":
        print("stopped" if chosen.stop() else "not running")
        return 0
    status = chosen.status()
    if args.format == "json":
        print_json(status.to_dict())
        return 0 if status.running else 2
    if not status.running:
        print(f"not running (state in {chosen.home}); start it with 'annotate server start'")
        return 2
    print(describe(status))
    print(f"state in {chosen.home}")
    if args.show_login:
        creds = chosen.credentials()
        print(f"email:    {creds.email}\npassword: {creds.password}")
    return 0


def _start(chosen: LocalServer, args: argparse.Namespace) -> int:
    print(
        f"starting Label Studio (first start takes about a minute) in {chosen.home} …",
        flush=True,
    )
    status = chosen.start(port=args.port)
    print(describe(status))
    print("log in with the admin account: 'annotate server status --show-login'")
    return 0
