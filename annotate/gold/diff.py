"""What changed between two versions of a gold dataset.

Documents are paired by id; within a document, the items of each layer are paired by
:func:`match_items`, the one adapter to the project's span matcher. Each pair of items
is compared field by field, with the fields the schemas define (no field is named here):

- ``boundary``: the span moved (start or end);
- ``label``: the label changed (layers with a label field);
- every attribute of the layer (a claim's type, an event's date, precision and basis, an
  entity's canonical name), and the relation (a claim's speaker). Two speakers are the
  same when the old speaker entity is paired with the new one, so moving an entity does
  not change the claims it speaks.

Unpaired old items were *removed*, unpaired new items *added*. An item's ``annotators``
and region id are provenance, not content: they are not compared. The pairing does not
depend on which side is old, so ``diff(A, B)`` and ``diff(B, A)`` list the same changes,
with added and removed swapped and the values of every changed field reversed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from annotate.gold.adjudicate import Item, Mode, adjudicate_all, item_label
from annotate.gold.matching import relaxed_pairs
from annotate.records import Annotation, Task
from annotate.schema import Layer, SchemaSet
from annotate.tables import markdown_table, text_table

Kind = Literal["added", "removed", "changed"]
BOUNDARY = "boundary"
LABEL = "label"
LISTED = 50  # a changelog lists the changed items when there are at most this many
COLUMNS = ("added", "removed", "relabelled", "moved", "attributes")


# --- pairing ----------------------------------------------------------------------------


def match_items(
    old: Sequence[Item], new: Sequence[Item], label: Callable[[Item], str] | None = None
) -> list[tuple[int, int]]:
    """One-to-one (old index, new index) pairs of the items of one layer of one document.

    The one place the diff asks the span matcher: identical spans pair first (those with
    the same ``label`` before the others), then the rest by overlap with
    :func:`annotate.gold.matching.relaxed_pairs`. The overlap pass always sees the two
    sides in the same order (sorted by their spans), so the pairs are the same whichever
    side is old. Nothing else in the diff asks how items are paired.

    >>> from annotate.records import Entity
    >>> old = [Entity("a", 0, 5, "Putin", "PERSON"), Entity("b", 9, 14, "Assad", "PERSON")]
    >>> new = [Entity("c", 9, 14, "Assad", "ORG"), Entity("d", 0, 3, "Put", "PERSON")]
    >>> match_items(old, new)
    [(0, 1), (1, 0)]
    """
    pairs: list[tuple[int, int]] = []
    for key in (label, None):
        pairs += _same_spans(old, new, _left(old, pairs, 0), _left(new, pairs, 1), key)
    rest_old, rest_new = _left(old, pairs, 0), _left(new, pairs, 1)
    old_items = [old[i] for i in rest_old]
    new_items = [new[j] for j in rest_new]
    if _spans(old_items) <= _spans(new_items):
        overlaps = relaxed_pairs(_spans_of(old_items), _spans_of(new_items))
    else:
        overlaps = [(i, j) for j, i in relaxed_pairs(_spans_of(new_items), _spans_of(old_items))]
    pairs += [(rest_old[i], rest_new[j]) for i, j in overlaps]
    return sorted(pairs)


def _left(items: Sequence[Item], pairs: list[tuple[int, int]], side: int) -> list[int]:
    taken = {pair[side] for pair in pairs}
    return [i for i in range(len(items)) if i not in taken]


def _same_spans(
    old: Sequence[Item],
    new: Sequence[Item],
    old_left: list[int],
    new_left: list[int],
    label: Callable[[Item], str] | None,
) -> list[tuple[int, int]]:
    """The k-th old and the k-th new item (of those left) with the same span (and label)."""

    def key(item: Item) -> tuple[int, int, str | None]:
        return item.start, item.end, None if label is None else label(item)

    waiting: dict[tuple[int, int, str | None], list[int]] = defaultdict(list)
    for i in old_left:
        waiting[key(old[i])].append(i)
    pairs = []
    for j in new_left:
        queue = waiting.get(key(new[j]))
        if queue:
            pairs.append((queue.pop(0), j))
    return pairs


def _spans(items: Sequence[Item]) -> list[tuple[int, int]]:
    return sorted(_spans_of(items))


def _spans_of(items: Sequence[Item]) -> list[tuple[int, int]]:
    return [(i.start, i.end) for i in items]


# --- comparing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a paired item that changed: ``boundary``, ``label`` or a schema field."""

    field: str
    old: str | None
    new: str | None

    def flipped(self) -> FieldChange:
        return FieldChange(self.field, self.new, self.old)


