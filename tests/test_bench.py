"""Benchmark runs: pairing with gold, running extractors, the leaderboard, ``annotate bench``."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotate.bench.leaderboard import read_leaderboard
from annotate.bench.run import (
    append_leaderboard,
    gold_version,
    load_extractor,
    run_date,
    run_extractor,
    score_predictions,
)
from annotate.cli import main
from annotate.dataset.run import export_dataset
from annotate.dataset.writer import ExportOptions, read_gold
from annotate.errors import AnnotateError, InvalidInputError, PredictionsError
from annotate.predictions import Prediction, entity, write_predictions
from annotate.records import Annotation, Document, Entity, Event, Submission, Task
from annotate.schema import SchemaSet

FIXTURES = Path(__file__).parent / "fixtures"
MODULE = "bench_test_extractors"

DOCS = [
    Document("d1", "Putin met Assad in Sochi on Monday.", "wire", "2017-11-21", "en"),
    Document("d2", "Vladimir Putin will meet them on Wednesday.", "wire", "2017-11-21", "en"),
]
GOLD = [
    Annotation(
        DOCS[0],
        entities=(Entity("e1", 0, 5, "Putin", "PERSON"), Entity("e2", 19, 24, "Sochi", "GPE")),
        event_dates=(Event("v1", 6, 9, "met", "2017-11-20", "day", "relative"),),
    ),
    Annotation(
        DOCS[1],
        entities=(Entity("e3", 0, 14, "Vladimir Putin", "PERSON"),),
        event_dates=(Event("v2", 20, 24, "meet", "2017-11-22", "day", "relative"),),
    ),
]


def entity_prediction(doc: str, *spans: tuple[int, int, str]) -> Prediction:
    return Prediction.of(doc, "demo", "1", entities=tuple(entity(*s) for s in spans))


# --- bench ------------------------------------------------------------------------------


def test_document_without_prediction_counts_as_predicting_nothing() -> None:
    # d1: Putin and Sochi right; d2: no prediction, so Vladimir Putin is missed.
    # strict: C2 M1 -> P = 2/2, R = 2/3, F1 = 2(1)(2/3) / (5/3) = 4/5.
    report = score_predictions(GOLD, [entity_prediction("d1", (0, 5, "PERSON"), (19, 24, "GPE"))])
    assert report.missing == ("d2",)
    assert report.scores.documents == 2
    assert report.flat_scores()["entities.strict.f1"] == pytest.approx(4 / 5)
    assert report.extractors == (("demo", "1"),)


def test_predictions_outside_the_gold_are_ignored_and_listed() -> None:
    report = score_predictions(
        GOLD[:1], [entity_prediction("d1", (0, 5, "PERSON")), entity_prediction("d2")]
    )
    assert report.ignored == ("d2",)
    assert report.scores.documents == 1
    assert "ignored): 1" in report.to_text()


def test_two_predictions_for_one_document_are_refused() -> None:
    with pytest.raises(PredictionsError, match="doc d1, field document_id: prediction 1 repeats"):
        score_predictions(GOLD, [entity_prediction("d1"), entity_prediction("d1")])


def test_report_as_json() -> None:
    data = json.loads(json.dumps(score_predictions(GOLD, [entity_prediction("d1")]).to_dict()))
    assert data["documents_without_predictions"] == ["d2"]
    assert data["flat_scores"]["events.relaxed.f1"] == 0.0
    assert data["scores"]["entities"]["strict"]["micro"]["missed"] == 3


# --- running an extractor ---------------------------------------------------------------


@pytest.fixture
def extractors(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A module of test extractors, importable by name (registered in sys.modules)."""
    module = types.ModuleType(MODULE)
    module.VERSION = "7"  # type: ignore[attr-defined]
    functions: dict[str, Callable[[Document], Any]] = {
        "as_record": lambda d: entity_prediction(d.id, (0, 5, "PERSON")),
        "as_dict": lambda d: {"entities": [{"start": 0, "end": 5, "label": "PERSON"}]},
        "bad_label": lambda d: {"entities": [{"start": 0, "end": 5, "label": "CITY"}]},
        "beyond_text": lambda d: {
            "event_dates": [{"start": 0, "end": 500, "date": "2017", "precision": "year"}]
        },
        "wrong_type": lambda d: [d.id],
        "other_document": lambda d: entity_prediction("elsewhere"),
        "crashes": lambda d: 1 / 0,
    }
    for name, function in functions.items():
        setattr(module, name, function)
    monkeypatch.setitem(sys.modules, MODULE, module)
    return module


