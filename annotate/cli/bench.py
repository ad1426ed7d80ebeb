"""``annotate bench``: score an extractor's predictions against a gold dataset split."""

from __future__ import annotations

import argparse
import sys

from annotate.bench.run import BenchReport, append_leaderboard, gold_version, run_extractor
from annotate.bench.run import score_predictions as score_run
from annotate.cli.output import emit, progress_bar, report_text
from annotate.errors import AnnotateError
from annotate.predictions import Prediction, load_predictions
from annotate.records import Annotation, Document
from annotate.schema import SchemaSet

USAGE_ERROR = 2


def bench(args: argparse.Namespace) -> int:
    """Exit 0 when scored, 1 when the predictions are invalid, 2 for usage and IO errors."""
    if args.rescore is not None:
        from annotate.cli.rescore import rescore

        return rescore(args)
    from annotate.dataset.writer import read_gold

    gold = read_gold(args.gold, args.split)
    predictions = _predictions(args, {a.document.id: a.document for a in gold})
    report = score_run(gold, predictions)
    try:
        emit(report_text(report, args.format), args.output)
        if args.leaderboard:
            _record(args, report, gold)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"annotate bench: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return USAGE_ERROR
    return 0


def _predictions(args: argparse.Namespace, documents: dict[str, Document]) -> list[Prediction]:
    schemas = SchemaSet()
    if args.predictions is not None:
        return load_predictions(args.predictions, documents, schemas)
    advance, close = progress_bar(f"extract ({args.extractor})", total=len(documents))
    try:
        return run_extractor(args.extractor, documents.values(), advance, schemas)
    finally:
        close()


def _record(args: argparse.Namespace, report: BenchReport, gold: list[Annotation]) -> None:
    if len(report.extractors) > 1:
        names = ", ".join(f"{n} {v}" for n, v in report.extractors)
        raise AnnotateError(f"cannot record one leaderboard run for several extractors ({names})")
    name, version = (
        report.extractors[0] if report.extractors else (args.extractor or "unknown", "unknown")
    )
    version_of_gold = gold_version(gold)
    run = append_leaderboard(args.leaderboard, report, name, version, version_of_gold, args.split)
    print(
        f"leaderboard {args.leaderboard}: run of {name} {version} on {run['date']} appended",
        file=sys.stderr,
    )
