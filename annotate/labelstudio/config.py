"""The Label Studio labeling config, generated from the schemas.

Built with ElementTree, so every label, title and choice is XML-escaped. The article text
uses the ``Text`` tag, which shows markup as literal text (``HyperText`` would render it).

Task data keys the config refers to: ``text``, ``outlet`` and ``published``. The outlet is
not called ``source`` because ``$source`` in a Header shows the whole task in Label Studio.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from xml.etree import ElementTree as ET

from annotate.schema import Attribute, Layer, SchemaSet

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


def labeling_config(schemas: SchemaSet, layers: Sequence[str] | None = None) -> str:
    """The labeling config XML for the named layers (all when None).

    >>> xml = labeling_config(SchemaSet(), ["entities"])
    >>> '<Text name="text" value="$text"' in xml and "HyperText" not in xml
    True
    """
    selected = schemas.select(layers)
    root = ET.Element("View")
    ET.SubElement(root, "Header", value=HEADER, size="6")
    colours = iter(PALETTE * 4)
    for layer in selected:
        _labels(root, layer, colours)
    names = {layer.name for layer in selected}
    relations = [
        layer.relation
        for layer in selected
        if layer.relation and layer.relation.target_layer in names
    ]
    if relations:
        group = ET.SubElement(root, "Relations")
        for relation in relations:
            ET.SubElement(group, "Relation", value=relation.name)
    ET.SubElement(root, "Text", name=TEXT, value=f"${TEXT}", granularity="symbol")
    for layer in selected:
        _attributes(root, layer)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def _labels(root: ET.Element, layer: Layer, colours: Iterator[str]) -> None:
    ET.SubElement(root, "Header", value=layer.title, size="6")
    group = ET.SubElement(root, "Labels", name=layer.name, toName=TEXT, showInline="true")
    for label in layer.labels:
        ET.SubElement(group, "Label", value=label, background=next(colours))


def _attributes(root: ET.Element, layer: Layer) -> None:
    if not layer.attributes:
        return
    # Shown only while a region of this layer is selected.
    view = ET.SubElement(root, "View", visibleWhen="region-selected", whenTagName=layer.name)
    for attribute in layer.attributes:
        ET.SubElement(view, "Header", value=attribute.title, size="6")
        _control(view, layer, attribute)


def _control(parent: ET.Element, layer: Layer, attribute: Attribute) -> None:
    common = {"name": layer.control_name(attribute), "toName": TEXT, "perRegion": "true"}
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
