"""Small tables for people: aligned plain text and Markdown, figures with three decimals."""

from __future__ import annotations

from collections.abc import Sequence

DASH = "–"


def fmt(value: float | None) -> str:
    """A figure with three decimals, or a dash when undefined.

    >>> fmt(0.5), fmt(None)
    ('0.500', '–')
    """
    return DASH if value is None else f"{value:.3f}"


def _numeric(cell: str) -> bool:
    """A figure, a count, a ratio of counts (``3/4``) or the dash of an undefined figure."""
    return (
        cell == DASH or cell.replace(".", "", 1).replace("-", "", 1).replace("/", "", 1).isdigit()
    )


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str | None = None,
    indent: str = "",
) -> str:
    """An aligned plain-text table; numeric columns are right-aligned.

    ``title``, when given, is a first line of its own; ``indent`` starts every other line.

    >>> print(text_table(["label", "F1"], [["PERSON", "0.500"], ["ORG", "1.000"]]))
    label      F1
    PERSON  0.500
    ORG     1.000
    >>> print(text_table(["n", "right"], [["a", "3/4"]], title="Counts", indent="  "))
    Counts
      n  right
      a    3/4
    """
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    right = [bool(rows) and all(_numeric(r[i]) for r in rows) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return (indent + "  ".join(parts)).rstrip()

    lines = [line(headers), *(line(r) for r in rows)]
    return "\n".join(lines if title is None else [title, *lines])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; numeric columns are right-aligned.

    >>> print(markdown_table(["label", "n"], [["PERSON", "3"]]), end="")
    | label | n |
    | --- | ---: |
    | PERSON | 3 |
    """
    right = [bool(rows) and all(_numeric(r[i]) for r in rows) for i in range(len(headers))]
    rule = ["---:" if r else "---" for r in right]
    lines = [headers, rule, *rows]
    return "".join("| " + " | ".join(_cell(c) for c in cells) + " |\n" for cells in lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
