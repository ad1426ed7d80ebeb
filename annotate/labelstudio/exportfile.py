"""Reading a Label Studio JSON export: a list of tasks, far too big to load whole.

The file is read in chunks of bytes. :func:`task_segments` cuts each chunk into the raw
bytes of its tasks without building any Python object for them: numpy finds the quotes
that open and close strings (a quote after an odd run of backslashes is escaped), drops
the brackets inside strings, and a running sum of the rest gives the nesting depth, so a
task ends where the depth falls back to the list's. Each segment is then decoded on its
own (:func:`decode_task`, orjson), possibly in another process: :func:`export_batches`
groups consecutive segments into an :class:`ExportBatch`, which code outside
:mod:`annotate.labelstudio` passes on unopened to
:func:`annotate.labelstudio.convert.convert_batch`. Memory holds one chunk and the tasks
being converted, never the export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import numpy.typing as npt
import orjson

from annotate.errors import ExportFileError
from annotate.problems import shorten

CHUNK = 1 << 20  # bytes read at a time; the scan needs a few times this much
# A run of 19 or more digits not inside a word or a decimal: possibly an integer beyond 64
# bits (2**63 has 19 digits), which orjson would turn into a float. A false alarm (digits
# in a string) costs only a slower decoding of that task.
_BIG_INTEGER = re.compile(rb"(?<![\w.])-?\d{19,}(?![\w.])")
MAX_DEPTH = 1000  # deeper JSON is refused by both decoders (orjson at 1,024)
_BOM = b"\xef\xbb\xbf"
_SEPARATORS = b" \t\r\n,"
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE = ord("{"), ord("}")  # OR 0x20 turns "[" and "]" into these


class Segment(NamedTuple):
    """The raw bytes of one task, its position in the list (0-based) and in the file
    (the byte offset where ``raw`` starts, to name a line and column in errors)."""

    number: int
    raw: bytes
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ExportBatch:
    """Consecutive tasks of an export file, still raw bytes, to be converted as a whole
    (:func:`annotate.labelstudio.convert.convert_batch`), possibly in another process."""

    path: str
    segments: tuple[Segment, ...]

    def __len__(self) -> int:
        """The number of tasks."""
        return len(self.segments)


def export_batches(path: Path | str, size: int, chunk: int = CHUNK) -> Iterator[ExportBatch]:
    """The tasks of an export in batches of about ``size`` bytes, in file order.

    A batch closes at the first task that brings it to ``size`` bytes, so how a file is
    cut depends only on the file. Errors as :func:`task_segments`.
    """
    batch: list[Segment] = []
    total = 0
    for segment in task_segments(path, chunk):
        batch.append(segment)
        total += len(segment.raw)
        if total >= size:
            yield ExportBatch(str(path), tuple(batch))
            batch, total = [], 0
    if batch:
        yield ExportBatch(str(path), tuple(batch))


def task_segments(path: Path | str, chunk: int = CHUNK) -> Iterator[Segment]:
    """The tasks of an export as raw JSON bytes, in file order.

    Raises ExportFileError for a file that is missing, not a list, or truncated (naming
    how many tasks came before the break). A segment that is not valid JSON is reported
    when it is decoded (:func:`decode_task`).
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ExportFileError(f"{path}: cannot read the export ({exc.strerror})") from exc
    with handle:
        yield from _segments(handle, path, chunk)


