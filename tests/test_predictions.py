"""Prediction records, their wire format, and the validation of predictions files."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import pytest

import annotate.predictions
from annotate.corpus import load_corpus
from annotate.errors import PredictionsError
from annotate.predictions import (
    Prediction,
    check_prediction,
    claim,
    entity,
    event,
    load_predictions,
    with_score,
    write_predictions,
)
from annotate.problems import Location
from annotate.records import Document
from annotate.schema import PREDICTIONS, SchemaSet

FIXTURES = Path(__file__).parent / "fixtures" / "predictions"


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet()


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {d.id: d for d in load_corpus(FIXTURES / "documents.jsonl")}


FULL = Prediction.of(
    "d2",
    "demo",
    "1",
    entities=(with_score(entity(21, 26, "PERSON", "Putin", "Vladimir Putin"), 0.5),),
    claims=(
        with_score(claim(1, 18, "quote", (21, 26), "The war is ending"), 0.75),
        claim(0, 32, "assertion"),
    ),
    event_dates=(with_score(event(27, 31, "2017-11-20", "day", "relative", "said"), 1.0),),
)


def test_doctests_pass() -> None:
    assert doctest.testmod(annotate.predictions).failed == 0


def test_round_trip_through_the_wire_format(schemas: SchemaSet) -> None:
    data = FULL.to_dict()
    assert data["extractor"] == {"name": "demo", "version": "1"}
    assert data["claims"][0]["speaker"] == {"start": 21, "end": 26}
    assert data["claims"][1]["speaker"] is None
    assert data["entities"][0] == {
        "start": 21,
        "end": 26,
        "text": "Putin",
        "label": "PERSON",
        "canonical": "Vladimir Putin",
        "score": 0.5,
    }
    bare = Prediction.of("d1", "x", "1", event_dates=(event(0, 1, "2017", "year"),))
    assert bare.to_dict()["event_dates"] == [
        {"start": 0, "end": 1, "date": "2017", "precision": "year"}
    ]
    assert list(schemas.validators[PREDICTIONS].iter_errors(data)) == []
    assert Prediction.from_dict(json.loads(json.dumps(data))) == FULL


def test_layers_may_be_left_out() -> None:
    prediction = Prediction.from_dict(
        {"document_id": "d1", "extractor": {"name": "x", "version": "2"}}
    )
    assert prediction == Prediction.of("d1", "x", "2")


def test_valid_file_loads(documents: dict[str, Document]) -> None:
    predictions = load_predictions(FIXTURES / "valid.jsonl", documents)
    assert [p.document_id for p in predictions] == ["d1", "d2"]
    assert predictions[0].entities[0] == with_score(
        entity(0, 5, "PERSON", "Putin", "Vladimir Putin"), 0.9
    )
    assert predictions[1].claims[0].speaker == "21-26"


def test_without_documents_only_the_file_itself_is_checked() -> None:
    assert len(load_predictions(FIXTURES / "unknown-document.jsonl")) == 1


def where(name: str, line: int, doc: str, field: str) -> str:
    """The start of a located problem, as a regex."""
    return re.escape(f"{FIXTURES / name}:{line}, doc {doc}, field {field}: ")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(
            "unknown-label.jsonl",
            where("unknown-label.jsonl", 1, "d1", "entities[1].label")
            + "not an allowed value; expected one of PERSON, ORG, GPE, LOC, NORP, EVENT, "
            + "found 'CITY'",
            id="unknown-label",
        ),
        pytest.param(
            "malformed-date.jsonl",
            where("malformed-date.jsonl", 1, "d1", "event_dates[0].date")
            + "malformed value; expected a string matching .*, found '2017/11/20'",
            id="malformed-date",
        ),
        pytest.param(
            "impossible-date.jsonl",
            where("impossible-date.jsonl", 1, "d1", "event_dates[0].date")
            + "not a real date; expected a real date YYYY-MM-DD, found '2017-02-30'",
            id="impossible-date",
        ),
        pytest.param(
            "precision-disagrees.jsonl",
            where("precision-disagrees.jsonl", 1, "d1", "event_dates[0].date")
            + "date form disagrees with precision 'day'; expected YYYY-MM-DD, found '2017-11'",
            id="date-form-disagrees-with-precision",
        ),
        pytest.param(
            "unknown-document.jsonl",
            where("unknown-document.jsonl", 1, "d9", "document_id")
            + "unknown document id; expected the id of one of the 2 documents",
            id="unknown-document",
        ),
        pytest.param(
            "speaker-beyond-text.jsonl",
            where("speaker-beyond-text.jsonl", 1, "d2", "claims[0].speaker.end")
            + "end 400 > text length 32",
            id="speaker-end-beyond-text",
        ),
        pytest.param(
            "reversed-span.jsonl",
            where("reversed-span.jsonl", 1, "d1", "entities[1]")
            + "empty or reversed span; expected start < end, found start 19, end 19",
            id="start-not-before-end",
        ),
        pytest.param(
            "text-mismatch.jsonl",
            where("text-mismatch.jsonl", 1, "d1", "entities[0].text")
            + r"text differs from the document at \[0:5\].*expected 'Putin', found 'Assad'",
            id="text-differs-from-offsets",
        ),
        pytest.param(
            "speaker-not-a-span.jsonl",
            where("speaker-not-a-span.jsonl", 1, "d2", "claims[0].speaker")
            + "wrong type; expected object or null, found 'Putin'",
            id="speaker-not-a-span",
        ),
        pytest.param(
            "missing-extractor.jsonl",
            where("missing-extractor.jsonl", 1, "d1", "extractor") + "missing required field",
            id="missing-extractor",
        ),
        pytest.param(
            "duplicate-document.jsonl",
            where("duplicate-document.jsonl", 3, "d1", "document_id")
            + r"duplicate document id \(first seen on line 1\)",
            id="duplicate-document",
        ),
        pytest.param(
            "not-json.jsonl",
            re.escape(f"{FIXTURES / 'not-json.jsonl'}:2: not a JSON object: Expecting value"),
            id="truncated-line",
        ),
    ],
)
def test_bad_file_is_refused_with_a_located_message(
    name: str, message: str, documents: dict[str, Document]
) -> None:
    with pytest.raises(PredictionsError, match=message) as caught:
        load_predictions(FIXTURES / name, documents)
    assert len(caught.value.problems) == 1
    assert caught.value.exit_code == 1


def test_every_problem_is_reported_at_once(documents: dict[str, Document]) -> None:
    with pytest.raises(PredictionsError, match="3 problem") as caught:
        load_predictions(FIXTURES / "several-problems.jsonl", documents)
    fields = [(p.where.line, p.where.field) for p in caught.value.problems]
    assert fields == [(1, "entities[1].label"), (2, "event_dates[0].date"), (2, "claims[0].end")]


def test_unreadable_file() -> None:
    with pytest.raises(PredictionsError, match="cannot read"):
        load_predictions(FIXTURES / "no-such-file.jsonl")


def test_check_prediction_uses_the_given_location(
    documents: dict[str, Document], schemas: SchemaSet
) -> None:
    data = FULL.to_dict()
    data["entities"][0]["end"] = 99
    problems = check_prediction(data, documents, schemas, Location(file="my_extractor"))
    assert [str(p) for p in problems] == [
        "my_extractor, doc d2, field entities[0].end: end 99 > text length 32; "
        "expected offsets in code points of the document text"
    ]


def test_write_then_load(tmp_path: Path, documents: dict[str, Document]) -> None:
    path = tmp_path / "out" / "predictions.jsonl"
    write_predictions(path, [FULL, Prediction.of("d1", "demo", "1")])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert load_predictions(path, documents) == [FULL, Prediction.of("d1", "demo", "1")]
    assert [p.name for p in tmp_path.joinpath("out").iterdir()] == ["predictions.jsonl"]
