"""Inter-annotator agreement of the tasks that several annotators submitted.

Spans: pairwise F1 (Hripcsak & Rothschild 2005). Between two annotators F1 is symmetric,
``2 · matches / (items of A + items of B)``, whichever one is taken as the reference.
*Strict* matches need the same start, end and label; *relaxed* matches need overlapping
spans with the same label, paired one-to-one by :mod:`annotate.gold.matching` (the rule
scoring uses too). For each annotator pair, counts are pooled over every task the two both
annotated; the figure reported is the mean over annotator pairs. Entities are reported
per label and as a whole; claims and events (one region label each) as a whole.

Attributes are compared on relaxed matches. Closed choices and relations (a claim's type
and speaker, an event's precision and basis) get Krippendorff's alpha, nominal: each
matched pair is one unit coded by its two annotators (computed from the pair counts,
equal to the ``krippendorff`` package's value, see :func:`nominal_alpha`). A speaker is
compared by its entity's canonical name, else its text; no speaker is a value too. Free
values (an event's date, an entity's canonical name) get the fraction of matched pairs
with equal values.
Alpha is None when undefined, e.g. when only one value was ever used.

:class:`AgreementAccumulator` takes one task at a time, so an export is never held whole.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

from annotate.gold.adjudicate import Item, item_label, one_per_annotator
from annotate.gold.matching import relaxed_pairs, strict_count
from annotate.records import Submission, Task
from annotate.schema import Attribute, Layer, SchemaSet
from annotate.tables import fmt, markdown_table, text_table

ALPHA_CONTROLS = frozenset({"Choices"})
Measure = Literal["alpha", "exact"]


def f1(matches: int, left: int, right: int) -> float | None:
    """Pairwise F1 of two annotators: ``2·matches / (left + right)``; None when both are empty.

    >>> f1(3, 4, 5)
    0.6666666666666666
    >>> f1(0, 0, 0) is None
    True
    """
    return 2 * matches / (left + right) if left + right else None


def nominal_alpha(pairs: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    """Krippendorff's alpha (nominal) of units coded by two coders each; None if undefined.

    ``pairs`` counts the units by their two values. With two values per unit, the
    coincidence matrix is the pair counts themselves, so alpha comes straight from them in
    O(values²) memory (``krippendorff.alpha`` builds a units × values × values array, over
    a gigabyte for a 20,000-task export); the tests check both agree.

    Hand check for 3 (q, q), 2 (p, p) and 1 (q, p): n = 12 values, 7 q and 5 p; the
    disagreeing unit gives 2 ordered coincidences, so alpha = 1 - (n - 1) · 2 / (2 · 7 · 5).

    >>> round(nominal_alpha({("q", "q"): 3, ("p", "p"): 2, ("q", "p"): 1}), 6)
    0.685714
    >>> nominal_alpha({("q", "q"): 4}) is None
    True
    """
    totals: Counter[Hashable] = Counter()
    disagreeing = 0
    for (x, y), count in pairs.items():
        totals[x] += count
        totals[y] += count
        if x != y:
            disagreeing += 2 * count  # ordered coincidences (x, y) and (y, x)
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())  # sum of n_c·n_k over c ≠ k
    if expected == 0:
        return None
    return 1 - (n - 1) * disagreeing / expected


@dataclass(frozen=True, slots=True)
class LabelAgreement:
    """Span agreement of one label (``label`` None: the whole layer), mean over pairs."""

    layer: str
    label: str | None
    strict_f1: float | None
    relaxed_f1: float | None
    pairs: int
    items: int


@dataclass(frozen=True, slots=True)
class AttributeAgreement:
    """Agreement on one attribute of matched spans: alpha, or the exact-agreement fraction."""

    layer: str
    field: str
    measure: Measure
    value: float | None
    units: int


@dataclass(frozen=True, slots=True)
class AnnotatorStats:
    """One annotator: tasks submitted, items per layer, mean F1 against the others."""

    annotator: str
    tasks: int
    items: dict[str, int]
    strict_f1: float | None
    relaxed_f1: float | None


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """Everything :func:`agreement` measured; render with to_dict, to_text or to_markdown."""

    tasks: int
    compared_tasks: int
    labels: tuple[LabelAgreement, ...]
    attributes: tuple[AttributeAgreement, ...]
    annotators: tuple[AnnotatorStats, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "tasks": self.tasks,
            "compared_tasks": self.compared_tasks,
            "labels": [_asdict(x) for x in self.labels],
            "attributes": [_asdict(x) for x in self.attributes],
            "annotators": [_asdict(x) for x in self.annotators],
        }

    def to_text(self) -> str:
        """Aligned plain-text tables."""
        head = f"{self.compared_tasks} of {self.tasks} tasks have 2 or more annotators\n"
        parts = [head, *(text_table(*t) + "\n" for t in _tables(self))]
        return "\n".join(parts)

    def to_markdown(self) -> str:
        """A Markdown report with a bar chart of per-label agreement."""
        tables = _tables(self)
        return "\n".join(
            [
                "# Inter-annotator agreement\n",
                f"{self.compared_tasks} of {self.tasks} tasks have 2 or more annotators.\n",
                "## Spans (pairwise F1, mean over annotator pairs)\n",
                "```text\n" + bar_chart(self.labels) + "```\n",
                markdown_table(*tables[0]),
                "## Attributes of matched spans\n",
                markdown_table(*tables[1]),
                "## Annotators\n",
                markdown_table(*tables[2]),
            ]
        )


def _asdict(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


Table = tuple[list[str], list[list[str]]]


def _tables(report: AgreementReport) -> list[Table]:
    labels = (
        ["layer", "label", "strict F1", "relaxed F1", "pairs", "items"],
        [
            [
                x.layer,
                x.label or "(all)",
                fmt(x.strict_f1),
                fmt(x.relaxed_f1),
                str(x.pairs),
                str(x.items),
            ]
            for x in report.labels
        ],
    )
    attributes = (
        ["layer", "field", "measure", "value", "matched pairs"],
        [[x.layer, x.field, x.measure, fmt(x.value), str(x.units)] for x in report.attributes],
    )
    layers = list(dict.fromkeys(layer for a in report.annotators for layer in a.items))
    annotators = (
        ["annotator", "tasks", *layers, "strict F1", "relaxed F1"],
        [
            [
                a.annotator,
                str(a.tasks),
                *(str(a.items.get(n, 0)) for n in layers),
                fmt(a.strict_f1),
                fmt(a.relaxed_f1),
            ]
            for a in report.annotators
        ],
    )
    return [labels, attributes, annotators]


def bar_chart(labels: Iterable[LabelAgreement], width: int = 30) -> str:
    """Unicode bars of strict and relaxed F1 per label (deterministic, no dependency).

    >>> row = LabelAgreement("claims", None, 0.5, 1.0, 1, 4)
    >>> print(bar_chart([row], width=4), end="")
    claims (all) strict  ██   0.500
                 relaxed ████ 1.000
    """
    rows = list(labels)
    names = [f"{x.layer} {x.label or '(all)'}" for x in rows]
    pad = max((len(n) for n in names), default=0)
    lines = []
    for name, row in zip(names, rows, strict=True):
        for kind, value in (("strict ", row.strict_f1), ("relaxed", row.relaxed_f1)):
            lines.append(f"{name:<{pad}} {kind} {_bar(value, width)} {fmt(value)}")
            name = ""
    return "".join(line + "\n" for line in lines)


def _bar(value: float | None, width: int) -> str:
    eighths = round((value or 0.0) * width * 8)
    full, rest = divmod(eighths, 8)
    bar = "█" * full + ("" if rest == 0 else chr(0x2590 - rest))
    return f"{bar:<{width}}"


@dataclass(slots=True)
class _PairCounts:
    strict: int = 0
    relaxed: int = 0
    left: int = 0
    right: int = 0

    def add(self, other: _PairCounts) -> None:
        self.strict += other.strict
        self.relaxed += other.relaxed
        self.left += other.left
        self.right += other.right


Pair = tuple[str, str]


@dataclass
class AgreementCounts:
    """The counts behind an agreement report: plain data, so they pickle and add up."""

    tasks: int = 0
    compared_tasks: int = 0
    pairs: dict[tuple[str, str, Pair], _PairCounts] = field(default_factory=dict)
    alpha: dict[tuple[str, str], Counter[tuple[Hashable, Hashable]]] = field(default_factory=dict)
    exact: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    annotator_tasks: Counter[str] = field(default_factory=Counter)
    annotator_items: dict[str, Counter[str]] = field(default_factory=dict)

    def merge(self, other: AgreementCounts) -> None:
        """Add the counts of other tasks (e.g. counted by another process)."""
        self.tasks += other.tasks
        self.compared_tasks += other.compared_tasks
        for pair_key, counts in other.pairs.items():
            self.pairs.setdefault(pair_key, _PairCounts()).add(counts)
        for field_key, values in other.alpha.items():
            self.alpha.setdefault(field_key, Counter()).update(values)
        for field_key, (equal, total) in other.exact.items():
            tally = self.exact.setdefault(field_key, [0, 0])
            tally[0] += equal
            tally[1] += total
        self.annotator_tasks.update(other.annotator_tasks)
        for name, items in other.annotator_items.items():
            self.annotator_items.setdefault(name, Counter()).update(items)


@dataclass
class AgreementAccumulator:
    """Agreement figures built up one task at a time; :meth:`report` gives the result.

    The report does not depend on the order the tasks came in, so counts gathered in
    several processes and merged give the same report as one pass.
    """

    schemas: SchemaSet
    counts: AgreementCounts = field(default_factory=AgreementCounts)

    @property
    def tasks(self) -> int:
        return self.counts.tasks

    @property
    def compared_tasks(self) -> int:
        return self.counts.compared_tasks

    def add(self, task: Task) -> None:
        """Count one task.

        An adjudicated version (marked ground truth) is not independent work: when at least
        two other annotators remain, agreement is measured among them only.
        """
        subs = one_per_annotator(task)
        counts = self.counts
        counts.tasks += 1
        for sub in subs:
            counts.annotator_tasks[sub.annotator] += 1
            items = counts.annotator_items.setdefault(sub.annotator, Counter())
            for layer in self.schemas.layers.values():
                items[layer.name] += len(sub.layers.layer(layer.name))
        independent = tuple(s for s in subs if not s.ground_truth)
        if len(independent) >= 2:
            subs = independent
        if len(subs) < 2:
            return
        counts.compared_tasks += 1
        for left, right in combinations(subs, 2):
            for layer in self.schemas.layers.values():
                self._compare(layer, left, right)

    def add_all(self, tasks: Iterable[Task]) -> None:
        """Count every task."""
        for task in tasks:
            self.add(task)

    def _compare(self, layer: Layer, left: Submission, right: Submission) -> None:
        pair = (left.annotator, right.annotator)
        left_items = _by_label(layer, left)
        right_items = _by_label(layer, right)
        for label in sorted(left_items.keys() | right_items.keys()):
            a, b = left_items.get(label, []), right_items.get(label, [])
            a_spans, b_spans = _spans(a), _spans(b)
            matched = relaxed_pairs(a_spans, b_spans)
            counts = _PairCounts(strict_count(a_spans, b_spans), len(matched), len(a), len(b))
            self.counts.pairs.setdefault((layer.name, label, pair), _PairCounts()).add(counts)
            for i, j in matched:
                self._compare_attributes(layer, (left, a[i]), (right, b[j]))

    def _compare_attributes(
        self, layer: Layer, left: tuple[Submission, Item], right: tuple[Submission, Item]
    ) -> None:
        for attribute in layer.attributes:
            x, y = getattr(left[1], attribute.field), getattr(right[1], attribute.field)
            self._observe(layer, attribute, x, y)
        if layer.relation is not None:
            name = layer.relation.field
            target = self.schemas.layers[layer.relation.target_layer]
            x, y = (_speaker(layer, target, sub, item) for sub, item in (left, right))
            self._alpha(layer.name, name)[_unordered(x, y)] += 1

    def _alpha(self, layer: str, name: str) -> Counter[tuple[Hashable, Hashable]]:
        return self.counts.alpha.setdefault((layer, name), Counter())

    def _observe(self, layer: Layer, attribute: Attribute, x: Hashable, y: Hashable) -> None:
        key = (layer.name, attribute.field)
        if attribute.control in ALPHA_CONTROLS:
            self._alpha(*key)[_unordered(x, y)] += 1
        else:
            tally = self.counts.exact.setdefault(key, [0, 0])
            tally[0] += x == y
            tally[1] += 1

    def report(self) -> AgreementReport:
        """The figures so far."""
        return AgreementReport(
            self.counts.tasks,
            self.counts.compared_tasks,
            tuple(self._label_rows()),
            tuple(self._attribute_rows()),
            tuple(self._annotator_rows()),
        )

    def _label_rows(self) -> list[LabelAgreement]:
        rows = []
        for layer in self.schemas.layers.values():
            if layer.label_field:
                rows += [self._label_row(layer.name, label) for label in layer.labels]
            rows.append(self._label_row(layer.name, None))
        return rows

    def _label_row(self, layer: str, label: str | None) -> LabelAgreement:
        per_pair: dict[Pair, _PairCounts] = defaultdict(_PairCounts)
        for (name, lab, pair), counts in sorted(self.counts.pairs.items()):
            if name == layer and label in (None, lab):
                per_pair[pair].add(counts)
        return _summarise(layer, label, per_pair.values())

    def _attribute_rows(self) -> list[AttributeAgreement]:
        rows = []
        for layer in self.schemas.layers.values():
            fields = [(a.field, a.control in ALPHA_CONTROLS) for a in layer.attributes]
            if layer.relation is not None:
                fields.append((layer.relation.field, True))
            for name, is_alpha in fields:
                rows.append(self._attribute_row(layer.name, name, is_alpha))
        return rows

    def _attribute_row(self, layer: str, name: str, is_alpha: bool) -> AttributeAgreement:
        if is_alpha:
            pairs = self.counts.alpha.get((layer, name), Counter())
            return AttributeAgreement(layer, name, "alpha", nominal_alpha(pairs), pairs.total())
        equal, total = self.counts.exact.get((layer, name), [0, 0])
        return AttributeAgreement(layer, name, "exact", equal / total if total else None, total)

    def _annotator_rows(self) -> list[AnnotatorStats]:
        pooled: dict[Pair, _PairCounts] = defaultdict(_PairCounts)
        for (_, _, pair), counts in sorted(self.counts.pairs.items()):
            pooled[pair].add(counts)
        rows = []
        for name in sorted(self.counts.annotator_tasks):
            mine = [c for pair, c in pooled.items() if name in pair]
            strict = _mean([f1(c.strict, c.left, c.right) for c in mine])
            relaxed = _mean([f1(c.relaxed, c.left, c.right) for c in mine])
            items = dict(self.counts.annotator_items.get(name, {}))
            tasks = self.counts.annotator_tasks[name]
            rows.append(AnnotatorStats(name, tasks, items, strict, relaxed))
        return rows


def agreement(tasks: Iterable[Task], schemas: SchemaSet) -> AgreementReport:
    """The agreement report of ``tasks``, read one at a time."""
    accumulator = AgreementAccumulator(schemas)
    accumulator.add_all(tasks)
    return accumulator.report()


def _by_label(layer: Layer, submission: Submission) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in submission.layers.layer(layer.name):
        groups[item_label(layer, item)].append(item)
    return groups


def _spans(items: Sequence[Item]) -> list[tuple[int, int]]:
    return [(i.start, i.end) for i in items]


def _speaker(layer: Layer, target: Layer, submission: Submission, item: Item) -> str | None:
    """The name of the entity a relation points at: canonical name, else its text."""
    assert layer.relation is not None
    ref = getattr(item, layer.relation.field)
    found = next((t for t in submission.layers.layer(target.name) if t.id == ref), None)
    if found is None:
        return None
    name = getattr(found, "canonical", None)
    return str(name) if name else found.text


def _unordered(x: Hashable, y: Hashable) -> tuple[Hashable, Hashable]:
    return (x, y) if repr(x) <= repr(y) else (y, x)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _summarise(layer: str, label: str | None, pairs: Iterable[_PairCounts]) -> LabelAgreement:
    counted = [c for c in pairs if c.left + c.right]
    return LabelAgreement(
        layer,
        label,
        _mean(f1(c.strict, c.left, c.right) for c in counted),
        _mean(f1(c.relaxed, c.left, c.right) for c in counted),
        len(counted),
        sum(c.left + c.right for c in counted),
    )
