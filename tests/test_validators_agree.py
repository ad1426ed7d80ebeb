"""The compiled (Rust) validators run the hot path; jsonschema words the errors. Both must
agree on every record, valid or not: here on the catalogue's records and their mutations."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotate.labelstudio.convert import iter_tasks
from annotate.schema import SchemaSet

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
PREDICTIONS = Path(__file__).parent / "fixtures" / "predictions"

MUTATIONS: list[tuple[str, Any]] = [
    ("label", "CITY"),
    ("type", "rumour"),
    ("precision", "week"),
    ("basis", "guess"),
    ("start", -1),
    ("start", "3"),
    ("end", 0),
    ("end", 2.5),
    ("text", ""),
    ("id", ""),
    ("date", "2017-13"),
    ("date", "20-11-2017"),
    ("canonical", ""),
    ("speaker", 7),
    ("annotators", "ann-1"),
    ("extra", "field"),
    ("published", "2017-02-30"),
    ("published", "21/11/2017"),
    ("language", "english"),
    ("source", None),
]


def catalogue_records(schemas: SchemaSet) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record the catalogue's valid export converts to, then each mutation of it."""
    for converted in iter_tasks(EXPORTS / "valid-emoji-crlf-script.json", schemas):
        yield "document", converted.task.document.to_dict()
        for submission in converted.task.submissions:
            for name in schemas.layers:
                for record in getattr(submission.layers, name):
                    yield name, record.to_dict()
    base = list(catalogue_records_base(schemas))
    for kind, record in base:
        for key, value in MUTATIONS:
            if key in record or key == "extra":
                mutated = copy.deepcopy(record)
                mutated[key] = value
                yield kind, mutated
        for key in list(record):
            missing = copy.deepcopy(record)
            del missing[key]
            yield kind, missing


def catalogue_records_base(schemas: SchemaSet) -> Iterator[tuple[str, dict[str, Any]]]:
    for converted in iter_tasks(EXPORTS / "valid-emoji-crlf-script.json", schemas):
        yield "document", converted.task.document.to_dict()
        [submission] = converted.task.submissions
        for name in schemas.layers:
            yield name, getattr(submission.layers, name)[0].to_dict()


def prediction_records() -> Iterator[dict[str, Any]]:
    for path in sorted(PREDICTIONS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            yield data


def test_compiled_and_jsonschema_agree_on_records(schemas: SchemaSet) -> None:
    verdicts = []
    for kind, record in catalogue_records(schemas):
        fast = schemas.compiled[kind].is_valid(record)
        slow = schemas.validators[kind].is_valid(record)
        assert fast == slow, (kind, record)
        verdicts.append(fast)
    assert True in verdicts and False in verdicts
    assert len(verdicts) > 50


def test_compiled_and_jsonschema_agree_on_predictions(schemas: SchemaSet) -> None:
    verdicts = []
    for record in prediction_records():
        fast = schemas.compiled["predictions"].is_valid(record)
        assert fast == schemas.validators["predictions"].is_valid(record), record
        verdicts.append(fast)
    assert True in verdicts and False in verdicts


def test_errors_equals_the_slow_path(schemas: SchemaSet) -> None:
    for kind, record in catalogue_records(schemas):
        slow = [e.message for e in schemas.validators[kind].iter_errors(record)]
        assert [e.message for e in schemas.errors(kind, record)] == slow
