"""Each fast path gives what its careful path gives, and is taken on usual input.

The fast paths kept are those ``benchmarks/fastpaths_bench.py`` shows pay (see
benchmarks/README.md): the compiled schema validator, adjudication of a lone submission,
and BIO tags of mentions that share no token; and decoding by orjson, which the standard
library backs up where orjson reads otherwise (integers beyond 64 bits). For each: a
property test on generated input (fast == careful), and a test that fails if the fast
path is stubbed out. The one-pass reader of Label Studio results has its own in
``tests/test_convert_total.py``, on the exports mutated there.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from datasets import Features
from hypothesis import assume, given
from hypothesis import strategies as st

from annotate.dataset import tokens
from annotate.dataset.rows import token_row
from annotate.dataset.tokens import bio_ids, longest_first_bio_ids, tokenize
from annotate.gold import adjudicate
from annotate.gold.adjudicate import with_changes
from annotate.labelstudio import exportfile
from annotate.labelstudio.convert import iter_tasks
from annotate.labelstudio.exportfile import Segment, decode_task
from annotate.records import Annotation, Claim, Document, Entity, Event, Submission, Task
from annotate.schema import SchemaSet
from annotate.schema.columns import Labels, Listed, Plain, Spec, Struct, arrow_type, tag_names
from annotate.schema.features import feature_of

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
VALID = EXPORTS / "valid-emoji-crlf-script.json"
SCHEMAS = SchemaSet()

# --- JSON values that trip validators: formats, bounds, types -----------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.sampled_from(
        ["", "2017", "2017-11", "2017-11-20", "2017-02-30", "2017-13", "PERSON", "claim", "x"]
    ),
    st.text(max_size=8),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


def _base_records() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for converted in iter_tasks(VALID, SCHEMAS):
        out.append(("document", converted.task.document.to_dict()))
        for submission in converted.task.submissions:
            for name in SCHEMAS.layers:
                out += [(name, r.to_dict()) for r in getattr(submission.layers, name)]
    return out


BASE = _base_records()


@st.composite
def records(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A valid record of the fixture with a few keys set to arbitrary JSON or removed."""
    kind, record = draw(st.sampled_from(BASE))
    record = copy.deepcopy(record)
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*record, "extra"]))
        if draw(st.booleans()):
            record[key] = draw(JSON)
        else:
            record.pop(key, None)
    return kind, record


@given(records())
def test_compiled_validator_agrees_with_jsonschema(case: tuple[str, dict[str, Any]]) -> None:
    kind, record = case
    assert SCHEMAS.compiled[kind].is_valid(record) == SCHEMAS.validators[kind].is_valid(record)


class _Refuses:
    def iter_errors(self, value: object) -> Any:
        raise AssertionError("the slow validator ran on a valid record")

    def is_valid(self, value: object) -> bool:
        raise AssertionError("the slow validator ran on a valid record")


def test_valid_records_never_reach_the_slow_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = SchemaSet()
    monkeypatch.setattr(schemas, "validators", dict.fromkeys(schemas.schemas, _Refuses()))
    converted = list(iter_tasks(VALID, schemas))
    assert [c.problems for c in converted] == [()]
    assert converted[0].task.submissions


# --- adjudication of a lone submission ----------------------------------------------------

TEXT = "Putin met Assad in Sochi on Monday, the Kremlin said. Erdogan came later."
WHO = st.sampled_from(["ann-1", "ann-2", "user 3"])


@st.composite
def spans(draw: st.DrawFn) -> tuple[int, int]:
    start = draw(st.integers(0, len(TEXT) - 1))
    return start, draw(st.integers(start + 1, len(TEXT)))


@st.composite
def submissions(draw: st.DrawFn) -> Submission:
    """A submission of any shape: overlapping, duplicated, credited to anyone."""
    entities, claims, events = [], [], []
    for i in range(draw(st.integers(0, 6))):
        start, end = draw(spans())
        label = draw(st.sampled_from(SCHEMAS.layers["entities"].labels))
        canonical = draw(st.none() | st.sampled_from(["Putin", "Assad"]))
        credit = tuple(draw(st.lists(WHO, max_size=2)))
        entities.append(Entity(f"e{i}", start, end, TEXT[start:end], label, canonical, credit))
    ids = [e.id for e in entities]
    for i in range(draw(st.integers(0, 3))):
        start, end = draw(spans())
        kind = draw(st.sampled_from(SCHEMAS.layers["claims"].attribute("type").choices))
        speaker = draw(st.none() | st.sampled_from(ids or ["e0"]))
        claims.append(Claim(f"c{i}", start, end, TEXT[start:end], kind, speaker))
    for i in range(draw(st.integers(0, 3))):
        start, end = draw(spans())
        date, precision = draw(st.sampled_from([("2017", "year"), ("2017-11-20", "day")]))
        events.append(Event(f"v{i}", start, end, TEXT[start:end], date, precision, "explicit"))
    layers = Annotation(
        Document("d1", TEXT, "wire", "2017-11-21", "en"),
        tuple(draw(st.permutations(entities))),
        tuple(claims),
        tuple(events),
    )
    return Submission(draw(st.integers(1, 99)), draw(WHO), draw(st.booleans()), layers)


