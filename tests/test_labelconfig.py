from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from annotate.cli import main
from annotate.labelstudio.client import Client
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.project import create_project, find_project
from annotate.schema import SchemaSet


def test_full_config_structure(schemas: SchemaSet) -> None:
    root = ET.fromstring(labeling_config(schemas))
    texts = root.findall(".//Text")
    assert [t.get("value") for t in texts] == ["$text"]
    assert not root.findall(".//HyperText")
    assert any(
        "$outlet" in (h.get("value") or "") and "$published" in (h.get("value") or "")
        for h in root.findall("Header")
    )
    assert [lab.get("name") for lab in root.findall(".//Labels")] == [
        "entities",
        "claims",
        "event_dates",
    ]
    per_region = {c.get("name"): c.tag for c in root.iter() if c.get("perRegion") == "true"}
    assert per_region == {
        "entities_canonical": "TextArea",
        "claims_type": "Choices",
        "event_dates_date": "DateTime",
        "event_dates_precision": "Choices",
        "event_dates_basis": "Choices",
    }
    assert [r.get("value") for r in root.findall(".//Relation")] == ["said_by"]


@pytest.mark.parametrize(
    ("layers", "labels", "relation"),
    [
        pytest.param(["entities"], ["entities"], False, id="entities-only"),
        pytest.param(["claims"], ["claims"], False, id="claims-without-entities-has-no-relation"),
        pytest.param(
            ["event_dates", "entities"], ["entities", "event_dates"], False, id="schema-order"
        ),
        pytest.param(
            ["claims", "entities"], ["entities", "claims"], True, id="claims-with-speakers"
        ),
    ],
)
def test_config_for_a_subset_of_layers(
    schemas: SchemaSet, layers: list[str], labels: list[str], relation: bool
) -> None:
    root = ET.fromstring(labeling_config(schemas, layers))
    assert [lab.get("name") for lab in root.findall(".//Labels")] == labels
    assert bool(root.findall(".//Relation")) is relation


@pytest.fixture
def hostile_schemas(schema_copy) -> SchemaSet:
    def hostile(loaded: dict) -> None:
        loaded["entities"]["properties"]["label"]["enum"].append('A"B<C&D')
        loaded["entities"]["x-annotate"]["title"] = 'Entities "<&>"'

    return schema_copy(hostile)


def test_values_are_xml_escaped(hostile_schemas: SchemaSet) -> None:
    xml = labeling_config(hostile_schemas)
    root = ET.fromstring(xml)  # a parse error would fail the test
    values = [lab.get("value") for lab in root.iter("Label")]
    assert 'A"B<C&D' in values
    assert "&quot;" in xml and "&lt;" in xml and "&amp;" in xml


def test_cli_prints_the_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--layers", "entities,claims,event_dates"]) == 0
    out = capsys.readouterr().out
    assert out == labeling_config(SchemaSet())


def test_cli_rejects_unknown_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--layers", "entities,bogus"]) == 2
    assert "unknown layer(s) bogus" in capsys.readouterr().err


@pytest.mark.server
def test_label_studio_accepts_the_config(
    client: Client, project_title: str, schemas: SchemaSet
) -> None:
    create_project(client, project_title, labeling_config(schemas))
    project = find_project(client, project_title)
    assert project is not None
    stored = ET.fromstring(project.label_config)
    assert [lab.get("name") for lab in stored.findall(".//Labels")] == [
        "entities",
        "claims",
        "event_dates",
    ]


@pytest.mark.server
def test_label_studio_accepts_an_escaped_config(
    client: Client, project_title: str, hostile_schemas: SchemaSet
) -> None:
    create_project(client, project_title, labeling_config(hostile_schemas))
    project = find_project(client, project_title)
    assert project is not None
    assert 'A"B<C&D' in [
        lab.get("value") for lab in ET.fromstring(project.label_config).iter("Label")
    ]
