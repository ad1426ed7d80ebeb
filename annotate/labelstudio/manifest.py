"""The manifest ``annotate pull`` writes beside an export: who the annotators are, and more.

Only :mod:`annotate.labelstudio` reads Label Studio's user ids; everything past it gets names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotate.errors import ExportFileError


def manifest_path(export: Path | str) -> Path:
    """The manifest written beside an export by ``annotate pull``."""
    export = Path(export)
    return export.with_name(export.stem + ".manifest.json")


def read_manifest(export: Path | str) -> dict[str, Any]:
    """The manifest beside ``export`` ({} when there is none); ExportFileError when it is not
    a JSON object."""
    path = manifest_path(export)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportFileError(f"{path}: unreadable manifest ({exc})") from exc
    if not isinstance(data, dict):
        raise ExportFileError(f"{path}: a manifest must be a JSON object")
    return data


def load_annotators(export: Path | str) -> dict[int, str]:
    """User id → email from the export's manifest, when there is one."""
    data = read_manifest(export)
    return {int(k): str(v) for k, v in (data.get("annotators") or {}).items()}