@given(submissions())
def test_a_lone_submission_is_credited_as_keys_and_votes_credit_it(sub: Submission) -> None:
    task = Task(7, sub.layers.document, (sub,))
    fast = adjudicate._alone(task, sub, SCHEMAS)
    assert fast == adjudicate._credited(task, sub, (sub,), SCHEMAS)


def test_a_lone_submission_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("keys and votes for a lone submission")

    monkeypatch.setattr(adjudicate, "_credited", refuse)
    [converted] = iter_tasks(VALID, SCHEMAS)
    result = adjudicate.adjudicate(converted.task, SCHEMAS)
    assert result.method == "single" and result.gold is not None
    assert result.gold.entities


@given(st.data())
def test_with_changes_is_dataclasses_replace(data: st.DataObject) -> None:
    sub = data.draw(submissions())
    items = [*sub.layers.entities, *sub.layers.claims, *sub.layers.event_dates]
    assume(items)
    item = data.draw(st.sampled_from(items))
    credit = tuple(data.draw(st.lists(WHO, max_size=3)))
    assert with_changes(item, annotators=credit, id="x") == dataclasses.replace(
        item, annotators=credit, id="x"
    )


# --- BIO tags -----------------------------------------------------------------------------

WORDS = ["Putin", "met", "Xi", "in", "Sochi", ",", "Moscow's", "😀", "al-Assad"]
TAGS = ["O", "B-PERSON", "I-PERSON", "B-GPE", "I-GPE"]
TAG_IDS = {name: i for i, name in enumerate(TAGS)}


@st.composite
def mentions(draw: st.DrawFn) -> tuple[str, list[Entity]]:
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30)))
    entities = []
    for i in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 25)))
        label = draw(st.sampled_from(["PERSON", "GPE"]))
        entities.append(Entity(f"e{i}", start, end, text[start:end], label))
    return text, entities


@given(mentions())
def test_bio_tags_in_whole_arrays_are_the_longest_first_rule(
    case: tuple[str, list[Entity]],
) -> None:
    text, entities = case
    toks = tokenize(text)
    careful = longest_first_bio_ids(toks.starts, toks.ends, entities, TAG_IDS)
    assert bio_ids(toks.starts, toks.ends, entities, TAG_IDS).tolist() == careful.tolist()


def test_mentions_apart_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the longest-first rule for mentions that share no token")

    monkeypatch.setattr(tokens, "longest_first_bio_ids", refuse)
    [converted] = iter_tasks(VALID, SCHEMAS)
    [submission] = converted.task.submissions
    tag_ids = {name: i for i, name in enumerate(tag_names(SCHEMAS))}
    row = token_row(submission.layers, tag_ids)
    assert np.count_nonzero(row.tags) >= len(submission.layers.entities)


# --- one walk of the column Specs: arrow types and datasets features agree ----------------

LEAVES: st.SearchStrategy[Spec] = st.one_of(
    st.builds(
        Labels, st.lists(st.text(min_size=1, max_size=5), min_size=1, unique=True).map(tuple)
    ),
    st.sampled_from(["string", "int32", "float64", "bool"]).map(Plain),
)
SPECS: st.SearchStrategy[Spec] = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        inner.map(Listed),
        st.dictionaries(st.text("abcdef", min_size=1, max_size=4), inner, min_size=1).map(
            lambda d: Struct(tuple(d.items()))
        ),
    ),
    max_leaves=8,
)


@given(st.dictionaries(st.text("abcdef", min_size=1, max_size=4), SPECS, min_size=1))
def test_arrow_types_are_what_datasets_stores_for_the_features(columns: dict[str, Spec]) -> None:
    spec = Struct(tuple(columns.items()))
    assert pa.schema(list(arrow_type(spec))) == Features(feature_of(spec)).arrow_schema


# --- decoding: orjson first, the standard library for what orjson reads differently -------

IDS = st.integers(-(2**70), 2**70) | st.none() | st.text(max_size=3)
SMALL = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


@given(IDS, st.lists(st.fixed_dictionaries({"id": IDS, "completed_by": IDS}), max_size=3), SMALL)
def test_decoding_keeps_every_id_as_the_standard_library_reads_it(
    task_id: Any, annotations: list[dict[str, Any]], data: Any
) -> None:
    raw = json.dumps({"id": task_id, "data": {"x": data}, "annotations": annotations})
    decoded = decode_task(Segment(0, raw.encode()), "export.json")
    assert decoded == json.loads(raw)
    assert [type(a["id"]) for a in decoded["annotations"]] == [type(a["id"]) for a in annotations]


def test_usual_tasks_are_decoded_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the standard library decoded a usual task")

    monkeypatch.setattr(exportfile, "_decode_slowly", refuse)
    [converted] = iter_tasks(VALID, SCHEMAS)
    assert converted.task.submissions
