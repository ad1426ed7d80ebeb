"""The Label Studio labeling config, generated from the schemas.

Built with ElementTree, so every label, title and choice is XML-escaped. The article text
uses the ``Text`` tag, which shows markup as literal text (``HyperText`` would render it).

Task data keys the config refers to: ``text``, ``outlet`` and ``published``. The outlet is
not called ``source`` because ``$source`` in a Header shows the whole task in Label Studio.

The page is laid out for long articles: the text in a wide column that scrolls, and the
label groups with the selected region's fields in a narrow column that stays in view
(``position: sticky`` inside a flex row, as Label Studio's own templates do). Nothing here
names a label or a field: they all come from the schemas, and so does what is required. A
field a layer's schema lists as required (and does not allow to be null) is required in the
page: Label Studio then refuses to submit a region without it and says which one is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from xml.etree import ElementTree as ET

from annotate.errors import SchemaError
from annotate.schema import Attribute, Layer, Relation, SchemaSet

TEXT = "text"
HEADER = "Source: $outlet · published $published"
# Colour-blind-friendly palette (Okabe–Ito plus two), assigned in label order.
PALETTE = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#882255",
    "#44AA99",
)
# The row holding the two columns; the text column takes two thirds of the width.
ROW_STYLE = "display: flex; gap: 1em;"
TEXT_COLUMN_STYLE = "flex: 2; min-width: 0;"
CONTROL_COLUMN_STYLE = "flex: 1; min-width: 0;"
# Sticks to the top of Label Studio's scrolling labeling area while the text scrolls by.
STICKY_STYLE = "position: sticky; top: 0;"
# Compact headings, so that the tallest layer's fields fit beside the text at 1280×800.
LAYER_HEADER_STYLE = "margin: 4px 0;"
FIELD_HEADER_STYLE = "margin: 8px 0 2px; font-size: 15px;"
HINT_STYLE = "margin: 8px 0 0; font-size: 13px; font-weight: normal;"


def labeling_config(schemas: SchemaSet, layers: Sequence[str] | None = None) -> str:
    """The labeling config XML for the named layers (all when None).

    >>> xml = labeling_config(SchemaSet(), ["entities"])
    >>> '<Text name="text" value="$text"' in xml and "HyperText" not in xml
    True
    """
    selected = schemas.select(layers)
    root = ET.Element("View")
    row = ET.SubElement(root, "View", style=ROW_STYLE)
    text_column = ET.SubElement(row, "View", style=TEXT_COLUMN_STYLE)
    ET.SubElement(text_column, "Header", value=HEADER, size="6")
    ET.SubElement(text_column, "Text", name=TEXT, value=f"${TEXT}", granularity="symbol")
    controls = ET.SubElement(ET.SubElement(row, "View", style=CONTROL_COLUMN_STYLE), "View")
    controls.set("style", STICKY_STYLE)
    colours = iter(PALETTE * 4)
    for layer in selected:
        _labels(controls, layer, colours)
    relations = _relations(selected)
    if relations:
        group = ET.SubElement(controls, "Relations")
        for relation in relations.values():
            ET.SubElement(group, "Relation", value=relation.name)
    for layer in selected:
        _attributes(controls, layer, relations.get(layer.name))
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def _relations(selected: Sequence[Layer]) -> dict[str, Relation]:
    """Layer name → its relation, for the relations whose target layer is selected too."""
    names = {layer.name for layer in selected}
    return {
        layer.name: layer.relation
        for layer in selected
        if layer.relation and layer.relation.target_layer in names
    }


def _labels(parent: ET.Element, layer: Layer, colours: Iterator[str]) -> None:
    ET.SubElement(parent, "Header", value=layer.title, size="6", style=LAYER_HEADER_STYLE)
    group = ET.SubElement(parent, "Labels", name=layer.name, toName=TEXT, showInline="true")
    for label in layer.labels:
        ET.SubElement(group, "Label", value=label, background=next(colours))


def _attributes(parent: ET.Element, layer: Layer, relation: Relation | None) -> None:
    if not layer.attributes and relation is None:
        return
    # Shown only while a region of this layer is selected.
    view = ET.SubElement(parent, "View", visibleWhen="region-selected", whenTagName=layer.name)
    for attribute in layer.attributes:
        ET.SubElement(view, "Header", value=attribute.title, size="6", style=FIELD_HEADER_STYLE)
        _control(view, layer, attribute)
    if relation is not None:
        view.append(_relation_hint(relation))


def _relation_hint(relation: Relation) -> ET.Element:
    """How to draw the relation, next to the fields of its source region."""
    targets = _spoken_list(relation.target_labels)
    value = (
        f"{relation.field.capitalize()} ({relation.name}): with this region selected, "
        f"press Alt+R, then click the {targets} region of its {relation.field}."
    )
    return ET.Element("Header", value=value, size="6", style=HINT_STYLE)


def _spoken_list(values: Sequence[str]) -> str:
    """``A``, ``A or B``, ``A, B or C``."""
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def required(layer: Layer, attribute: Attribute) -> bool:
    """Whether the layer's schema requires the attribute: listed as required, never null.

    >>> layers = SchemaSet().layers
    >>> required(layers["event_dates"], layers["event_dates"].attribute("precision"))
    True
    >>> required(layers["entities"], layers["entities"].attribute("canonical"))
    False
    """
    if attribute.field not in layer.schema.get("required", ()):
        return False
    kind = layer.schema.get("properties", {}).get(attribute.field, {}).get("type")
    return not (kind == "null" or (isinstance(kind, list) and "null" in kind))


def _requirement(layer: Layer, attribute: Attribute) -> dict[str, str]:
    """The attributes that make Label Studio refuse a region of ``layer`` without a value.

    Label Studio checks a required per-region control against every region unless the
    control itself names the labels it applies to (``whenLabelValue``, comma-separated).
    """
    if not required(layer, attribute):
        return {}
    with_comma = [label for label in layer.labels if "," in label]
    if with_comma:
        raise SchemaError(
            f"{layer.name}.schema.json: label {with_comma[0]!r} contains a comma, which "
            f"Label Studio cannot list in whenLabelValue (needed to require {attribute.field})"
        )
    message = (
        f"{layer.title}: a region labelled {_spoken_list(layer.labels)} has no "
        f"{attribute.title}. Select the region, fill it in, then submit again."
    )
    return {
        "required": "true",
        "requiredMessage": message,
        "whenLabelValue": ",".join(layer.labels),
    }


def _control(parent: ET.Element, layer: Layer, attribute: Attribute) -> None:
    common = {
        "name": layer.control_name(attribute),
        "toName": TEXT,
        "perRegion": "true",
        **_requirement(layer, attribute),
    }
    if attribute.control == "Choices":
        extra = {"choice": "single-radio", "showInline": "true"}
        choices = ET.SubElement(parent, "Choices", attrib={**extra, **common})
        for value in attribute.choices:
            ET.SubElement(choices, "Choice", value=value)
    elif attribute.control == "DateTime":
        ET.SubElement(parent, "DateTime", attrib={"only": "date", **common})
    else:
        extra = {"maxSubmissions": "1", "editable": "true"}
        ET.SubElement(parent, "TextArea", attrib={**extra, **common})
