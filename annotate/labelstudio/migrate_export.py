"""Migrating an exported file offline with the same plan as a live project.

The old vocabulary is what the export uses (an export does not carry its config); the new
one is the schemas'. The source file is left as it is; the migrated export is written
atomically beside it, with a manifest naming the new schema version.

A gold dataset folder is migrated by :mod:`annotate.dataset.migrate`, with the same plan code.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from annotate.atomic import atomic_binary, atomic_write_text
from annotate.errors import MigrationError
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.convert import Converted, convert_task
from annotate.labelstudio.exportfile import read_export
from annotate.labelstudio.impact import Impact
from annotate.labelstudio.manifest import load_annotators, manifest_path, read_manifest
from annotate.labelstudio.project import control_values
from annotate.labelstudio.relabel import (
    MigrationPlan,
    require_plan,
    task_items,
    values_used,
    with_sources,
)
from annotate.labelstudio.results import annotation_results, task_data
from annotate.records import Annotation
from annotate.schema import SchemaSet


def migrated_path(export: Path | str) -> Path:
    """Where the migrated copy of EXPORT.json goes by default: EXPORT.migrated.json."""
    export = Path(export)
    return export.with_name(export.stem + ".migrated.json")


def export_values(path: Path | str) -> dict[str, set[str]]:
    """Control → the values the drafts, annotations and predictions of an export use."""
    used: dict[str, set[str]] = {}
    for task in read_export(path):
        for _, item in task_items(task):
            for control, value in values_used(list(item.get("result") or [])):
                used.setdefault(control, set()).add(value)
    return used


def migrate_export(
    source: Path | str,
    plan: MigrationPlan,
    schemas: SchemaSet | None = None,
    output: Path | str | None = None,
) -> tuple[Impact, Path]:
    """Check the plan against the export and the schemas, then write the migrated export."""
    source = Path(source)
    if source.is_dir():
        raise MigrationError(
            f"{source}: a gold dataset folder is not an export; migrate it with 'annotate "
            "migrate GOLD_DIR --plan PLAN -o NEW_DIR'"
        )
    schemas = schemas or SchemaSet()
    target = Path(output) if output is not None else migrated_path(source)
    new = control_values(labeling_config(schemas))
    require_plan(plan, with_sources(export_values(source), plan, new), new, str(source))
    impact = Impact(plan)
    annotators = load_annotators(source)
    with atomic_binary(target) as handle:
        handle.write(b"[")
        for number, task in enumerate(read_export(source)):
            handle.write(b",\n" if number else b"\n")
            handle.write(orjson.dumps(impact.migrate_task(task, annotators)))
        handle.write(b"\n]\n")
    _write_manifest(source, target, schemas, impact)
    return impact, target


def _write_manifest(source: Path, target: Path, schemas: SchemaSet, impact: Impact) -> None:
    manifest = read_manifest(source)
    manifest["schema_version"] = schemas.version
    manifest["migrated_from"] = {"export": source.name, "plan": impact.plan.to_dict()}
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(manifest_path(target), text)


def migrate_records(
    number: int, annotation: Annotation, schemas: SchemaSet, impact: Impact, annotator: str
) -> Converted:
    """One annotation's records through the plan, as the other paths do it: written as a
    Label Studio task (number ``number``, made by ``annotator``), rewritten by ``impact``,
    and read back against ``schemas``."""
    results = annotation_results(annotation, schemas)
    raw = {"id": number, "completed_by": 0, "result": results}
    task = {"id": number, "data": task_data(annotation.document), "annotations": [raw]}
    return convert_task(impact.migrate_task(task, {0: annotator}), schemas, {0: annotator})
