"""Printing helpers shared by the commands: JSON to stdout, reports to files, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from annotate.atomic import atomic_write_text


def layer_names(value: str | None) -> list[str] | None:
    """``--layers entities,claims`` as a list; None (all layers) when not given."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


class Report(Protocol):
    """What a command reports: as JSON data and as plain text."""

    def to_dict(self) -> Any: ...
    def to_text(self) -> str: ...


class ChartedReport(Report, Protocol):
    """A report that has a Markdown form too (with charts, for ``--report`` files)."""

    def to_markdown(self) -> str: ...


def json_text(data: Any) -> str:
    """Pretty JSON, non-ASCII kept readable."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def print_json(data: Any) -> None:
    """Pretty JSON on stdout."""
    print(json_text(data))


def report_text(report: Report, form: str) -> str:
    """The report as JSON (``form`` "json") or as plain text."""
    return json_text(report.to_dict()) if form == "json" else report.to_text()


def show_report(report: ChartedReport, form: str, markdown: Path | None = None) -> None:
    """Print the report as JSON, Markdown or plain text (``form``), and also write its
    Markdown to ``markdown`` when given."""
    if form == "json":
        print_json(report.to_dict())
    else:
        print(report.to_markdown() if form == "markdown" else report.to_text(), end="")
    if markdown is not None:
        atomic_write_text(markdown, report.to_markdown())


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
