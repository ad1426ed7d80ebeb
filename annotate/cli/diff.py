"""``annotate diff``, and the version ``annotate export --previous`` gives a new dataset."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from annotate.cli.output import show_report
from annotate.dataset.reader import load_gold
from annotate.dataset.version import Release, release_after
from annotate.gold.diff import diff_gold, gold_of_tasks
from annotate.records import Task
from annotate.schema import SchemaSet


def diff(args: argparse.Namespace) -> int:
    """Print what changed from OLD to NEW (gold folders or export files); exit 0."""
    schemas = SchemaSet()
    old = load_gold(args.old, schemas, args.adjudication)
    new = load_gold(args.new, schemas, args.adjudication)
    result = diff_gold(old, new, schemas)
    show_report(result, args.format, args.changelog)
    return 0


def export_release(args: argparse.Namespace, schemas: SchemaSet) -> Release:
    """The version of the dataset ``annotate export`` is about to write: 1.0.0, or the
    release after ``--previous`` (the export is adjudicated here once to diff it)."""
    if args.previous is None:
        return Release(schema_version=schemas.version)
    from annotate.gold.review import apply_review
    from annotate.labelstudio.convert import iter_tasks

    tasks: Iterable[Task] = (c.task for c in iter_tasks(args.export, schemas))
    if args.review:
        review = iter_tasks(args.review, schemas)
        tasks = apply_review(tasks, (c.task for c in review))
    gold = gold_of_tasks(tasks, schemas, args.adjudication)
    return release_after(args.previous, gold, schemas)
