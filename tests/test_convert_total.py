"""The converter is total: a valid export mutated at random (JSON types, ids, nesting,
Unicode) gives records or located problems, never an exception, and every annotation in
is counted as valid, rejected (quarantined) or cancelled: nothing is lost."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from annotate.dataset.run import ExportRun
from annotate.errors import InvalidInputError
from annotate.gold.validate import ValidationReport, validate_export, write_quarantine
from annotate.labelstudio.convert import AnnotationReader, convert_task
from annotate.problems import printable
from annotate.schema import SchemaSet

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
SCHEMAS = SchemaSet()
DEEP = 1100  # beyond what either JSON decoder reads
NEST = "(nested 1,100 levels deep)"  # written as such in the file (no encoder nests so deep)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "abc", "\ud83d", "Putin \udc00", "PERSON", "2017-02-30", "a\nb"]),
    st.text(max_size=6),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


def _two_tasks() -> list[dict[str, Any]]:
    [task] = json.loads((EXPORTS / "unknown-label.json").read_text(encoding="utf-8"))
    for result in task["annotations"][0]["result"]:  # the one thing wrong with it, put right
        if (result.get("value") or {}).get("labels") == ["CITY"]:
            result["value"]["labels"] = ["GPE"]
    other = copy.deepcopy(task)
    other["id"], other["data"]["doc_id"] = 3, "doc-other"
    return [task, other]


BASE = _two_tasks()
Path_ = tuple[Any, ...]


def _paths(value: Any, path: Path_ = ()) -> list[Path_]:
    """Every place inside a task where a value sits (the task and its data object aside:
    an item that is not a task with data is an error of the whole file, by design)."""
    out, stack = [], [(value, path)]
    while stack:
        node, where = stack.pop()
        if len(where) > 1 and where[1:] != ("data",):
            out.append(where)
        if isinstance(node, dict | list):
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack += [(child, (*where, key)) for key, child in items]
    return sorted(out, key=repr)


def _parent(tasks: list[Any], path: Path_) -> Any:
    node: Any = tasks
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> list[dict[str, Any]]:
    tasks = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(tasks)))
        parent, key = _parent(tasks, path), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "delete", "nest", "twice"]))
        if action == "replace":
            parent[key] = draw(VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "nest":
            parent[key] = draw(st.sampled_from([[parent[key]], [[parent[key]]], NEST]))
        elif action == "twice" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    if draw(st.booleans()):
        tasks[0]["completions"] = tasks[0].pop("annotations", None)
    return tasks


def _write(path: Path, tasks: list[dict[str, Any]], ascii_only: bool) -> None:
    deep = "[" * DEEP + "0" + "]" * DEEP
    text = json.dumps(tasks, ensure_ascii=ascii_only)
    if not text.isascii() and printable(text) != text:  # a lone surrogate: only as \u escape
        text = json.dumps(tasks)
    path.write_text(text.replace(json.dumps(NEST), deep), encoding="utf-8")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if node == NEST:
            deepest = max(deepest, depth + DEEP)
        elif isinstance(node, dict | list):
            deepest = max(deepest, depth)
            stack += [(c, depth + 1) for c in (node.values() if isinstance(node, dict) else node)]
    return deepest


def _annotations_in(task: dict[str, Any]) -> tuple[int, int]:
    """How many annotations a task holds, and how many of them are cancelled."""
    key = "annotations" if "annotations" in task or "completions" not in task else "completions"
    found = task.get(key)
    items = found if isinstance(found, list) else [] if found is None else [found]
    cancelled = sum(1 for a in items if isinstance(a, dict) and a.get("was_cancelled"))
    return len(items), cancelled


def _check_counts(report: ValidationReport, tasks: list[dict[str, Any]]) -> None:
    readable = [t for t in tasks if _depth(t) <= 1000]
    too_deep = [p for p in report.problems if p.code == "too-deep"]
    assert len(too_deep) == len(tasks) - len(readable)
    assert report.tasks == len(tasks)
    counts = [_annotations_in(t) for t in readable]
    assert report.annotations + report.cancelled == sum(n for n, _ in counts)
    assert report.cancelled == sum(c for _, c in counts)
    assert report.valid + len(report.rejected) == report.annotations
    if report.rejected:
        assert report.problems  # nothing is set aside without saying why


@pytest.mark.filterwarnings("ignore::annotate.labelstudio.convert.OldExportWarning")
@given(tasks=mutated(), ascii_only=st.booleans())
def test_any_mutation_gives_records_or_located_problems(
    tmp_path_factory: Any, tasks: list[dict[str, Any]], ascii_only: bool
) -> None:
    folder = tmp_path_factory.mktemp("export")
    export = folder / "export.json"
    _write(export, tasks, ascii_only)
    report = validate_export(export, SCHEMAS)
    _check_counts(report, tasks)
    for problem in report.problems:
        str(problem).encode("utf-8")  # every message can be shown
    write_quarantine(folder / "export.quarantine.json", report)
    json.loads((folder / "export.quarantine.json").read_text(encoding="utf-8"))


def test_the_mutations_reach_every_kind_of_place() -> None:
    """The generator can touch ids, types, values and relations, not only the text."""
    keys = {path[-1] for path in _paths(BASE)}
    assert {"id", "annotations", "result", "value", "labels", "completed_by", "text"} <= keys


@pytest.mark.filterwarnings("ignore::annotate.labelstudio.convert.OldExportWarning")
@settings(max_examples=25)
@given(tasks=mutated())
def test_what_validate_passes_export_writes(
    tmp_path_factory: Any, tasks: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("export")
    export = folder / "export.json"
    _write(export, tasks, False)
    report = validate_export(export, SCHEMAS)
    run = ExportRun(export, SCHEMAS, workers=1)
    event("valid" if report.ok else "invalid")
    if report.ok:
        summary = run.write(folder / "gold")
        assert summary.tasks == report.tasks
    else:
        with pytest.raises(InvalidInputError):
            run.write(folder / "gold")
        assert [str(p) for p in run.problems] == [str(p) for p in report.problems]


def _careful(self: AnnotationReader, results: list[Any]) -> None:
    return None


@pytest.mark.filterwarnings("ignore::annotate.labelstudio.convert.OldExportWarning")
@given(tasks=mutated())
def test_the_one_pass_reader_reads_as_the_careful_one(tasks: list[dict[str, Any]]) -> None:
    """The fast path (results as Label Studio writes them, in one pass) gives the same
    records and the same problems as the careful reading alone, on any mutation."""
    fast = [convert_task(task, SCHEMAS, {}) for task in tasks]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AnnotationReader, "_usual_results", _careful)
        careful = [convert_task(task, SCHEMAS, {}) for task in tasks]
    assert fast == careful


def test_usual_annotations_take_the_one_pass_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: AnnotationReader, results: list[Any]) -> None:
        raise AssertionError("the careful reading of a usual annotation")

    monkeypatch.setattr(AnnotationReader, "_results", refuse)
    converted = [convert_task(task, SCHEMAS, {}) for task in BASE]
    assert all(c.task.submissions and not c.problems for c in converted)
