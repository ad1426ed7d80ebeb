"""Scores across gold versions: every run of a leaderboard scored again on a new gold.

A leaderboard run keeps the predictions it scored (:mod:`annotate.bench.stored`), so a
corrected gold can score them again without running the extractors. For each run the
report gives the scores it recorded, the scores on the new gold, and how much each moved.

Given the gold the runs were scored on too, the report also goes through the items the
correction changed (:mod:`annotate.gold.diff`) and says, for each, whether the run's
predictions got it right on the old gold and on the new one. An item the run got wrong
before and right after is a **gold error**: the extractor was right and the old gold
counted it as a mistake. Right before and wrong after is a **new error**. "Right" follows
the scoring rules of :mod:`annotate.bench.score` on that one item: an entity is right
when it is a strict match (same span and label); a claim when a prediction has its span,
type and speaker; an event when a prediction has its span, date and precision. An item
absent on one side (added or removed) is right there when no prediction has its span.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from annotate.bench.leaderboard import RUN_FIELDS, read_leaderboard
from annotate.bench.run import gold_version, score_predictions
from annotate.bench.score import ENTITIES, Scores, score, score_name
from annotate.bench.stored import stored_predictions
from annotate.errors import InvalidInputError
from annotate.gold.adjudicate import Item
from annotate.gold.diff import GoldDiff, ItemChange, diff_gold
from annotate.predictions import Prediction
from annotate.records import Annotation
from annotate.schema import SchemaSet
from annotate.tables import text_table

Status = Literal["gold error", "new error", "still wrong", "still right"]
STATUSES: tuple[Status, ...] = ("gold error", "new error", "still wrong", "still right")


def _item_right(layer: str, scored: Scores) -> bool:
    """Whether the predictions got a single gold item of ``layer`` right: an entity by the
    strict scheme; a claim or an event by its exact span with every attribute right."""
    if layer == ENTITIES:
        return scored.entities.schemes["strict"].counts.correct == 1
    layer_scores = scored.layers[score_name(layer)]
    return layer_scores.spans.strict_matches == 1 and all(
        a.correct == a.total for a in layer_scores.attributes.values()
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a run got a changed gold item right before and after the change."""

    change: ItemChange
    right_before: bool
    right_after: bool

    @property
    def status(self) -> Status:
        if self.right_before == self.right_after:
            return "still right" if self.right_after else "still wrong"
        return "gold error" if self.right_after else "new error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "right_before": self.right_before,
            "right_after": self.right_after,
            "change": self.change.to_dict(),
        }


@dataclass(frozen=True)
class RunRescore:
    """One leaderboard run: its recorded scores, its scores on the new gold, the verdicts."""

    run: Mapping[str, str]  # extractor, version, gold_version, date, split
    before: Mapping[str, float]
    after: Mapping[str, float]
    verdicts: tuple[Verdict, ...] = ()
    old_gold_version: str | None = None  # of the old gold given, if any

    def moved(self) -> dict[str, float]:
        """Each score that moved, by how much (new minus recorded)."""
        return {
            name: value - self.before[name]
            for name, value in self.after.items()
            if name in self.before and value != self.before[name]
        }

    def statuses(self) -> Counter[str]:
        return Counter(v.status for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.run,
            "scores_before": dict(self.before),
            "scores_after": dict(self.after),
            "moved": self.moved(),
            "items": {status: self.statuses()[status] for status in STATUSES},
            "verdicts": [v.to_dict() for v in self.verdicts],
            "old_gold_version": self.old_gold_version,
        }

    def to_text(self) -> str:
        head = "{extractor} {version} (run of {date} on gold {gold_version}, split {split})"
        lines = [head.format(**self.run)]
        if self.old_gold_version not in (None, self.run["gold_version"]):
            lines.append(
                f"note: the old gold given is {self.old_gold_version}, not the gold of this "
                "run: the verdicts below compare against that gold"
            )
        moved = self.moved()
        rows = [
            [name, f"{self.before[name]:.3f}", f"{self.after[name]:.3f}", f"{delta:+.3f}"]
            for name, delta in moved.items()
        ]
        lines.append(text_table(["score", "before", "after", "moved"], rows) if rows else "")
        lines[-1] = lines[-1] or "no score moved"
        if self.verdicts:
            counts = self.statuses()
            lines.append(
                "changed gold items: "
                + ", ".join(f"{status} {counts[status]}" for status in STATUSES)
            )
            lines += [f"  {v.status}: {v.change.describe()}" for v in self.verdicts]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RescoreReport:
    """Every run of a leaderboard scored again on a new gold."""

    gold_version: str
    documents: int
    runs: tuple[RunRescore, ...]
    diff: GoldDiff | None = None
    skipped: tuple[tuple[Mapping[str, str], str], ...] = ()  # runs not rescored, and why

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "gold_version": self.gold_version,
            "documents": self.documents,
            "diff": None if self.diff is None else self.diff.to_dict(),
            "runs": [r.to_dict() for r in self.runs],
            "skipped": [{**run, "reason": reason} for run, reason in self.skipped],
        }

    def to_text(self) -> str:
        """What moved, run by run."""
        head = f"{len(self.runs)} run(s) scored again on gold {self.gold_version} "
        head += f"({self.documents} documents)."
        if self.diff is not None:
            head += f"\nChanges from the old gold: {self.diff.summary()}"
        skipped = [
            "not scored again: {extractor} {version} (run of {date}): ".format(**run) + reason
            for run, reason in self.skipped
        ]
        return "\n".join([head, *(r.to_text() for r in self.runs), *skipped])


