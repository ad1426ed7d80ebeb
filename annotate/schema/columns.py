"""The columns of the gold dataset, read off the JSON Schemas as plain data.

Column Specs (:class:`Labels`, :class:`Struct`, :class:`Listed`, :class:`Plain`) say what each
column of the two configs holds. :mod:`annotate.schema.features` turns them into the dataset's
``Features``; :func:`arrow_type` into the arrow types the rows are built with
(:mod:`annotate.dataset.rows`), so the two cannot disagree. Only pyarrow is needed here, not
``datasets``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pyarrow as pa

from annotate.errors import SchemaError
from annotate.schema import DOCUMENT, SchemaSet

OUTSIDE = "O"  # the BIO tag of a token outside every entity


@dataclass(frozen=True)
class Labels:
    """A ClassLabel column: names stored as their index."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Struct:
    """A struct column, read from record attributes (or dict items)."""

    fields: tuple[tuple[str, Spec], ...]


@dataclass(frozen=True)
class Listed:
    """A list column."""

    item: Spec


@dataclass(frozen=True)
class Plain:
    """A scalar column of ``dtype`` (string, int32, float64, bool): values as they are."""

    dtype: str


Spec = Labels | Struct | Listed | Plain
T = TypeVar("T")


# The columns read off the JSON Schemas. annotate.schema.features turns the same Specs into the
# dataset's Features, so the two cannot disagree; here they become arrow types.

_SCALARS = {"string": "string", "integer": "int32", "number": "float64", "boolean": "bool"}
_ARROW = {"string": pa.string(), "int32": pa.int32(), "float64": pa.float64(), "bool": pa.bool_()}
_LABEL_TYPE = pa.int64()  # what datasets stores a ClassLabel as


def _column(prop: Mapping[str, Any], where: str) -> Spec:
    if "enum" in prop:
        return Labels(tuple(prop["enum"]))
    kind = prop.get("type")
    if isinstance(kind, list):  # nullable: ["string", "null"]
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind in _SCALARS:
        return Plain(_SCALARS[kind])
    if kind == "array":
        return Listed(_column(prop.get("items", {}), f"{where}[]"))
    if kind == "object":
        return _struct(prop, where)
    raise SchemaError(f"{where}: cannot map {dict(prop)!r} onto a datasets feature")


def _struct(schema: Mapping[str, Any], where: str) -> Struct:
    props: Mapping[str, Any] = schema.get("properties", {})
    return Struct(tuple((name, _column(prop, f"{where}.{name}")) for name, prop in props.items()))


def fold(
    spec: Spec,
    leaf: Callable[[Labels | Plain], T],
    listed: Callable[[T], T],
    struct: Callable[[list[tuple[str, T]]], T],
) -> T:
    """The one walk of a column Spec: ``leaf`` maps its labels and scalars, ``listed`` and
    ``struct`` build lists and structs of what they map to. The arrow types (here) and the
    datasets features (:mod:`annotate.schema.features`) are both this walk."""
    if isinstance(spec, Listed):
        return listed(fold(spec.item, leaf, listed, struct))
    if isinstance(spec, Struct):
        return struct([(name, fold(inner, leaf, listed, struct)) for name, inner in spec.fields])
    return leaf(spec)


def _arrow_leaf(spec: Labels | Plain) -> pa.DataType:
    return _LABEL_TYPE if isinstance(spec, Labels) else _ARROW[spec.dtype]


def _arrow_struct(fields: list[tuple[str, pa.DataType]]) -> pa.DataType:
    return pa.struct([pa.field(name, kind) for name, kind in fields])


def arrow_type(spec: Spec) -> pa.DataType:
    """The arrow type of a column, as ``datasets`` stores the matching feature."""
    return fold(spec, _arrow_leaf, pa.list_, _arrow_struct)


def tag_names(schemas: SchemaSet) -> list[str]:
    """BIO tag names for the entity labels: O, B-PERSON, I-PERSON, …"""
    return [OUTSIDE, *(f"{p}-{label}" for label in schemas.layers["entities"].labels for p in "BI")]


def document_columns(schemas: SchemaSet) -> Struct:
    """One row per document: its metadata plus a list per annotation layer."""
    document = _struct(schemas.schemas[DOCUMENT], DOCUMENT)
    layers = tuple(
        (name, Listed(_struct(layer.schema, name))) for name, layer in schemas.layers.items()
    )
    return Struct(document.fields + layers)


def token_columns(schemas: SchemaSet) -> Struct:
    """Token classification rows: id, tokens, their offsets, and BIO ``ner_tags``."""
    return Struct(
        (
            ("id", Plain("string")),
            ("tokens", Listed(Plain("string"))),
            ("token_starts", Listed(Plain("int32"))),
            ("token_ends", Listed(Plain("int32"))),
            ("ner_tags", Listed(Labels(tuple(tag_names(schemas))))),
        )
    )
