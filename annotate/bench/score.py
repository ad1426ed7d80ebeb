"""Scoring predictions against gold: entities, claims with their speakers, dated events.

Every function here is pure: it takes gold :class:`Annotation` records and the
:class:`Prediction` of each document, aligned by position, and returns scores.

**Entities** are scored with the four SemEval-2013 Task 9.1 schemes exactly as nervaluate
1.2.1 computes them (tests check the figures equal nervaluate's on the same input):

- ``strict``: same span and same label; ``exact``: same span, any label;
- ``partial``: overlapping spans count half (``(correct + 0.5 partial) / ...``), any label;
- ``ent_type``: overlapping span with the same label.

Gold and predicted mentions are matched greedily in text order, as nervaluate does once
they are sorted; a span "overlaps" a gold span when it covers at least 1% of it (nervaluate's
default threshold; nervaluate's ends are inclusive, ours exclusive). Micro figures sum the
counts over all documents and labels; per-label figures score each label on its own
(gold and predictions of other labels are ignored); macro figures are the unweighted mean
over the labels found in the gold or the predictions.

**Every other layer** (claims, dated events: whatever the schemas declare) is matched one
to one by :mod:`annotate.gold.matching`, the rule agreement uses too: ``strict`` needs the
same span; ``relaxed`` pairs overlapping spans, largest overlap first (ties: closest
boundaries, then text order). On the relaxed matches, each attribute its schema declares
is scored as an accuracy (the entities' attributes too, on relaxed entity matches):

- a closed choice or free text (claim type, event precision and basis, canonical name):
  equal values;
- a date: right at the gold precision (the predicted date cut to the gold date's parts;
  a less precise prediction is wrong), and ``<field>_within_day`` the same allowing one
  day off when both dates are days;
- a relation (a claim's speaker): the predicted span overlaps a mention of the gold
  target (the mention itself or any gold region of its layer with the same canonical
  name); no target is right only when gold has none.

So an attribute added to a schema is scored with no code change. ``event_dates`` scores
go by the name ``events`` (:data:`SCORE_NAMES`). An attribute's F1 is its accuracy times
the relaxed F1 (TempEval-3's attribute F1).
Every ratio with a zero denominator is 0.0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from annotate.errors import PredictionsError
from annotate.gold.matching import overlapping, relaxed_pairs, strict_count
from annotate.predictions import Prediction, id_span
from annotate.records import Annotation, Entity, date_right, date_within_day
from annotate.schema import Layer, Relation, SchemaSet
from annotate.tables import text_table

SCHEMES = ("strict", "exact", "partial", "ent_type")
ENTITIES = "entities"  # the layer scored by the SemEval schemes
SCORE_NAMES = {"event_dates": "events"}
OUTCOMES = ("correct", "incorrect", "partial", "missed", "spurious")

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, hits: float, predicted: int, gold: int) -> PRF:
        """P = hits / predicted, R = hits / gold, F1 their harmonic mean (0.0 when undefined).

        >>> PRF.of(1.5, 2, 3)
        PRF(precision=0.75, recall=0.5, f1=0.6)
        """
        precision = hits / predicted if predicted > 0 else 0.0
        recall = hits / gold if gold > 0 else 0.0
        total = precision + recall
        # The same expression as nervaluate, so the floats agree to the last bit.
        f1 = 2 * (precision * recall) / total if total > 0 else 0.0
        return cls(precision, recall, f1)

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True, slots=True)
class SemEvalCounts:
    """The SemEval-2013 outcome counts of one scheme (and label)."""

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    @property
    def actual(self) -> int:
        """Predicted mentions: correct + incorrect + partial + spurious."""
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def possible(self) -> int:
        """Gold mentions: correct + incorrect + partial + missed."""
        return self.correct + self.incorrect + self.partial + self.missed

    @property
    def scores(self) -> PRF:
        """P/R/F1 with half credit for partial matches (only the partial scheme has any)."""
        return PRF.of(self.correct + 0.5 * self.partial, self.actual, self.possible)

    def to_dict(self) -> Json:
        counts = {name: getattr(self, name) for name in OUTCOMES}
        return {**counts, **self.scores.to_dict()}


@dataclass(frozen=True, slots=True)
class SchemeScores:
    """One SemEval scheme: counts over every label, and per label."""

    counts: SemEvalCounts
    labels: Mapping[str, SemEvalCounts]

    @property
    def micro(self) -> PRF:
        return self.counts.scores

    @property
    def macro(self) -> PRF:
        """Unweighted means of the per-label precision, recall and F1."""
        per_label = [c.scores for c in self.labels.values()]
        if not per_label:
            return PRF(0.0, 0.0, 0.0)
        n = len(per_label)
        return PRF(
            sum(s.precision for s in per_label) / n,
            sum(s.recall for s in per_label) / n,
            sum(s.f1 for s in per_label) / n,
        )

    def to_dict(self) -> Json:
        return {
            "micro": self.counts.to_dict(),
            "macro": self.macro.to_dict(),
            "labels": {label: c.to_dict() for label, c in sorted(self.labels.items())},
        }


@dataclass(frozen=True, slots=True)
class EntityScores:
    """The four SemEval-2013 schemes, by name: strict, exact, partial, ent_type."""

    schemes: Mapping[str, SchemeScores]

    def to_dict(self) -> Json:
        return {name: self.schemes[name].to_dict() for name in SCHEMES}


@dataclass(frozen=True, slots=True)
class SpanScores:
    """Span detection of a layer: strict (same offsets) and relaxed (overlap) matches."""

    gold: int
    predicted: int
    strict_matches: int
    relaxed_matches: int

    @property
    def strict(self) -> PRF:
        return PRF.of(self.strict_matches, self.predicted, self.gold)

    @property
    def relaxed(self) -> PRF:
        return PRF.of(self.relaxed_matches, self.predicted, self.gold)

    def to_dict(self) -> Json:
        counts = {"gold": self.gold, "predicted": self.predicted}
        return {
            **counts,
            "strict": {"matches": self.strict_matches, **self.strict.to_dict()},
            "relaxed": {"matches": self.relaxed_matches, **self.relaxed.to_dict()},
        }


@dataclass(frozen=True, slots=True)
class Accuracy:
    """How many of the matched pairs got an attribute right."""

    correct: int
    total: int

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total > 0 else 0.0

    def f1(self, spans: SpanScores) -> float:
        """TempEval-3 attribute F1: accuracy on the relaxed matches times relaxed F1."""
        return self.value * spans.relaxed.f1

    def to_dict(self, spans: SpanScores) -> Json:
        counts = {"correct": self.correct, "total": self.total}
        return {**counts, "accuracy": self.value, "f1": self.f1(spans)}


@dataclass(frozen=True, slots=True)
class LayerScores:
    """Span detection of a layer, and each of its attributes on the relaxed matches."""

    title: str
    spans: SpanScores
    attributes: Mapping[str, Accuracy]

    def to_dict(self) -> Json:
        attributes = {k: a.to_dict(self.spans) for k, a in self.attributes.items()}
        return {**self.spans.to_dict(), **attributes}


@dataclass(frozen=True, slots=True)
class Scores:
    """Every score of a set of predictions against gold.

    ``layers`` holds the span layers (claims, events) by score name; ``entity_attributes``
    scores the entities' attributes on their relaxed matches (the entity spans themselves
    are scored by the SemEval schemes).
    """

    documents: int
    entities: EntityScores
    entity_attributes: LayerScores
    layers: Mapping[str, LayerScores]

    @property
    def claims(self) -> LayerScores:
        return self.layers["claims"]

    @property
    def events(self) -> LayerScores:
        return self.layers["events"]

    def to_dict(self) -> Json:
        """Everything, with counts, as JSON-ready nested dicts."""
        entity_attributes = self.entity_attributes
        attributes = {
            k: a.to_dict(entity_attributes.spans) for k, a in entity_attributes.attributes.items()
        }
        return {
            "documents": self.documents,
            "entities": {**self.entities.to_dict(), "attributes": attributes},
            **{name: layer.to_dict() for name, layer in self.layers.items()},
        }

    def flat_scores(self) -> dict[str, float]:
        """The headline figures by dotted name (a leaderboard row): F1s and accuracies.

        Precision, recall and counts are in :meth:`to_dict`.
        """
        flat = {f"entities.{name}.f1": self.entities.schemes[name].micro.f1 for name in SCHEMES}
        flat["entities.strict.macro_f1"] = self.entities.schemes["strict"].macro.f1
        flat.update(_attribute_scores("entities", self.entity_attributes))
        for name, layer in self.layers.items():
            flat[f"{name}.strict.f1"] = layer.spans.strict.f1
            flat[f"{name}.relaxed.f1"] = layer.spans.relaxed.f1
            flat.update(_attribute_scores(name, layer))
        return flat


def _attribute_scores(prefix: str, layer: LayerScores) -> dict[str, float]:
    flat = {}
    for attribute, accuracy in layer.attributes.items():
        flat[f"{prefix}.{attribute}_accuracy"] = accuracy.value
        flat[f"{prefix}.{attribute}_f1"] = accuracy.f1(layer.spans)
    return flat


# --- public scoring functions -----------------------------------------------------------


def score(
    gold: Sequence[Annotation], predicted: Sequence[Prediction], schemas: SchemaSet | None = None
) -> Scores:
    """Every layer of ``predicted`` (aligned with ``gold`` by position) scored.

    >>> from annotate.records import Document
    >>> from annotate.predictions import entity
    >>> doc = Document("d1", "Putin met Assad.", "wire", "2017-11-21", "en")
    >>> gold = Annotation(doc, entities=(Entity("e1", 0, 5, "Putin", "PERSON"),))
    >>> pred = Prediction.of("d1", "demo", "1", entities=(entity(0, 5, "PERSON"),))
    >>> s = score([gold], [pred])
    >>> s.flat_scores()["entities.strict.f1"], s.flat_scores()["claims.relaxed.f1"]
    (1.0, 0.0)
    """
    schemas = schemas or _default_schemas()
    entities = schemas.layers[ENTITIES]
    return Scores(
        len(gold),
        score_entities(gold, predicted),
        score_layer(gold, predicted, entities, schemas),
        {
            score_name(layer.name): score_layer(gold, predicted, layer, schemas)
            for layer in schemas.layers.values()
            if layer.name != ENTITIES
        },
    )


def score_name(layer: str) -> str:
    """The name a layer's scores go by: the layer's, but ``events`` for ``event_dates``
    (the name the first leaderboards used)."""
    return SCORE_NAMES.get(layer, layer)


def score_entities(gold: Sequence[Annotation], predicted: Sequence[Prediction]) -> EntityScores:
    """The SemEval-2013 entity schemes, as nervaluate 1.2.1 computes them.

    One right mention, one with the wrong label, one cut short, one missed, one spurious:

    >>> from annotate.records import Document
    >>> from annotate.predictions import entity as P
    >>> doc = Document("d1", "Putin met Assad in Sochi and Geneva.", "wire", "2017-11-21", "en")
    >>> gold = Annotation(doc, entities=(
    ...     Entity("e1", 0, 5, "Putin", "PERSON"), Entity("e2", 10, 15, "Assad", "PERSON"),
    ...     Entity("e3", 19, 24, "Sochi", "GPE"), Entity("e4", 29, 35, "Geneva", "GPE")))
    >>> pred = Prediction.of("d1", "demo", "1", entities=(
    ...     P(0, 5, "PERSON"), P(10, 15, "ORG"), P(19, 22, "GPE"), P(6, 9, "ORG")))
    >>> s = score_entities([gold], [pred])
    >>> s.schemes["strict"].counts
    SemEvalCounts(correct=1, incorrect=2, partial=0, missed=1, spurious=1)
    >>> round(s.schemes["partial"].micro.f1, 4)  # (2 + 0.5 * 1) / 4 and / 4
    0.625
    """
    tally = _EntityTally()
    for gold_doc, prediction in _aligned(gold, predicted):
        tally.add(gold_doc.entities, prediction)
    return tally.result()


def score_layer(
    gold: Sequence[Annotation],
    predicted: Sequence[Prediction],
    layer: Layer | str,
    schemas: SchemaSet | None = None,
) -> LayerScores:
    """Spans of one layer (strict, relaxed) and, on relaxed matches, each attribute the
    layer's schema declares: choices and free text must be equal, a date must be right at
    the gold precision (and ``<date>_within_day`` allows one day off), a relation must
    point at a mention of the gold target.

    >>> from annotate.records import Claim, Document
    >>> from annotate.predictions import claim
    >>> doc = Document("d1", "Putin said the war is ending.", "wire", "2017-11-21", "en")
    >>> putin = Entity("e1", 0, 5, "Putin", "PERSON")
    >>> said = Claim("c1", 11, 28, "the war is ending", "paraphrase", speaker="e1")
    >>> gold = Annotation(doc, entities=(putin,), claims=(said,))
    >>> pred = Prediction.of("d1", "demo", "1", claims=(claim(15, 28, "quote", (0, 5)),))
    >>> s = score_layer([gold], [pred], "claims")
    >>> s.spans.strict.f1, s.spans.relaxed.f1, s.attributes["type"].value
    (0.0, 1.0, 0.0)
    >>> s.attributes["speaker"].value
    1.0
    """
    schemas = schemas or _default_schemas()
    layer = schemas.layers[layer] if isinstance(layer, str) else layer
    judges = _judges(schemas, layer.name)
    spans = _SpanTally()
    right = {name: [0, 0] for name in judges}
    for gold_doc, prediction in _aligned(gold, predicted):
        pairs = spans.add(gold_doc.layer(layer.name), prediction.layer(layer.name))
        for name, judge in judges.items():
            right[name][0] += sum(judge(g, p, gold_doc) for g, p in pairs)
            right[name][1] += len(pairs)
    attributes = {name: Accuracy(*counts) for name, counts in right.items()}
    return LayerScores(layer.title, spans.result(), attributes)


# --- helpers ----------------------------------------------------------------------------


def _aligned(
    gold: Sequence[Annotation], predicted: Sequence[Prediction]
) -> Iterator[tuple[Annotation, Prediction]]:
    if len(gold) != len(predicted):
        raise PredictionsError(
            f"cannot score {len(predicted)} prediction(s) against {len(gold)} gold document(s): "
            "pass one prediction per gold document, in the same order"
        )
    for position, (gold_doc, prediction) in enumerate(zip(gold, predicted, strict=True)):
        if gold_doc.document.id != prediction.document_id:
            raise PredictionsError(
                f"prediction {position} is for document {prediction.document_id!r} but gold "
                f"document {position} is {gold_doc.document.id!r}: align them by document"
            )
        yield gold_doc, prediction


Judge = Callable[[Any, Any, Annotation], bool]  # gold region, predicted region, gold


@cache
def _default_schemas() -> SchemaSet:
    return SchemaSet()


@cache
def _judges(schemas: SchemaSet, layer_name: str) -> dict[str, Judge]:
    """How each attribute of a layer is judged on a matched pair, by attribute name."""
    layer = schemas.layers[layer_name]
    judges: dict[str, Judge] = {}
    for attribute in layer.attributes:
        get = attrgetter(attribute.field)
        if attribute.control == "DateTime":
            judges[attribute.field] = partial(_dates, date_right, get)
            judges[f"{attribute.field}_within_day"] = partial(_dates, date_within_day, get)
        else:
            judges[attribute.field] = partial(_equal, get)
    relation = layer.relation
    if relation is not None:
        judges[relation.field] = partial(_related, relation, attrgetter(relation.field))
    return judges


def _equal(get: Callable[[Any], Any], gold: Any, predicted: Any, _: Annotation) -> bool:
    return bool(get(gold) == get(predicted))


def _dates(
    rule: Callable[[str, str], bool],
    get: Callable[[Any], Any],
    gold: Any,
    predicted: Any,
    _: Annotation,
) -> bool:
    gold_date, predicted_date = get(gold), get(predicted)
    if gold_date is None or predicted_date is None:
        return gold_date is None and predicted_date is None
    return rule(gold_date, predicted_date)


def _related(
    relation: Relation, get: Callable[[Any], Any], gold: Any, predicted: Any, doc: Annotation
) -> bool:
    """A predicted relation (a span) is right when it overlaps a mention of the gold target:
    the target itself or any region of its layer with the same canonical name; no target
    is right only when gold has none."""
    target, span = get(gold), get(predicted)
    span = None if span is None else id_span(span)
    if target is None or span is None:
        return target is None and span is None
    start, end = span
    mentions = _mentions(target, doc.layer(relation.target_layer))
    return any(m.start < end and start < m.end for m in mentions)


def _mentions(region_id: str, regions: Sequence[Any]) -> list[Any]:
    """The gold region with this id, and every region sharing its canonical name."""
    target = next((r for r in regions if r.id == region_id), None)
    if target is None:
        return []
    name = getattr(target, "canonical", None)
    if name is None:
        return [target]
    return [r for r in regions if r is target or getattr(r, "canonical", None) == name]


# --- span matching (claims, events) -----------------------------------------------------


class _Spanned(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


G = TypeVar("G", bound=_Spanned)
P = TypeVar("P", bound=_Spanned)


class _SpanTally:
    """Counts of span matches, accumulated document by document."""

    def __init__(self) -> None:
        self.gold = self.predicted = self.strict = self.relaxed = 0

    def add(self, gold: Sequence[G], predicted: Sequence[P]) -> list[tuple[G, P]]:
        """Count one document; returns its relaxed matches as (gold, predicted) pairs."""
        gold_spans = [(g.start, g.end) for g in gold]
        predicted_spans = [(p.start, p.end) for p in predicted]
        self.gold += len(gold_spans)
        self.predicted += len(predicted_spans)
        self.strict += strict_count(gold_spans, predicted_spans)
        pairs = relaxed_pairs(gold_spans, predicted_spans)
        self.relaxed += len(pairs)
        return [(gold[g], predicted[p]) for g, p in pairs]

    def result(self) -> SpanScores:
        return SpanScores(self.gold, self.predicted, self.strict, self.relaxed)


# --- SemEval entity schemes -------------------------------------------------------------

Mention = tuple[int, int, str]  # start, end (exclusive), label
Outcome = tuple[int, int]  # outcome index, gold index taken (-1 for none)
Rule = Callable[[Mention, Sequence[int], Sequence[Mention], set[int]], Outcome]
CORRECT, INCORRECT, PARTIAL, MISSED, SPURIOUS = range(5)


def _sufficient(pred: Mention, true: Mention) -> bool:
    """nervaluate's overlap test: the overlap covers at least 1% of the gold span."""
    overlap = min(pred[1], true[1]) - max(pred[0], true[0])
    return overlap > 0 and (overlap / (true[1] - true[0])) * 100.0 >= 1.0