@dataclass(frozen=True, slots=True)
class ItemChange:
    """An item added, removed or changed in one layer of one document."""

    document_id: str
    layer: str
    kind: Kind
    label: str  # the new item's label (the old one's when removed)
    old: Item | None
    new: Item | None
    fields: tuple[FieldChange, ...] = ()

    @property
    def item(self) -> Item:
        """The item as it is now (as it was, when removed)."""
        found = self.new if self.new is not None else self.old
        assert found is not None
        return found

    def changed(self, name: str) -> bool:
        return any(f.field == name for f in self.fields)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "document_id": self.document_id,
            "layer": self.layer,
            "kind": self.kind,
            "label": self.label,
            "old": None if self.old is None else self.old.to_dict(),
            "new": None if self.new is None else self.new.to_dict(),
            "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in self.fields],
        }

    def describe(self) -> str:
        """One line: where, what, and how it changed.

        >>> from annotate.records import Entity
        >>> e = Entity("e1", 0, 5, "Putin", "PERSON")
        >>> ItemChange("d1", "entities", "added", "PERSON", None, e).describe()
        'd1 entities PERSON [0, 5) "Putin": added'
        """
        what = ", ".join(f"{f.field} {f.old} → {f.new}" for f in self.fields) or self.kind
        return f"{self.document_id} {self.layer} {self.label} {_span(self.item)}: {what}"


def _span(item: Item) -> str:
    text = item.text if len(item.text) <= 60 else item.text[:57] + "…"
    return f'[{item.start}, {item.end}) "{text}"'


class _Comparer:
    """The changes of one document, layer by layer (relation targets first)."""

    def __init__(self, old: Annotation, new: Annotation, schemas: SchemaSet) -> None:
        self.old, self.new, self.schemas = old, new, schemas
        self.paired: dict[str, dict[str, str]] = {}  # layer → old id → new id

    def changes(self) -> list[ItemChange]:
        out: list[ItemChange] = []
        for layer in self.schemas.layers.values():  # schema order: targets come first
            out += self._layer(layer)
        return out

    def _layer(self, layer: Layer) -> list[ItemChange]:
        old, new = self.old.layer(layer.name), self.new.layer(layer.name)
        pairs = match_items(old, new, lambda x: item_label(layer, x))
        self.paired[layer.name] = {old[i].id: new[j].id for i, j in pairs}
        doc = self.new.document.id
        out = []
        for i, j in pairs:
            fields = self._fields(layer, old[i], new[j])
            if fields:
                label = item_label(layer, new[j])
                out.append(ItemChange(doc, layer.name, "changed", label, old[i], new[j], fields))
        paired_old, paired_new = {i for i, _ in pairs}, {j for _, j in pairs}
        out += [
            ItemChange(doc, layer.name, "removed", item_label(layer, x), x, None)
            for i, x in enumerate(old)
            if i not in paired_old
        ]
        out += [
            ItemChange(doc, layer.name, "added", item_label(layer, x), None, x)
            for j, x in enumerate(new)
            if j not in paired_new
        ]
        return sorted(out, key=lambda c: (c.item.start, c.item.end, c.kind))

    def _fields(self, layer: Layer, old: Item, new: Item) -> tuple[FieldChange, ...]:
        out = []
        if (old.start, old.end) != (new.start, new.end):
            out.append(FieldChange(BOUNDARY, _span(old), _span(new)))
        if item_label(layer, old) != item_label(layer, new):
            out.append(FieldChange(LABEL, item_label(layer, old), item_label(layer, new)))
        for attribute in layer.attributes:
            x, y = getattr(old, attribute.field), getattr(new, attribute.field)
            if x != y:
                out.append(FieldChange(attribute.field, _value(x), _value(y)))
        if layer.relation is not None:
            out += self._relation(layer, old, new)
        return tuple(out)

    def _relation(self, layer: Layer, old: Item, new: Item) -> list[FieldChange]:
        assert layer.relation is not None
        name, target = layer.relation.field, layer.relation.target_layer
        x, y = getattr(old, name), getattr(new, name)
        if x is None and y is None:
            return []
        if x is not None and y is not None and self.paired[target].get(x) == y:
            return []
        return [
            FieldChange(name, self._target(self.old, target, x), self._target(self.new, target, y))
        ]

    def _target(self, annotation: Annotation, layer: str, region_id: str | None) -> str | None:
        if region_id is None:
            return None
        items = annotation.layer(layer)
        found = next((t for t in items if t.id == region_id), None)
        return f"{region_id} (missing)" if found is None else _span(found)


def _value(value: object) -> str | None:
    return None if value is None else str(value)