def rescore(
    board: Path | str,
    gold: Sequence[Annotation],
    schemas: SchemaSet | None = None,
    old_gold: Sequence[Annotation] | None = None,
) -> RescoreReport:
    """Score the kept predictions of every run of ``board`` on ``gold``; with ``old_gold``
    (the gold the runs were scored on), judge each changed item too. A run whose predictions
    were not kept, or changed since, is listed in ``skipped`` with the reason."""
    schemas = schemas or SchemaSet()
    board = Path(board)
    diff = None if old_gold is None else diff_gold(old_gold, gold, schemas)
    old_version = None if old_gold is None else gold_version(old_gold)
    runs, skipped = [], []
    for run in read_leaderboard(board):
        info = {name: str(run[name]) for name in RUN_FIELDS}
        try:
            predictions = stored_predictions(board, run, schemas)
        except InvalidInputError as exc:  # the other runs are still worth scoring
            skipped.append((info, str(exc)))
            continue
        after = score_predictions(gold, predictions, schemas).flat_scores()
        verdicts = (
            ()
            if diff is None or old_gold is None
            else _verdicts(diff, old_gold, gold, predictions, schemas)
        )
        runs.append(RunRescore(info, run["scores"], after, verdicts, old_version))
    return RescoreReport(gold_version(gold), len(gold), tuple(runs), diff, tuple(skipped))


def _verdicts(
    diff: GoldDiff,
    old_gold: Sequence[Annotation],
    gold: Sequence[Annotation],
    predictions: Sequence[Prediction],
    schemas: SchemaSet,
) -> tuple[Verdict, ...]:
    before = {a.document.id: a for a in old_gold}
    after = {a.document.id: a for a in gold}
    by_id = {p.document_id: p for p in predictions}
    out = []
    for change in diff.changes:
        doc = change.document_id
        prediction = by_id.get(doc) or Prediction.of(doc, "none", "none")
        anchor = change.item
        out.append(
            Verdict(
                change,
                _right(change.layer, before[doc], change.old, anchor, prediction, schemas),
                _right(change.layer, after[doc], change.new, anchor, prediction, schemas),
            )
        )
    return tuple(out)


def _right(
    layer: str,
    gold: Annotation,
    item: Item | None,
    anchor: Item,
    prediction: Prediction,
    schemas: SchemaSet,
) -> bool:
    """Whether ``prediction`` got ``item`` of ``gold`` right (see the module docstring); an
    absent item (None) is right when no prediction has the span of ``anchor``."""
    anchor = item or anchor
    near = tuple(
        p for p in prediction.layer(layer) if p.start < anchor.end and anchor.start < p.end
    )
    if item is None:
        return not any((p.start, p.end) == (anchor.start, anchor.end) for p in near)
    only: dict[str, Any] = {layer: (item,)}
    nearby: dict[str, Any] = {layer: near}
    narrowed = Prediction(
        replace(prediction.annotation, **nearby), prediction.extractor, prediction.version
    )
    return _item_right(layer, score([replace(gold, **only)], [narrowed], schemas))
