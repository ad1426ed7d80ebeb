"""Located problems: what is wrong, where, what was expected and what was found."""

from __future__ import annotations

import reprlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is. Only the parts that apply are set."""

    file: str | None = None
    line: int | None = None
    task_id: int | None = None
    document_id: str | None = None
    annotation_id: int | str | None = None  # str: an id that is not an integer, as found
    annotator: str | None = None
    region_id: str | None = None
    region_text: str | None = None  # the region's text and label, to name it to people
    region_label: str | None = None
    layer: str | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        """Text from the input is shown, never a crash: a lone surrogate (which no output
        can encode) is written as its escape, ``\\ud83d``."""
        for name in _TEXTS:
            value = getattr(self, name)
            if isinstance(value, str) and not value.isascii():
                object.__setattr__(self, name, printable(value))

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        for name, value in (
            ("task", self.task_id),
            ("doc", self.document_id),
            ("annotation", self.annotation_id),
            ("by", self.annotator),
            ("region", self._region()),
            ("layer", self.layer),
            ("field", self.field),
        ):
            if value is not None:
                parts.append(f"{name} {value}")
        return ", ".join(parts) or "(input)"

    def _region(self) -> str | None:
        """The region by its id, text and label: ``e7 "Assad" (PERSON)``.

        >>> Location(region_id="e7", region_text="Assad", region_label="PERSON")._region()
        'e7 "Assad" (PERSON)'
        """
        if self.region_id is None:
            return None
        text = f" {shorten(self.region_text, 40, quote=True)}" if self.region_text else ""
        label = f" ({self.region_label})" if self.region_label else ""
        return f"{self.region_id}{text}{label}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located, with what was expected and what was found."""

    where: Location
    message: str
    expected: str | None = None
    found: str | None = None
    code: str = field(default="invalid")

    def __post_init__(self) -> None:
        for name in ("message", "expected", "found"):  # input quoted in them: see Location
            value = getattr(self, name)
            if isinstance(value, str) and not value.isascii():
                object.__setattr__(self, name, printable(value))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, location flattened, empty parts left out."""
        where = {k: v for k, v in asdict(self.where).items() if v is not None}
        out: dict[str, Any] = {"code": self.code, "message": self.message, "where": where}
        if self.expected is not None:
            out["expected"] = self.expected
        if self.found is not None:
            out["found"] = self.found
        return out


_TEXTS = ("file", "document_id", "annotator", "region_id", "region_text", "region_label", "field")


def printable(text: str) -> str:
    """``text`` with any lone surrogate escaped, so that it can be written as UTF-8.

    >>> printable("Putin \\ud83d")
    'Putin \\\\ud83d'
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shorten(value: object, limit: int = 60, *, quote: bool = False) -> str:
    """repr() of a value, cut to ``limit`` characters so messages stay readable; with
    ``quote``, a string in double quotes, its line breaks shown as spaces.

    >>> shorten("Bashar al-\\nAssad", quote=True)
    '"Bashar al- Assad"'
    """
    try:
        text = '"' + " ".join(str(value).split()) + '"' if quote else repr(value)
    except RecursionError:  # a value nested deeper than Python recurses
        text = reprlib.repr(value)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]
