"""Adjudication: the gold annotation of a task, chosen from its submissions.

The rules, in order:

1. exactly one submission is marked ground truth: it is the gold;
2. in ``majority`` mode, with several submissions: the items a strict majority of the
   task's annotators made identically (more than half of them) are the gold, and every
   other item is returned as a :class:`Disagreement`;
3. a single submission is the gold.

Otherwise (``ground-truth`` mode with several submissions and no single ground truth, or
a task without submissions) there is no gold and the :class:`Adjudication` says why.

When are two items identical? The schemas decide, so no field is named here. An item's
key is its span (start, end), its label, every closed or structured attribute (``Choices``
and ``DateTime`` controls: a claim's type, an event's date, precision and basis) and,
for a relation (a claim's speaker), the key of the entity it points at: speakers compare
by span and label, since region ids differ between annotators. Free-text attributes
(``TextArea``: an entity's canonical name) are not part of the key: the majority's most
common value wins (a tie goes to the first value in sorted order, and any value beats no
value) and a split vote is reported as a disagreement on that field.

Each gold item's ``annotators`` lists who produced it or made the identical item. Majority
gold items get fresh ids (``entities-1``, …, in text order) and claim speakers are remapped
to the gold entity with the speaker's key; such an entity is always gold too, because each
annotator who made the claim also made that entity. Ground-truth and single gold keeps the
submission's own ids. A task annotated twice by the same person counts once: the latest
submission (highest annotation id).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from typing import Any, Literal

from annotate.records import Annotation, Claim, Entity, Event, Submission, Task
from annotate.schema import Attribute, Layer, SchemaSet

Item = Entity | Claim | Event
ItemKey = tuple[Hashable, ...]
Mode = Literal["ground-truth", "majority"]
MODES: tuple[Mode, ...] = ("ground-truth", "majority")
KEY_CONTROLS = frozenset({"Choices", "DateTime"})


@dataclass(frozen=True, slots=True)
class Disagreement:
    """An item that did not reach the gold, or a gold item whose free-text field split the vote.

    ``item`` is the region as the first annotator who had it made it (for a ``field``
    disagreement, the gold item); ``had`` made it (or chose the gold value of ``field``),
    ``missing`` are the task's other annotators.
    """

    task_id: int
    document_id: str
    layer: str
    item: Item
    had: tuple[str, ...]
    missing: tuple[str, ...]
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "task_id": self.task_id,
            "document_id": self.document_id,
            "layer": self.layer,
            "field": self.field,
            "item": self.item.to_dict(),
            "had": list(self.had),
            "missing": list(self.missing),
        }


@dataclass(frozen=True, slots=True)
class Adjudication:
    """The outcome for one task: the gold (or None, with the reason) and the disagreements."""

    task_id: int
    document_id: str
    method: str | None
    gold: Annotation | None
    disagreements: tuple[Disagreement, ...] = ()
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the gold itself left out: it goes to the dataset)."""
        return {
            "task_id": self.task_id,
            "document_id": self.document_id,
            "method": self.method,
            "reason": self.reason,
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


@dataclass(frozen=True, slots=True)
class _Keyed:
    """An item of one submission with its key and the key of its relation target."""

    annotator: str
    item: Item
    key: ItemKey
    target: ItemKey | None = None


@dataclass(slots=True)
class _Vote:
    """Everyone who made the item with one key."""

    first: _Keyed
    members: list[_Keyed] = field(default_factory=list)

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(sorted({m.annotator for m in self.members}))


_LAYOUTS: dict[type, tuple[Callable[[Any], tuple[Any, ...]], dict[str, int]]] = {}


def with_changes(item: Item, **changes: Any) -> Item:
    """A copy of a record with some fields changed: ``dataclasses.replace``, twice as fast.

    >>> with_changes(Entity("e1", 0, 5, "Putin", "PERSON"), annotators=("ann",)).annotators
    ('ann',)
    """
    cls = type(item)
    if cls not in _LAYOUTS:
        names = [f.name for f in fields(cls)]
        _LAYOUTS[cls] = attrgetter(*names), {name: i for i, name in enumerate(names)}
    get, index = _LAYOUTS[cls]
    values = list(get(item))
    for name, value in changes.items():
        values[index[name]] = value
    return cls(*values)


def one_per_annotator(task: Task) -> tuple[Submission, ...]:
    """The task's submissions, one per annotator (the latest), ordered by annotator."""
    latest: dict[str, Submission] = {}
    for sub in task.submissions:
        kept = latest.get(sub.annotator)
        if kept is None or sub.annotation_id > kept.annotation_id:
            latest[sub.annotator] = sub
    return tuple(latest[name] for name in sorted(latest))


def item_label(layer: Layer, item: Item) -> str:
    """The label of an item: its label field, or the layer's single region label."""
    return layer.label_of(getattr(item, layer.label_field) if layer.label_field else None)


def item_key(layer: Layer, item: Item, target: ItemKey | None = None) -> ItemKey:
    """The identity of an item (see the module docstring); ``target``: its relation's key.

    >>> from annotate.schema import SchemaSet
    >>> entities = SchemaSet().layers["entities"]
    >>> item_key(entities, Entity("e1", 0, 5, "Putin", "PERSON", canonical="Vladimir Putin"))
    (0, 5, 'PERSON', None)
    """
    values = tuple(getattr(item, a.field) for a in layer.attributes if a.control in KEY_CONTROLS)
    return (item.start, item.end, item_label(layer, item), *values, target)


def _ordered(layers: Iterable[Layer]) -> list[Layer]:
    """Layers with relations last, so their targets are keyed first."""
    return sorted(layers, key=lambda layer: layer.relation is not None)


def _keyed_layers(submission: Submission, layers: Sequence[Layer]) -> dict[str, list[_Keyed]]:
    """Every item of a submission, keyed, per layer."""
    keys_by_id: dict[str, dict[str, ItemKey]] = {}
    out: dict[str, list[_Keyed]] = {}
    for layer in layers:
        keyed = []
        for item in submission.layers.layer(layer.name):
            target = None
            if layer.relation is not None:
                ref = getattr(item, layer.relation.field)
                target = keys_by_id.get(layer.relation.target_layer, {}).get(ref)
            keyed.append(_Keyed(submission.annotator, item, item_key(layer, item, target), target))
        keys_by_id[layer.name] = {k.item.id: k.key for k in keyed}
        out[layer.name] = keyed
    return out


def _votes(keyed: Iterable[_Keyed]) -> dict[ItemKey, _Vote]:
    votes: dict[ItemKey, _Vote] = {}
    for k in keyed:
        vote = votes.setdefault(k.key, _Vote(k))
        if all(m.annotator != k.annotator for m in vote.members):
            vote.members.append(k)
    return votes


def _sort_key(item: Item) -> tuple[int, int]:
    return (item.start, item.end)


def adjudicate(task: Task, schemas: SchemaSet, mode: Mode = "majority") -> Adjudication:
    """The gold annotation of ``task`` and the disagreements, following the module's rules."""
    subs = one_per_annotator(task)
    doc = task.document.id
    truths = [s for s in subs if s.ground_truth]
    if len(truths) == 1:
        gold = _chosen(task, truths[0], subs, schemas)
        return Adjudication(task.task_id, doc, "ground-truth", gold)
    if len(subs) == 1:
        return Adjudication(task.task_id, doc, "single", _chosen(task, subs[0], subs, schemas))
    if not subs:
        return Adjudication(task.task_id, doc, None, None, reason="no submissions")
    if mode == "ground-truth":
        reason = f"{len(subs)} submissions and {len(truths)} marked ground truth, not exactly one"
        return Adjudication(task.task_id, doc, None, None, reason=reason)
    gold, disagreements = _majority(task, subs, schemas)
    return Adjudication(task.task_id, doc, "majority", gold, disagreements)


def adjudicate_all(
    tasks: Iterable[Task], schemas: SchemaSet, mode: Mode = "majority"
) -> Iterator[Adjudication]:
    """Adjudicate tasks one at a time (streaming)."""
    for task in tasks:
        yield adjudicate(task, schemas, mode)


def disagreeing_tasks(
    tasks: Iterable[Task], schemas: SchemaSet, mode: Mode = "majority"
) -> Iterator[Adjudication]:
    """The adjudications that need a human: disagreements found, or no gold possible."""
    for result in adjudicate_all(tasks, schemas, mode):
        if result.disagreements or result.gold is None:
            yield result


def _chosen(
    task: Task, chosen: Submission, subs: Sequence[Submission], schemas: SchemaSet
) -> Annotation:
    """One submission as the gold, each item crediting everyone who made it identically."""
    if len(subs) == 1:  # the common case, without keys and votes
        return _alone(task, chosen, schemas)
    return _credited(task, chosen, subs, schemas)


def _credited(
    task: Task, chosen: Submission, subs: Sequence[Submission], schemas: SchemaSet
) -> Annotation:
    """:func:`_chosen` by keys and votes: the rule itself, for any number of submissions."""
    layers = _ordered(schemas.layers.values())
    keyed = {s.annotator: _keyed_layers(s, layers) for s in subs}
    gold: dict[str, Any] = {}  # layer name -> items; Annotation fields are per-layer types
    for layer in layers:
        votes = _votes(k for by_layer in keyed.values() for k in by_layer[layer.name])
        items = [
            with_changes(k.item, annotators=votes[k.key].annotators)
            for k in keyed[chosen.annotator][layer.name]
        ]
        gold[layer.name] = tuple(sorted(items, key=_sort_key))
    return replace(Annotation(task.document), **gold)


def _alone(task: Task, chosen: Submission, schemas: SchemaSet) -> Annotation:
    """:func:`_credited` of a lone submission: each item credited to its annotator alone,
    about 3 times faster (``benchmarks/fastpaths_bench.py``); ``tests/test_fast_paths.py``
    proves both agree."""
    credit = (chosen.annotator,)
    gold: dict[str, Any] = {
        layer.name: tuple(
            sorted(
                (
                    item if item.annotators == credit else with_changes(item, annotators=credit)
                    for item in chosen.layers.layer(layer.name)
                ),
                key=_sort_key,
            )
        )
        for layer in schemas.layers.values()
    }
    return replace(Annotation(task.document), **gold)


def _majority(
    task: Task, subs: Sequence[Submission], schemas: SchemaSet
) -> tuple[Annotation, tuple[Disagreement, ...]]:
    layers = _ordered(schemas.layers.values())
    keyed = [_keyed_layers(s, layers) for s in subs]
    everyone = tuple(s.annotator for s in subs)
    gold_ids: dict[str, dict[ItemKey, str]] = {}
    gold: dict[str, Any] = {}  # layer name -> items; Annotation fields are per-layer types
    disagreements: list[Disagreement] = []
    for layer in layers:
        votes = _votes(k for by_layer in keyed for k in by_layer[layer.name])
        passed = sorted(
            (v for v in votes.values() if 2 * len(v.members) > len(subs)),
            key=lambda v: (_sort_key(v.first.item), repr(v.first.key)),
        )
        ids = {v.first.key: f"{layer.name}-{i}" for i, v in enumerate(passed, start=1)}
        gold_ids[layer.name] = ids
        items = []
        for vote in passed:
            item, split = _gold_item(layer, vote, ids[vote.first.key], gold_ids)
            items.append(item)
            disagreements += [
                _disagree(task, layer, item, had, vote.annotators, f) for f, had in split
            ]
        gold[layer.name] = tuple(items)
        disagreements += [
            _disagree(task, layer, v.first.item, v.annotators, everyone)
            for v in votes.values()
            if 2 * len(v.members) <= len(subs)
        ]
    return replace(Annotation(task.document), **gold), tuple(disagreements)


def _gold_item(
    layer: Layer, vote: _Vote, new_id: str, gold_ids: Mapping[str, Mapping[ItemKey, str]]
) -> tuple[Item, list[tuple[str, tuple[str, ...]]]]:
    """The gold item of a passed vote, and the free-text fields whose vote split."""
    changes: dict[str, Any] = {"id": new_id, "annotators": vote.annotators}
    split: list[tuple[str, tuple[str, ...]]] = []
    for attribute in layer.attributes:
        if attribute.control not in KEY_CONTROLS:
            value, had = _plurality(attribute, vote.members)
            changes[attribute.field] = value
            if len(had) < len(vote.members):
                split.append((attribute.field, had))
    if layer.relation is not None:
        target = vote.first.target
        targets = gold_ids.get(layer.relation.target_layer, {})
        changes[layer.relation.field] = None if target is None else targets.get(target)
    return with_changes(vote.first.item, **changes), split


def _plurality(attribute: Attribute, members: Sequence[_Keyed]) -> tuple[Any, tuple[str, ...]]:
    """The most common value of a free-text attribute, and who chose it."""
    values = [getattr(m.item, attribute.field) for m in members]
    if values.count(values[0]) == len(values):  # the common case: everyone agrees
        return values[0], tuple(sorted(m.annotator for m in members))
    counts = Counter(values)
    best = max(counts.values())
    winners = sorted(v for v, n in counts.items() if n == best and v is not None)
    value = winners[0] if winners else None
    had = tuple(sorted(m.annotator for m in members if getattr(m.item, attribute.field) == value))
    return value, had


def _disagree(
    task: Task,
    layer: Layer,
    item: Item,
    had: tuple[str, ...],
    everyone: tuple[str, ...],
    field_name: str | None = None,
) -> Disagreement:
    missing = tuple(a for a in everyone if a not in had)
    return Disagreement(task.task_id, task.document.id, layer.name, item, had, missing, field_name)
