"""``annotate status --project TITLE``: progress, overlap and agreement so far."""

from __future__ import annotations

import argparse

from annotate.atomic import atomic_write_text
from annotate.cli.output import print_json
from annotate.gold.progress import project_status
from annotate.labelstudio.client import Client, resolve_connection


def status(args: argparse.Namespace) -> int:
    client = Client(resolve_connection(args.url))
    report = project_status(client, args.project)
    if args.format == "json":
        print_json(report.to_dict())
    else:
        print(report.to_text(), end="")
    if args.report:
        atomic_write_text(args.report, report.to_markdown())
    return 0
