"""``annotate team add|list``: annotator accounts on the team server (or ``--url``)."""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

from annotate.cli.output import print_json
from annotate.labelstudio.accounts import NewMember, add_member, members
from annotate.labelstudio.client import Client, resolve_connection
from annotate.labelstudio.server import find_home, open_server
from annotate.tables import text_table

WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def passwords_dir(args: argparse.Namespace) -> Path:
    """--passwords, else ``.annotate/team`` of the project (beside the server state)."""
    return Path(args.passwords) if args.passwords else find_home().parent / "team"


def team(args: argparse.Namespace) -> int:
    client = Client(resolve_connection(args.url))
    if args.action == "add":
        return _add(client, args)
    found = members(client)
    if args.format == "json":
        print_json([m.to_dict() for m in found])
        return 0
    rows = [
        [str(m.user_id), m.email, str(m.annotations), str(m.skipped), str(m.projects)]
        for m in found
    ]
    print(text_table(["id", "email", "annotations", "skipped", "projects"], rows))
    return 0


def _add(client: Client, args: argparse.Namespace) -> int:
    if not args.emails:
        print("annotate team add: give one or more email addresses")
        return 2
    folder = passwords_dir(args)
    if not args.show:
        taken = [e for e in args.emails if _password_file(folder, e).exists()]
        if taken:
            print(f"annotate team add: {_password_file(folder, taken[0])} exists already")
            return 2
    for email in args.emails:
        member = add_member(client, email)
        if args.show:
            print(f"added {member.email} (user {member.user_id}), password: {member.password}")
        else:
            path = _write_password(folder, member, login_url(client))
            print(f"added {member.email} (user {member.user_id}); initial password in {path}")
    print(f"annotators log in at {login_url(client)} and open 'Label All Tasks'")
    return 0


def login_url(client: Client) -> str:
    """The login page annotators open: the local team server's bound address when it listens
    on every interface (this machine's name then), else the URL talked to."""
    state = open_server().state()
    if state is not None and state.url == client.url and state.host in WILDCARDS:
        return f"http://{socket.getfqdn()}:{state.port}/user/login/"
    return f"{client.url}/user/login/"


def _password_file(folder: Path, email: str) -> Path:
    return folder / f"{email}.txt"


def _write_password(folder: Path, member: NewMember, url: str) -> Path:
    """The login of a new member, written once to a new 0600 file."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _password_file(folder, member.email)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"url: {url}\nemail: {member.email}\npassword: {member.password}\n")
    return path
