from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.labelstudio.convert import normalise_date
from annotate.labelstudio.results import widget_date
from annotate.records import (
    Annotation,
    Claim,
    Document,
    Entity,
    Event,
    Record,
    cut_date,
    date_error,
    date_right,
)
from annotate.schema import SchemaSet

DOC = Document("d1", "Putin said Assad met him on Monday.", "Wire", "2017-11-21", "en")
ENTITY = Entity("e1", 0, 5, "Putin", "PERSON", canonical="Vladimir Putin")
CLAIM = Claim("c1", 11, 34, "Assad met him on Monday", "paraphrase", speaker="e1")
EVENT = Event("v1", 17, 20, "met", "2017-11-20", "day", "relative")


@pytest.mark.parametrize(
    ("record", "schema"),
    [
        pytest.param(DOC, "document", id="document"),
        pytest.param(ENTITY, "entities", id="entity"),
        pytest.param(Entity("e2", 11, 16, "Assad", "PERSON"), "entities", id="entity-no-canonical"),
        pytest.param(CLAIM, "claims", id="claim"),
        pytest.param(Claim("c2", 0, 5, "Putin", "assertion"), "claims", id="claim-no-speaker"),
        pytest.param(EVENT, "event_dates", id="event"),
        pytest.param(
            Event("v2", 0, 5, "Putin", "2017-11", "month", "inferred", ("a", "b")),
            "event_dates",
            id="event-with-provenance",
        ),
    ],
)
def test_json_round_trip_is_schema_valid(record: Record, schema: str, schemas: SchemaSet) -> None:
    data = record.to_dict()
    schemas.validators[schema].validate(data)
    assert type(record).from_dict(data) == record


def test_annotation_round_trip(schemas: SchemaSet) -> None:
    annotation = Annotation(DOC, (ENTITY,), (CLAIM,), (EVENT,))
    row = annotation.to_dict()
    assert Annotation.from_dict(row) == annotation
    assert annotation.entity("e1") == ENTITY


def test_claim_without_speaker_keeps_null() -> None:
    assert Claim("c", 0, 1, "P", "assertion").to_dict()["speaker"] is None


def test_fields_a_class_does_not_name_travel_as_extra() -> None:
    data = {**CLAIM.to_dict(), "stance": "for", "sources": ["wire", "tv"]}
    claim = Claim.from_dict(data)
    assert (claim.stance, claim.sources) == ("for", ("wire", "tv"))
    assert claim.to_dict() == data
    assert claim != CLAIM and hash(claim) != hash(CLAIM)
    assert pickle.loads(pickle.dumps(claim)) == claim
    with pytest.raises(AttributeError, match="Claim has no field 'mood'"):
        _ = claim.mood


PRECISIONS = ("year", "month", "day")


@given(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), st.sampled_from(PRECISIONS))
def test_one_date_rule_for_conversion_files_and_scoring(day: dt.date, precision: str) -> None:
    """A date cut to a precision passes the rule, survives Label Studio's DateTime widget
    (push writes the first day, conversion cuts it back), and scores right against itself
    and against the full day."""
    date = cut_date(day.isoformat(), precision, PRECISIONS)
    assert date_error(date, precision, PRECISIONS) is None
    assert normalise_date(widget_date(date), precision, PRECISIONS) == (date, None)
    assert date_right(date, date) and date_right(date, day.isoformat())
    finer = PRECISIONS[PRECISIONS.index(precision) + 1 :]
    assert all(date_error(date, p, PRECISIONS) is not None for p in finer)


@pytest.mark.parametrize(
    ("date", "precision", "message"),
    [
        pytest.param("2017-02-29", "day", "not a real date", id="not-a-leap-year"),
        pytest.param("2017/02/28", "day", "not a real date", id="malformed"),
        pytest.param("2017-13", "month", "not a real date", id="month-13"),
        pytest.param("2017-11", None, "date has no precision", id="no-precision"),
        pytest.param(
            "2017-11-20", "month", "date form disagrees with precision 'month'", id="form"
        ),
    ],
)
def test_date_errors(date: str, precision: str | None, message: str) -> None:
    error = date_error(date, precision, PRECISIONS)
    assert error is not None and error.message.startswith(message)
