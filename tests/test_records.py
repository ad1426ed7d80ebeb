from __future__ import annotations

import pytest

from annotate.records import Annotation, Claim, Document, Entity, Event
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
def test_json_round_trip_is_schema_valid(record: object, schema: str, schemas: SchemaSet) -> None:
    data = record.to_dict()  # type: ignore[attr-defined]
    schemas.validators[schema].validate(data)
    assert type(record).from_dict(data) == record


def test_annotation_round_trip(schemas: SchemaSet) -> None:
    annotation = Annotation(DOC, (ENTITY,), (CLAIM,), (EVENT,))
    row = annotation.to_dict()
    assert Annotation.from_dict(row) == annotation
    assert annotation.entity("e1") == ENTITY


def test_claim_without_speaker_keeps_null() -> None:
    assert Claim("c", 0, 1, "P", "assertion").to_dict()["speaker"] is None
