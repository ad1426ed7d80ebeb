"""Benchmarking an extractor against gold: pair, score, and keep a leaderboard.

:func:`score_predictions` scores predictions against gold documents (a document without a prediction
counts as predicting nothing); :func:`run_extractor` produces the predictions by calling
an extractor given as ``module:function``, checking everything it returns;
:func:`append_leaderboard` (from :mod:`annotate.bench.leaderboard`) records a run.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotate.bench.leaderboard import append_leaderboard, read_leaderboard, run_date
from annotate.bench.score import Scores, render_table, score
from annotate.errors import ExtractorError, PredictionsError
from annotate.predictions import Prediction, check_prediction
from annotate.problems import Location, Problem, shorten
from annotate.records import Annotation, Document
from annotate.schema import SchemaSet

Json = dict[str, Any]
Extractor = Callable[[Document], object]
UNVERSIONED = "unversioned"
__all__ = [
    "BenchReport",
    "append_leaderboard",
    "gold_version",
    "load_extractor",
    "read_leaderboard",
    "run_date",
    "run_extractor",
    "score_predictions",
]


@dataclass(frozen=True, slots=True)
class BenchReport:
    """The scores of one benchmark run, and how the predictions lined up with the gold."""

    scores: Scores
    extractors: tuple[tuple[str, str], ...]
    missing: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    # What was scored: a leaderboard run keeps them (left out of repr and equality).
    predictions: tuple[Prediction, ...] = field(default=(), repr=False, compare=False)

    def flat_scores(self) -> dict[str, float]:
        """The headline figures by dotted name (what a leaderboard run records)."""
        return self.scores.flat_scores()

    def to_dict(self) -> Json:
        return {
            "extractors": [{"name": n, "version": v} for n, v in self.extractors],
            "documents": self.scores.documents,
            "documents_without_predictions": list(self.missing),
            "predictions_ignored": list(self.ignored),
            "scores": self.scores.to_dict(),
            "flat_scores": self.flat_scores(),
        }

    def to_text(self) -> str:
        """A plain-text report: what was scored, then the score tables."""
        names = ", ".join(f"{n} {v}" for n, v in self.extractors) or "(no predictions)"
        lines = [f"Extractor: {names}"]
        if self.missing:
            lines.append(f"Documents without predictions (scored as empty): {len(self.missing)}")
        if self.ignored:
            lines.append(
                f"Predictions for documents not in the gold (ignored): {len(self.ignored)}"
            )
        return "\n".join(lines) + "\n" + render_table(self.scores)


def score_predictions(
    gold: Sequence[Annotation],
    predictions: Sequence[Prediction],
    schemas: SchemaSet | None = None,
) -> BenchReport:
    """Score ``predictions`` against ``gold``, matched by document id.

    Gold documents without a prediction count as predicting nothing; predictions for
    documents outside the gold are left out and listed in the report. Raises
    PredictionsError when two predictions are for the same document.
    """
    by_id = _by_document(predictions)
    extractors = tuple(sorted({(p.extractor, p.version) for p in predictions}))
    name, version = extractors[0] if len(extractors) == 1 else ("none", "none")
    aligned = [by_id.get(a.document.id) or Prediction.of(a.document, name, version) for a in gold]
    gold_ids = {a.document.id for a in gold}
    return BenchReport(
        score(gold, aligned, schemas),
        extractors,
        missing=tuple(a.document.id for a in gold if a.document.id not in by_id),
        ignored=tuple(sorted(set(by_id) - gold_ids)),
        predictions=tuple(predictions),
    )


def _by_document(predictions: Iterable[Prediction]) -> dict[str, Prediction]:
    by_id: dict[str, Prediction] = {}
    problems: list[Problem] = []
    for index, prediction in enumerate(predictions):
        if prediction.document_id in by_id:
            where = Location(document_id=prediction.document_id, field="document_id")
            msg = f"prediction {index} repeats a document already predicted"
            problems.append(
                Problem(where, msg, expected="one prediction per document", code="duplicate-id")
            )
        by_id.setdefault(prediction.document_id, prediction)
    if problems:
        raise PredictionsError(f"{len(problems)} duplicate prediction(s)", problems)
    return by_id


# --- running an extractor ---------------------------------------------------------------


def load_extractor(spec: str) -> tuple[Extractor, str]:
    """The callable named by ``module:function``, and its module's version (if it has one)."""
    module_name, colon, function_name = spec.partition(":")
    if not colon or not module_name or not function_name:
        example = "annotate.extractors.baseline:extract"
        raise ExtractorError(f"extractor {spec!r}: expected MODULE:FUNCTION, e.g. {example}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ExtractorError(f"extractor {spec!r}: cannot import {module_name}: {exc}") from exc
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ExtractorError(f"extractor {spec!r}: {module_name} has no function {function_name!r}")
    version = getattr(module, "VERSION", None) or getattr(module, "__version__", None)
    return function, str(version or UNVERSIONED)


def run_extractor(
    spec: str,
    documents: Iterable[Document],
    progress: Callable[[int], None] | None = None,
    schemas: SchemaSet | None = None,
) -> list[Prediction]:
    """Call the extractor ``module:function`` on each document and check what it returns.

    The extractor returns a :class:`Prediction` or a dict in the predictions format;
    ``document_id`` and ``extractor`` are filled in when a dict leaves them out. Raises
    PredictionsError listing every problem in every document's output, and ExtractorError
    when the extractor cannot be imported or fails. ``progress(1)`` is called per document.
    """
    extract, version = load_extractor(spec)
    schemas = schemas or SchemaSet()
    default = {"name": spec, "version": version}
    predictions: list[Prediction] = []
    problems: list[Problem] = []
    for document in documents:
        data, found = _checked(_call(extract, document, spec), document, default, schemas)
        problems += found
        if not found:
            predictions.append(Prediction.from_dict(data, document))
        if progress is not None:
            progress(1)
    if problems:
        raise PredictionsError(
            f"extractor {spec}: {len(problems)} problem(s) in its output", problems
        )
    return predictions


def _call(extract: Extractor, document: Document, spec: str) -> object:
    try:
        return extract(document)
    except Exception as exc:  # the extractor is third-party code: report where it failed
        raise ExtractorError(f"extractor {spec} failed on document {document.id}: {exc!r}") from exc


def _checked(
    output: object, document: Document, default: Mapping[str, str], schemas: SchemaSet
) -> tuple[Json, list[Problem]]:
    """The extractor's output as a predictions dict, and every problem it has."""
    data, problems = _output(output, document, default)
    if problems:
        return data, problems
    where = Location(document_id=document.id)
    return data, check_prediction(data, {document.id: document}, schemas, where)


def _output(
    output: object, document: Document, default: Mapping[str, str]
) -> tuple[Json, list[Problem]]:
    """The extractor's output as a predictions dict, or the problem that prevents it."""
    where = Location(document_id=document.id)
    if isinstance(output, Prediction):
        data = output.to_dict()
    elif isinstance(output, dict):
        data = {"document_id": document.id, "extractor": dict(default), **output}
    else:
        expected = "a Prediction or a dict in the predictions format"
        return {}, [
            Problem(
                where,
                "wrong return type",
                expected=expected,
                found=shorten(output),
                code="extractor",
            )
        ]
    if data["document_id"] != document.id:
        here = Location(document_id=document.id, field="document_id")
        msg = "the extractor returned a prediction for another document"
        return data, [
            Problem(
                here,
                msg,
                expected=repr(document.id),
                found=shorten(data["document_id"]),
                code="extractor",
            )
        ]
    return data, []


# --- leaderboard ------------------------------------------------------------------------


def gold_version(gold: Iterable[Annotation]) -> str:
    """A short content hash of gold annotations, independent of their order."""
    rows = sorted(json.dumps(a.to_dict(), sort_keys=True, ensure_ascii=False) for a in gold)
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:12]
