"""The gold dataset folder: round trips through ``datasets``, determinism, safe overwrites.

tests/fixtures/dataset/export.json (a Label Studio export):
  task 1 "001-emoji": users 1 and 2 made the same 6 entities and event, user 2 no claims
         → majority gold: 6 entities and the event, no claim (2 claim disagreements)
  task 2 "002-plain": user 1 (ground truth) 3 entities, a claim said by "Turkish", an event
  task 3 "003-single": user 3 alone, 2 entities
  task 4 "004-skipped": only a cancelled annotation → left out
export-unknown-label.json: the same, with task 3's first entity labelled PERSONA.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import datasets
import pytest
from huggingface_hub import DatasetCard

from annotate.cli import main
from annotate.dataset.card import CardOptions
from annotate.dataset.rows import table_layout
from annotate.dataset.run import export_dataset
from annotate.dataset.writer import MARKER, ExportOptions, read_gold, split_of
from annotate.errors import InvalidInputError, OutputExistsError, UsageError
from annotate.gold.adjudicate import adjudicate
from annotate.labelstudio.convert import iter_tasks
from annotate.records import Annotation, Document, Entity, Submission, Task
from annotate.schema import SchemaSet
from annotate.schema.features import document_features, token_features

FIXTURES = Path(__file__).parent / "fixtures" / "dataset"
EXPORT = FIXTURES / "export.json"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No network for ``datasets``; returns a cache folder of the test's own."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    return tmp_path / "hf-cache"


@pytest.fixture(scope="module")
def tasks(schemas: SchemaSet) -> list[Task]:
    return [c.task for c in iter_tasks(EXPORT, schemas)]


@pytest.fixture(scope="module")
def gold(tasks: list[Task], schemas: SchemaSet) -> list[Annotation]:
    golds = [adjudicate(t, schemas).gold for t in tasks]
    return [g for g in golds if g is not None]


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def test_gold_of_the_fixture(gold: list[Annotation]) -> None:
    emoji, plain, single = gold
    assert [d.document.id for d in gold] == ["001-emoji", "002-plain", "003-single"]
    assert len(emoji.entities) == 6 and emoji.claims == ()
    assert all(e.annotators == ("user 1", "user 2") for e in emoji.entities)
    assert [(c.text, c.speaker) for c in plain.claims] == [
        ("Erdogan will visit Tehran in 2018", "e3")
    ]
    assert [e.text for e in single.entities] == ["Rouhani", "Tehran"]


def test_load_dataset_round_trip(
    tasks: list[Task], gold: list[Annotation], schemas: SchemaSet, tmp_path: Path, offline: Path
) -> None:
    out = tmp_path / "gold"
    summary = export_dataset(tasks, out, schemas)
    assert summary.splits == {"test": 3}
    loaded = datasets.load_dataset(str(out), cache_dir=str(offline))
    assert list(loaded) == ["test"]
    test = loaded["test"]
    assert test.features == document_features(schemas)
    label = test.features["entities"].feature["label"]
    rows = []
    for row in test:
        for entity in row["entities"]:
            entity["label"] = label.int2str(entity["label"])
        for claim in row["claims"]:
            claim["type"] = test.features["claims"].feature["type"].int2str(claim["type"])
        for event in row["event_dates"]:
            for name in ("precision", "basis"):
                event[name] = test.features["event_dates"].feature[name].int2str(event[name])
        rows.append(Annotation.from_dict(row))
    assert rows == gold


def test_tokens_config_round_trip(
    tasks: list[Task], schemas: SchemaSet, tmp_path: Path, offline: Path
) -> None:
    out = tmp_path / "gold"
    export_dataset(tasks, out, schemas)
    loaded = datasets.load_dataset(str(out), "tokens", cache_dir=str(offline))["test"]
    assert loaded.features == token_features(schemas)
    row = loaded[0]
    assert row["tokens"][:6] == ["😀", "Putin", "met", "Assad", "in", "Sochi"]
    assert (row["token_starts"][1], row["token_ends"][1]) == (2, 7)  # the emoji is one code point
    tags = loaded.features["ner_tags"].feature.int2str(row["ner_tags"][:6])
    assert tags == ["O", "B-PERSON", "O", "B-PERSON", "O", "B-GPE"]


def test_read_gold_round_trip(
    tasks: list[Task], gold: list[Annotation], schemas: SchemaSet, tmp_path: Path
) -> None:
    out = tmp_path / "gold"
    export_dataset(tasks, out, schemas)
    assert read_gold(out) == gold
    with pytest.raises(UsageError, match=r"no split 'train'.*splits: test"):
        read_gold(out, "train")


def test_second_export_is_byte_identical(
    tasks: list[Task], schemas: SchemaSet, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    export_dataset(tasks, first, schemas)
    export_dataset(tasks, second, schemas)
    files = _files(first)
    assert set(files) == {
        ".annotate-dataset",
        "README.md",
        "documents/test-00000-of-00001.parquet",
        "tokens/test-00000-of-00001.parquet",
    }
    assert files == _files(second)


def test_same_export_again_leaves_the_folder_alone(
    tasks: list[Task], schemas: SchemaSet, tmp_path: Path
) -> None:
    out = tmp_path / "gold"
    assert not export_dataset(tasks, out, schemas).unchanged
    card = out / "README.md"
    os.utime(card, (1, 1))
    assert export_dataset(tasks, out, schemas).unchanged
    assert card.stat().st_mtime == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]  # no temporary left behind


def test_different_dataset_needs_force(
    tasks: list[Task], schemas: SchemaSet, tmp_path: Path
) -> None:
    out = tmp_path / "gold"
    export_dataset(tasks, out, schemas)
    before = _files(out)
    with pytest.raises(OutputExistsError, match="different dataset; pass --force"):
        export_dataset(tasks[:1], out, schemas)
    assert _files(out) == before
    summary = export_dataset(tasks[:1], out, schemas, force=True)
    assert summary.documents == 1 and not summary.unchanged
    assert [a.document.id for a in read_gold(out)] == ["001-emoji"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]


def _dataset_plus_notes(out: Path, tasks: list[Task], schemas: SchemaSet) -> None:
    export_dataset(tasks, out, schemas)
    (out / "notes.txt").write_text("mine")


def _dataset_without_marker(out: Path, tasks: list[Task], schemas: SchemaSet) -> None:
    export_dataset(tasks, out, schemas)
    (out / MARKER).unlink()


def _folder_of_other_files(out: Path, tasks: list[Task], schemas: SchemaSet) -> None:
    (out / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt", "d.txt"):
        (out / name).write_text("mine")


@pytest.mark.parametrize(
    ("make", "match"),
    [
        pytest.param(lambda out, *_: out.write_text("x"), "is a file", id="a-file"),
        pytest.param(
            _folder_of_other_files,
            r"holds files this tool did not write \(a.txt, b.txt, d.txt and 1 more\); "
            "it is never replaced, even with --force: choose another folder, or empty this one",
            id="folder-of-other-files",
        ),
        pytest.param(
            _dataset_plus_notes,
            r"holds files this tool did not write \(notes.txt\); it is never replaced",
            id="dataset-and-other-files",
        ),
        pytest.param(
            _dataset_without_marker,
            r"is not a dataset written by annotate \(no .annotate-dataset marker\); "
            "it is never replaced, even with --force",
            id="no-marker",
        ),
    ],
)
@pytest.mark.parametrize("force", [False, True])
def test_refuses_what_is_not_a_dataset_of_this_tool(
    tasks: list[Task],
    schemas: SchemaSet,
    tmp_path: Path,
    make: Callable[[Path, list[Task], SchemaSet], object],
    match: str,
    force: bool,
) -> None:
    out = tmp_path / "gold"
    make(out, tasks[:1], schemas)
    before = _files(out) if out.is_dir() else {}
    with pytest.raises(OutputExistsError, match=match):
        export_dataset(tasks, out, schemas, force=force)
    assert (_files(out) if out.is_dir() else {}) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]


def test_error_while_streaming_writes_nothing(
    tasks: list[Task], schemas: SchemaSet, tmp_path: Path
) -> None:
    def broken() -> Iterator[Task]:
        yield tasks[0]
        raise InvalidInputError("truncated export")

    with pytest.raises(InvalidInputError, match="truncated"):
        export_dataset(broken(), tmp_path / "gold", schemas)
    assert list(tmp_path.iterdir()) == []


def _synthetic(count: int) -> list[Task]:
    tasks = []
    for i in range(count):
        doc = Document(f"doc-{i:03d}", "Putin spoke.", "Wire", "2017-11-21", "en")
        layers = Annotation(doc, (Entity("e1", 0, 5, "Putin", "PERSON"),))
        tasks.append(Task(i, doc, (Submission(i, "user 1", False, layers),)))
    return tasks


@pytest.mark.parametrize(
    ("count", "ratios", "expected"),
    [
        pytest.param(49, None, {"test": 1.0}, id="under-50-test-only"),
        pytest.param(60, None, {"train": 0.8, "validation": 0.1, "test": 0.1}, id="default"),
        pytest.param(20, {"train": 0.5, "test": 0.5}, {"train": 0.5, "test": 0.5}, id="given"),
    ],
)
def test_splits_by_hash_of_document_id(
    schemas: SchemaSet,
    tmp_path: Path,
    count: int,
    ratios: dict[str, float] | None,
    expected: dict[str, float],
) -> None:
    out = tmp_path / "gold"
    summary = export_dataset(_synthetic(count), out, schemas, ExportOptions(splits=ratios))
    assert list(summary.splits) == list(expected)
    assert summary.documents == count
    for split in expected:
        ids = [a.document.id for a in read_gold(out, split)]
        assert all(split_of(i, expected) == split for i in ids)
        assert len(ids) == summary.splits[split]


def test_card_yaml_is_what_datasets_reads(
    tasks: list[Task], schemas: SchemaSet, tmp_path: Path
) -> None:
    out = tmp_path / "gold"
    card = CardOptions(
        name="Sochi gold",
        license="cc-by-4.0",
        notes=(FIXTURES / "card-notes.md").read_text(encoding="utf-8"),
        leaderboard=FIXTURES / "leaderboard.json",
    )
    export_dataset(tasks, out, schemas, ExportOptions(card=card))
    infos = datasets.info.DatasetInfosDict.from_directory(str(out))
    assert infos["documents"].features == document_features(schemas)
    assert infos["tokens"].features == token_features(schemas)
    assert infos["documents"].splits["test"].num_examples == 3
    data = DatasetCard.load(out / "README.md").data
    assert data.license == "cc-by-4.0" and data.pretty_name == "Sochi gold"
    assert [c["config_name"] for c in data.configs] == ["documents", "tokens"]
    text = (out / "README.md").read_text(encoding="utf-8")
    assert f"Schema version: `{schemas.version}`" in text
    assert "| entities | PERSON | 5 |" in text  # 2 Putin + Assad + Erdogan + Rouhani
    # Only headline scores are shown when the runs have any, in HEADLINE_SCORES order:
    # entities.strict.f1, then claims.relaxed.f1; entities.relaxed.f1 and
    # event_dates.date.accuracy are left to `annotate bench`.
    row = "| spacy-en-core-web-sm | 3.8.0 | 8cefbf4fb8df | 2026-11-20 | test | 0.612 | 0.310 |\n"
    assert row in text
    assert "| regex-dates | 0.1 | 8cefbf4fb8df | 2026-11-21 | test | – | – |\n" in text
    assert "entities.relaxed.f1" not in text
    assert "[annotation guidelines](docs/guidelines.md)" in text
    assert text.endswith("Built from the fixture export for the tests; the texts are invented.\n")


def test_bad_leaderboard_lists_every_problem(
    tasks: list[Task], schemas: SchemaSet, tmp_path: Path
) -> None:
    card = CardOptions(leaderboard=FIXTURES / "leaderboard-bad.json")
    with pytest.raises(InvalidInputError, match="2 problem") as info:
        export_dataset(tasks, tmp_path / "gold", schemas, ExportOptions(card=card))
    assert [p.where.field for p in info.value.problems] == ["runs[0]", "runs[0]"]
    assert not (tmp_path / "gold").exists()


def test_cli_export_refuses_invalid_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gold"
    assert main(["export", str(FIXTURES / "export-unknown-label.json"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s); nothing was written" in err
    assert "task 3, doc 003-single, annotation 30, by user 3, region e1" in err
    assert not out.exists()


def test_cli_export_skip_invalid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gold"
    args = ["export", str(FIXTURES / "export-unknown-label.json"), "-o", str(out)]
    assert main([*args, "--skip-invalid", "--license", "cc-by-4.0"]) == 0
    captured = capsys.readouterr()
    assert "left out: task 3, doc 003-single" in captured.err
    assert "wrote 2 documents (test 2)" in captured.out
    assert [a.document.id for a in read_gold(out)] == ["001-emoji", "002-plain"]


def test_cli_export_twice_then_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gold"
    assert main(["export", str(EXPORT), "-o", str(out)]) == 0
    assert main(["export", str(EXPORT), "-o", str(out)]) == 0
    assert "is up to date" in capsys.readouterr().out
    other = ["export", str(EXPORT), "-o", str(out), "--name", "Other"]
    assert main(other) == 2
    assert "pass --force" in capsys.readouterr().err
    assert main([*other, "--force"]) == 0


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("train=0.8,test=0.3", id="sum-not-1"),
        pytest.param("train=x", id="not-a-number"),
        pytest.param("tr-ain=1", id="bad-name"),
    ],
)
def test_cli_export_bad_splits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str
) -> None:
    assert main(["export", str(EXPORT), "-o", str(tmp_path / "g"), "--splits", spec]) == 2
    assert "split" in capsys.readouterr().err


def test_table_layout_is_what_the_features_store(schemas: SchemaSet) -> None:
    """The workers build tables without datasets; the writers check them against these."""
    layout = table_layout(schemas)
    assert layout.documents == document_features(schemas).arrow_schema
    assert layout.tokens == token_features(schemas).arrow_schema
    assert list(layout.tag_ids) == token_features(schemas)["ner_tags"].feature.names
