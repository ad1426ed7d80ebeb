"""Gold annotations as arrow tables: the rows of both dataset configs.

The tables are built a column at a time, not a row at a time: ClassLabel names become
their ints, structs are read from record attributes, lists are flattened with offsets.
The layout (:func:`table_layout`) comes from the column Specs of
:mod:`annotate.schema.columns`, the same the dataset's ``Features`` are made from: this
module needs pyarrow and numpy but not ``datasets``, so a command can start its worker
processes before loading ``datasets``, and a :class:`TableLayout` can be sent to them.
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

from annotate.dataset.tokens import bio_ids, token_spans, utf8_offsets
from annotate.errors import InvalidInputError
from annotate.records import Annotation
from annotate.schema import SchemaSet
from annotate.schema.columns import (
    Labels,
    Listed,
    Plain,
    Spec,
    Struct,
    arrow_type,
    document_columns,
    tag_names,
    token_columns,
)


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
    """A ``tokens`` config row before it becomes arrow columns.

    Token strings are kept as byte ranges of the text's UTF-8 (``data``), so the
    column of strings is gathered with numpy rather than sliced token by token.
    """

    id: str
    data: bytes
    byte_starts: npt.NDArray[np.int64]
    byte_ends: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int32]
    ends: npt.NDArray[np.int32]
    tags: npt.NDArray[np.int64]


def token_row(annotation: Annotation, tag_ids: Mapping[str, int]) -> TokenRow:
    """The tokens of a document and the ids of their BIO tags."""
    text = annotation.document.text
    starts, ends, points = token_spans(text)
    data = text.encode("utf-8")
    if len(data) == len(text):  # ASCII: bytes and code points line up
        byte_starts, byte_ends = starts.astype(np.int64), ends.astype(np.int64)
    else:
        places = utf8_offsets(points)
        byte_starts, byte_ends = places[starts], places[ends]
    tags = bio_ids(starts, ends, annotation.entities, tag_ids)
    return TokenRow(annotation.document.id, data, byte_starts, byte_ends, starts, ends, tags)


def _strings(rows: list[TokenRow]) -> pa.StringArray:
    """Every token of the rows as one arrow string array, gathered from the texts' bytes."""
    bases = [0, *accumulate(len(r.data) for r in rows)]
    empty = np.zeros(0, dtype=np.int64)
    pairs = list(zip(rows, bases[:-1], strict=True))
    starts = np.concatenate([empty, *(r.byte_starts + base for r, base in pairs)])
    ends = np.concatenate([empty, *(r.byte_ends + base for r, base in pairs)])
    lengths = ends - starts
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int32)
    text = np.frombuffer(b"".join(r.data for r in rows), dtype=np.uint8)
    gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1], dtype=np.int64)
    values = text[gather]
    return pa.StringArray.from_buffers(
        len(lengths), pa.py_buffer(offsets), pa.py_buffer(values.tobytes())
    )


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
        offsets = pa.array([0, *accumulate(len(r.starts) for r in built)], type=pa.int32())
        schema = self.tokens

        def listed(name: str, flat: pa.Array) -> pa.ListArray:
            kind = schema.field(name).type
            return pa.ListArray.from_arrays(offsets, flat.cast(kind.value_type), type=kind)

        def joined(arrays: Any) -> pa.Array:
            return pa.array(np.concatenate([np.zeros(0, dtype=np.int64), *arrays]))

        columns = {
            "id": pa.array([r.id for r in built], type=schema.field("id").type),
            "tokens": listed("tokens", _strings(built)),
            "token_starts": listed("token_starts", joined(r.starts for r in built)),
            "token_ends": listed("token_ends", joined(r.ends for r in built)),
            "ner_tags": listed("ner_tags", joined(r.tags for r in built)),
        }
        return pa.Table.from_arrays([columns[name] for name in schema.names], schema=schema)


def table_layout(schemas: SchemaSet) -> TableLayout:
    """How gold annotations become the tables of both configs (see module docstring)."""
    documents, tokens = document_columns(schemas), token_columns(schemas)
    return TableLayout(
        documents=pa.schema(list(arrow_type(documents))),
        document_columns=documents,
        layers=tuple(schemas.layers),
        tokens=pa.schema(list(arrow_type(tokens))),
        tag_ids={name: i for i, name in enumerate(tag_names(schemas))},
    )
