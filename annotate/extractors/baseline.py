"""The baseline: the entity, claim and date rules run together on each document.

Claims take their speakers from the entities found in the same pass, so every predicted
speaker span is also a predicted entity (what Label Studio pre-annotations need to draw
the ``said_by`` relation).
"""

from __future__ import annotations

from collections.abc import Iterable

from annotate.extractors import claims, dates, entities
from annotate.predictions import Prediction
from annotate.records import Document

NAME = "baseline"
VERSION = "1"


def extract(document: Document) -> Prediction:
    """Entities, claims and dated events of one document.

    >>> text = "“We will win this war,” Vladimir Putin said on Monday."
    >>> p = extract(Document("d", text, "wire", "2017-11-21", "en"))
    >>> [(e.text, e.start, e.end) for e in p.entities]
    [('Vladimir Putin', 24, 38)]
    >>> [(c.text, c.type, c.speaker) for c in p.claims]
    [('We will win this war', 'quote', '24-38')]
    >>> [(v.text, v.date) for v in p.event_dates]
    [('said', '2017-11-20')]
    """
    found = entities.find_entities(document.text)
    return Prediction.of(
        document,
        NAME,
        VERSION,
        entities=found,
        claims=claims.find_claims(document.text, found),
        event_dates=dates.find_events(document),
    )


def predict_corpus(documents: Iterable[Document]) -> list[Prediction]:
    """The baseline's predictions for every document, in order."""
    return [extract(document) for document in documents]
