"""``annotate migrate``: change the schema of a live project, an export or a gold dataset
folder, or undo a migration."""

from __future__ import annotations

import argparse
import sys

from annotate.cli.output import print_json
from annotate.errors import MigrationError
from annotate.labelstudio.impact import Impact
from annotate.labelstudio.relabel import load_plan
from annotate.schema import SchemaSet


def migrate(args: argparse.Namespace) -> int:
    if args.undo is not None:
        return _undo(args)
    if args.plan is None:
        raise MigrationError("give --plan PLAN (or --undo RECORD)")
    if (args.project is None) == (args.source is None):
        raise MigrationError(
            "give either --project TITLE or an EXPORT.json or GOLD_DIR to migrate, not both"
        )
    if args.source is not None and args.source.is_dir():
        return _gold(args)
    if args.source is not None:
        return _offline(args)
    return _live(args)


def _live(args: argparse.Namespace) -> int:
    from annotate.labelstudio.client import Client, resolve_connection
    from annotate.labelstudio.migrate import apply, preview

    plan = load_plan(args.plan)
    schemas = SchemaSet(args.schemas)
    client = Client(resolve_connection(args.url))
    if args.apply:
        report = apply(client, args.project, plan, schemas, args.record_dir)
    else:
        report = preview(client, args.project, plan, schemas)
    if args.format == "json":
        print_json(report.to_dict())
        return 0
    print(report.impact.to_text(), end="")
    if report.record is None:
        print(f"dry run on project {report.title!r}: nothing changed; add --apply to migrate")
        return 0
    print(
        f"project {report.title!r} migrated to schema version {report.schema_version}: "
        f"{report.sent} request(s) sent, {report.skipped} step(s) done by an earlier run"
    )
    print(
        f"record: {report.record}\nbackup: {report.backup}\n"
        f"undo: annotate migrate --undo {report.record}"
    )
    _gone(report.gone)
    return 0


def _offline(args: argparse.Namespace) -> int:
    from annotate.labelstudio.migrate_export import migrate_export

    plan = load_plan(args.plan)
    impact, target = migrate_export(args.source, plan, SchemaSet(args.schemas), args.output)
    _print(impact, args.format, {"output": str(target)})
    if args.format != "json":
        print(f"migrated export written to {target}; {args.source} is unchanged")
    return 0


def _gold(args: argparse.Namespace) -> int:
    from annotate.dataset.migrate import migrate_gold, plan_gold

    plan = load_plan(args.plan)
    schemas = SchemaSet(args.schemas)
    if not args.apply and args.output is None:
        done = plan_gold(args.source, plan, schemas)
        _print(done.impact, args.format, {"output": ""})
        if args.format != "json":
            print(
                f"dry run on {args.source}: nothing written; add --apply (or -o NEW_DIR) to "
                "write the migrated gold dataset folder"
            )
        return 0
    done = migrate_gold(args.source, plan, schemas, args.output)
    _print(done.impact, args.format, {"output": str(done.output)})
    if args.format != "json":
        print(f"migrated gold dataset written to {done.output}; {args.source} is unchanged")
    return 0


def _undo(args: argparse.Namespace) -> int:
    from annotate.labelstudio.client import Client, resolve_connection
    from annotate.labelstudio.migrate import undo

    client = Client(resolve_connection(args.url))
    report = undo(client, args.undo)
    if args.format == "json":
        print_json(report.to_dict())
        return 0
    print(
        f"project {report.title!r} restored from {report.backup}: {report.sent} request(s) "
        f"sent, {report.skipped} step(s) done by an earlier run"
    )
    _gone(report.gone)
    return 0


def _print(impact: Impact, format: str, extra: dict[str, str]) -> None:
    if format == "json":
        print_json({**extra, "impact": impact.to_dict()})
    else:
        print(impact.to_text(), end="")


def _gone(steps: list[str]) -> None:
    for step in steps:
        print(f"{step}: no longer in the project (deleted since the backup)", file=sys.stderr)
