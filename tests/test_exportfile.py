"""Cutting a Label Studio export into tasks without parsing it whole (exportfile)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from annotate.errors import ExportFileError
from annotate.labelstudio.exportfile import (
    Segment,
    decode_task,
    export_batches,
    item_ends,
    read_export,
    task_segments,
)

# Strings that can fool a scan for brackets: brackets and quotes inside strings, runs of
# backslashes before a quote (odd: escaped; even: the string ends), text outside ASCII.
TRICKY = ["{", "}", "[", "]", '"', "\\", '\\"', "\\\\", '"}]', "é", "😀", "\n", ",", " ", "x"]


def _string(rnd: random.Random) -> str:
    return "".join(rnd.choice(TRICKY) for _ in range(rnd.randint(0, 10)))


def _value(rnd: random.Random, depth: int = 0) -> Any:
    pick = rnd.random()
    if depth > 3 or pick < 0.3:
        return _string(rnd)
    if pick < 0.4:
        return rnd.choice([rnd.randint(-9, 9), 1.5, True, None])
    if pick < 0.7:
        return [_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    return {_string(rnd): _value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))}


@pytest.mark.parametrize("seed", range(40))
def test_segments_decode_to_what_json_reads(seed: int, tmp_path: Path) -> None:
    rnd = random.Random(seed)
    tasks = [{"id": i, "data": {"text": _string(rnd)}, "x": _value(rnd)} for i in range(6)]
    path = tmp_path / "export.json"
    text = json.dumps(tasks, ensure_ascii=seed % 2 == 0, indent=seed % 3 or None)
    path.write_text(text, encoding="utf-8")
    for chunk in (1, 5, 64, 1 << 20):  # tasks cut anywhere by the chunks, or all in one
        segments = list(task_segments(path, chunk))
        assert [s.number for s in segments] == list(range(len(tasks)))
        assert [decode_task(s, path) for s in segments] == tasks


@pytest.mark.parametrize("size", [1, 40, 200, 1 << 20])
def test_batches_are_the_segments_cut_by_size_whatever_the_chunk(size: int, tmp_path: Path) -> None:
    rnd = random.Random(size)
    tasks = [{"id": i, "data": {"text": _string(rnd)}, "x": _value(rnd)} for i in range(20)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    segments = list(task_segments(path))
    for chunk in (7, 1 << 20):
        batches = list(export_batches(path, size, chunk))
        assert [s for b in batches for s in b.segments] == segments
        assert sum(len(b) for b in batches) == len(tasks)
        sizes = [sum(len(s.raw) for s in b.segments) for b in batches]
        assert all(n >= size for n in sizes[:-1])  # each batch but the last reaches size
        assert all(n - len(b.segments[-1].raw) < size for n, b in zip(sizes, batches, strict=True))


def test_item_ends_skips_brackets_in_strings_and_escaped_quotes() -> None:
    buf = b'[{"a": "}\\\\"}, {"b": "\\"]"}]'  # a string ending in a backslash, then one with \"
    ends, closed = item_ends(buf, 1)
    assert ends == [13, 27]
    assert closed == 27
    assert [buf[i - 1] for i in ends] == [ord("}"), ord("}")]


def test_an_item_cut_off_is_not_returned() -> None:
    ends, closed = item_ends(b'[{"a": 1}, {"b": "}', 1)
    assert (ends, closed) == ([9], None)


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "export.json"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "expected a list of tasks, found 'an empty file'", id="empty"),
        pytest.param(b'{"data": {}}', "expected a list of tasks, found '{'", id="object"),
        pytest.param(
            b'[{"data": {}}',
            "truncated after 1 complete task(s): the list of tasks is never closed",
            id="never-closed",
        ),
        pytest.param(
            b'[{"data": {}}, {"data": {"text": "cut',
            "truncated or not JSON after 1 complete task(s): Unterminated string",
            id="cut-in-a-task",
        ),
        pytest.param(b'[{"data": {}}, 7]', "item 1 is not a task with 'data'", id="number"),
        pytest.param(b'[{"data": {}}, [1]]', "item 1 is not a task with 'data'", id="list"),
    ],
)
def test_bad_exports_are_named(tmp_path: Path, data: bytes, message: str) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(ExportFileError) as caught:
        list(read_export(path))
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_task_without_data_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, b'[{"data": {}}, {"id": 2}]')
    with pytest.raises(ExportFileError, match="item 1 is not a task with 'data'"):
        list(read_export(path))


def test_not_utf8_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, b'[{"data": {"text": "caf\xe9"}}]')
    with pytest.raises(ExportFileError, match=r"not UTF-8 in item 0 \(invalid continuation"):
        list(read_export(path))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExportFileError, match="cannot read the export"):
        list(task_segments(tmp_path / "nowhere.json"))


def test_a_byte_order_mark_and_whitespace_are_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, b'\xef\xbb\xbf \n[ {"data": {"text": "a"}} ,\n{"data": {}} ]\n')
    assert list(read_export(path)) == [{"data": {"text": "a"}}, {"data": {}}]


def test_what_orjson_refuses_the_standard_library_reads(tmp_path: Path) -> None:
    raw = b'{"data": {"score": NaN, "big": 123456789012345678901234567890}}'
    task = decode_task(Segment(0, raw), tmp_path / "export.json")
    assert task["data"]["big"] == 123456789012345678901234567890
    assert task["data"]["score"] != task["data"]["score"]  # NaN


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"data": {"n": 123456789012345678901234567890}}', id="in-data"),
        pytest.param(
            b'{"data": {}, "annotations": [{"result": [{"value": '
            b'{"start": -98765432109876543210}}]}]}',
            id="deep-negative",
        ),
    ],
)
def test_integers_beyond_64_bits_keep_their_value_anywhere(raw: bytes, tmp_path: Path) -> None:
    task = decode_task(Segment(0, raw), tmp_path / "export.json")
    numbers = re.findall(rb"-?\d{19,}", raw)
    found = json.dumps(task)
    assert all(n.decode() in found for n in numbers)  # as integers, not 1.2e+29


def test_long_digit_runs_in_words_or_decimals_keep_the_fast_decoder(tmp_path: Path) -> None:
    raw = b'{"data": {"sha": "ab1234567890123456789012cd", "x": 0.12345678901234567890123}}'
    task = decode_task(Segment(0, raw), tmp_path / "export.json")
    assert task["data"]["sha"] == "ab1234567890123456789012cd"
    assert isinstance(task["data"]["x"], float)
