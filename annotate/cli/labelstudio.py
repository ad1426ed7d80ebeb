"""``annotate push``, ``annotate pull`` and ``annotate validate``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from annotate.cli.output import layer_names, print_json, progress_bar
from annotate.corpus import load_corpus
from annotate.gold.validate import quarantine_path, validate_export, write_quarantine
from annotate.labelstudio.client import Client, resolve_connection
from annotate.labelstudio.pull import pull as pull_project
from annotate.labelstudio.push import Overlap, PushOptions, PushReport
from annotate.labelstudio.push import push as push_corpus
from annotate.schema import SchemaSet


def push(args: argparse.Namespace) -> int:
    schemas = SchemaSet()
    documents = load_corpus(args.corpus, schemas)
    predictions = []
    if args.predictions:
        from annotate.predictions import load_predictions

        predictions = load_predictions(args.predictions, {d.id: d for d in documents}, schemas)
    client = Client(resolve_connection(args.url))
    advance, close = progress_bar("push", total=len(documents))
    try:
        overlap = Overlap(args.overlap, args.overlap_share) if args.overlap else None
        options = PushOptions(
            schemas, layer_names(args.layers), predictions, args.batch_size, overlap=overlap
        )
        report = push_corpus(client, documents, args.project, options, advance)
    finally:
        close()
    verb = "created" if report.created else "reused"
    print(f"project {report.project.title!r} (id {report.project.id}) {verb} at {client.url}")
    if report.config_updated:
        print("labeling config updated (additive change)")
    print(
        f"imported {len(report.imported)}, already there {len(report.unchanged)}, "
        f"predictions added {report.predictions_added}"
    )
    if report.overlap is not None:
        print(_overlap_line(report))
    for doc_id, task_id in report.changed:
        print(
            f"changed text, NOT imported: document {doc_id} (task {task_id}) differs from "
            "the text in the project; push it under a new id",
            file=sys.stderr,
        )
    return 1 if report.changed else 0


def _overlap_line(report: PushReport) -> str:
    now, before = report.overlap, report.overlap_before
    assert now is not None
    planned = f"up to {now.maximum} annotator(s) on {now.percent}% of the tasks"
    if not report.overlap_changed or before is None:
        return f"overlap unchanged: {planned}"
    return (
        f"overlap changed from up to {before.maximum} annotator(s) on {before.percent}% "
        f"of the tasks to {planned}; Label Studio recomputed what is left to do"
    )


def pull(args: argparse.Namespace) -> int:
    client = Client(resolve_connection(args.url))
    bars: list[tuple[Callable[[int], None], Callable[[], None]]] = []
    written = 0

    def progress(done: int, total: int) -> None:
        nonlocal written
        if not bars:
            bars.append(progress_bar("pull", total=total))
        bars[0][0](done - written)
        written = done

    try:
        report = pull_project(client, args.project, args.output, full=args.full, progress=progress)
    finally:
        for _, close in bars:
            close()
    print(
        f"pulled {report.tasks} task(s), {report.annotations} annotation(s) "
        f"({report.cancelled} cancelled) from {args.project!r} → {report.output}"
    )
    how = "changed since the last pull" if report.incremental else "full pull"
    print(f"fetched {report.fetched} task(s) from the server ({how})")
    print(f"manifest: {report.manifest}")
    return 0


def validate(args: argparse.Namespace) -> int:
    """Exit 0 when the export is valid, 1 when not. The quarantine file holds the invalid
    annotations of this run: written when there are some, removed when there are none."""
    report = validate_export(args.export, SchemaSet(args.schemas))
    quarantine = args.quarantine or quarantine_path(args.export)
    stale = not report.rejected and quarantine.is_file()
    if report.rejected:
        write_quarantine(quarantine, report)
    elif stale:
        quarantine.unlink()
    if args.format == "json":
        data = report.to_dict()
        data["quarantine"] = str(quarantine) if report.rejected else None
        print_json(data)
    else:
        print(report.to_text(), end="")
        if report.rejected:
            print(f"{len(report.rejected)} invalid annotation(s) kept aside in {quarantine}")
        elif stale:
            print(f"removed {quarantine}: it held the invalid annotations of an earlier run")
    return 0 if report.ok else 1
