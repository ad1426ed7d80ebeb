"""Printing helpers shared by the commands: JSON to stdout, reports to files, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from annotate.atomic import atomic_write_text


def layer_names(value: str | None) -> list[str] | None:
    """``--layers entities,claims`` as a list; None (all layers) when not given."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def print_json(data: Any) -> None:
    """Pretty JSON on stdout, non-ASCII kept readable."""
    print(json.dumps(data, indent=2, ensure_ascii=False))


def emit(text: str, output: Path | None = None) -> None:
    """Print a report, and also write it atomically to ``output`` when given."""
    print(text, end="" if text.endswith("\n") else "\n")
    if output is not None:
        atomic_write_text(output, text if text.endswith("\n") else text + "\n")


def progress_bar(
    description: str, total: int | None = None
) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A tqdm bar on stderr; returns (advance, close). Silent when stderr is not a terminal."""
    bar = tqdm(
        total=total,
        desc=description,
        unit="doc",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
    )

    def advance(n: int) -> None:
        bar.update(n)

    return advance, bar.close
