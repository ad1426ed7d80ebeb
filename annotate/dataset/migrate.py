"""Migrating a gold dataset folder offline with the same plan as a live project or an export.

The plan is expressed over Label Studio control names, and its one rewrite engine
(:mod:`annotate.labelstudio.relabel`, counted by :class:`annotate.labelstudio.impact.Impact`)
works on Label Studio results. So each gold record goes through the round trip the export
path uses: records → results (:func:`annotate.labelstudio.results.annotation_results`), the
plan's rewrite, results → records (:func:`annotate.labelstudio.convert.convert_task`, which
checks them against the new schemas). Every document stays in the split it was in.

The new folder is written by the dataset writer with the new schemas' features; the source
folder is never touched. Agreement cannot be measured again from the gold alone, so the new
card quotes the old card's agreement section as measured before the migration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from annotate.dataset.build import Counts, Part
from annotate.dataset.card import CardOptions
from annotate.dataset.reader import gold_splits
from annotate.dataset.rows import table_layout
from annotate.dataset.version import release_after
from annotate.dataset.writer import CARD, ExportOptions, ExportSummary, read_gold, write_dataset
from annotate.errors import InvalidInputError, MigrationError
from annotate.gold.adjudicate import Adjudication
from annotate.gold.agreement import AgreementCounts
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.impact import Impact
from annotate.labelstudio.migrate_export import migrate_records
from annotate.labelstudio.project import control_values
from annotate.labelstudio.relabel import MigrationPlan, require_plan, values_used, with_sources
from annotate.labelstudio.results import annotation_results
from annotate.records import LAYER_TYPES, Annotation, Region, Task
from annotate.schema import SchemaSet

METHOD = "migrated"
DEFAULTS = CardOptions()
_AGREEMENT = re.compile(r"^## Agreement\b.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
_NAME = re.compile(r"^# (.+)$", re.MULTILINE)
_LICENSE = re.compile(r"^## License\n\n`([^`]+)`\n", re.MULTILINE)
_LOAD_NAME = re.compile(r'load_dataset\("([^"]+)"\)')


@dataclass(frozen=True)
class GoldMigration:
    """The plan's effect on a gold folder; ``summary`` once the new folder is written."""

    source: Path
    impact: Impact
    splits: dict[str, list[Annotation]]
    output: Path | None = None
    summary: ExportSummary | None = None


def migrated_folder(source: Path | str) -> Path:
    """Where the migrated copy of GOLD_DIR goes by default: GOLD_DIR.migrated beside it."""
    source = Path(source)
    return source.with_name(source.name + ".migrated")


def _gold_values(splits: dict[str, list[Annotation]], schemas: SchemaSet) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for golds in splits.values():
        for gold in golds:
            for control, value in values_used(annotation_results(gold, schemas)):
                used.setdefault(control, set()).add(value)
    return used


def _migrated(
    number: int, gold: Annotation, schemas: SchemaSet, impact: Impact, where: str
) -> Annotation:
    converted = migrate_records(number, gold, schemas, impact, METHOD)
    if converted.problems or len(converted.task.submissions) != 1:
        raise InvalidInputError(
            f"{where}: document {gold.document.id} does not fit the new schemas after the plan",
            list(converted.problems),
        )
    return _with_annotators(converted.task.submissions[0].layers, gold)


def _with_annotators(new: Annotation, old: Annotation) -> Annotation:
    """The items of ``new`` with the annotators their gold item had (results do not carry them)."""
    layers: dict[str, Any] = {  # layer name -> items; Annotation fields are per-layer types
        name: _annotated(new.layer(name), old.layer(name)) for name in LAYER_TYPES
    }
    return replace(new, **layers)


def _annotated(items: tuple[Region, ...], before: tuple[Region, ...]) -> tuple[Region, ...]:
    annotators = {item.id: item.annotators for item in before}
    return tuple(replace(item, annotators=annotators.get(item.id, ())) for item in items)


def plan_gold(
    source: Path | str, plan: MigrationPlan, schemas: SchemaSet | None = None
) -> GoldMigration:
    """Check the plan against the gold folder and the schemas; migrate its records in memory.

    A retired value the plan does not cover is refused (PlanError, listing every one).
    """
    source = Path(source)
    if not source.is_dir():
        raise MigrationError(f"{source}: not a gold dataset folder")
    schemas = schemas or SchemaSet()
    old = {split: read_gold(source, split) for split in gold_splits(source)}
    new = control_values(labeling_config(schemas))
    require_plan(plan, with_sources(_gold_values(old, schemas), plan, new), new, str(source))
    impact = Impact(plan)
    numbers = iter(range(1, 1 + sum(map(len, old.values()))))
    splits = {
        split: [_migrated(next(numbers), g, schemas, impact, str(source)) for g in golds]
        for split, golds in old.items()
    }
    return GoldMigration(source, impact, splits)


