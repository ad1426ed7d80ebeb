"""Reading JSON Lines with every bad line located, for corpora and predictions alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotate.errors import InvalidInputError
from annotate.problems import Location, Problem, shorten

Row = tuple[int, dict[str, Any] | None, list[Problem]]


def read_jsonl(path: Path, error: type[InvalidInputError]) -> Iterator[Row]:
    """(line number, object or None, problems) for each non-blank line of ``path``.

    A line that is not UTF-8, not JSON or not an object yields None and its problem; a file
    that cannot be read raises ``error``.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from exc
    offset = 0
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        where = Location(file=str(path), line=number)
        start, offset = offset, offset + len(line)
        if not line.strip():
            continue
        try:
            data = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            msg = f"not UTF-8 at byte {start + exc.start} of the file"
            yield number, None, [Problem(where, msg, code="encoding")]
            continue
        except json.JSONDecodeError as exc:
            yield number, None, [Problem(where, f"not a JSON object: {exc.msg}", code="json")]
            continue
        if not isinstance(data, dict):
            problem = Problem(where, "expected a JSON object", found=shorten(data), code="json")
            yield number, None, [problem]
            continue
        yield number, data, []
