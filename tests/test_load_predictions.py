"""The one-pass reader of predictions files gives what checking every line, then building
every record, gives; and it is the path taken.

``load_predictions`` checks a line and makes it a record at once (while no problem has been
found), and words schema errors with jsonschema only for lines the compiled validator
refuses. The careful definition below checks all lines first, with both validators, then
builds: on generated files of valid and broken lines both must give the same predictions,
or the same problems in the same order.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annotate.predictions
from annotate.corpus import load_corpus
from annotate.errors import PredictionsError
from annotate.jsonl import read_jsonl
from annotate.predictions import Prediction, check_prediction, load_predictions
from annotate.problems import Location, Problem
from annotate.records import Document, real_date
from annotate.schema import SchemaSet

FIXTURES = Path(__file__).parent / "fixtures" / "predictions"
SCHEMAS = SchemaSet()
DOCUMENTS = {d.id: d for d in load_corpus(FIXTURES / "documents.jsonl")}
VALID_LINES = [
    json.loads(line)
    for line in (FIXTURES / "valid.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
] + [
    {
        "document_id": "d2",
        "extractor": {"name": "demo", "version": "2"},
        "entities": [{"start": 21, "end": 26, "label": "PERSON"}],
        "event_dates": [
            {"start": 27, "end": 31, "text": "said", "date": "2017-11", "precision": "month"},
            {"start": 27, "end": 31, "date": "2017", "precision": "year", "score": 0.5},
        ],
    }
]

# --- the careful definition ----------------------------------------------------------------


def careful_load(path: Path, documents: dict[str, Document] | None) -> list[Prediction]:
    """Every line read, then every line checked (jsonschema alone), then every record built."""
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for number, data, found in read_jsonl(path, PredictionsError):
        problems += found
        if data is not None:
            rows.append((number, data))
    first_line: dict[str, int] = {}
    for number, data in rows:
        where = Location(file=str(path), line=number)
        problems += check_prediction(data, documents, SLOW, where)
        doc_id = data.get("document_id")
        if isinstance(doc_id, str) and doc_id in first_line:
            here = Location(file=str(path), line=number, document_id=doc_id, field="document_id")
            msg = f"duplicate document id (first seen on line {first_line[doc_id]})"
            problems.append(
                Problem(here, msg, expected="one line per document", code="duplicate-id")
            )
        elif isinstance(doc_id, str):
            first_line[doc_id] = number
    if problems:
        raise PredictionsError(f"{path}: {len(problems)} problem(s) in the predictions", problems)
    known = documents or {}
    return [Prediction.from_dict(data, known.get(data["document_id"])) for _, data in rows]


class _SlowOnly(SchemaSet):
    """A schema set whose every verdict comes from jsonschema, the careful validator."""

    def errors(self, name: str, value: object) -> list[Any]:
        return list(self.validators[name].iter_errors(value))


SLOW = _SlowOnly()


# --- generated files -------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 60),
    st.sampled_from(["", "d1", "d2", "d9", "2017", "2017-11", "2017-02-30", "day", "PERSON", "x"]),
    st.text(max_size=6),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=4,
)
LAYERS = ("entities", "claims", "event_dates")
SPAN_KEYS = (
    "start",
    "end",
    "text",
    "date",
    "precision",
    "date",
    "precision",
    "label",
    "type",
    "speaker",
    "score",
)
VALUES = {  # what a key is set to, besides any JSON: the values its rules turn on
    "start": st.integers(0, 40),
    "end": st.integers(0, 40),
    "text": st.sampled_from(["Putin", "met", "Assad"]),
    "date": st.sampled_from(["2017", "2017-11", "2017-11-20", "2017-02-30", "2017-13-01"]),
    "precision": st.sampled_from(["year", "month", "day"]),
    "speaker": st.builds(dict, start=st.integers(0, 40), end=st.integers(0, 40)),
}


@st.composite
def broken_line(draw: st.DrawFn) -> dict[str, Any]:
    """A valid line with one to three things changed, mostly inside a region."""
    data: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(VALID_LINES)))
    for _ in range(draw(st.integers(1, 3))):
        lists = [data[layer] for layer in LAYERS if isinstance(data.get(layer), list)]
        regions = [r for regions in lists for r in regions if isinstance(r, dict)]
        at_top = not regions or draw(st.integers(0, 3)) == 0
        target = data if at_top else draw(st.sampled_from(regions))
        keys = ("document_id", "extractor", *LAYERS) if at_top else SPAN_KEYS
        key = draw(st.sampled_from(keys))
        if draw(st.integers(0, 3)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(VALUES[key] | JSON if key in VALUES else JSON)
    return data


VALID = st.sampled_from(VALID_LINES).map(json.dumps)
BROKEN = broken_line().map(json.dumps)  # lone surrogates escaped: a JSON line still
JUNK = st.sampled_from(["", "   ", "[1, 2]", '"text"', '{"document_id": ', "not json"])
LINES = st.one_of(VALID, BROKEN, BROKEN, JUNK)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, max_size=4), with_documents=st.booleans())
def test_one_pass_equals_check_all_then_build(
    tmp_path: Path, lines: list[str], with_documents: bool
) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    documents = DOCUMENTS if with_documents else None
    try:
        expected: list[Prediction] | list[Problem] = careful_load(path, documents)
    except PredictionsError as exc:
        expected = list(exc.problems)
    try:
        found: list[Prediction] | list[Problem] = load_predictions(path, documents, SCHEMAS)
    except PredictionsError as exc:
        found = list(exc.problems)
    assert found == expected
    documents_of = [p.annotation.document for p in found if isinstance(p, Prediction)]
    assert documents_of == [p.annotation.document for p in expected if isinstance(p, Prediction)]


@given(
    st.text(alphabet="0123456789-/", max_size=11) | st.sampled_from(["2016-02-29", "2017-02-29"])
)
def test_cached_real_date_equals_the_rule(date: str) -> None:
    assert real_date(date) == real_date.__wrapped__(date)


# --- the path taken ------------------------------------------------------------------------


class _Refuses:
    def iter_errors(self, value: object) -> Any:
        raise AssertionError("the slow validator ran on a valid line")

    def is_valid(self, value: object) -> bool:
        raise AssertionError("the slow validator ran on a valid line")


@pytest.fixture
def valid_file(tmp_path: Path) -> Path:
    """Two valid lines, for d1 and d2, with all three layers between them."""
    path = tmp_path / "valid.jsonl"
    path.write_text(f"{json.dumps(VALID_LINES[0])}\n{json.dumps(VALID_LINES[-1])}\n")
    return path


def test_valid_lines_never_reach_the_slow_validator(
    monkeypatch: pytest.MonkeyPatch, valid_file: Path
) -> None:
    schemas = SchemaSet()
    monkeypatch.setattr(schemas, "validators", dict.fromkeys(schemas.schemas, _Refuses()))
    loaded = load_predictions(valid_file, DOCUMENTS, schemas)
    assert [p.document_id for p in loaded] == ["d1", "d2"]


def test_each_line_is_built_before_the_next_is_read(
    monkeypatch: pytest.MonkeyPatch, valid_file: Path
) -> None:
    events: list[str] = []
    build = Prediction.from_dict.__func__  # type: ignore[attr-defined]

    def reading(*args: Any) -> Any:
        for row in read_jsonl(*args):
            events.append(f"read {row[0]}")
            yield row

    def building(cls: type[Prediction], data: Any, document: Any = None) -> Prediction:
        events.append(f"built {data['document_id']}")
        return build(cls, data, document)  # type: ignore[no-any-return]

    monkeypatch.setattr(annotate.predictions, "read_jsonl", reading)
    monkeypatch.setattr(Prediction, "from_dict", classmethod(building))
    load_predictions(valid_file, DOCUMENTS, SCHEMAS)
    assert events == ["read 1", "built d1", "read 2", "built d2"]