def migrate_gold(
    source: Path | str,
    plan: MigrationPlan,
    schemas: SchemaSet | None = None,
    output: Path | str | None = None,
) -> GoldMigration:
    """Write the gold folder ``source`` migrated by ``plan`` to ``output`` (a new folder).

    ``output`` defaults to GOLD_DIR.migrated; it must not be ``source`` itself.
    """
    schemas = schemas or SchemaSet()
    done = plan_gold(source, plan, schemas)
    target = Path(output) if output is not None else migrated_folder(done.source)
    if target.resolve() == done.source.resolve():
        raise MigrationError(f"{target}: a gold folder is not migrated in place; give another -o")
    summary = write_dataset([_part(done.splits, schemas)], target, schemas, _options(done, schemas))
    return replace(done, output=target, summary=summary)


def split_ratios(splits: dict[str, list[Annotation]]) -> dict[str, float]:
    """Each non-empty split's share of the documents: the writer then keeps the splits as
    they are (rows grouped under the writer's own ratios are written as given)."""
    total = sum(map(len, splits.values())) or 1
    return {split: len(golds) / total for split, golds in splits.items() if golds}


def _part(splits: dict[str, list[Annotation]], schemas: SchemaSet) -> Part:
    """Every document in one part, grouped by its old split (ratios: the splits' shares)."""
    layout = table_layout(schemas)
    rows = [g for golds in splits.values() for g in golds]
    counts = Counts()
    bounds: dict[str, tuple[int, int]] = {}
    for split, golds in splits.items():
        start = sum(stop - first for first, stop in bounds.values())
        bounds[split] = (start, start + len(golds))
        for gold in golds:
            task = Task(0, gold.document, (), 0)
            counts.keep(task, Adjudication(0, gold.document.id, METHOD, gold), schemas)
    ratios = split_ratios(splits)
    return Part(
        [g.document.id for g in rows],
        layout.document_table(rows),
        layout.token_table(rows),
        counts,
        AgreementCounts(),
        ratios,
        {s: b for s, b in bounds.items() if s in ratios},
        list(range(len(rows))),
    )


def _options(done: GoldMigration, schemas: SchemaSet) -> ExportOptions:
    text = (done.source / CARD).read_text(encoding="utf-8")
    name = _NAME.search(text)
    license = _LICENSE.search(text)
    load_name = _LOAD_NAME.search(text)
    gold = [g for golds in done.splits.values() for g in golds]
    release = release_after(done.source, gold, schemas)
    card = CardOptions(
        name=name.group(1) if name else DEFAULTS.name,
        license=license.group(1) if license else DEFAULTS.license,
        notes=_old_notes(text, license) + _notes(text, done.impact),
        load_name=load_name.group(1) if load_name else DEFAULTS.load_name,
        version=release.version,
        changes=release.changelog(),
    )
    return ExportOptions(splits=split_ratios(done.splits), card=card)


def _old_notes(old_card: str, license: re.Match[str] | None) -> str:
    """The old card's own notes: everything after its License section."""
    return old_card[license.end() :].strip("\n") + "\n\n" if license else ""


def _notes(old_card: str, impact: Impact) -> str:
    """The migration, and the old card's agreement as measured before it."""
    lines = [f"- `{c}`: `{v}` {impact.plan.action(c, v)}" for c, v in sorted(impact.values)]
    found = _AGREEMENT.search(old_card)
    before = found.group(0).split("\n", 1)[1].strip() if found else "Not recorded."
    return (
        "## Migration\n\n"
        "This dataset was migrated offline from an earlier version with "
        f"`annotate migrate` (plan {impact.plan.fingerprint}):\n\n"
        + ("\n".join(lines) or "- nothing to change")
        + f"\n\nRegions dropped: {len(impact.dropped)}. "
        "Agreement cannot be measured again from the gold alone (the Agreement section above "
        "counts no annotator), nor can the baselines be kept (they scored the old labels): "
        "the figures below are the agreement as measured before the migration, on the old "
        "labels, and every mention of agreement in the notes above refers to them.\n\n"
        "### Agreement as measured before the migration\n\n" + before + "\n"
    )
