"""``annotate agreement`` and ``annotate export``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotate.cli.diff import export_release
from annotate.cli.output import progress_bar, show_report
from annotate.dataset.card import CardOptions
from annotate.dataset.writer import ExportOptions, ExportSummary, parse_splits
from annotate.errors import InvalidInputError
from annotate.gold.agreement import AgreementAccumulator
from annotate.schema import SchemaSet


def agreement(args: argparse.Namespace) -> int:
    from annotate.labelstudio.convert import iter_tasks

    schemas = SchemaSet()
    accumulator = AgreementAccumulator(schemas)
    problems = 0
    advance, close = progress_bar("agreement")
    try:
        for converted in iter_tasks(args.export, schemas):
            problems += len(converted.problems)
            accumulator.add(converted.task)
            advance(1)
    finally:
        close()
    report = accumulator.report()
    if problems:
        print(
            f"annotate agreement: {problems} problem(s) in the export; the invalid annotations "
            "were left out (see 'annotate validate')",
            file=sys.stderr,
        )
    show_report(report, args.format, args.report)
    return 0


def export(args: argparse.Namespace) -> int:
    from annotate.dataset.run import ExportRun

    schemas = SchemaSet()
    notes = _read_notes(args.card_notes)
    release = export_release(args, schemas)
    options = ExportOptions(
        mode=args.adjudication,
        splits=parse_splits(args.splits),
        card=CardOptions(
            name=args.name,
            license=args.license,
            notes=notes,
            leaderboard=args.leaderboard,
            version=release.version,
            changes=release.changelog(),
        ),
    )
    advance, close = progress_bar("export")
    run = ExportRun(
        args.export,
        schemas,
        options,
        review=args.review,
        skip_invalid=args.skip_invalid,
        workers=args.workers,
        progress=advance,
    )
    try:
        summary = run.write(args.output, force=args.force)
    finally:
        close()
    for problem in run.problems:
        print(f"left out: {problem}", file=sys.stderr)
    _print_summary(summary)
    print(release.describe())
    return 0


def _read_notes(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read the card notes ({exc})") from exc


def _print_summary(summary: ExportSummary) -> None:
    splits = ", ".join(f"{name} {n}" for name, n in summary.splits.items())
    if summary.unchanged:
        print(f"{summary.output} is up to date ({summary.documents} documents: {splits})")
    else:
        print(f"wrote {summary.documents} documents ({splits}) to {summary.output}")
    methods = ", ".join(f"{name} {n}" for name, n in summary.methods.items()) or "none"
    print(f"gold by method: {methods}; disagreements left out: {summary.disagreements}")
    for task_id, reason in summary.left_out:
        print(f"task {task_id} left out: {reason}", file=sys.stderr)
    for task_id, doc_id in summary.duplicates:
        print(f"task {task_id} left out: duplicate document id {doc_id}", file=sys.stderr)
