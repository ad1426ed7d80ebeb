"""The record of a live migration, and the logs of its progress, kept beside its backup.

``migrations/project-<id>-plan-<hash>-schema-<version>.json`` names the project, the plan, the
old and new configs and the state; beside it are ``….backup.json`` (the full export taken
before anything changed), ``….progress.jsonl`` (the steps applied) and ``….undo.jsonl``
(the steps undone). One name per project, plan and schemas, so a re-run finds its record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from annotate.atomic import atomic_write_text
from annotate.errors import MigrationError
from annotate.labelstudio.project import Project
from annotate.labelstudio.relabel import MigrationPlan

RECORD_FORMAT = "annotate-migration/1"
DEFAULT_RECORD_DIR = Path("migrations")


class ProgressLog:
    """An append-only file of the steps done; a torn last line (a kill) is ignored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        for line in text.splitlines():
            try:
                self.done.add(str(json.loads(line)["step"]))
            except (ValueError, KeyError, TypeError):
                continue
        if text and not text.endswith("\n"):  # end the torn line: the next step is whole
            with path.open("a", encoding="utf-8") as handle:
                handle.write("\n")

    def add(self, key: str) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"step": key}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.done.add(key)


def record_files(record: Path) -> tuple[Path, Path, Path]:
    """The backup, the progress log and the undo log beside a record."""
    stem = record.name.removesuffix(".json")
    return (
        record.with_name(f"{stem}.backup.json"),
        record.with_name(f"{stem}.progress.jsonl"),
        record.with_name(f"{stem}.undo.jsonl"),
    )


def record_path(
    record_dir: Path | str, project: Project, plan: MigrationPlan, version: str
) -> Path:
    """Where the record of this migration of this project lives: one name per plan and schemas."""
    return Path(record_dir) / f"project-{project.id}-plan-{plan.fingerprint}-schema-{version}.json"


def load_record(path: Path | str) -> dict[str, Any]:
    """A migration record; MigrationError when it is missing or not one."""
    path = Path(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MigrationError(f"{path}: cannot read the migration record ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MigrationError(f"{path}: not a migration record ({exc})") from exc
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        raise MigrationError(f"{path}: not a migration record (expected format {RECORD_FORMAT})")
    return record


def save_record(path: Path, record: dict[str, Any]) -> None:
    """Write a record atomically."""
    atomic_write_text(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