def test_extractor_returning_records(extractors: types.ModuleType) -> None:
    seen: list[int] = []
    predictions = run_extractor(f"{MODULE}:as_record", DOCS, progress=seen.append)
    assert [p.document_id for p in predictions] == ["d1", "d2"]
    assert seen == [1, 1]


def test_extractor_returning_dicts_gets_id_and_name_filled_in(extractors: types.ModuleType) -> None:
    predictions = run_extractor(f"{MODULE}:as_dict", DOCS)
    assert [(p.document_id, p.extractor, p.version) for p in predictions] == [
        ("d1", f"{MODULE}:as_dict", "7"),
        ("d2", f"{MODULE}:as_dict", "7"),
    ]
    assert predictions[0].entities == (entity(0, 5, "PERSON"),)


@pytest.mark.parametrize(
    ("function", "message"),
    [
        pytest.param(
            "bad_label", r"doc d1, field entities\[0\]\.label: not an allowed value", id="bad-label"
        ),
        pytest.param(
            "beyond_text",
            r"doc d2, field event_dates\[0\]\.end: end 500 > text length 43",
            id="offsets",
        ),
        pytest.param(
            "wrong_type",
            "doc d1: wrong return type; expected a Prediction or a dict",
            id="wrong-type",
        ),
        pytest.param(
            "other_document",
            "doc d1, field document_id: the extractor returned a prediction for another document; "
            "expected 'd1', found 'elsewhere'",
            id="other-document",
        ),
    ],
)
def test_invalid_extractor_output_is_refused(
    extractors: types.ModuleType, function: str, message: str
) -> None:
    with pytest.raises(PredictionsError, match=message) as caught:
        run_extractor(f"{MODULE}:{function}", DOCS)
    assert len(caught.value.problems) == 2  # one per document: all of them are reported


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("annotate.extractors.dates", "expected MODULE:FUNCTION", id="no-function"),
        pytest.param("no_such_module_x:extract", "cannot import no_such_module_x", id="no-module"),
        pytest.param(
            "annotate.extractors.dates:nothing", "has no function 'nothing'", id="no-such-function"
        ),
    ],
)
def test_bad_extractor_spec(spec: str, message: str) -> None:
    with pytest.raises(AnnotateError, match=message):
        load_extractor(spec)


def test_extractor_failure_names_the_document(extractors: types.ModuleType) -> None:
    with pytest.raises(
        AnnotateError, match=f"extractor {MODULE}:crashes failed on document d1: ZeroDivisionError"
    ):
        run_extractor(f"{MODULE}:crashes", DOCS)


def test_baseline_extractor_runs_by_name() -> None:
    predictions = run_extractor("annotate.extractors.dates:extract", DOCS)
    assert [v.date for p in predictions for v in p.event_dates] == ["2017-11-20", "2017-11-22"]


# --- leaderboard ------------------------------------------------------------------------


def test_leaderboard_runs_are_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1511222400")  # 2017-11-21 00:00 UTC
    path = tmp_path / "leaderboard.json"
    report = score_predictions(GOLD, [entity_prediction("d1", (0, 5, "PERSON"))])
    append_leaderboard(path, report, "demo", "1", "abc", "test")
    run = append_leaderboard(path, report, "demo", "2", "abc", "test")
    runs = json.loads(path.read_text(encoding="utf-8"))["runs"]
    assert [r["version"] for r in runs] == ["1", "2"]
    assert runs[1] == run
    assert run["date"] == "2017-11-21"
    assert run["scores"] == report.flat_scores()
    assert read_leaderboard(path) == runs  # what the dataset card renders


