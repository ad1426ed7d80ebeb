"""``annotate bench --rescore LEADERBOARD --gold NEW``: every run scored again on a new gold."""

from __future__ import annotations

import argparse

from annotate.bench.rescore import rescore as rescore_runs
from annotate.cli.output import emit, report_text
from annotate.schema import SchemaSet


def rescore(args: argparse.Namespace) -> int:
    """Exit 0 when every run was scored again; 1 when a run could not be (its predictions
    were not kept, or changed since) or the leaderboard is invalid."""
    from annotate.dataset.writer import read_gold

    schemas = SchemaSet()
    gold = read_gold(args.gold, args.split)
    old = None if args.old_gold is None else read_gold(args.old_gold, args.split)
    report = rescore_runs(args.rescore, gold, schemas, old)
    emit(report_text(report, args.format), args.output)
    return 1 if report.skipped else 0
