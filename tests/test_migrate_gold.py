"""Migrating a gold dataset folder offline with a plan (``annotate migrate GOLD_DIR``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import datasets
import pytest

from annotate.cli import main
from annotate.dataset.migrate import migrate_gold
from annotate.dataset.reader import gold_splits
from annotate.dataset.writer import read_gold
from annotate.labelstudio.relabel import parse_plan
from annotate.schema import SchemaSet

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "gold"
PLAN = {"rename": {"entities": {"ORG": "ORGANIZATION", "LOC": "GPE"}}}


def new_schemas(schema_copy: Callable[..., SchemaSet], labels: list[str]) -> SchemaSet:
    def edit(loaded: dict[str, dict[str, Any]]) -> None:
        loaded["entities"]["properties"]["label"]["enum"] = labels
        speaker = loaded["claims"]["properties"]["speaker"]["x-annotate"]
        speaker["target_labels"] = ["PERSON", "ORGANIZATION", "NORP"]

    return schema_copy(edit)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def labels(folder: Path) -> Counter[str]:
    return Counter(
        e.label
        for split in gold_splits(folder)
        for g in read_gold(folder, split)
        for e in g.entities
    )


def test_gold_folder_migrates_to_a_new_folder_that_loads_with_the_new_labels(
    schema_copy: Callable[..., SchemaSet], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = new_schemas(schema_copy, ["PERSON", "ORGANIZATION", "GPE", "NORP", "EVENT"])
    before_files = snapshot(GOLD)
    out = tmp_path / "gold-v2"
    done = migrate_gold(GOLD, parse_plan(PLAN), schemas, out)
    assert done.output == out and done.summary is not None
    assert snapshot(GOLD) == before_files
    before, after = labels(GOLD), labels(out)
    assert before["ORG"] > 0 and before["LOC"] > 0
    expected = Counter(before)
    expected["ORGANIZATION"] = expected.pop("ORG")
    expected["GPE"] += expected.pop("LOC")
    assert after == expected
    assert gold_splits(out) == gold_splits(GOLD)
    old = {g.document.id: g for s in gold_splits(GOLD) for g in read_gold(GOLD, s)}
    for split in gold_splits(out):
        for gold in read_gold(out, split):
            assert gold.document == old[gold.document.id].document
            assert gold.claims == old[gold.document.id].claims
            assert gold.event_dates == old[gold.document.id].event_dates
    assert done.impact.values[("entities", "ORG")].renamed == before["ORG"]
    assert done.impact.dropped == []

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf"))["test"]
    names = loaded.features["entities"].feature["label"].names
    assert names == ["PERSON", "ORGANIZATION", "GPE", "NORP", "EVENT"]
    found = Counter(names[e["label"]] for row in loaded for e in row["entities"])
    assert found == after
    tokens = datasets.load_dataset(str(out), "tokens", cache_dir=str(tmp_path / "hf"))["test"]
    assert "B-ORGANIZATION" in tokens.features["ner_tags"].feature.names

    card = (out / "README.md").read_text(encoding="utf-8")
    assert "## Agreement as measured before the migration" in card
    assert "| entities | LOC | 1.000 |" in card  # the old figures, quoted
    assert "## Source documents" in card  # the old card's own notes are kept


def test_gold_folder_dropped_regions_are_listed(
    schema_copy: Callable[..., SchemaSet], tmp_path: Path
) -> None:
    schemas = new_schemas(schema_copy, ["PERSON", "ORGANIZATION", "GPE", "NORP"])
    plan = parse_plan({**PLAN, "drop": {"entities": ["EVENT"]}})
    done = migrate_gold(GOLD, plan, schemas, tmp_path / "out")
    before = labels(GOLD)
    assert len(done.impact.dropped) == before["EVENT"] > 0
    assert {d["value"] for d in done.impact.dropped} == {"EVENT"}
    assert labels(tmp_path / "out")["EVENT"] == 0


def test_gold_folder_cli_dry_run_refusal_and_apply(
    schema_copy: Callable[..., SchemaSet], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schemas = new_schemas(schema_copy, ["PERSON", "ORGANIZATION", "GPE", "NORP", "EVENT"])
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"rename": {"entities": {"ORG": "ORGANIZATION"}}}), "utf-8")
    out = tmp_path / "new"
    args = ["migrate", str(GOLD), "--plan", str(plan), "--schemas", str(schemas.directory)]
    assert main([*args, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "not covered by the plan" in err and "entities.LOC" in err
    assert not out.exists()

    plan.write_text(json.dumps(PLAN), "utf-8")
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "entities:ORG" in printed and "dry run" in printed
    assert not out.exists()

    assert main([*args, "-o", str(out), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["output"] == str(out)
    assert {v["value"] for v in report["impact"]["values"]} == {"ORG", "LOC"}
    assert labels(out)["ORGANIZATION"] == labels(GOLD)["ORG"]
    assert main([*args, "-o", str(GOLD)]) == 2  # a MigrationError
    assert "in place" in capsys.readouterr().err


def test_every_document_keeps_its_split(
    schema_copy: Callable[..., SchemaSet], tmp_path: Path
) -> None:
    schemas = new_schemas(schema_copy, ["PERSON", "ORGANIZATION", "GPE", "NORP", "EVENT"])
    source = tmp_path / "split"
    export = REPO / "annotations" / "sochi-2017.json"
    assert main(["export", str(export), "-o", str(source), "--splits", "train=0.5,test=0.5"]) == 0
    done = migrate_gold(source, parse_plan(PLAN), schemas, tmp_path / "out")
    assert done.output is not None

    def splits(folder: Path) -> dict[str, set[str]]:
        return {s: {g.document.id for g in read_gold(folder, s)} for s in gold_splits(folder)}

    before = splits(source)
    assert len(before) == 2 and all(before.values())
    assert splits(done.output) == before