def _strict(
    pred: Mention, hits: Sequence[int], gold: Sequence[Mention], taken: set[int]
) -> Outcome:
    first = -1
    for i in hits:
        if i not in taken:
            if gold[i] == pred:
                return CORRECT, i
            first = i if first < 0 else first
    return (INCORRECT, first) if first >= 0 else (SPURIOUS, -1)


def _exact(pred: Mention, hits: Sequence[int], gold: Sequence[Mention], taken: set[int]) -> Outcome:
    first = -1
    for i in hits:
        if i not in taken:
            if gold[i][:2] == pred[:2]:
                return CORRECT, i
            first = i if first < 0 else first
    return (INCORRECT, first) if first >= 0 else (SPURIOUS, -1)


def _partial(
    pred: Mention, hits: Sequence[int], gold: Sequence[Mention], taken: set[int]
) -> Outcome:
    outcome = _exact(pred, hits, gold, taken)
    return (PARTIAL, outcome[1]) if outcome[0] == INCORRECT else outcome


def _ent_type(
    pred: Mention, hits: Sequence[int], gold: Sequence[Mention], taken: set[int]
) -> Outcome:
    best, best_distance, first_other = -1, 0, -1
    for i in hits:
        if i in taken:
            continue
        start, end, label = gold[i]
        distance = abs(pred[0] - start) + abs(pred[1] - end)
        if label == pred[2] and (best < 0 or distance < best_distance):
            best, best_distance = i, distance
        elif label != pred[2] and first_other < 0:
            first_other = i
    if best >= 0:
        return CORRECT, best
    return (INCORRECT, first_other) if first_other >= 0 else (SPURIOUS, -1)


