"""The JSON Schemas in ``schemas/``: the single source of labels, choices and attributes.

A :class:`SchemaSet` loads the schema files of a folder (by default the one shipped in the
package) and exposes what the rest of annotate derives from them: the layers with their
labels and per-region attributes, draft 2020-12 validators, and a version hash.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError as JsonSchemaError
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from annotate.errors import SchemaError
from annotate.records import LAYERS

DOCUMENT = "document"
PREDICTIONS = "predictions"
LAYER_ORDER = LAYERS  # one schema file per layer, in the order of the records' layers
_EXTENSION = "x-annotate"


@dataclass(frozen=True, slots=True)
class Attribute:
    """A per-region attribute set on a selected span: Choices, DateTime or TextArea."""

    field: str
    control: str
    title: str
    choices: tuple[str, ...] = ()
    precision_field: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A link from a region of one layer to a region of another (a claim's speaker)."""

    field: str
    name: str
    target_layer: str
    target_labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Layer:
    """One annotation layer (entities, claims, event dates) as its schema defines it."""

    name: str
    title: str
    schema: Mapping[str, Any]
    label_field: str | None
    labels: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    relation: Relation | None
    label_set: frozenset[str] = dataclasses.field(init=False, repr=False, compare=False)
    dates: tuple[Attribute, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # derived once: the conversion asks them per region
        object.__setattr__(self, "label_set", frozenset(self.labels))
        dates = tuple(a for a in self.attributes if a.control == "DateTime")
        object.__setattr__(self, "dates", dates)

    def control_name(self, attribute: Attribute) -> str:
        """The name of the Label Studio control that holds ``attribute``."""
        return f"{self.name}_{attribute.field}"

    def attribute(self, field: str) -> Attribute:
        """The attribute stored in ``field``."""
        for attribute in self.attributes:
            if attribute.field == field:
                return attribute
        raise KeyError(field)

    def label_of(self, record_label: str | None) -> str:
        """The Label Studio label value of a region of this layer."""
        if self.label_field is None:
            return self.labels[0]
        if record_label is None:
            raise SchemaError(f"layer {self.name}: a region needs its {self.label_field}")
        return record_label


def default_schema_dir() -> Path:
    """The schemas shipped with the package (wheel), or the checkout's ``schemas/``."""
    packaged = Path(str(resources.files("annotate"))) / "schemas"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "schemas"
    if checkout.is_dir():
        return checkout
    raise SchemaError(f"no schemas found: looked in {packaged} and {checkout}")


def _read_schema(path: Path) -> dict[str, Any]:
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise SchemaError(f"{path}: schema file is missing") from exc
    # A copy, so no caller can change the cached schema.
    return copy.deepcopy(_checked_schema(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=64)
def _checked_schema(name: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """A schema file parsed and checked against the metaschema, once per file version."""
    path = Path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SchemaError(f"{path}: schema file is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: a schema must be a JSON object")
    try:
        Draft202012Validator.check_schema(data)
    except JsonSchemaError as exc:
        raise SchemaError(f"{path}: not a valid draft 2020-12 schema: {exc.message}") from exc
    return data


def _enum(prop: Mapping[str, Any], where: str) -> tuple[str, ...]:
    values = prop.get("enum")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SchemaError(f"{where}: expected an 'enum' of strings")
    return tuple(values)


def _attribute(field: str, prop: Mapping[str, Any], where: str) -> Attribute:
    ext = prop[_EXTENSION]
    control = ext.get("control")
    choices = _enum(prop, where) if control == "Choices" else ()
    if control not in {"Choices", "DateTime", "TextArea"}:
        raise SchemaError(f"{where}: unknown control {control!r}")
    return Attribute(field, control, ext.get("title", field), choices, ext.get("precision_field"))


def _layer(name: str, schema: Mapping[str, Any], where: str) -> Layer:
    ext = schema.get(_EXTENSION, {})
    props: Mapping[str, Any] = schema.get("properties", {})
    label_field = ext.get("label_field")
    if label_field:
        labels = _enum(props.get(label_field, {}), f"{where} properties.{label_field}")
    elif isinstance(ext.get("region_label"), str):
        labels = (ext["region_label"],)
    else:
        raise SchemaError(f"{where}: x-annotate needs 'label_field' or 'region_label'")
    attributes: list[Attribute] = []
    relation: Relation | None = None
    for field, prop in props.items():
        control = prop.get(_EXTENSION, {}).get("control")
        if control == "Relation":
            rel = prop[_EXTENSION]
            relation = Relation(
                field, rel["relation"], rel["target_layer"], tuple(rel["target_labels"])
            )
        elif control is not None:
            attributes.append(_attribute(field, prop, f"{where} properties.{field}"))
    return Layer(
        name, ext.get("title", name), schema, label_field, labels, tuple(attributes), relation
    )


class SchemaSet:
    """The schemas of one folder, with the layers, validators and version derived from them."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_schema_dir()
        names = (DOCUMENT, *LAYER_ORDER, PREDICTIONS)
        self.schemas: dict[str, dict[str, Any]] = {
            name: _read_schema(self.directory / f"{name}.schema.json") for name in names
        }
        self.layers: dict[str, Layer] = {
            name: _layer(name, self.schemas[name], f"{name}.schema.json") for name in LAYER_ORDER
        }
        self._check_relations()

    def _check_relations(self) -> None:
        for layer in self.layers.values():
            rel = layer.relation
            if rel is None:
                continue
            target = self.layers.get(rel.target_layer)
            if target is None:
                raise SchemaError(
                    f"{layer.name}: relation targets unknown layer {rel.target_layer!r}"
                )
            unknown = set(rel.target_labels) - set(target.labels)
            if unknown:
                raise SchemaError(
                    f"{layer.name}: relation targets unknown labels {sorted(unknown)}"
                )

    @cached_property
    def controls(self) -> dict[str, tuple[Layer, Attribute | None]]:
        """Each Label Studio control name → its layer, and the attribute it fills (None: the
        labels)."""
        controls: dict[str, tuple[Layer, Attribute | None]] = {}
        for layer in self.layers.values():
            controls[layer.name] = (layer, None)
            for attribute in layer.attributes:
                controls[layer.control_name(attribute)] = (layer, attribute)
        return controls

    @cached_property
    def registry(self) -> Registry[Any]:
        """A referencing registry holding every schema under its ``$id``."""
        resources_ = [
            (schema["$id"], Resource.from_contents(schema))
            for schema in self.schemas.values()
            if "$id" in schema
        ]
        return Registry().with_resources(resources_)

    def validator(self, name: str) -> Draft202012Validator:
        """A draft 2020-12 validator (with format checks) for the schema called ``name``."""
        return Draft202012Validator(
            self.schemas[name], registry=self.registry, format_checker=FormatChecker()
        )

    @cached_property
    def validators(self) -> dict[str, Draft202012Validator]:
        """One validator per schema, built once."""
        return {name: self.validator(name) for name in self.schemas}

    @cached_property
    def compiled(self) -> dict[str, jsonschema_rs.Validator]:
        """Compiled (Rust) validators of the same schemas, for the hot path."""
        registry = jsonschema_rs.Registry(
            [(schema["$id"], schema) for schema in self.schemas.values() if "$id" in schema]
        )
        return {
            name: jsonschema_rs.validator_for(schema, validate_formats=True, registry=registry)
            for name, schema in self.schemas.items()
        }

    def errors(self, name: str, value: object) -> list[ValidationError]:
        """Every schema error of ``value`` against schema ``name``, in jsonschema's words.

        The compiled validator answers first; only an invalid value pays for the slower
        validator that words the errors. A test checks both agree on the bad-input catalogue.

        >>> SchemaSet().errors("entities", {"id": "e1", "start": 0, "end": 1, "text": "x",
        ...                                  "label": "CITY"})[0].message
        "'CITY' is not one of ['PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'EVENT']"
        """
        try:
            if self.compiled[name].is_valid(value):
                return []
        except UnicodeEncodeError:  # a lone surrogate, which a Rust string cannot hold
            pass
        return list(self.validators[name].iter_errors(value))

    @cached_property
    def version(self) -> str:
        """A short hash of every schema's canonical JSON: the schema version of exports."""
        digest = hashlib.sha256()
        for name in sorted(self.schemas):
            digest.update(name.encode())
            digest.update(json.dumps(self.schemas[name], sort_keys=True).encode())
        return digest.hexdigest()[:12]

    def select(self, names: Sequence[str] | None) -> list[Layer]:
        """The layers named (all when ``names`` is None), in schema order; unknown names fail."""
        if names is None:
            return list(self.layers.values())
        unknown = [n for n in names if n not in self.layers]
        if unknown:
            known = ", ".join(self.layers)
            raise SchemaError(f"unknown layer(s) {', '.join(unknown)}; known layers: {known}")
        return [self.layers[n] for n in LAYER_ORDER if n in names]
