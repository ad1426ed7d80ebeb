"""Changing the schema of a live project: every draft, annotation and prediction migrated.

A dry run (:func:`preview`) exports the project and reports what the plan would do.
:func:`apply` does it in an order a fault at any point cannot spoil:

1. a full export (predictions included) is written as a backup beside a migration record;
2. drafts, annotations and predictions are rewritten through the API, each PATCH setting
   absolute values computed from the backup and logged in the record's progress file;
3. the labeling config is updated last and the schema version written into the project's
   description.

Re-running the same migration resumes from the record: logged steps are skipped, and a
step that ran but was not logged sets the same values again. :func:`undo` restores the
backup's results and config the same way. Label Studio deletes the drafts attached to an
annotation when that annotation is saved, so such drafts are detached first and attached
again afterwards. Pause annotation while a migration runs: work saved in between is not in
the backup.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotate.atomic import atomic_binary
from annotate.errors import LabelStudioError, MigrationError, PlanError
from annotate.labelstudio.client import Client
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.exportfile import read_export
from annotate.labelstudio.impact import Impact
from annotate.labelstudio.manifest import load_annotators, manifest_path
from annotate.labelstudio.migrate_export import export_values
from annotate.labelstudio.migration_record import (
    DEFAULT_RECORD_DIR,
    RECORD_FORMAT,
    ProgressLog,
    load_record,
    record_files,
    record_path,
    save_record,
)
from annotate.labelstudio.project import Project, control_values, require_project
from annotate.labelstudio.pull import pull
from annotate.labelstudio.relabel import (
    ITEM_KINDS,
    MigrationPlan,
    parse_plan,
    require_plan,
    rewrite_results,
    task_items,
    with_sources,
)
from annotate.schema import SchemaSet

SCHEMA_LINE = "annotate schema version:"
_SCHEMA_LINE = re.compile(rf"^{SCHEMA_LINE} \S*$", re.MULTILINE)


@dataclass
class MigrationReport:
    """What a migration found, and what this run did."""

    project_id: int
    title: str
    schema_version: str
    impact: Impact
    state: str = "dry-run"
    record: Path | None = None
    backup: Path | None = None
    sent: int = 0
    skipped: int = 0
    gone: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": {"id": self.project_id, "title": self.title},
            "schema_version": self.schema_version,
            "state": self.state,
            "record": str(self.record) if self.record else None,
            "backup": str(self.backup) if self.backup else None,
            "requests_sent": self.sent,
            "steps_already_done": self.skipped,
            "items_gone": self.gone,
            "impact": self.impact.to_dict(),
        }


@dataclass(frozen=True)
class Step:
    """One PATCH of a migration or its undo, keyed for the progress log."""

    key: str
    path: str
    payload: dict[str, Any]


def _layers(config: str, schemas: SchemaSet) -> list[str] | None:
    used = control_values(config)
    names = [name for name in schemas.layers if name in used]
    return names or None


def _new_config(project: Project, plan: MigrationPlan, schemas: SchemaSet) -> str:
    """The config the schemas give the project's layers, once the plan is checked against it
    (values only items use are checked once the export is read: :func:`_check_used`)."""
    config = labeling_config(schemas, _layers(project.label_config, schemas))
    new = control_values(config)
    old = with_sources(control_values(project.label_config), plan, new)
    require_plan(plan, old, new, f"project {project.title!r}")
    return config


def _check_used(project: Project, plan: MigrationPlan, config: str, backup: Path) -> None:
    """Check the plan again with the values the items use, not only those the config defines
    (Label Studio accepts results with values its config lacks, predictions especially)."""
    old = control_values(project.label_config)
    for control, values in export_values(backup).items():
        old.setdefault(control, set()).update(values)
    require_plan(plan, old, control_values(config), f"project {project.title!r}")


def _backup(client: Client, title: str, path: Path) -> None:
    """A full export of the project with its predictions inlined, written atomically."""
    project_id = pull(client, title, path).project_id
    by_task: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for prediction in client.get_json("/api/predictions/", project=project_id):
        by_task[int(prediction["task"])].append(prediction)
    with atomic_binary(path) as handle:
        handle.write(b"[")
        for number, task in enumerate(read_export(path)):
            task["predictions"] = by_task.get(int(task["id"]), [])
            handle.write(b",\n" if number else b"\n")
            handle.write(orjson.dumps(task))
        handle.write(b"\n]\n")


def _impact(backup: Path, plan: MigrationPlan) -> Impact:
    impact = Impact(plan)
    annotators = load_annotators(backup)
    for task in read_export(backup):
        impact.migrate_task(task, annotators)
    return impact


def preview(client: Client, title: str, plan: MigrationPlan, schemas: SchemaSet) -> MigrationReport:
    """The dry run: check the plan, export the project, and count what the plan would do."""
    project = require_project(client, title)
    config = _new_config(project, plan, schemas)
    with tempfile.TemporaryDirectory(prefix="annotate-migrate-") as tmp:
        backup = Path(tmp) / "export.json"
        _backup(client, title, backup)
        _check_used(project, plan, config, backup)
        impact = _impact(backup, plan)
    return MigrationReport(project.id, project.title, schemas.version, impact)


def task_steps(task: dict[str, Any], plan: MigrationPlan, restore: bool) -> Iterator[Step]:
    """The PATCHes that take one backed-up task to the plan's results (or back, ``restore``).

    Only items the plan changes are touched. A draft attached to a changed annotation is
    detached before the annotation is saved (Label Studio would delete it) and attached
    again after.
    """
    changed: dict[str, dict[int, list[Any]]] = {kind: {} for kind in ITEM_KINDS}
    for kind, item in task_items(task):
        original = list(item.get("result") or [])
        done = rewrite_results(original, plan)
        if done.changed:
            changed[kind][int(item["id"])] = original if restore else done.result
    saved = set(changed["annotations"])
    attached = {
        int(d["id"]): int(d["annotation"])
        for d in task.get("drafts") or []
        if isinstance(d, dict) and d.get("annotation") in saved
    }
    for draft in sorted(set(changed["drafts"]) | set(attached)):
        payload: dict[str, Any] = {"annotation": None} if draft in attached else {}
        if draft in changed["drafts"]:
            payload["result"] = changed["drafts"][draft]
        yield Step(f"draft:{draft}", f"/api/drafts/{draft}/", payload)
    for kind, prefix in (("annotations", "annotation"), ("predictions", "prediction")):
        for item_id, result in sorted(changed[kind].items()):
            yield Step(f"{prefix}:{item_id}", f"/api/{kind}/{item_id}/", {"result": result})
    for draft, annotation in sorted(attached.items()):
        yield Step(f"attach:{draft}", f"/api/drafts/{draft}/", {"annotation": annotation})


def _run_steps(
    client: Client,
    backup: Path,
    plan: MigrationPlan,
    log: ProgressLog,
    report: MigrationReport,
    restore: bool = False,
) -> None:
    for task in read_export(backup):
        for step in task_steps(task, plan, restore):
            if step.key in log.done:
                report.skipped += 1
                continue
            if client.patch_json(step.path, step.payload) is None:
                report.gone.append(step.key)
            report.sent += 1
            log.add(step.key)


def _with_version(description: str, version: str) -> str:
    line = f"{SCHEMA_LINE} {version}"
    if _SCHEMA_LINE.search(description):
        return _SCHEMA_LINE.sub(line, description)
    return f"{description.rstrip()}\n\n{line}".lstrip()


def _start(
    client: Client, project: Project, plan: MigrationPlan, schemas: SchemaSet, path: Path
) -> dict[str, Any]:
    """Check the plan, write the backup, then the record: nothing is changed before both."""
    new_config = _new_config(project, plan, schemas)
    backup, progress, undo_log = record_files(path)
    progress.unlink(missing_ok=True)
    undo_log.unlink(missing_ok=True)
    _backup(client, project.title, backup)
    try:
        _check_used(project, plan, new_config, backup)
    except PlanError:
        backup.unlink()
        manifest_path(backup).unlink(missing_ok=True)
        raise
    description = str(client.get_json(f"/api/projects/{project.id}/").get("description") or "")
    record = {
        "format": RECORD_FORMAT,
        "project": {"id": project.id, "title": project.title},
        "url": client.url,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "plan": plan.to_dict(),
        "schema_version": schemas.version,
        "backup": backup.name,
        "progress": progress.name,
        "undo_progress": undo_log.name,
        "old_config": project.label_config,
        "new_config": new_config,
        "old_description": description,
        "state": "backed-up",
    }
    save_record(path, record)
    return record


def apply(
    client: Client,
    title: str,
    plan: MigrationPlan,
    schemas: SchemaSet,
    record_dir: Path | str = DEFAULT_RECORD_DIR,
) -> MigrationReport:
    """Back up, rewrite every item, then update the config; resumes an interrupted run."""
    project = require_project(client, title)
    path = record_path(record_dir, project, plan, schemas.version)
    record = load_record(path) if path.exists() else None
    if record is None or record["state"] == "undone":
        record = _start(client, project, plan, schemas, path)
    backup, progress, _ = record_files(path)
    report = MigrationReport(
        project.id, project.title, schemas.version, _impact(backup, plan), "applying", path, backup
    )
    log = ProgressLog(progress)
    try:
        _run_steps(client, backup, plan, log, report)
        if "config" in log.done:
            report.skipped += 1
        else:
            description = _with_version(record["old_description"], schemas.version)
            payload = {"label_config": record["new_config"], "description": description}
            client.patch_json(f"/api/projects/{project.id}/", payload)
            report.sent += 1
            log.add("config")
    except LabelStudioError as exc:
        raise LabelStudioError(
            f"{exc}. The migration stopped part-way; its record {path} keeps the progress: "
            "run the same command again to finish it"
        ) from exc
    record["state"] = report.state = "complete"
    save_record(path, record)
    return report


def undo(client: Client, path: Path | str) -> MigrationReport:
    """Put back the backed-up results of every item the migration changed, then the config."""
    path = Path(path)
    record = load_record(path)
    plan = parse_plan(record["plan"], str(path))
    backup, _, undo_log = record_files(path)
    if not backup.exists():
        raise MigrationError(f"{path}: its backup {backup.name} is missing; nothing was changed")
    project_id = int(record["project"]["id"])
    title = client.get_json(f"/api/projects/{project_id}/").get("title")
    if title != record["project"]["title"]:
        raise MigrationError(
            f"{path}: project {project_id} at {client.url} is titled {title!r}, not "
            f"{record['project']['title']!r} as recorded; nothing was changed"
        )
    report = MigrationReport(
        project_id,
        str(record["project"]["title"]),
        str(record["schema_version"]),
        _impact(backup, plan),
        "undone",
        path,
        backup,
    )
    log = ProgressLog(undo_log)
    _run_steps(client, backup, plan, log, report, restore=True)
    if "config" not in log.done:
        payload = {"label_config": record["old_config"], "description": record["old_description"]}
        if client.patch_json(f"/api/projects/{project_id}/", payload) is None:
            raise MigrationError(f"{client.url}: project {project_id} of {path} no longer exists")
        report.sent += 1
        log.add("config")
    record["state"] = "undone"
    save_record(path, record)
    return report