RULES: dict[str, Rule] = {
    "strict": _strict,
    "exact": _exact,
    "partial": _partial,
    "ent_type": _ent_type,
}


class _EntityTally:
    """SemEval counts per scheme, over all labels and per label, accumulated by document.

    Most mentions need no matching: a prediction overlapping no gold mention is spurious in
    every scheme, a gold mention overlapped by none is missed, and a prediction and a gold
    mention that overlap only each other form an isolated pair whose outcome depends only on
    whether their spans and labels agree. Those are counted as situations and turned into
    outcomes once, by the scheme rules, in :meth:`result`. Only the rest (a prediction
    overlapping several gold mentions or the reverse) goes through nervaluate's greedy
    matching, document by document.
    """

    def __init__(self) -> None:
        self.spurious: Counter[str] = Counter()
        self.missed: Counter[str] = Counter()
        self.pairs: Counter[tuple[bool, str, str]] = Counter()  # same span, pred, gold label
        self.overall = {name: [0] * 5 for name in SCHEMES}
        self.labels: dict[str, dict[str, list[int]]] = {name: {} for name in SCHEMES}

    def add(self, gold_entities: Sequence[Entity], prediction: Prediction) -> None:
        gold = sorted((e.start, e.end, e.label) for e in gold_entities)
        predicted = sorted((e.start, e.end, e.label) for e in prediction.entities)
        hits = _hits(gold, predicted)
        hit_count = Counter(i for h in hits for i in h)
        contested = []
        for pred, pred_hits in zip(predicted, hits, strict=True):
            if not pred_hits:
                self.spurious[pred[2]] += 1
            elif len(pred_hits) == 1 and hit_count[pred_hits[0]] == 1:
                true = gold[pred_hits[0]]
                self.pairs[(true[:2] == pred[:2], pred[2], true[2])] += 1
            else:
                contested.append((pred, pred_hits))
        self.missed.update(true[2] for i, true in enumerate(gold) if i not in hit_count)
        if contested:
            self._match(gold, contested)

    def _match(
        self, gold: Sequence[Mention], contested: Sequence[tuple[Mention, list[int]]]
    ) -> None:
        """nervaluate's greedy matching of the predictions that overlap several mentions."""
        predicted = [pred for pred, _ in contested]
        hits = [pred_hits for _, pred_hits in contested]
        same_label = [[i for i in h if gold[i][2] == p[2]] for p, h in contested]
        involved = sorted({i for h in hits for i in h})
        for name, rule in RULES.items():
            overall, per_label = self.overall[name], self.labels[name]
            for _, outcome in _greedy(rule, gold, predicted, hits, involved):
                overall[outcome] += 1
            for label, outcome in _greedy(rule, gold, predicted, same_label, involved):
                per_label.setdefault(label, [0] * 5)[outcome] += 1

    def result(self) -> EntityScores:
        return EntityScores({name: self._scheme(name, RULES[name]) for name in SCHEMES})

    def _scheme(self, name: str, rule: Rule) -> SchemeScores:
        overall = list(self.overall[name])
        per_label = {label: list(counts) for label, counts in self.labels[name].items()}

        def count(label: str, outcome: int, n: int, in_overall: bool = True) -> None:
            overall[outcome] += n if in_overall else 0
            per_label.setdefault(label, [0] * 5)[outcome] += n

        for label, n in self.spurious.items():
            count(label, SPURIOUS, n)
        for label, n in self.missed.items():
            count(label, MISSED, n)
        for (same_span, pred_label, true_label), n in self.pairs.items():
            true = (0, 2, true_label)
            outcome, _ = rule((0, 2 if same_span else 1, pred_label), [0], [true], set())
            overall[outcome] += n
            if pred_label == true_label:  # each label scored alone sees the pair as it is...
                count(pred_label, outcome, n, in_overall=False)
            else:  # ... or only its own half of it
                count(pred_label, SPURIOUS, n, in_overall=False)
                count(true_label, MISSED, n, in_overall=False)
        labels = {label: SemEvalCounts(*counts) for label, counts in per_label.items()}
        return SchemeScores(SemEvalCounts(*overall), labels)