def _segments(handle: BinaryIO, path: Path, chunk: int) -> Iterator[Segment]:
    buf = handle.read(chunk)
    start = len(buf) - len(buf.lstrip())
    if buf.startswith(_BOM):
        start = len(buf) - len(buf[len(_BOM) :].lstrip())
    if buf[start : start + 1] != b"[":
        found = buf[start : start + 4].decode("utf-8", "replace")[:1] or "an empty file"
        raise ExportFileError(
            f"{path}: not a Label Studio JSON export (expected a list of tasks, "
            f"found {shorten(found)})"
        )
    pos, count, want, base = start + 1, 0, chunk, 0  # base: file offset of buf[0]
    while True:
        ends, closed = item_ends(buf, pos)
        for end in ends:
            raw = buf[pos:end].lstrip(_SEPARATORS)
            if raw[:1] != b"{":
                raise ExportFileError(f"{path}: item {count} is not a task with 'data'")
            yield Segment(count, raw, base + end - len(raw))
            count, pos = count + 1, end
        if closed is not None:
            if buf[pos:closed].strip(_SEPARATORS):
                raise ExportFileError(f"{path}: item {count} is not a task with 'data'")
            _nothing_after(handle, path, buf[closed + 1 :], base + closed + 1)
            return
        want = chunk if ends else want * 2  # a task longer than a chunk: read more at once
        more = handle.read(want)
        if not more:
            _truncated(path, buf[pos:], count, base + pos)
        buf, base = buf[pos:] + more, base + pos
        pos = 0


def _nothing_after(handle: BinaryIO, path: Path, rest: bytes, offset: int) -> None:
    """Raise ExportFileError if anything but white space follows the list of tasks (two
    exports joined, a damaged file): read whole, or the second half would go unread."""
    while True:
        stripped = rest.lstrip()
        if stripped:
            line, column = position(path, offset + len(rest) - len(stripped))
            found = stripped[:20].decode("utf-8", "replace")
            raise ExportFileError(
                f"{path}: content after the list of tasks at line {line}, column {column} "
                f"(two exports joined, or a damaged file?): found {shorten(found)}"
            )
        offset += len(rest)
        rest = handle.read(CHUNK)
        if not rest:
            return


def position(path: Path | str, offset: int) -> tuple[int, int]:
    """The line and column (1-based, in characters) of byte ``offset`` of a file."""
    line, last = 1, b""
    with Path(path).open("rb") as handle:
        while offset > 0:
            block = handle.read(min(CHUNK, offset))
            if not block:
                break
            offset -= len(block)
            line += block.count(b"\n")
            cut = block.rfind(b"\n")
            last = block[cut + 1 :] if cut >= 0 else last + block
    return line, len(last.decode("utf-8", "replace")) + 1


def _truncated(path: Path, tail: bytes, count: int, offset: int) -> None:
    rest = tail.lstrip(_SEPARATORS)
    if not rest.rstrip(_SEPARATORS):
        raise ExportFileError(
            f"{path}: truncated after {count} complete task(s): the list of tasks is never closed"
        )
    try:
        json.loads(rest)
    except (ValueError, RecursionError) as exc:
        reason = _reason(exc, path, offset + len(tail) - len(rest))
    else:
        reason = "the list of tasks is never closed"
    raise ExportFileError(f"{path}: truncated or not JSON after {count} complete task(s): {reason}")


def _reason(exc: Exception, path: Path | str, offset: int) -> str:
    """Why the standard library refused the bytes that start at byte ``offset`` of the file,
    with their line and column."""
    if isinstance(exc, RecursionError):
        line, column = position(path, offset)
        return f"nested more than {MAX_DEPTH:,} levels deep (from line {line}, column {column})"
    if not isinstance(exc, json.JSONDecodeError):
        return str(exc)
    at = offset + len(exc.doc[: exc.pos].encode("utf-8", "surrogatepass"))
    line, column = position(path, at)
    return f"{exc.msg} at line {line}, column {column}"


def item_ends(buf: bytes, pos: int) -> tuple[list[int], int | None]:
    r"""Where the complete items of a JSON list end in ``buf[pos:]``.

    ``pos`` must lie between two items of the list (outside any string, one level deep).
    Returns the offsets just past each complete item, and the offset of the bracket that
    closes the list if it is in ``buf`` (None if not). An item cut off by the end of
    ``buf`` is not returned.

    >>> item_ends(b'[{"a": "}"}, {"b": [1, "\\""]}]', 1)
    ([11, 29], 29)
    """
    places, steps = _brackets(buf, pos)
    depth = np.cumsum(steps, dtype=np.int32)  # relative to the list's own level
    outside = np.flatnonzero(depth < 0)
    closed = int(places[outside[0]]) + pos if outside.size else None
    limit = int(outside[0]) if outside.size else depth.size
    finished = np.flatnonzero((depth[:limit] == 0) & (steps[:limit] < 0))
    return (places[finished] + 1 + pos).tolist(), closed


