"""The project's own gold dataset: valid, loadable offline, and rebuilt byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import datasets
import pytest

from annotate.dataset.writer import read_gold
from annotate.gold.validate import validate_export
from annotate.labelstudio.server import LocalServer

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "gold"
RECORDED = REPO / "annotations" / "sochi-2017.json"


def test_recorded_annotations_have_zero_problems() -> None:
    report = validate_export(RECORDED)
    assert report.problems == []
    assert (report.tasks, report.valid) == (5, 9)


@pytest.mark.parametrize("config", ["documents", "tokens"])
def test_gold_loads_offline(config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loaded = datasets.load_dataset(str(GOLD), config, cache_dir=str(tmp_path))
    assert list(loaded) == ["test"]
    assert loaded["test"].num_rows == 5


def test_gold_covers_every_layer_of_every_document() -> None:
    gold = read_gold(GOLD)
    assert len(gold) == 5
    for annotation in gold:
        assert annotation.entities and annotation.claims and annotation.event_dates
        for record in (*annotation.entities, *annotation.claims, *annotation.event_dates):
            assert annotation.document.text[record.start : record.end] == record.text


def test_card_shows_agreement_baselines_and_disputes() -> None:
    card = (GOLD / "README.md").read_text(encoding="utf-8")
    for needle in (
        "load_dataset",
        "agreement",
        "baseline",
        "400,000",
        "Thursday",
        "AI agents",
        "cc-by-4.0",
    ):
        assert needle in card, needle


@pytest.mark.server
@pytest.mark.slow
def test_main_command_rebuilds_gold_byte_identically() -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        run = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "build_gold.py")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    finally:
        LocalServer(REPO / ".annotate" / "server").stop()
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert 'load_dataset("gold")' in run.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "gold"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == "", status.stdout
