"""``annotate status --project TITLE``: progress, overlap and agreement so far."""

from __future__ import annotations

import argparse

from annotate.cli.output import show_report
from annotate.gold.progress import project_status
from annotate.labelstudio.client import Client, resolve_connection


def status(args: argparse.Namespace) -> int:
    client = Client(resolve_connection(args.url))
    report = project_status(client, args.project)
    show_report(report, args.format, args.report)
    return 0
