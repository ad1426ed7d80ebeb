"""Adjudicated parts: what a batch of tasks adds to the gold dataset.

A :class:`PartBuilder` takes a batch of tasks, adjudicates each, counts labels and
agreement, and builds the batch's rows of both dataset configs as arrow tables. A
:class:`Part` is plain data, so batches can be built in worker processes and merged by
the one process that writes the dataset (:func:`annotate.dataset.writer.write_dataset`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from annotate.dataset.rows import TableLayout
from annotate.gold.adjudicate import Adjudication, Mode, adjudicate, item_label
from annotate.gold.agreement import AgreementAccumulator, AgreementCounts
from annotate.records import Annotation, Task
from annotate.schema import SchemaSet

DEFAULT_SPLITS: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}


def split_of(document_id: str, ratios: Mapping[str, float]) -> str:
    """The split of a document: the first 8 bytes of sha256(id) as a fraction, by cumulative ratio.

    >>> split_of("001_81e078628aa1d8a7", {"test": 1.0})
    'test'
    >>> halves = {"train": 0.5, "test": 0.5}  # sha256("a") = ca97…: 0.79; sha256("b") = 3e23…: 0.24
    >>> split_of("a", halves), split_of("b", halves)
    ('test', 'train')
    """
    digest = hashlib.sha256(document_id.encode("utf-8")).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    for name, ratio in ratios.items():
        total += ratio
        if point < total:
            return name
    return next(reversed(list(ratios)))


@dataclass
class Counts:
    """Counts gathered while adjudicating, for the summary and the card (they add up)."""

    tasks: int = 0
    methods: Counter[str] = field(default_factory=Counter)
    left_out: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    disagreements: int = 0
    languages: set[str] = field(default_factory=set)
    labels: dict[str, Counter[str]] = field(default_factory=dict)
    choices: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)

    def merge(self, other: Counts) -> None:
        """Add the counts of later tasks."""
        self.tasks += other.tasks
        self.methods.update(other.methods)
        self.left_out += other.left_out
        self.duplicates += other.duplicates
        self.disagreements += other.disagreements
        self.languages |= other.languages
        for name, counts in other.labels.items():
            self.labels.setdefault(name, Counter()).update(counts)
        for key, counts in other.choices.items():
            self.choices.setdefault(key, Counter()).update(counts)

    def duplicate(self, task: Task) -> None:
        """Count a task left out because its document came in an earlier task."""
        self.tasks += 1
        self.duplicates.append((task.task_id, task.document.id))

    def keep(self, task: Task, result: Adjudication, schemas: SchemaSet) -> Annotation | None:
        """Count an adjudicated task; its gold if it goes into the dataset."""
        self.tasks += 1
        self.disagreements += len(result.disagreements)
        if result.gold is None:
            self.left_out.append((task.task_id, result.reason or "no gold"))
            return None
        self.methods[result.method or "none"] += 1
        self._count(result.gold, schemas)
        return result.gold

    def _count(self, gold: Annotation, schemas: SchemaSet) -> None:
        self.languages.add(gold.document.language)
        for layer in schemas.layers.values():
            counts = self.labels.setdefault(layer.name, Counter())
            closed = [a.field for a in layer.attributes if a.choices]
            for item in gold.layer(layer.name):
                counts[item_label(layer, item)] += 1
                for name in closed:
                    key = (layer.name, name)
                    self.choices.setdefault(key, Counter())[getattr(item, name)] += 1

    def label_table(self, schemas: SchemaSet) -> dict[str, dict[str, int]]:
        """Items per label of every layer, in schema order, zeros included."""
        return {
            layer.name: {
                label: self.labels.get(layer.name, Counter())[label] for label in layer.labels
            }
            for layer in schemas.layers.values()
        }

    def choice_table(self, schemas: SchemaSet) -> dict[tuple[str, str], dict[str, int]]:
        """Items per value of every closed attribute, in schema order."""
        return {
            (layer.name, a.field): {
                c: self.choices.get((layer.name, a.field), Counter())[c] for c in a.choices
            }
            for layer in schemas.layers.values()
            for a in layer.attributes
            if a.choices
        }


@dataclass
class Part:
    """A batch of tasks adjudicated: its gold rows of both configs, and its counts.

    The rows are grouped by split, as ``ratios`` assign them (``bounds``: each split's
    range of rows), so writing them under these ratios takes slices, not copies;
    ``order[k]`` is the position among the batch's gold annotations of row ``k``.
    """

    ids: list[str]
    documents: pa.Table
    tokens: pa.Table
    counts: Counts
    agreement: AgreementCounts
    ratios: dict[str, float]
    bounds: dict[str, tuple[int, int]]
    order: list[int]


class PartBuilder:
    """Adjudicates a batch of tasks and builds its rows of both configs.

    ``ratios`` are the splits the rows will most likely go to (the rows are grouped by
    them); the writer can still regroup them under other ratios.
    """

    def __init__(
        self,
        schemas: SchemaSet,
        mode: Mode,
        layout: TableLayout,
        ratios: Mapping[str, float] | None = None,
    ) -> None:
        self.schemas = schemas
        self.mode = mode
        self.layout = layout
        self.ratios = dict(ratios or DEFAULT_SPLITS)
        self.rank = {name: i for i, name in enumerate(self.ratios)}

    def __call__(self, tasks: Iterable[Task], counts: Counts | None = None) -> Part:
        counts = counts or Counts()
        agreement = AgreementAccumulator(self.schemas)
        golds = []
        for task in tasks:
            agreement.add(task)
            gold = counts.keep(task, adjudicate(task, self.schemas, self.mode), self.schemas)
            if gold is not None:
                golds.append(gold)
        splits = [split_of(g.document.id, self.ratios) for g in golds]
        order = sorted(range(len(golds)), key=lambda i: (self.rank[splits[i]], i))
        rows = [golds[i] for i in order]
        bounds: dict[str, tuple[int, int]] = {}
        for k, i in enumerate(order):
            first, _ = bounds.get(splits[i], (k, k))
            bounds[splits[i]] = (first, k + 1)
        return Part(
            [g.document.id for g in rows],
            self.layout.document_table(rows),
            self.layout.token_table(rows),
            counts,
            agreement.counts,
            self.ratios,
            bounds,
            order,
        )
