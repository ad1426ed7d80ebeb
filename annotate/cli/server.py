"""``annotate server start|stop|status``."""

from __future__ import annotations

import argparse

from annotate.labelstudio.server import LocalServer


def server(args: argparse.Namespace) -> int:
    local = LocalServer()
    if args.action == "start":
        print(
            f"starting Label Studio (first start takes about a minute) in {local.home} …",
            flush=True,
        )
        status = local.start(port=args.port)
        print(f"Label Studio runs at {status.url} (pid {status.pid})")
        print("log in with the admin account: 'annotate server status --show-login'")
        return 0
    if args.action == "stop":
        print("stopped" if local.stop() else "not running")
        return 0
    status = local.status()
    if not status.running:
        print(f"not running (state in {local.home}); start it with 'annotate server start'")
        return 2
    print(f"running at {status.url} (pid {status.pid})")
    if args.show_login:
        creds = local.credentials()
        print(f"email:    {creds.email}\npassword: {creds.password}")
    return 0