def _brackets(buf: bytes, pos: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int32]]:
    """Where the brackets and braces outside strings are in ``buf[pos:]`` (offsets from
    ``pos``), and +1 for each that opens, -1 for each that closes."""
    data = np.frombuffer(buf, dtype=np.uint8)[pos:]
    folded = data | 0x20  # "[" and "]" fold onto "{" and "}"
    where = np.flatnonzero((data == _QUOTE) | (folded == _OPEN) | (folded == _CLOSE))
    kinds = data[where] | 0x20  # quotes, brackets and braces only: a small part of the bytes
    quoted = kinds == (_QUOTE | 0x20)
    _drop_escaped(buf, pos, where, quoted)
    in_string = (np.cumsum(quoted, dtype=np.int32) & 1).astype(bool)
    brackets = ~quoted & ~in_string & (kinds != (_QUOTE | 0x20))
    steps = np.where(kinds[brackets] == _OPEN, 1, -1).astype(np.int32)
    return where[brackets], steps


def nesting_depth(raw: bytes) -> int:
    """How deep the JSON value ``raw`` nests (``{}`` is 1, ``{"a": [1]}`` is 2).

    >>> nesting_depth(b'{"a": [1, "]]]"], "b": {}}')
    2
    """
    steps = _brackets(raw, 0)[1]
    return int(np.cumsum(steps, dtype=np.int32).max(initial=0))


def _drop_escaped(
    buf: bytes, pos: int, where: npt.NDArray[np.intp], quoted: npt.NDArray[np.bool_]
) -> None:
    """Unmark the quotes escaped by an odd run of backslashes (in place)."""
    hit = buf.find(b'\\"', pos)
    while hit >= 0:  # rare outside quoted speech: a search in C finds them
        run = 1
        while hit - run >= pos and buf[hit - run] == _BACKSLASH:
            run += 1
        if run % 2:
            i = int(np.searchsorted(where, hit + 1 - pos))
            quoted[i] = False  # neither a quote nor a bracket now
        hit = buf.find(b'\\"', hit + 2)


def decode_task(segment: Segment, path: Path | str) -> dict[str, Any]:
    """One task's JSON; ExportFileError when it is not JSON, not UTF-8 or not a task.

    orjson decodes; what it refuses (``NaN``, integers beyond 64 bits) is retried with the
    standard library, which also words the error.
    """
    try:
        task = orjson.loads(segment.raw)
    except orjson.JSONDecodeError:
        task = _decode_slowly(segment, path)
    else:
        if _BIG_INTEGER.search(segment.raw):  # orjson reads them as floats: keep their value
            task = _decode_slowly(segment, path)
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise ExportFileError(f"{path}: item {segment.number} is not a task with 'data'")
    return task


def _decode_slowly(segment: Segment, path: Path | str) -> Any:
    try:
        text = segment.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportFileError(f"{path}: not UTF-8 in item {segment.number} ({exc.reason})") from exc
    try:
        if nesting_depth(segment.raw) > MAX_DEPTH:  # whatever the recursion limit is
            raise RecursionError
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = _reason(exc, path, segment.offset)
        raise ExportFileError(
            f"{path}: truncated or not JSON after {segment.number} complete task(s): {reason}"
        ) from None


def read_export(path: Path | str, chunk: int = CHUNK) -> Iterator[dict[str, Any]]:
    """The tasks of a Label Studio JSON export, decoded one at a time."""
    for segment in task_segments(path, chunk):
        yield decode_task(segment, path)
