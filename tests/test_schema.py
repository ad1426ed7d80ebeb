from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from datasets import ClassLabel
from jsonschema import Draft202012Validator

from annotate.errors import SchemaError
from annotate.labelstudio.config import labeling_config
from annotate.schema import SchemaSet, default_schema_dir
from annotate.schema.features import document_features, token_features

SCHEMA_FILES = sorted(default_schema_dir().glob("*.schema.json"))


def test_schemas_ship_with_the_installed_package() -> None:
    names = {p.name for p in SCHEMA_FILES}
    assert {
        "document.schema.json",
        "entities.schema.json",
        "claims.schema.json",
        "event_dates.schema.json",
        "predictions.schema.json",
    } <= names


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.stem)
def test_every_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_layers_come_from_the_schemas(schemas: SchemaSet) -> None:
    assert list(schemas.layers) == ["entities", "claims", "event_dates"]
    assert schemas.layers["entities"].labels == ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT")
    claims = schemas.layers["claims"]
    assert claims.attribute("type").choices == ("quote", "paraphrase", "assertion")
    assert claims.relation is not None and claims.relation.target_labels == (
        "PERSON",
        "ORG",
        "NORP",
    )


@pytest.fixture
def edited_schemas(schema_copy) -> SchemaSet:
    """A copy of the schemas in which entities gain the label FACILITY."""
    return schema_copy(lambda s: s["entities"]["properties"]["label"]["enum"].append("FACILITY"))


def test_adding_a_label_changes_config_validator_and_features(
    schemas: SchemaSet, edited_schemas: SchemaSet
) -> None:
    entity = {"id": "e1", "start": 0, "end": 4, "text": "Ritz", "label": "FACILITY"}
    assert 'value="FACILITY"' not in labeling_config(schemas)
    assert 'value="FACILITY"' in labeling_config(edited_schemas)
    assert not schemas.validators["entities"].is_valid(entity)
    assert edited_schemas.validators["entities"].is_valid(entity)
    before = document_features(schemas)["entities"].feature["label"]
    after = document_features(edited_schemas)["entities"].feature["label"]
    assert isinstance(after, ClassLabel) and "FACILITY" in after.names
    assert "FACILITY" not in before.names
    assert "B-FACILITY" in token_features(edited_schemas)["ner_tags"].feature.names


def test_predictions_schema_follows_the_layer_schemas(edited_schemas: SchemaSet) -> None:
    record = {
        "document_id": "d",
        "extractor": {"name": "x", "version": "1"},
        "entities": [{"start": 0, "end": 4, "label": "FACILITY"}],
    }
    assert edited_schemas.validators["predictions"].is_valid(record)
    assert not SchemaSet().validators["predictions"].is_valid(record)


def test_broken_schema_is_a_clear_error(tmp_path: Path) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(default_schema_dir(), copy)
    (copy / "claims.schema.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"claims\.schema\.json: not a readable JSON file"):
        SchemaSet(copy)


def test_unknown_layer_is_rejected(schemas: SchemaSet) -> None:
    with pytest.raises(SchemaError, match=r"unknown layer.*relations.*known layers: entities"):
        schemas.select(["entities", "relations"])


def test_version_changes_with_the_schemas(schemas: SchemaSet, edited_schemas: SchemaSet) -> None:
    assert len(schemas.version) == 12
    assert schemas.version != edited_schemas.version
