"""Located problems: what is wrong, where, what was expected and what was found."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


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


def field_name(path: Iterable[str | int]) -> str | None:
    """A JSON path as every message writes it: names joined by dots, list indices bracketed.

    >>> field_name(["claims", 2, "speaker", "end"])
    'claims[2].speaker.end'
    >>> field_name([]) is None
    True
    """
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or None


def schema_problems(error: ValidationError, where: Location, prefix: str = "") -> list[Problem]:
    """The problems of one JSON Schema error, located at its field under ``where``.

    ``prefix`` is the path of the validated value in the input, if it is part of something
    larger (``data`` for a task's data). Every schema error in annotate becomes a Problem
    here, so all of them read alike.
    """
    here = replace(where, field=_joined(prefix, field_name(error.absolute_path)))
    if error.validator in ("oneOf", "anyOf") and error.context:
        # A branch rejected only for its type says nothing; report the branch that applies.
        deeper = [e for e in error.context if not _type_only(e, error)]
        if deeper:
            return [p for e in deeper for p in schema_problems(e, where, prefix)]
        kinds = " or ".join(str(e.validator_value) for e in error.context)
        found = shorten(error.instance)
        return [Problem(here, "wrong type", expected=kinds, found=found, code="schema")]
    return [_schema_problem(error, here, prefix)]


def missing_field(error: ValidationError) -> str | None:
    """The field a ``required`` error names, or None for any other error."""
    if error.validator != "required":
        return None
    return error.message.split("'")[1] if "'" in error.message else error.message


def _joined(prefix: str, name: str | None) -> str | None:
    if not prefix:
        return name
    return prefix if name is None else f"{prefix}{'' if name.startswith('[') else '.'}{name}"


def _type_only(error: ValidationError, parent: ValidationError) -> bool:
    return error.validator == "type" and list(error.absolute_path) == list(parent.absolute_path)


def _schema_problem(error: ValidationError, here: Location, prefix: str) -> Problem:
    found = shorten(error.instance)
    missing = missing_field(error)
    if missing is not None:
        path = field_name([*error.absolute_path, missing])
        return Problem(
            replace(here, field=_joined(prefix, path)), "missing required field", code="schema"
        )
    if error.validator == "enum":
        values = error.validator_value
        allowed = ", ".join(str(v) for v in values) if isinstance(values, list) else str(values)
        expected = f"one of {allowed}"
        return Problem(here, "not an allowed value", expected=expected, found=found, code="schema")
    if error.validator == "pattern":
        expected = f"a string matching {error.validator_value}"
        return Problem(here, "malformed value", expected=expected, found=found, code="schema")
    if error.validator == "type":
        expected = str(error.validator_value)
        return Problem(here, "wrong type", expected=expected, found=found, code="schema")
    return Problem(here, error.message, code="schema")
