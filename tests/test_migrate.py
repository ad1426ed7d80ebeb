"""Migration plans, the rewrite of results, and offline migration of an export."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.cli import main
from annotate.errors import MigrationError, PlanError
from annotate.gold.validate import validate_export
from annotate.labelstudio.exportfile import read_export
from annotate.labelstudio.migrate_export import migrate_export
from annotate.labelstudio.relabel import (
    MigrationPlan,
    check_plan,
    parse_plan,
    rewrite_results,
    task_items,
    values_used,
)
from annotate.schema import SchemaSet

REPO = Path(__file__).resolve().parent.parent
EXPORT = REPO / "annotations" / "sochi-2017.json"
PLAN = {
    "rename": {
        "entities": {"ORG": "ORGANIZATION", "LOC": "GPE"},
        "claims_type": {"paraphrase": "reported"},
    },
    "drop": {"entities": ["EVENT"]},
}
OLD = {"entities": {"PERSON", "ORG", "GPE", "LOC", "EVENT"}, "claims_type": {"quote", "paraphrase"}}
NEW = {"entities": {"PERSON", "ORGANIZATION", "GPE"}, "claims_type": {"quote", "reported"}}


def new_schemas(schema_copy: Callable[..., SchemaSet]) -> SchemaSet:
    def edit(loaded: dict[str, dict[str, Any]]) -> None:
        loaded["entities"]["properties"]["label"]["enum"] = [
            "PERSON",
            "ORGANIZATION",
            "GPE",
            "NORP",
        ]
        speaker = loaded["claims"]["properties"]["speaker"]["x-annotate"]
        speaker["target_labels"] = ["PERSON", "ORGANIZATION", "NORP"]
        loaded["claims"]["properties"]["type"]["enum"] = ["quote", "reported", "assertion"]

    return schema_copy(edit)


def region(rid: str, control: str, key: str, value: str) -> dict[str, Any]:
    kind = "labels" if key == "labels" else "choices"
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": kind,
        "value": {"start": 0, "end": 3, "text": "abc", key: [value]},
    }


def relation(a: str, b: str, label: str = "said_by") -> dict[str, Any]:
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": [label]}


def test_plan_file_problems_are_all_listed() -> None:
    with pytest.raises(PlanError) as info:
        parse_plan(
            {"rename": {"entities": {"ORG": 3}}, "drop": {"x": "EVENT"}, "merge": {}}, "p.json"
        )
    text = str(info.value)
    assert "p.json, field merge: unknown key" in text
    assert "field rename.entities: wrong type; expected an object of OLD: NEW strings" in text
    assert "field drop.x: wrong type; expected a list of strings, found 'EVENT'" in text
    with pytest.raises(PlanError, match="both renamed and dropped"):
        parse_plan({"rename": {"entities": {"ORG": "GPE"}}, "drop": {"entities": ["ORG"]}})


def test_check_plan_names_what_is_missing_and_what_is_wrong() -> None:
    assert check_plan(parse_plan(PLAN), OLD, NEW, "here") == []
    partial = parse_plan({"rename": {"entities": {"ORG": "ORGANISATION", "GPE": "PLACE"}}})
    found = {(p.where.field, p.code, p.message) for p in check_plan(partial, OLD, NEW, "here")}
    assert (
        "entities.LOC",
        "plan-missing",
        "retired by the new schemas but not covered by the plan",
    ) in found
    assert (
        "entities.EVENT",
        "plan-missing",
        "retired by the new schemas but not covered by the plan",
    ) in found
    assert (
        "claims_type.paraphrase",
        "plan-missing",
        "retired by the new schemas but not covered by the plan",
    ) in found
    assert (
        "entities.ORG",
        "plan",
        "rename target 'ORGANISATION' is not defined by the new schemas",
    ) in found
    messages = " ".join(m for _, _, m in found)
    assert "'GPE' is still defined by the new schemas" in messages
    unknown = parse_plan({"drop": {"entitys": ["ORG"]}})
    assert "unknown control 'entitys'" in str(check_plan(unknown, OLD, NEW, "here")[0])


def test_rewrite_renames_merges_and_drops_whole_regions() -> None:
    results = [
        region("e1", "entities", "labels", "ORG"),
        region("e1", "entities_canonical", "text", "Gazprom"),
        region("e2", "entities", "labels", "EVENT"),
        region("e2", "entities_canonical", "text", "Olympics"),
        region("c1", "claims", "labels", "CLAIM"),
        region("c1", "claims_type", "choices", "paraphrase"),
        relation("c1", "e1"),
        relation("c1", "e2"),
    ]
    done = rewrite_results(results, parse_plan(PLAN))
    assert [r.get("id") for r in done.result] == ["e1", "e1", "c1", "c1", None]
    assert done.result[0]["value"]["labels"] == ["ORGANIZATION"]
    assert done.result[3]["value"]["choices"] == ["reported"]
    assert done.result[4]["to_id"] == "e1"
    assert done.renamed == Counter({("entities", "ORG"): 1, ("claims_type", "paraphrase"): 1})
    assert [(d.region_id, d.value, d.text) for d in done.dropped] == [("e2", "EVENT", "abc")]
    assert results[0]["value"]["labels"] == ["ORG"]  # the input is left as it was
    merged = rewrite_results([region("x", "entities", "labels", "LOC")], parse_plan(PLAN))
    assert merged.result[0]["value"]["labels"] == ["GPE"]


def test_dropped_relation_value_removes_only_relations() -> None:
    plan = parse_plan({"drop": {"Relations": ["said_by"]}})
    done = rewrite_results([region("e1", "entities", "labels", "ORG"), relation("c", "e1")], plan)
    assert done.result == [region("e1", "entities", "labels", "ORG")]
    assert [(d.control, d.region_id) for d in done.dropped] == [("Relations", "c->e1")]


LABELS = ["A", "B", "C", "D", "E", "F"]


@st.composite
def plans_and_results(draw: st.DrawFn) -> tuple[MigrationPlan, list[dict[str, Any]]]:
    """A plan that fits some old and new vocabularies, and results over the old one."""
    retired = draw(st.sets(st.sampled_from(LABELS), min_size=1, max_size=4))
    kept = sorted(set(LABELS) - retired)
    dropped = draw(st.sets(st.sampled_from(sorted(retired))))
    rename = {v: draw(st.sampled_from(kept)) for v in sorted(retired - dropped)}
    plan = MigrationPlan({"entities": rename}, {"entities": frozenset(dropped)})
    ids = [f"r{i}" for i in range(draw(st.integers(0, 6)))]
    results: list[dict[str, Any]] = []
    for rid in ids:
        labels = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=2))
        results.append(
            {
                **region(rid, "entities", "labels", labels[0]),
            }
        )
        results[-1]["value"]["labels"] = labels
        results.append(region(rid, "entities_canonical", "text", "x"))
    for a, b in draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids))) if ids else st.just([])
    ):
        results.append(relation(a, b))
    return plan, results


@settings(max_examples=100, deadline=None)
@given(plans_and_results())
def test_rewrite_is_idempotent_and_leaves_no_retired_value(
    case: tuple[MigrationPlan, list[dict[str, Any]]],
) -> None:
    """What makes a re-run safe: a second rewrite changes nothing."""
    plan, results = case
    once = rewrite_results(results, plan)
    twice = rewrite_results(once.result, plan)
    assert twice.result == once.result and not twice.changed
    retired = plan.sources()["entities"]
    assert not {v for _, v in values_used(once.result)} & retired
    kept = {str(r.get("id")) for r in once.result if r.get("type") != "relation"}
    gone = {d.region_id for d in once.dropped}
    assert not kept & gone
    for r in once.result:
        if r.get("type") == "relation":
            assert {r["from_id"], r["to_id"]} <= kept


def test_offline_export_migration_validates_against_new_schemas(
    schema_copy, tmp_path: Path
) -> None:
    schemas = new_schemas(schema_copy)
    source = tmp_path / "sochi.json"
    shutil.copy(EXPORT, source)
    impact, target = migrate_export(source, parse_plan(PLAN), schemas)
    assert target == tmp_path / "sochi.migrated.json"
    assert source.read_bytes() == EXPORT.read_bytes()
    report = validate_export(target, schemas)
    assert report.ok, report.to_text()

    def counts(path: Path) -> Counter[str]:
        found: Counter[str] = Counter()
        for task in read_export(path):
            for kind, item in task_items(task):
                if kind == "annotations":
                    found.update(v for _, v in values_used(item["result"]))
        return found

    before, after = counts(source), counts(target)
    assert before["ORG"] > 0 and before["LOC"] + before["EVENT"] > 0
    assert after["ORGANIZATION"] == before["ORG"]
    assert after["GPE"] == before["GPE"] + before["LOC"]
    assert after["reported"] == before["paraphrase"]
    assert after["EVENT"] == after["ORG"] == after["LOC"] == 0
    assert impact.values[("entities", "EVENT")].dropped == len(impact.dropped)
    manifest = json.loads((tmp_path / "sochi.migrated.manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == schemas.version


def test_offline_cli_refuses_an_incomplete_plan_and_a_gold_folder(
    schema_copy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schemas = new_schemas(schema_copy)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"rename": {"entities": {"ORG": "ORGANIZATION"}}}), "utf-8")
    args = ["migrate", str(EXPORT), "--plan", str(plan), "--schemas", str(schemas.directory)]
    assert main([*args, "-o", str(tmp_path / "out.json")]) == 1
    err = capsys.readouterr().err
    assert "not covered by the plan" in err and "entities.LOC" in err
    assert not (tmp_path / "out.json").exists()
    with pytest.raises(MigrationError, match="gold dataset folder"):
        migrate_export(tmp_path, parse_plan(PLAN), schemas)
    plan.write_text(json.dumps(PLAN), "utf-8")
    assert main([*args, "-o", str(tmp_path / "out.json"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["output"] == str(tmp_path / "out.json")
    assert {v["value"] for v in out["impact"]["values"]} == {"ORG", "LOC", "EVENT", "paraphrase"}


def test_task_steps_detach_drafts_of_saved_annotations_then_attach_them_again() -> None:
    """Label Studio deletes an annotation's drafts when it is saved: they step aside first."""
    from annotate.labelstudio.migrate import task_steps

    org = [region("e1", "entities", "labels", "ORG")]
    person = [region("e2", "entities", "labels", "PERSON")]
    task = {
        "id": 1,
        "data": {},
        "annotations": [{"id": 10, "result": org}, {"id": 11, "result": person}],
        "drafts": [
            {"id": 20, "annotation": 10, "result": person},  # unchanged, but on a saved one
            {"id": 21, "annotation": 11, "result": person},  # its annotation is not saved
            {"id": 22, "annotation": None, "result": org},
        ],
        "predictions": [{"id": 30, "result": org}],
    }
    plan = parse_plan(PLAN)
    steps = list(task_steps(task, plan, restore=False))
    assert [s.key for s in steps] == [
        "draft:20",
        "draft:22",
        "annotation:10",
        "prediction:30",
        "attach:20",
    ]
    assert steps[0].payload == {"annotation": None}
    assert steps[1].payload["result"][0]["value"]["labels"] == ["ORGANIZATION"]
    assert steps[-1].payload == {"annotation": 10}
    undo = list(task_steps(task, plan, restore=True))
    assert [s.key for s in undo] == [s.key for s in steps]
    assert undo[2].payload == {"result": org}


def test_progress_log_ignores_a_torn_last_line(tmp_path: Path) -> None:
    from annotate.labelstudio.migration_record import ProgressLog

    path = tmp_path / "p.jsonl"
    log = ProgressLog(path)
    log.add("annotation:1")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"step": "annot')  # the process was killed mid-write
    again = ProgressLog(path)
    assert again.done == {"annotation:1"}
    again.add("annotation:2")
    assert ProgressLog(path).done == {"annotation:1", "annotation:2"}