def _hits(gold: Sequence[Mention], predicted: Sequence[Mention]) -> list[list[int]]:
    """For each prediction, the gold mentions it overlaps enough (gold sorted by start)."""
    spans = [(s, e) for s, e, _ in gold]
    near = overlapping(spans, [p[:2] for p in predicted])
    return [
        [i for i in hits if _sufficient(p, gold[i])]
        for p, hits in zip(predicted, near, strict=True)
    ]


def _greedy(
    rule: Rule,
    gold: Sequence[Mention],
    predicted: Sequence[Mention],
    hits: Sequence[Sequence[int]],
    involved: Sequence[int],
) -> Iterator[tuple[str, int]]:
    """nervaluate's matching: each prediction in turn takes the gold mention its rule picks.

    Yields (label, outcome) for each prediction, then for each ``involved`` gold mention
    left missed.
    """
    taken: set[int] = set()
    for pred, pred_hits in zip(predicted, hits, strict=True):
        outcome, index = rule(pred, pred_hits, gold, taken) if pred_hits else (SPURIOUS, -1)
        if index >= 0:
            taken.add(index)
        yield pred[2], outcome
    for index in involved:
        if index not in taken:
            yield gold[index][2], MISSED


# --- text report ------------------------------------------------------------------------


def render_table(scores: Scores) -> str:
    """The scores as plain-text tables, one block per layer."""
    blocks = [
        _entity_table(scores.entities),
        _entity_label_table(scores.entities),
        *(
            _layer_table(layer.title, layer.spans, layer.attributes)
            for layer in scores.layers.values()
        ),
    ]
    attributes = scores.entity_attributes
    if attributes.attributes:
        blocks.append(_table("Entity attributes", *_attribute_rows(attributes)))
    return f"Documents scored: {scores.documents}\n\n" + "\n\n".join(blocks) + "\n"


