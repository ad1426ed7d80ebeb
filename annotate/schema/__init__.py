"""Step 1 of the loop: the JSON Schemas in ``schemas/``, read once and turned into what
every later step needs.

- :mod:`annotate.schema.layers`: the :class:`SchemaSet` (layers, labels, attributes);
- :mod:`annotate.schema.columns`: the column specs of the gold dataset, as arrow types;
- :mod:`annotate.schema.features`: the same specs as Hugging Face ``datasets.Features``.
"""

from annotate.schema.layers import (
    DOCUMENT,
    LAYER_ORDER,
    PREDICTIONS,
    Attribute,
    Layer,
    Relation,
    SchemaSet,
    default_schema_dir,
)

__all__ = [
    "DOCUMENT",
    "LAYER_ORDER",
    "PREDICTIONS",
    "Attribute",
    "Layer",
    "Relation",
    "SchemaSet",
    "default_schema_dir",
]
