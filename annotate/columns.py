"""Gold annotations as arrow tables: the rows of both dataset configs.

The tables are built a column at a time, not a row at a time: ClassLabel names become
their ints, structs are read from record attributes, lists are flattened with offsets.
The layout comes from the dataset's ``Features`` (:func:`annotate.features.table_layout`)
as plain data, so this module needs pyarrow and numpy but not ``datasets``, and a
:class:`TableLayout` can be sent to the worker processes that build tables in parallel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from annotate.errors import InvalidInputError
from annotate.records import Annotation
from annotate.tokens import Tokens, bio_ids, tokenize


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
    """A scalar column (string, integer, …): values as they are."""


Spec = Labels | Struct | Listed | Plain


def _label_ids(values: list[Any], spec: Labels) -> list[int | None]:
    index: dict[Any, int | None] = {name: i for i, name in enumerate(spec.names)}
    index[None] = None
    try:
        return [index[v] for v in values]
    except KeyError as exc:
        raise InvalidInputError(f"{exc.args[0]!r} is not one of {', '.join(spec.names)}") from exc


def _get(values: list[Any], name: str) -> list[Any]:
    """Field ``name`` of every value: dict items or record attributes."""
    if values and isinstance(values[0], dict):
        return [v.get(name) for v in values]
    return list(map(attrgetter(name), values))


def column(values: list[Any], spec: Spec, kind: pa.DataType) -> pa.Array:
    """An arrow array of ``kind`` holding ``values`` (records or dicts) as ``spec`` says."""
    if isinstance(spec, Labels):
        return pa.array(_label_ids(values, spec), type=kind)
    if isinstance(spec, Struct):
        children = [column(_get(values, k), f, kind.field(k).type) for k, f in spec.fields]
        return pa.StructArray.from_arrays(children, fields=list(kind))
    if isinstance(spec, Listed) and not isinstance(spec.item, Plain):
        flat = [x for v in values for x in v or ()]
        offsets = [0, *accumulate(len(v or ()) for v in values)]
        inner = column(flat, spec.item, kind.value_type)
        return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), inner, type=kind)
    if isinstance(spec, Listed):
        return pa.array([list(v or ()) for v in values], type=kind)
    return pa.array(values, type=kind)


class TokenRow(NamedTuple):
    """A ``tokens`` config row before it becomes arrow columns."""

    id: str
    tokens: Tokens
    tags: npt.NDArray[np.int64]


def token_row(annotation: Annotation, tag_ids: Mapping[str, int]) -> TokenRow:
    """The tokens of a document and the ids of their BIO tags."""
    tokens = tokenize(annotation.document.text)
    return TokenRow(annotation.document.id, tokens, bio_ids(tokens, annotation.entities, tag_ids))


@dataclass(frozen=True)
class TableLayout:
    """How gold annotations become the tables of the two configs (plain, picklable data)."""

    documents: pa.Schema
    document_columns: Struct
    layers: tuple[str, ...]
    tokens: pa.Schema
    tag_ids: Mapping[str, int]

    def document_table(self, rows: list[Annotation]) -> pa.Table:
        """The ``documents`` config: one row per gold annotation."""
        arrays = [
            column(
                list(map(attrgetter(name if name in self.layers else f"document.{name}"), rows)),
                spec,
                self.documents.field(name).type,
            )
            for name, spec in self.document_columns.fields
        ]
        return pa.Table.from_arrays(arrays, schema=self.documents)

    def token_table(self, rows: list[Annotation]) -> pa.Table:
        """The ``tokens`` config: tokens, offsets and BIO tag ids of each gold annotation."""
        built = [token_row(row, self.tag_ids) for row in rows]
        offsets = pa.array([0, *accumulate(len(r.tokens.texts) for r in built)], type=pa.int32())
        schema = self.tokens

        def listed(name: str, values: Any) -> pa.ListArray:
            kind = schema.field(name).type
            flat = pa.array(values, type=kind.value_type)
            return pa.ListArray.from_arrays(offsets, flat, type=kind)

        empty = np.zeros(0, dtype=np.int64)
        columns = {
            "id": pa.array([r.id for r in built], type=schema.field("id").type),
            "tokens": listed("tokens", [t for r in built for t in r.tokens.texts]),
            "token_starts": listed(
                "token_starts", np.concatenate([empty, *(r.tokens.starts for r in built)])
            ),
            "token_ends": listed(
                "token_ends", np.concatenate([empty, *(r.tokens.ends for r in built)])
            ),
            "ner_tags": listed("ner_tags", np.concatenate([empty, *(r.tags for r in built)])),
        }
        return pa.Table.from_arrays([columns[name] for name in schema.names], schema=schema)