# --- the diff ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldDiff:
    """Every change between two versions of a gold dataset, in document order."""

    changes: tuple[ItemChange, ...]
    documents_added: tuple[str, ...] = ()
    documents_removed: tuple[str, ...] = ()
    texts_changed: tuple[str, ...] = ()
    documents: int = 0  # documents in both versions
    labels: tuple[tuple[str, str], ...] = ()  # (layer, label) in schema order, for the rows

    @property
    def empty(self) -> bool:
        """True when no item and no document changed."""
        return not (self.changes or self.documents_added or self.documents_removed)

    def count(self, kind: str) -> int:
        """Items of one column of the counts: added, removed, relabelled, moved, attributes."""
        return sum(_columns(c)[kind] for c in self.changes)

    def rows(self) -> list[list[str]]:
        """Per layer and label: added, removed, relabelled, moved, and attributes changed."""
        tally: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        fields: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for change in self.changes:
            tally[change.layer, change.label].update(_columns(change))
            fields[change.layer, change.label].update(
                f.field for f in change.fields if f.field not in (BOUNDARY, LABEL)
            )
        rows = []
        order = {key: n for n, key in enumerate(self.labels)}
        for key in sorted(tally, key=lambda k: (order.get(k, len(order)), k)):
            named = ", ".join(f"{name} {n}" for name, n in sorted(fields[key].items()))
            counts = [str(tally[key][c]) for c in COLUMNS[:-1]]
            rows.append([*key, *counts, named or "–"])
        return rows

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "documents": self.documents,
            "documents_added": list(self.documents_added),
            "documents_removed": list(self.documents_removed),
            "texts_changed": list(self.texts_changed),
            "counts": {c: self.count(c) for c in COLUMNS},
            "changes": [c.to_dict() for c in self.changes],
        }

    def summary(self) -> str:
        """One sentence."""
        if self.empty:
            return f"No change in {self.documents} document(s)."
        documents = len({c.document_id for c in self.changes})
        counts = ", ".join(f"{self.count(c)} {_SAID.get(c, c)}" for c in COLUMNS)
        text = f"{len(self.changes)} item(s) changed in {documents} document(s) ({counts})."
        for what, ids in (
            ("added", self.documents_added),
            ("removed", self.documents_removed),
            ("with a changed text", self.texts_changed),
        ):
            if ids:
                text += f" Documents {what}: {', '.join(ids)}."
        return text

    def to_text(self) -> str:
        """A plain-text summary, the counts, and every change."""
        parts = [self.summary()]
        if self.changes:
            parts += ["", text_table(_HEADERS, self.rows()), ""]
            parts += [c.describe() for c in self.changes]
        return "\n".join(parts) + "\n"

    def to_markdown(self, listed: int = LISTED) -> str:
        """A Markdown changelog: summary, counts, and the changed items when few."""
        parts = [self.summary() + "\n"]
        if self.changes:
            parts.append(markdown_table(_HEADERS, self.rows()))
            if len(self.changes) <= listed:
                parts.append("".join(f"- {_markdown_line(c)}\n" for c in self.changes))
            else:
                parts.append(f"{len(self.changes)} changed items: `annotate diff` lists them.\n")
        return "\n".join(parts)


_HEADERS = ["layer", "label", *COLUMNS]
_SAID = {"attributes": "with changed attributes"}


def _columns(change: ItemChange) -> dict[str, int]:
    attributes = any(f.field not in (BOUNDARY, LABEL) for f in change.fields)
    return {
        "added": int(change.kind == "added"),
        "removed": int(change.kind == "removed"),
        "relabelled": int(change.changed(LABEL)),
        "moved": int(change.changed(BOUNDARY)),
        "attributes": int(attributes),
    }


def _markdown_line(change: ItemChange) -> str:
    item = change.item
    what = "; ".join(f"{f.field}: {f.old} → {f.new}" for f in change.fields) or change.kind
    text = item.text if len(item.text) <= 60 else item.text[:57] + "…"
    return (
        f"`{change.document_id}` {change.layer} {change.label} "
        f"[{item.start}, {item.end}) “{text}”: {what}"
    )


def diff_gold(old: Iterable[Annotation], new: Iterable[Annotation], schemas: SchemaSet) -> GoldDiff:
    """The changes from ``old`` to ``new`` gold: documents paired by id, in id order; the
    items of a document layer by layer (schema order), each layer in text order."""
    before = {a.document.id: a for a in old}
    after = {a.document.id: a for a in new}
    changes: list[ItemChange] = []
    texts = []
    for doc_id in sorted(before.keys() & after.keys()):
        if before[doc_id].document.text != after[doc_id].document.text:
            texts.append(doc_id)
        changes += _Comparer(before[doc_id], after[doc_id], schemas).changes()
    return GoldDiff(
        tuple(changes),
        tuple(sorted(after.keys() - before.keys())),
        tuple(sorted(before.keys() - after.keys())),
        tuple(texts),
        len(before.keys() & after.keys()),
        tuple((layer.name, label) for layer in schemas.layers.values() for label in layer.labels),
    )


# --- reading either side ----------------------------------------------------------------


def gold_of_tasks(
    tasks: Iterable[Task], schemas: SchemaSet, mode: Mode = "majority"
) -> list[Annotation]:
    """The gold of tasks, adjudicated as ``annotate export`` does (tasks without gold left out)."""
    return [a.gold for a in adjudicate_all(tasks, schemas, mode) if a.gold is not None]
