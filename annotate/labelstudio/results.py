"""Records → Label Studio result JSON (for annotations and predictions we send).

The inverse of :mod:`annotate.labelstudio.convert`. Control names come from the schemas:
a layer's ``Labels`` is named after the layer, a per-region attribute ``<layer>_<field>``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from annotate.labelstudio.config import TEXT
from annotate.records import Annotation, Claim, Document, Entity, Event, Span
from annotate.schema import Attribute, Layer, SchemaSet

Result = dict[str, Any]


def text_hash(text: str) -> str:
    """The sha256 of a document's text, stored with its task to detect changed text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_data(document: Document) -> dict[str, Any]:
    """The ``data`` of a task: what the config shows plus our idempotency key."""
    data: dict[str, Any] = {
        TEXT: document.text,
        "doc_id": document.id,
        "outlet": document.source,
        "published": document.published,
        "language": document.language,
        "text_sha256": text_hash(document.text),
    }
    if document.title:
        data["title"] = document.title
    if document.url:
        data["url"] = document.url
    return data


def _span_value(region: Span) -> dict[str, Any]:
    return {"start": region.start, "end": region.end, "text": region.text}


def region_results(layer: Layer, region: Span, values: dict[str, Any]) -> list[Result]:
    """The label result of one region plus one result per attribute that has a value."""
    label = values.get(layer.label_field) if layer.label_field else None
    value = {**_span_value(region), "labels": [layer.label_of(label)]}
    out: list[Result] = [_result(region.id, layer.name, "labels", value)]
    for attribute in layer.attributes:
        raw = values.get(attribute.field)
        if raw is not None:
            out.append(_attribute_result(layer, attribute, region, raw))
    return out


def _result(region_id: str, from_name: str, kind: str, value: dict[str, Any]) -> Result:
    return {"id": region_id, "from_name": from_name, "to_name": TEXT, "type": kind, "value": value}


def _attribute_result(layer: Layer, attribute: Attribute, region: Span, raw: str) -> Result:
    value = _span_value(region)
    if attribute.control == "Choices":
        value["choices"] = [raw]
    elif attribute.control == "DateTime":
        value["datetime"] = widget_date(raw)
    else:
        value["text"] = [raw]
    return _result(region.id, layer.control_name(attribute), attribute.control.lower(), value)


def widget_date(date: str) -> str:
    """A date at any precision as the full date the DateTime widget holds (first day).

    >>> widget_date("2017"), widget_date("2017-11"), widget_date("2017-11-20")
    ('2017-01-01', '2017-11-01', '2017-11-20')
    """
    parts = date.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


def relation(from_id: str, to_id: str, name: str) -> Result:
    """A relation result from one region to another."""
    return {
        "from_id": from_id,
        "to_id": to_id,
        "type": "relation",
        "direction": "right",
        "labels": [name],
    }


def annotation_results(annotation: Annotation, schemas: SchemaSet) -> list[Result]:
    """Every result of one annotation: regions, their attributes, and relations (speakers)."""
    out: list[Result] = []
    for layer in schemas.layers.values():
        records: tuple[Entity | Claim | Event, ...] = getattr(annotation, layer.name)
        for record in records:
            values = record.to_dict()
            out += region_results(layer, record, values)
            target = values.get(layer.relation.field) if layer.relation else None
            if layer.relation and target:
                out.append(relation(record.id, target, layer.relation.name))
    return out
