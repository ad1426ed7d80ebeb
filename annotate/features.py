"""Hugging Face ``datasets.Features``, derived from the schemas.

Closed label sets (a JSON Schema ``enum``) become ``ClassLabel``; strings, integers and
arrays map onto ``Value`` and ``List``. The dataset card YAML is generated from these same
objects, so the parquet files and the card can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datasets import ClassLabel, Features, List, Value

from annotate.columns import tag_names
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


def token_features(schemas: SchemaSet) -> Features:
    """Token classification rows: id, tokens, their offsets, and BIO ``ner_tags``."""
    return Features(
        {
            "id": Value("string"),
            "tokens": List(Value("string")),
            "token_starts": List(Value("int32")),
            "token_ends": List(Value("int32")),
            "ner_tags": List(ClassLabel(names=tag_names(schemas))),
        }
    )
