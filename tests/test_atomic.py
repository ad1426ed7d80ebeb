"""Atomic writes leave nothing behind, and clear what a killed run left."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import annotate.atomic
from annotate.atomic import atomic_directory, atomic_write_text, remove_stale, running


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that ran and was reaped."""
    process = subprocess.Popen(["true"])
    process.wait()
    assert not running(process.pid)
    return process.pid


def test_running() -> None:
    assert running(os.getpid())
    assert running(1)  # init: someone else's process still counts


def test_temporaries_name_their_owner(tmp_path: Path) -> None:
    target = tmp_path / "gold"
    with atomic_directory(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(f".gold.{os.getpid()}.") and tmp.name.endswith(".tmp")
        (tmp / "a").write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path, dead_pid: int) -> None:
    target = tmp_path / "gold"
    stale_dir = tmp_path / f".gold.{dead_pid}.abcd_123.tmp"
    (stale_dir / "documents").mkdir(parents=True)
    (stale_dir / "documents" / "train-00000-of-00001.parquet").write_bytes(b"PAR1")
    stale_file = tmp_path / f".export.json.{dead_pid}.zz9_zz9z.tmp"
    stale_file.write_text("[")
    live = tmp_path / f".gold.{os.getpid()}.livelive.tmp"  # a run still going: kept
    live.mkdir()
    unrelated = [tmp_path / ".gold.old", tmp_path / f".gold.{dead_pid}.tmp", tmp_path / "other"]
    for path in unrelated:
        path.mkdir()
    with atomic_directory(target) as tmp:
        (tmp / "a").write_text("x")
    assert not stale_dir.exists()
    assert stale_file.exists()  # another target's temporary: left for its own next write
    atomic_write_text(tmp_path / "export.json", "[]")
    assert not stale_file.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["gold", "export.json", live.name, *(p.name for p in unrelated)]
    )


def test_a_run_killed_mid_swap_gets_the_old_folder_back(tmp_path: Path, dead_pid: int) -> None:
    target = tmp_path / "gold"
    old = tmp_path / f".gold.{dead_pid}.abcdefgh.old.tmp"  # moved aside, then killed
    old.mkdir()
    (old / "README.md").write_text("previous dataset")
    new = tmp_path / f".gold.{dead_pid}.abcdefgh.tmp"  # the new one was never renamed
    new.mkdir()
    assert sorted(p.name for p in remove_stale(target)) == sorted([new.name, old.name])
    assert (target / "README.md").read_text() == "previous dataset"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]


def test_a_failed_build_leaves_the_target_alone(tmp_path: Path) -> None:
    target = tmp_path / "gold"
    target.mkdir()
    (target / "README.md").write_text("before")
    with pytest.raises(RuntimeError), atomic_directory(target) as tmp:
        (tmp / "README.md").write_text("after")
        raise RuntimeError
    assert (target / "README.md").read_text() == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]


def test_relative_and_current_folder_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "gold"
    target.mkdir()
    monkeypatch.chdir(target)
    with atomic_directory(".") as tmp:
        assert tmp.parent == tmp_path
        (tmp / "README.md").write_text("new")
    assert (target / "README.md").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_folder_replaces_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:  # as where renameat2 is missing (not Linux, an old C library)
        monkeypatch.setattr(annotate.atomic, "_exchange", lambda a, b: False)
    target = tmp_path / "gold"
    target.mkdir()
    (target / "old.txt").write_text("before")
    with atomic_directory(target) as tmp:
        (tmp / "new.txt").write_text("after")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]
