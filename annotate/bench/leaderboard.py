"""The leaderboard: a JSON file ``{"runs": [...]}`` of benchmark runs, read and appended here.

A run records which extractor (name and version) was scored on which gold (content hash and
split), when, and its headline scores by dotted name. Both ``annotate bench --leaderboard``
(which appends) and the dataset card (which renders) read the file with
:func:`read_leaderboard`, so both accept and refuse the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from annotate.atomic import atomic_write_text
from annotate.bench.stored import KEY, store_predictions
from annotate.errors import AnnotateError, InvalidInputError
from annotate.predictions import Prediction
from annotate.problems import Location, Problem, shorten

Json = dict[str, Any]
RUN_FIELDS = ("extractor", "version", "gold_version", "date", "split")


class Scored(Protocol):
    """What a run records: the headline figures by dotted name, and the predictions scored."""

    @property
    def predictions(self) -> Sequence[Prediction]: ...

    def flat_scores(self) -> dict[str, float]: ...


def read_leaderboard(path: Path | str, missing_ok: bool = False) -> list[Json]:
    """The runs of a leaderboard JSON (none for a missing file when ``missing_ok``).

    Raises InvalidInputError, listing every malformed run, for a file that is not a
    leaderboard.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if missing_ok:
            return []
        raise InvalidInputError(f"{path}: no such leaderboard file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read the leaderboard ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{path}: the leaderboard is not JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        where = Location(file=str(path))
        problem = Problem(where, "no list of runs", expected='{"runs": [...]}', found=shorten(data))
        raise InvalidInputError(
            f'{path}: a leaderboard must be a JSON object {{"runs": [...]}}', [problem]
        )
    problems = [p for i, run in enumerate(runs) for p in _run_problems(path, i, run)]
    if problems:
        raise InvalidInputError(f"{path}: {len(problems)} problem(s) in the leaderboard", problems)
    return runs


def _run_problems(path: Path, index: int, run: object) -> list[Problem]:
    where = Location(file=str(path), field=f"runs[{index}]")
    if not isinstance(run, dict):
        return [Problem(where, "a run must be an object", found=shorten(run))]
    problems = [
        Problem(where, f"'{name}' must be a string", found=shorten(run.get(name)))
        for name in RUN_FIELDS
        if not isinstance(run.get(name), str)
    ]
    scores = run.get("scores")
    if not isinstance(scores, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in scores.values()
    ):
        problems.append(Problem(where, "'scores' must map names to numbers", found=shorten(scores)))
    return problems


def append_leaderboard(
    path: Path | str,
    report: Scored,
    extractor: str,
    version: str,
    gold_version: str,
    split: str,
) -> Json:
    """Append a run to the leaderboard at ``path``, atomically; returns the run appended.

    The file is created when missing; a file that is not a leaderboard is left alone. The
    run keeps the report's predictions beside the board (:mod:`annotate.bench.stored`), to be
    scored again on a new gold (``annotate bench --rescore``).
    """
    runs = read_leaderboard(path, missing_ok=True)
    run = {
        "extractor": extractor,
        "version": version,
        "gold_version": gold_version,
        "date": run_date(),
        "split": split,
        "scores": report.flat_scores(),
        KEY: store_predictions(path, report.predictions),
    }
    board = {"runs": [*runs, run]}
    atomic_write_text(path, json.dumps(board, indent=2, ensure_ascii=False) + "\n")
    return run


def run_date(environ: Mapping[str, str] | None = None) -> str:
    """Today's UTC date, or the date of ``$SOURCE_DATE_EPOCH`` when set (reproducible builds).

    >>> run_date({"SOURCE_DATE_EPOCH": "1511222400"})
    '2017-11-21'
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return dt.datetime.now(dt.UTC).date().isoformat()
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    except (ValueError, OverflowError, OSError) as exc:
        raise AnnotateError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp in seconds"
        ) from exc
