"""Adjudication on the fixtures in tests/fixtures/agreement/ (described in test_agreement.py).

adjudication-cases.json:
  task 21 "Erdogan and Rouhani flew to Sochi.": user 1 Erdogan + Sochi; user 2 (ground truth)
          Erdogan + Rouhani + Sochi
  task 22 "Assad met Putin.": user 1 twice (annotation 51: Assad; 53: Assad + Putin), user 2
          cancelled
  task 23: only a cancelled annotation
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.gold.adjudicate import Adjudication, Mode, adjudicate, disagreeing_tasks
from annotate.gold.review import for_review
from annotate.labelstudio.convert import iter_tasks
from annotate.records import Claim, Entity, Event, Task
from annotate.schema import SchemaSet

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"


def _tasks(name: str, schemas: SchemaSet) -> dict[int, Task]:
    converted = iter_tasks(FIXTURES / name, schemas)
    return {c.task.task_id: c.task for c in converted}


@pytest.fixture(scope="module")
def three(schemas: SchemaSet) -> Adjudication:
    return adjudicate(_tasks("three-annotators.json", schemas)[7], schemas, "majority")


def test_majority_keeps_what_two_of_three_made(three: Adjudication) -> None:
    gold = three.gold
    assert gold is not None and three.method == "majority"
    # PERSON (0,5) by users 1 and 2; canonical names split 1:1 (Vladimir Putin / Putin), so
    # the tie goes to the first in sorted order. ORG Gazprom by users 1 and 3.
    assert gold.entities == (
        Entity("entities-1", 0, 5, "Putin", "PERSON", "Putin", ("user 1", "user 2")),
        Entity("entities-2", 10, 17, "Gazprom", "ORG", None, ("user 1", "user 3")),
    )
    # The claim of users 1 and 2 (speaker: their Putin (0,5)) points at the gold entity.
    assert gold.claims == (
        Claim("claims-1", 35, 43, "we agree", "quote", "entities-1", ("user 1", "user 2")),
    )
    assert gold.event_dates == (
        Event(
            "event_dates-1",
            45,
            54,
            "Talks end",
            "2018",
            "year",
            "explicit",
            ("user 1", "user 2", "user 3"),
        ),
    )


def test_majority_reports_minority_items_and_split_fields(three: Adjudication) -> None:
    found = {(d.layer, d.field, d.item.text, d.had, d.missing) for d in three.disagreements}
    assert found == {
        # user 3's "Puti" and its claim (said by "Puti", so not the same claim).
        ("entities", None, "Puti", ("user 3",), ("user 1", "user 2")),
        ("claims", None, "we agree", ("user 3",), ("user 1", "user 2")),
        # The gold Putin's canonical name: user 2's value won, user 1 had another.
        ("entities", "canonical", "Putin", ("user 2",), ("user 1",)),
    }
    assert all(d.task_id == 7 and d.document_id == "three-1" for d in three.disagreements)
    assert three.to_dict()["disagreements"][0]["item"]["id"]


def test_majority_of_two_needs_both(schemas: SchemaSet) -> None:
    # Task 2 of two-annotators.json: Kremlin vs The Kremlin, claim types differ; only the
    # event ("meeting", 2017, year, relative) is identical in both.
    result = adjudicate(_tasks("two-annotators.json", schemas)[2], schemas)
    assert result.gold is not None
    assert (result.gold.entities, result.gold.claims) == ((), ())
    assert [(e.text, e.date, e.annotators) for e in result.gold.event_dates] == [
        ("meeting", "2017", ("user 1", "user 2"))
    ]
    assert len(result.disagreements) == 5  # 2 entities + 3 claims, each held by one


@pytest.mark.parametrize("mode", [pytest.param("majority"), pytest.param("ground-truth")])
def test_ground_truth_submission_wins_in_both_modes(schemas: SchemaSet, mode: Mode) -> None:
    result = adjudicate(_tasks("adjudication-cases.json", schemas)[21], schemas, mode)
    assert result.method == "ground-truth" and result.gold is not None
    # The ground truth's own ids; provenance counts everyone who made the same item.
    assert [(e.id, e.text, e.annotators) for e in result.gold.entities] == [
        ("y1", "Erdogan", ("user 1", "user 2")),
        ("y2", "Rouhani", ("user 2",)),
        ("y3", "Sochi", ("user 1", "user 2")),
    ]
    assert result.disagreements == ()


def test_same_annotator_twice_counts_once_latest_wins(schemas: SchemaSet) -> None:
    result = adjudicate(_tasks("adjudication-cases.json", schemas)[22], schemas)
    assert result.method == "single" and result.gold is not None
    assert [(e.id, e.text) for e in result.gold.entities] == [("q1", "Assad"), ("q2", "Putin")]


@pytest.mark.parametrize(
    ("fixture", "task_id", "mode", "reason"),
    [
        pytest.param("adjudication-cases.json", 23, "majority", "no submissions", id="none"),
        pytest.param(
            "three-annotators.json",
            7,
            "ground-truth",
            "3 submissions and 0 marked ground truth, not exactly one",
            id="no-truth",
        ),
    ],
)
def test_no_gold(schemas: SchemaSet, fixture: str, task_id: int, mode: Mode, reason: str) -> None:
    result = adjudicate(_tasks(fixture, schemas)[task_id], schemas, mode)
    assert (result.gold, result.method, result.reason) == (None, None, reason)


def test_disagreeing_tasks_are_those_to_review(schemas: SchemaSet) -> None:
    tasks = [
        *_tasks("three-annotators.json", schemas).values(),
        *_tasks("adjudication-cases.json", schemas).values(),
    ]
    assert [r.task_id for r in disagreeing_tasks(tasks, schemas)] == [7, 23]


def test_for_review_sends_the_disagreeing_tasks_with_their_counts(schemas: SchemaSet) -> None:
    tasks = [
        *_tasks("three-annotators.json", schemas).values(),
        *_tasks("adjudication-cases.json", schemas).values(),
    ]
    flagged = {a.task_id: len(a.disagreements) for a in disagreeing_tasks(tasks, schemas)}
    chosen = for_review(tasks, schemas)
    assert {c.task.task_id: c.disagreements for c in chosen} == flagged
    twice = for_review([*tasks, chosen[0].task], schemas)  # a document counts once
    assert [c.task.task_id for c in twice] == [c.task.task_id for c in chosen]
