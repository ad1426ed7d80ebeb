"""``annotate adjudicate EXPORT --project TITLE``: send disagreements back for review."""

from __future__ import annotations

import argparse

from annotate.gold.review import for_review
from annotate.labelstudio.client import Client, resolve_connection
from annotate.labelstudio.convert import iter_tasks
from annotate.labelstudio.review import send_for_review
from annotate.schema import SchemaSet


def adjudicate(args: argparse.Namespace) -> int:
    schemas = SchemaSet()
    tasks = [c.task for c in iter_tasks(args.export, schemas)]
    client = Client(resolve_connection(args.url))
    report = send_for_review(client, for_review(tasks, schemas), args.project, schemas)
    if not report.documents:
        print("no disagreements: nothing to review")
        return 0
    print(
        f"sent {len(report.documents)} task(s) with {report.disagreements} disagreement(s) to "
        f"{args.project!r} at {client.url}, {report.versions_added} annotator version(s) "
        "attached as predictions"
    )
    print(
        "review them in the browser, then: annotate pull --project "
        f"{args.project!r} -o review.json and annotate export EXPORT --review review.json"
    )
    return 0
