"""Hugging Face ``datasets.Features``, derived from the schemas.

Closed label sets (a JSON Schema ``enum``) become ``ClassLabel``; strings, integers and
arrays map onto ``Value`` and ``List``. The columns are read off the schemas once, by
:mod:`annotate.schema.columns`, which also gives the parquet tables their layout. The dataset
card YAML is generated from these same objects, so the parquet files and the card can
never disagree.
"""

from __future__ import annotations

from typing import Any

from datasets import ClassLabel, Features, List, Value

from annotate.schema import SchemaSet
from annotate.schema.columns import Labels, Plain, Spec, document_columns, fold, token_columns

FeatureType = Any  # datasets has no public union of feature types


def _feature_leaf(spec: Labels | Plain) -> FeatureType:
    return ClassLabel(names=list(spec.names)) if isinstance(spec, Labels) else Value(spec.dtype)


def feature_of(spec: Spec) -> FeatureType:
    """The datasets feature of a column Spec (the walk of :func:`annotate.schema.columns.fold`)."""
    return fold(spec, _feature_leaf, List, dict)


def document_features(schemas: SchemaSet) -> Features:
    """One row per document: its metadata plus a list per annotation layer."""
    return Features(feature_of(document_columns(schemas)))


def token_features(schemas: SchemaSet) -> Features:
    """Token classification rows: id, tokens, their offsets, and BIO ``ner_tags``."""
    return Features(feature_of(token_columns(schemas)))
