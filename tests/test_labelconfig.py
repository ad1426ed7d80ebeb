from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from annotate.cli import main
from annotate.errors import SchemaError
from annotate.labelstudio.client import Client
from annotate.labelstudio.config import STICKY_STYLE, labeling_config
from annotate.labelstudio.project import create_project, find_project
from annotate.labelstudio.push import PushOptions, push
from annotate.records import Document
from annotate.schema import SchemaSet


def test_full_config_structure(schemas: SchemaSet) -> None:
    root = ET.fromstring(labeling_config(schemas))
    texts = root.findall(".//Text")
    assert [t.get("value") for t in texts] == ["$text"]
    assert not root.findall(".//HyperText")
    assert any(
        "$outlet" in (h.get("value") or "") and "$published" in (h.get("value") or "")
        for h in root.findall(".//Header")
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


def sticky_column(root: ET.Element) -> ET.Element:
    [column] = [v for v in root.iter("View") if v.get("style") == STICKY_STYLE]
    return column


def test_text_and_controls_sit_side_by_side(schemas: SchemaSet) -> None:
    root = ET.fromstring(labeling_config(schemas))
    [row] = [v for v in root.iter("View") if "display: flex" in (v.get("style") or "")]
    text_column, control_column = list(row)
    assert [t.get("name") for t in text_column.iter("Text")] == ["text"]
    assert not list(control_column.iter("Text"))
    sticky = sticky_column(control_column)
    # every control the annotator uses stays in view: labels, relations, per-region fields
    in_view = {
        c.get("name") or c.tag for c in sticky.iter() if c.get("toName") or c.tag == "Relations"
    }
    assert in_view == {
        c.get("name") or c.tag for c in root.iter() if c.get("toName") or c.tag == "Relations"
    }
    assert in_view >= {"entities", "claims", "event_dates", "Relations", "event_dates_basis"}


def requirements(root: ET.Element) -> dict[str, tuple[str | None, str | None]]:
    """Required control name → (whenLabelValue, requiredMessage)."""
    return {
        str(c.get("name")): (c.get("whenLabelValue"), c.get("requiredMessage"))
        for c in root.iter()
        if c.get("required") == "true"
    }


def test_fields_the_schema_requires_are_required_in_the_page(schemas: SchemaSet) -> None:
    required = requirements(ET.fromstring(labeling_config(schemas)))
    # claims and event_dates list these in "required"; entities.canonical is optional (null)
    assert set(required) == {
        "claims_type",
        "event_dates_date",
        "event_dates_precision",
        "event_dates_basis",
    }
    for name, (when, message) in required.items():
        layer, attribute = schemas.controls[name]
        assert attribute is not None and message is not None
        assert when == ",".join(layer.labels)  # the check must not fire on other layers
        assert attribute.title in message and layer.labels[0] in message


def test_what_is_required_comes_from_the_schema_alone(schema_copy) -> None:
    def swap(loaded: dict) -> None:
        loaded["event_dates"]["required"].remove("basis")
        loaded["entities"]["required"].append("canonical")
        loaded["entities"]["properties"]["canonical"]["type"] = "string"

    changed = schema_copy(swap)
    required = requirements(ET.fromstring(labeling_config(changed)))
    assert "event_dates_basis" not in required
    when, message = required["entities_canonical"]
    assert when == ",".join(changed.layers["entities"].labels)
    assert message is not None and "Canonical name" in message


def test_a_label_with_a_comma_cannot_be_listed_for_a_required_field(schema_copy) -> None:
    def comma(loaded: dict) -> None:
        loaded["event_dates"]["x-annotate"]["region_label"] = "EVENT,DATE"

    with pytest.raises(SchemaError, match=r"event_dates.*'EVENT,DATE'.*comma"):
        labeling_config(schema_copy(comma))


def test_the_relation_step_is_shown_next_to_the_claim_fields(schemas: SchemaSet) -> None:
    root = ET.fromstring(labeling_config(schemas))
    [claim_view] = [v for v in root.iter("View") if v.get("whenTagName") == "claims"]
    hints = [
        h.get("value") or "" for h in claim_view.iter("Header") if "Alt+R" in (h.get("value") or "")
    ]
    relation = schemas.layers["claims"].relation
    assert relation is not None and len(hints) == 1
    assert relation.name in hints[0]
    assert all(label in hints[0] for label in relation.target_labels)
    only_claims = ET.fromstring(labeling_config(schemas, ["claims"]))
    assert not [h for h in only_claims.iter("Header") if "Alt+R" in (h.get("value") or "")]


@pytest.fixture
def hostile_schemas(schema_copy) -> SchemaSet:
    def hostile(loaded: dict) -> None:
        loaded["entities"]["properties"]["label"]["enum"].append('A"B<C&D')
        loaded["entities"]["x-annotate"]["title"] = 'Entities "<&>"'
        loaded["entities"]["required"].append("canonical")  # the label goes into whenLabelValue
        loaded["entities"]["properties"]["canonical"]["type"] = "string"

    return schema_copy(hostile)


def test_values_are_xml_escaped(hostile_schemas: SchemaSet) -> None:
    xml = labeling_config(hostile_schemas)
    root = ET.fromstring(xml)  # a parse error would fail the test
    values = [lab.get("value") for lab in root.iter("Label")]
    assert 'A"B<C&D' in values
    when, message = requirements(root)["entities_canonical"]
    assert when is not None and when.endswith(',A"B<C&D')
    assert message is not None and 'Entities "<&>"' in message
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


@pytest.mark.server
def test_push_shows_the_guidelines_summary_as_instructions(
    client: Client, project_title: str
) -> None:
    document = Document("instructions-1", "Putin met Assad.", "Wire", "2017-11-21", "en")
    report = push(client, [document], project_title)
    project = find_project(client, project_title)
    assert project is not None and report.created
    assert project.show_instructions and "said_by" in project.instructions
    assert "<li" in project.instructions and "<script" not in project.instructions
    again = push(client, [document], project_title)
    assert not again.instructions_updated and not again.config_updated
    changed = push(client, [document], project_title, PushOptions(instructions="<p>New</p>"))
    assert changed.instructions_updated
    project = find_project(client, project_title)
    assert project is not None and project.instructions == "<p>New</p>"
