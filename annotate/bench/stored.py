"""The predictions of a leaderboard run, kept so the run can be scored again on a new gold.

Each run of a leaderboard ``BOARD.json`` names its predictions file and that file's SHA-256;
the file is JSONL in the predictions format, one document per line in document-id order,
stored beside the board as ``BOARD.predictions/<first 16 hex digits of the hash>.jsonl``.
The name is the content's hash, so a file is written once however many runs share it, and
the board and its folder can be moved together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from annotate.atomic import atomic_binary
from annotate.errors import InvalidInputError, PredictionsError
from annotate.predictions import Prediction, load_predictions
from annotate.schema import SchemaSet

KEY = "predictions"  # the run's field: {"path": ..., "sha256": ...}


def folder(board: Path) -> Path:
    """Where the predictions of a board's runs are kept."""
    return board.with_name(board.stem + ".predictions")


def store_predictions(board: Path | str, predictions: Iterable[Prediction]) -> dict[str, str]:
    """Keep ``predictions`` beside ``board``; returns the run's ``predictions`` field."""
    board = Path(board)
    rows = sorted(predictions, key=lambda p: p.document_id)
    data = "".join(
        json.dumps(p.to_dict(), sort_keys=True, ensure_ascii=False) + "\n" for p in rows
    ).encode()
    digest = hashlib.sha256(data).hexdigest()
    path = folder(board) / f"{digest[:16]}.jsonl"
    if not path.is_file():
        with atomic_binary(path) as out:
            out.write(data)
    return {"path": path.relative_to(board.parent).as_posix(), "sha256": digest}


def stored_predictions(
    board: Path | str, run: Mapping[str, Any], schemas: SchemaSet | None = None
) -> list[Prediction]:
    """The predictions a run of ``board`` kept, checked against their recorded hash."""
    board = Path(board)
    field = run.get(KEY)
    name = f"{run.get('extractor')} {run.get('version')} of {run.get('date')}"
    if not isinstance(field, dict) or not isinstance(field.get("path"), str):
        raise InvalidInputError(
            f"{board}: the run of {name} kept no predictions (runs recorded by annotate "
            "bench --leaderboard keep them); score it again with annotate bench"
        )
    path = board.parent / field["path"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PredictionsError(f"{path}: the predictions of {name} ({exc.strerror})") from exc
    found = hashlib.sha256(data).hexdigest()
    if found != field.get("sha256"):
        raise PredictionsError(
            f"{path}: the predictions of {name} changed since the run "
            f"(expected sha256 {field.get('sha256')}, found {found})"
        )
    return load_predictions(path, None, schemas)
