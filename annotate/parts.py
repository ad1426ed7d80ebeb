"""Adjudicated parts: what a batch of tasks adds to the gold dataset.

A :class:`PartBuilder` takes a batch of tasks, adjudicates each, counts labels and
agreement, and builds the batch's rows of both dataset configs as arrow tables. A
:class:`Part` is plain data, so batches can be built in worker processes and merged by
the one process that writes the dataset (:func:`annotate.dataset.write_dataset`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from annotate.adjudicate import Adjudication, Mode, adjudicate, item_label, layer_items
from annotate.agreement import AgreementAccumulator, AgreementCounts
from annotate.columns import TableLayout
from annotate.records import Annotation, Task
from annotate.schema import SchemaSet

PART_TASKS = 32  # tasks adjudicated together


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
            for item in layer_items(gold, layer):
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
    """A batch of tasks adjudicated: the ids and tables of its gold rows, and its counts."""

    ids: list[str]
    documents: pa.Table
    tokens: pa.Table
    counts: Counts
    agreement: AgreementCounts


class PartBuilder:
    """Adjudicates a batch of tasks and builds its rows of both configs."""

    def __init__(self, schemas: SchemaSet, mode: Mode, layout: TableLayout) -> None:
        self.schemas = schemas
        self.mode = mode
        self.layout = layout

    def __call__(self, tasks: Iterable[Task], counts: Counts | None = None) -> Part:
        counts = counts or Counts()
        agreement = AgreementAccumulator(self.schemas)
        golds = []
        for task in tasks:
            agreement.add(task)
            gold = counts.keep(task, adjudicate(task, self.schemas, self.mode), self.schemas)
            if gold is not None:
                golds.append(gold)
        return Part(
            [g.document.id for g in golds],
            self.layout.document_table(golds),
            self.layout.token_table(golds),
            counts,
            agreement.counts,
        )


def task_parts(tasks: Iterable[Task], build: PartBuilder, size: int = PART_TASKS) -> Iterator[Part]:
    """``tasks`` adjudicated in batches of ``size``; a task whose document id came before is
    counted as a duplicate and left out."""
    seen: set[str] = set()
    batch: list[Task] = []
    counts = Counts()
    for task in tasks:
        if task.document.id in seen:
            counts.tasks += 1
            counts.duplicates.append((task.task_id, task.document.id))
            continue
        seen.add(task.document.id)
        batch.append(task)
        if len(batch) >= size:
            yield build(batch, counts)
            batch, counts = [], Counts()
    if batch or counts.tasks:
        yield build(batch, counts)
