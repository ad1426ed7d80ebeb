"""The manifest ``annotate pull`` writes beside an export: who the annotators are, and more.

Only :mod:`annotate.labelstudio` reads Label Studio's user ids; everything past it gets names.
"""

from __future__ import annotations

import json
from pathlib import Path


def manifest_path(export: Path | str) -> Path:
    """The manifest written beside an export by ``annotate pull``."""
    export = Path(export)
    return export.with_name(export.stem + ".manifest.json")


def load_annotators(export: Path | str) -> dict[int, str]:
    """User id → email from the export's manifest, when there is one."""
    path = manifest_path(export)
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {int(k): str(v) for k, v in (data.get("annotators") or {}).items()}
