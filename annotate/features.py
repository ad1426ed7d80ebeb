"""Hugging Face ``datasets.Features``, derived from the schemas.

Closed label sets (a JSON Schema ``enum``) become ``ClassLabel``; strings, integers and
arrays map onto ``Value`` and ``List``. The dataset card YAML is generated from these same
objects, so the parquet files and the card can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datasets import ClassLabel, Features, List, Value

from annotate.columns import Labels, Listed, Plain, Spec, Struct, TableLayout
from annotate.errors import SchemaError
from annotate.schema import DOCUMENT, SchemaSet

FeatureType = Any  # datasets has no public union of feature types
SCALARS = {"string": "string", "integer": "int32", "number": "float64", "boolean": "bool"}


def _feature(prop: Mapping[str, Any], where: str) -> FeatureType:
    if "enum" in prop:
        return ClassLabel(names=list(prop["enum"]))
    kind = prop.get("type")
    if isinstance(kind, list):  # nullable: ["string", "null"]
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind in SCALARS:
        return Value(SCALARS[kind])
    if kind == "array":
        return List(_feature(prop.get("items", {}), f"{where}[]"))
    if kind == "object":
        return _record(prop, where)
    raise SchemaError(f"{where}: cannot map {dict(prop)!r} onto a datasets feature")


def _record(schema: Mapping[str, Any], where: str) -> dict[str, FeatureType]:
    props: Mapping[str, Any] = schema.get("properties", {})
    return {name: _feature(prop, f"{where}.{name}") for name, prop in props.items()}


def document_features(schemas: SchemaSet) -> Features:
    """One row per document: its metadata plus a list per annotation layer."""
    columns = _record(schemas.schemas[DOCUMENT], DOCUMENT)
    for name, layer in schemas.layers.items():
        columns[name] = List(_record(layer.schema, name))
    return Features(columns)


def bio_tags(schemas: SchemaSet) -> list[str]:
    """BIO tag names for the entity labels: O, B-PERSON, I-PERSON, …"""
    tags = ["O"]
    for label in schemas.layers["entities"].labels:
        tags += [f"B-{label}", f"I-{label}"]
    return tags


def token_features(schemas: SchemaSet) -> Features:
    """Token classification rows: id, tokens, their offsets, and BIO ``ner_tags``."""
    return Features(
        {
            "id": Value("string"),
            "tokens": List(Value("string")),
            "token_starts": List(Value("int32")),
            "token_ends": List(Value("int32")),
            "ner_tags": List(ClassLabel(names=bio_tags(schemas))),
        }
    )


def spec_of(feature: FeatureType) -> Spec:
    """The column layout of a feature, as plain data (see :mod:`annotate.columns`)."""
    if isinstance(feature, ClassLabel):
        return Labels(tuple(feature.names))
    if isinstance(feature, dict):
        return Struct(tuple((name, spec_of(inner)) for name, inner in feature.items()))
    if isinstance(feature, List):
        return Listed(spec_of(feature.feature))
    return Plain()


def table_layout(schemas: SchemaSet) -> TableLayout:
    """How gold annotations become the parquet tables of both configs."""
    documents, tokens = document_features(schemas), token_features(schemas)
    columns = spec_of(dict(documents))
    assert isinstance(columns, Struct)
    tag_names = tokens["ner_tags"].feature.names
    return TableLayout(
        documents=documents.arrow_schema,
        document_columns=columns,
        layers=tuple(schemas.layers),
        tokens=tokens.arrow_schema,
        tag_ids={name: i for i, name in enumerate(tag_names)},
    )
