"""Exit codes as the README states them: 0 ok, 1 invalid data, 2 usage or connection error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from annotate.gold.validate import quarantine_path

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "dataset" / "export.json"
INVALID = FIXTURES / "exports" / "unknown-label.json"
VALID = FIXTURES / "exports" / "valid-emoji-crlf-script.json"
Cli = Callable[[list[str]], int]


@pytest.mark.parametrize("command", ["validate", "agreement", "export", "adjudicate"])
def test_a_folder_given_as_the_export_is_a_usage_error(
    command: str, tmp_path: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = {"export": ["-o", str(tmp_path / "gold")], "adjudicate": ["--project", "p"]}
    assert cli([command, str(tmp_path), *extra.get(command, [])]) == 2
    assert f"argument export: {tmp_path} is a folder, expected a file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["validate", "no-such.json"], "argument export: no such file: no-such.json", id="export"
        ),
        pytest.param(
            ["push", "no-such-corpus", "--project", "p"],
            "argument corpus: no such file or folder: no-such-corpus",
            id="corpus",
        ),
        pytest.param(
            ["push", str(FIXTURES / "corpus"), "--project", "p", "--predictions", "none.jsonl"],
            "argument --predictions: no such file: none.jsonl",
            id="predictions",
        ),
        pytest.param(
            ["push", str(FIXTURES / "corpus"), "--project", "p", "--batch-size", "0"],
            "argument --batch-size: expected a whole number of at least 1, got '0'",
            id="batch-size",
        ),
        pytest.param(
            ["export", str(EXPORT), "-o", "g", "--review", "none.json"],
            "argument --review: no such file: none.json",
            id="review",
        ),
        pytest.param(
            ["export", str(EXPORT), "-o", "g", "--card-notes", "none.md"],
            "argument --card-notes: no such file: none.md",
            id="card-notes",
        ),
        pytest.param(
            ["export", str(EXPORT), "-o", "g", "--leaderboard", "none.json"],
            "argument --leaderboard: no such file: none.json",
            id="leaderboard",
        ),
        pytest.param(
            ["bench", "--gold", str(EXPORT), "--extractor", "x:f"],
            f"argument --gold: {EXPORT} is a file, expected a folder",
            id="gold-is-a-file",
        ),
    ],
)
def test_missing_inputs_are_usage_errors(
    argv: list[str], message: str, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("train=0.8,test=0.3", "split ratios must sum to 1, found 1.1", id="sum"),
        pytest.param("train=x", "--splits: 'train=x' is not NAME=RATIO, e.g. test=0.2", id="nan"),
        pytest.param("tr-ain=1", "split names must be letters, digits or _: tr-ain", id="name"),
        pytest.param("test=0,train=1", "split ratios must be positive", id="zero"),
    ],
)
def test_bad_splits_are_a_usage_error(
    spec: str, message: str, tmp_path: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["export", str(EXPORT), "-o", str(tmp_path / "g"), "--splits", spec]) == 2
    assert f"annotate export: {message}" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_bench_on_a_split_the_dataset_lacks(
    tmp_path: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold"
    assert cli(["export", str(EXPORT), "-o", str(gold)]) == 0  # small: a test split only
    capsys.readouterr()
    argv = ["bench", "--gold", str(gold), "--extractor", "annotate.extractors.baseline:extract"]
    assert cli(argv) == 0
    assert cli([*argv, "--split", "validation"]) == 2
    assert (
        f"annotate bench: {gold}: no split 'validation' in the gold dataset (splits: test)"
        in capsys.readouterr().err
    )


def test_an_unwritable_output_is_a_usage_error(
    tmp_path: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert cli(["export", str(EXPORT), "-o", str(blocker / "gold")]) == 2
    assert f"annotate export: cannot use {blocker}: File exists" in capsys.readouterr().err


def test_a_clean_validate_removes_a_stale_quarantine(
    tmp_path: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(INVALID.read_bytes())
    assert cli(["validate", str(export)]) == 1
    quarantine = quarantine_path(export)
    assert len(json.loads(quarantine.read_text(encoding="utf-8"))) == 1
    capsys.readouterr()
    export.write_bytes(VALID.read_bytes())  # fixed, then pulled again
    assert cli(["validate", str(export)]) == 0
    assert not quarantine.exists()
    assert (
        f"removed {quarantine}: it held the invalid annotations of an earlier run"
        in capsys.readouterr().out
    )
    assert cli(["validate", str(export), "--format", "json"]) == 0  # nothing left to remove
    assert json.loads(capsys.readouterr().out)["quarantine"] is None
