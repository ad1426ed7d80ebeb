"""Where ``annotate export`` writes: the marker, ``-o .``, empty exports, refused folders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from annotate.dataset.writer import MARKER, read_gold

FIXTURES = Path(__file__).parent / "fixtures" / "dataset"
EXPORT = FIXTURES / "export.json"
Cli = Callable[[list[str]], int]


def test_a_dataset_carries_the_marker_and_loads(tmp_path: Path, cli: Cli) -> None:
    import datasets

    out = tmp_path / "gold"
    assert cli(["export", str(EXPORT), "-o", str(out)]) == 0
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["written_by"] == "annotate"
    loaded = datasets.load_dataset(str(out))
    assert loaded["test"].num_rows == len(read_gold(out)) == 3
    assert MARKER not in (out / "README.md").read_text(encoding="utf-8")


def test_export_into_the_current_folder_with_force(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gold"
    assert cli(["export", str(EXPORT), "-o", str(out)]) == 0
    monkeypatch.chdir(out)
    assert cli(["export", str(EXPORT), "-o", ".", "--force", "--name", "Other"]) == 0
    assert "wrote 3 documents (test 3) to ." in capsys.readouterr().out
    assert "pretty_name: Other" in (out / "README.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]  # no temporary left


def test_export_into_an_empty_current_folder(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "gold"
    out.mkdir()
    monkeypatch.chdir(out)
    assert cli(["export", str(EXPORT), "-o", "."]) == 0
    assert len(read_gold(out)) == 3


def test_a_folder_of_other_files_is_never_replaced(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    here = tmp_path / "work"
    here.mkdir()
    (here / "export.json").write_bytes(EXPORT.read_bytes())
    monkeypatch.chdir(here)
    assert cli(["export", "export.json", "-o", ".", "--force"]) == 2
    err = capsys.readouterr().err
    assert "annotate export: . holds files this tool did not write (export.json)" in err
    assert "it is never replaced, even with --force" in err
    assert sorted(p.name for p in here.iterdir()) == ["export.json"]


@pytest.mark.parametrize(
    ("export", "why"),
    [
        pytest.param("export-empty.json", "the export has no task", id="no-task"),
        pytest.param(
            "export-no-annotations.json",
            "all 4 task(s) were left out (no submissions)",
            id="all-left-out",
        ),
    ],
)
def test_an_export_without_documents_is_refused(
    export: str, why: str, tmp_path: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gold"
    assert cli(["export", str(FIXTURES / export), "-o", str(out)]) == 1
    assert (
        f"annotate export: no document to write: {why}; a dataset of no document cannot be "
        "loaded, so nothing was written"
    ) in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
