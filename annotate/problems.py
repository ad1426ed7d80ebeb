"""Located problems: what is wrong, where, what was expected and what was found."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is. Only the parts that apply are set."""

    file: str | None = None
    line: int | None = None
    task_id: int | None = None
    document_id: str | None = None
    annotation_id: int | None = None
    annotator: str | None = None
    region_id: str | None = None
    layer: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        for name, value in (
            ("task", self.task_id),
            ("doc", self.document_id),
            ("annotation", self.annotation_id),
            ("by", self.annotator),
            ("region", self.region_id),
            ("layer", self.layer),
            ("field", self.field),
        ):
            if value is not None:
                parts.append(f"{name} {value}")
        return ", ".join(parts) or "(input)"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located, with what was expected and what was found."""

    where: Location
    message: str
    expected: str | None = None
    found: str | None = None
    code: str = field(default="invalid")

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


def shorten(value: object, limit: int = 60) -> str:
    """repr() of a value, cut to ``limit`` characters so messages stay readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
