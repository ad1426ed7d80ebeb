"""The export engine (ExportRun): the same dataset from any number of worker processes.

The export here is tests/fixtures/dataset/export.json (see test_dataset.py) repeated with
fresh document ids: 80 copies of its 4 tasks, so more than SMALL documents and many
batches once the batch size is made small. The engine takes typed tasks too; they give the
same dataset as the file they came from.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import annotate.dataset.run
from annotate.cli import main
from annotate.dataset.run import ExportRun, export_dataset
from annotate.dataset.writer import ExportOptions, read_gold
from annotate.errors import InvalidInputError
from annotate.gold.agreement import AgreementAccumulator
from annotate.gold.review import apply_review
from annotate.labelstudio.convert import iter_tasks
from annotate.records import Annotation, Document, Entity, Submission, Task
from annotate.schema import SchemaSet

FIXTURE = Path(__file__).parent / "fixtures" / "dataset" / "export.json"
COPIES = 80


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def _write_export(path: Path, duplicate_of: int | None = None) -> Path:
    tasks = json.loads(FIXTURE.read_text(encoding="utf-8"))
    out = []
    for n in range(COPIES):
        for task in tasks:
            task = copy.deepcopy(task)
            task["id"] = len(out) + 1
            task["data"]["doc_id"] = f"{task['data']['doc_id']}-{n:03d}"
            for annotation in task["annotations"]:
                annotation["id"] = 1000 * task["id"] + annotation["id"]
            out.append(task)
    if duplicate_of is not None:  # a later task holding an earlier task's document
        repeat = copy.deepcopy(out[duplicate_of])
        repeat["id"] = len(out) + 1
        out.append(repeat)
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return path


def _write_review(path: Path, doc_ids: list[str], label: str | None = None) -> Path:
    """A pulled review project: on each document, user 9 submitted user 1's version of the
    fixture's 001-emoji (with its two claims, which user 2 left out); ``label`` replaces
    the label of its first entity."""
    [task] = [t for t in json.loads(FIXTURE.read_text(encoding="utf-8")) if t["id"] == 1]
    verdict = task["annotations"][0]
    verdict["completed_by"] = 9
    if label is not None:
        verdict["result"][0]["value"]["labels"] = [label]
    out = []
    for n, doc_id in enumerate(doc_ids, 1):
        review = copy.deepcopy(task)
        review["id"], review["data"]["doc_id"] = 900 + n, doc_id
        review["annotations"] = [verdict | {"id": 9000 + n}]
        out.append(review)
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(annotate.dataset.run, "BATCH_BYTES", 8 << 10)  # about four tasks


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("splits", [None, {"train": 0.5, "test": 0.5}])
def test_any_number_of_workers_writes_the_same_dataset(
    tmp_path: Path, schemas: SchemaSet, splits: dict[str, float] | None
) -> None:
    export = _write_export(tmp_path / "export.json")
    options = ExportOptions(splits=splits)
    done: list[int] = []
    one = ExportRun(export, schemas, options, workers=1).write(tmp_path / "one")
    two = ExportRun(export, schemas, options, workers=2, progress=done.append)
    summary = two.write(tmp_path / "two")
    tasks = (c.task for c in iter_tasks(export, schemas))
    typed = export_dataset(tasks, tmp_path / "typed", schemas, options)
    assert _files(tmp_path / "one") == _files(tmp_path / "two") == _files(tmp_path / "typed")
    assert summary.tasks == 4 * COPIES and sum(done) == 4 * COPIES
    assert summary.documents == 3 * COPIES  # the skipped task of each copy is left out
    assert len(summary.splits) == (3 if splits is None else 2)
    assert summary.to_dict() | {"output": ""} == typed.to_dict() | {"output": ""}
    assert one.agreement == summary.agreement


@pytest.mark.usefixtures("small_batches")
def test_a_repeated_document_fails_the_export(tmp_path: Path, schemas: SchemaSet) -> None:
    export = _write_export(tmp_path / "export.json", duplicate_of=5)
    run = ExportRun(export, schemas, workers=2)
    with pytest.raises(InvalidInputError, match="1 problem"):
        run.write(tmp_path / "gold")
    assert not (tmp_path / "gold").exists()
    [problem] = run.problems
    assert problem.code == "duplicate-document"
    assert problem.where.task_id == 4 * COPIES + 1
    assert "also task 6" in problem.message


@pytest.mark.usefixtures("small_batches")
def test_skip_invalid_leaves_the_repeat_out(tmp_path: Path, schemas: SchemaSet) -> None:
    export = _write_export(tmp_path / "export.json", duplicate_of=5)
    run = ExportRun(str(export), schemas, skip_invalid=True, workers=2)  # a str works too
    summary = run.write(tmp_path / "gold")
    assert summary.duplicates == ((4 * COPIES + 1, "002-plain-001"),)
    assert summary.tasks == 4 * COPIES + 1 and summary.documents == 3 * COPIES
    [problem] = run.problems
    assert problem.code == "duplicate-document"
    one = ExportRun(export, schemas, skip_invalid=True, workers=1).write(tmp_path / "one")
    tasks = (c.task for c in iter_tasks(export, schemas))
    typed = ExportRun(tasks, schemas, skip_invalid=True, workers=2).write(tmp_path / "typed")
    assert one.duplicates == typed.duplicates == summary.duplicates
    assert _files(tmp_path / "gold") == _files(tmp_path / "one") == _files(tmp_path / "typed")


REVIEWED = ["001-emoji-000", "001-emoji-041"]  # in different batches


@pytest.mark.usefixtures("small_batches")
def test_review_verdicts_become_gold_with_any_number_of_workers(
    tmp_path: Path, schemas: SchemaSet
) -> None:
    export = _write_export(tmp_path / "export.json")
    review = _write_review(tmp_path / "review.json", REVIEWED)
    one = ExportRun(export, schemas, review=review, workers=1).write(tmp_path / "one")
    two = ExportRun(export, schemas, review=str(review), workers=2).write(tmp_path / "two")
    tasks = (c.task for c in iter_tasks(export, schemas))
    reviewed = (c.task for c in iter_tasks(review, schemas))
    typed = export_dataset(apply_review(tasks, reviewed), tmp_path / "typed", schemas)
    assert _files(tmp_path / "one") == _files(tmp_path / "two") == _files(tmp_path / "typed")
    same = [summary.to_dict() | {"output": ""} for summary in (one, two, typed)]
    assert same[0] == same[1] == same[2]
    plain = export_dataset(export, tmp_path / "plain", schemas)
    assert one.methods["ground-truth"] == plain.methods["ground-truth"] + len(REVIEWED)
    assert one.methods["majority"] == plain.methods["majority"] - len(REVIEWED)
    gold = {a.document.id: a for a in read_gold(tmp_path / "one", "train")}
    gold |= {
        a.document.id: a for s in ("validation", "test") for a in read_gold(tmp_path / "one", s)
    }
    for doc_id in REVIEWED:
        assert [c.annotators for c in gold[doc_id].claims] == [("user 1", "user 9")] * 2
    assert gold["001-emoji-001"].claims == ()  # not reviewed: the majority has no claim


@pytest.mark.usefixtures("small_batches")
def test_a_problem_in_the_review_fails_the_export(tmp_path: Path, schemas: SchemaSet) -> None:
    export = _write_export(tmp_path / "export.json")
    review = _write_review(tmp_path / "review.json", REVIEWED, label="PERSONA")
    run = ExportRun(export, schemas, review=review, workers=2)
    with pytest.raises(InvalidInputError, match=r"2 problem\(s\)") as info:
        run.write(tmp_path / "gold")
    assert f"(reviewed by {review})" in str(info.value)
    assert [(p.code, p.where.task_id) for p in run.problems] == [("label", 901), ("label", 902)]
    assert not (tmp_path / "gold").exists()
    skipped = ExportRun(export, schemas, review=review, skip_invalid=True, workers=2)
    summary = skipped.write(tmp_path / "gold")
    plain = export_dataset(export, tmp_path / "plain", schemas)
    assert summary.methods == plain.methods  # the invalid verdicts were left out
    assert len(skipped.problems) == 2


def test_cli_export_with_review_and_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = _write_export(tmp_path / "export.json")
    review = _write_review(tmp_path / "review.json", REVIEWED)
    out = tmp_path / "gold"
    args = ["export", str(export), "--review", str(review), "-o", str(out), "--workers", "2"]
    assert main(args) == 0
    assert f"ground-truth {COPIES + len(REVIEWED)}" in capsys.readouterr().out


def _task(task_id: int, doc: int) -> Task:
    document = Document(f"doc-{doc}", "Putin spoke.", "Wire", "2017-11-21", "en")
    layers = Annotation(document, (Entity("e1", 0, 5, "Putin", "PERSON"),))
    return Task(task_id, document, (Submission(task_id, "user 1", False, layers),))


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(st.integers(0, 6), max_size=30), size=st.integers(1, 7))
def test_the_first_task_of_a_document_wins_however_the_tasks_are_batched(
    schemas: SchemaSet, docs: list[int], size: int
) -> None:
    """The engine checks document ids after the workers, redoing a batch that repeats one;
    that gives what the rule says, task by task: the first task of a document is kept,
    every later one is a duplicate naming it."""
    tasks = [_task(i, doc) for i, doc in enumerate(docs, 1)]
    first: dict[str, int] = {}
    kept, duplicates, problems = set(), [], []
    for task in tasks:
        doc_id = task.document.id
        if doc_id in first:
            duplicates.append((task.task_id, doc_id))
            problems.append((task.task_id, f"duplicate document id (also task {first[doc_id]})"))
        else:
            first[doc_id] = task.task_id
            kept.add(doc_id)
    run = ExportRun(tasks, schemas, skip_invalid=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(annotate.dataset.run, "BATCH_TASKS", size)
        parts = list(run.parts())
    assert {i for p in parts for i in p.ids} == kept
    assert sum(len(p.ids) for p in parts) == len(kept)
    assert [d for p in parts for d in p.counts.duplicates] == duplicates
    assert [(p.where.task_id, p.message) for p in run.problems] == problems
    assert sum(p.counts.tasks for p in parts) == len(tasks)


def test_agreement_counts_add_up(schemas: SchemaSet) -> None:
    tasks = [c.task for c in iter_tasks(FIXTURE, schemas)] * 3
    whole = AgreementAccumulator(schemas)
    whole.add_all(tasks)
    merged = AgreementAccumulator(schemas)
    for part in (tasks[:5], tasks[5:]):
        counted = AgreementAccumulator(schemas)
        counted.add_all(reversed(part))  # order does not matter either
        merged.counts.merge(counted.counts)
    assert merged.report() == whole.report()
    assert merged.tasks == 12 and merged.compared_tasks == 6


def test_cli_workers_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", str(FIXTURE), "-o", "out", "--workers", "0"])
    assert exited.value.code == 2
    assert "expected a whole number of at least 1, got '0'" in capsys.readouterr().err


def test_cli_export_with_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = _write_export(tmp_path / "export.json")
    args = ["export", str(export), "-o", str(tmp_path / "gold"), "--workers", "2"]
    assert main(args) == 0
    assert f"wrote {3 * COPIES} documents" in capsys.readouterr().out


WORKER_SCRIPT = """
import sys
from pathlib import Path
from annotate.dataset.run import BATCH_BYTES, ExportRun
from annotate.dataset.worker import worker_process
from annotate.labelstudio.exportfile import export_batches
from annotate.schema import SchemaSet

export = Path(sys.argv[1])
worker = worker_process(*ExportRun(export, SchemaSet())._job({}))
outcomes, part = worker(next(export_batches(export, BATCH_BYTES)))
print("pandas" in sys.modules, len(outcomes), part.documents.num_rows, part.tokens.num_rows)
"""


def test_a_worker_process_builds_its_part_without_pandas(tmp_path: Path) -> None:
    """pyarrow loads pandas on its first list, if it can (~40 MB a process): a worker
    process refuses it, and still builds the rows of its batch."""
    export = _write_export(tmp_path / "export.json")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    command = [sys.executable, "-c", WORKER_SCRIPT, str(export)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    pandas, tasks, documents, tokens = done.stdout.split()
    assert pandas == "False"
    assert int(tasks) > 0 and int(documents) == int(tokens) > 0