def _f(value: float) -> str:
    return f"{value:.3f}"


def _table(title: str | None, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return text_table(header, rows, title=title, indent="  ")


def _entity_table(entities: EntityScores) -> str:
    header = ["scheme", "P", "R", "F1", "macro-F1", *OUTCOMES]
    rows = []
    for name in SCHEMES:
        scheme = entities.schemes[name]
        c, micro = scheme.counts, scheme.micro
        counts = [c.correct, c.incorrect, c.partial, c.missed, c.spurious]
        rows.append(
            [
                name,
                _f(micro.precision),
                _f(micro.recall),
                _f(micro.f1),
                _f(scheme.macro.f1),
                *map(str, counts),
            ]
        )
    return _table("Entities (SemEval-2013, micro P/R/F1)", header, rows)


def _entity_label_table(entities: EntityScores) -> str:
    strict = entities.schemes["strict"]
    header = ["label", "gold", "predicted", *(f"{name} F1" for name in SCHEMES)]
    rows = [
        [
            label,
            str(counts.possible),
            str(counts.actual),
            *(_f(entities.schemes[name].labels[label].scores.f1) for name in SCHEMES),
        ]
        for label, counts in sorted(strict.labels.items())
    ]
    return _table("Entities per label", header, rows)


def _layer_table(title: str, spans: SpanScores, attributes: Mapping[str, Accuracy]) -> str:
    header = ["match", "gold", "predicted", "matched", "P", "R", "F1"]
    rows = [
        [
            kind,
            str(spans.gold),
            str(spans.predicted),
            str(matches),
            _f(prf.precision),
            _f(prf.recall),
            _f(prf.f1),
        ]
        for kind, matches, prf in (
            ("strict", spans.strict_matches, spans.strict),
            ("relaxed", spans.relaxed_matches, spans.relaxed),
        )
    ]
    layer = LayerScores(title, spans, attributes)
    return _table(title, header, rows) + "\n" + _table(None, *_attribute_rows(layer))


def _attribute_rows(layer: LayerScores) -> tuple[list[str], list[list[str]]]:
    header = ["attribute (on relaxed matches)", "right", "accuracy", "F1"]
    rows = [
        [name, f"{a.correct}/{a.total}", _f(a.value), _f(a.f1(layer.spans))]
        for name, a in layer.attributes.items()
    ]
    return header, rows