def test_broken_leaderboard_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "leaderboard.json"
    path.write_text('{"runs": {}}', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="a leaderboard must be a JSON object"):
        append_leaderboard(path, score_predictions(GOLD, []), "demo", "1", "abc", "test")
    assert path.read_text(encoding="utf-8") == '{"runs": {}}'


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"SOURCE_DATE_EPOCH": "0"}, "1970-01-01", id="epoch"),
        pytest.param({"SOURCE_DATE_EPOCH": "1511308799"}, "2017-11-21", id="last-second-of-day"),
    ],
)
def test_run_date_is_reproducible(environ: dict[str, str], expected: str) -> None:
    assert run_date(environ) == expected


def test_run_date_refuses_a_malformed_epoch() -> None:
    with pytest.raises(
        AnnotateError, match="SOURCE_DATE_EPOCH='yesterday' is not a Unix timestamp"
    ):
        run_date({"SOURCE_DATE_EPOCH": "yesterday"})


def test_gold_version_ignores_order_and_sees_changes() -> None:
    assert gold_version(GOLD) == gold_version(GOLD[::-1])
    assert gold_version(GOLD) != gold_version(GOLD[:1])


# --- annotate bench ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real gold dataset folder with GOLD as its test split."""
    tasks = [Task(i, a.document, (Submission(i, "ann", True, a),)) for i, a in enumerate(GOLD, 1)]
    output = tmp_path_factory.mktemp("gold") / "dataset"
    export_dataset(tasks, output, SchemaSet(), ExportOptions(mode="ground-truth"))
    return output


def test_cli_scores_a_predictions_file(
    gold_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    predictions = tmp_path / "predictions.jsonl"
    write_predictions(predictions, [entity_prediction("d1", (0, 5, "PERSON"), (19, 24, "GPE"))])
    report = tmp_path / "report.json"
    arguments = ["--predictions", str(predictions), "--format", "json", "--output", str(report)]
    code = main(["bench", "--gold", str(gold_dir), *arguments])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(report.read_text(encoding="utf-8"))
    assert printed["flat_scores"]["entities.strict.f1"] == pytest.approx(4 / 5)


def test_cli_runs_an_extractor_and_records_the_run(
    gold_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1511222400")
    leaderboard = tmp_path / "leaderboard.json"
    arguments = [
        "--extractor",
        "annotate.extractors.dates:extract",
        "--leaderboard",
        str(leaderboard),
    ]
    code = main(["bench", "--gold", str(gold_dir), *arguments])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Extractor: baseline-dates 1\nDocuments scored: 2\n")
    [run] = read_leaderboard(leaderboard)
    assert [run[k] for k in ("extractor", "version", "split", "date")] == [
        "baseline-dates",
        "1",
        "test",
        "2017-11-21",
    ]
    assert run["gold_version"] == gold_version(read_gold(gold_dir))
    assert run["scores"]["events.date_accuracy"] == 1.0


def test_cli_reports_invalid_predictions(
    gold_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    predictions = FIXTURES / "predictions" / "unknown-label.jsonl"
    assert main(["bench", "--gold", str(gold_dir), "--predictions", str(predictions)]) == 1
    assert "field entities[1].label: not an allowed value" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["--predictions", "no-such.jsonl"],
            "argument --predictions: no such file: no-such.jsonl",
            id="no-file",
        ),
        pytest.param(
            ["--extractor", "no_such_module_x:f"],
            "cannot import no_such_module_x",
            id="bad-extractor",
        ),
        pytest.param(["--extractor", "x:f", "--split", "train"], "no split 'train'", id="no-split"),
    ],
)
def test_cli_usage_errors(
    gold_dir: Path,
    arguments: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    cli: Callable[[list[str]], int],
) -> None:
    assert cli(["bench", "--gold", str(gold_dir), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_cli_missing_gold_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cli: Callable[[list[str]], int]
) -> None:
    assert cli(["bench", "--gold", str(tmp_path / "nothing"), "--extractor", "x:f"]) == 2
    assert f"argument --gold: no such folder: {tmp_path / 'nothing'}" in capsys.readouterr().err
