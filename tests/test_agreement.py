"""Agreement figures against hand computations on the fixtures in tests/fixtures/agreement/.

two-annotators.json: users 1 and 2 both annotated tasks 1 and 2; user 1 alone task 3.

  task 1 "Vladimir Putin said on Monday that Russia will hold talks in Sochi."
    user 1: PERSON "Vladimir Putin" (canonical Vladimir Putin), GPE "Russia" (canonical
            Russia), GPE "Sochi"; claim "Russia will hold talks in Sochi" paraphrase, said
            by "Vladimir Putin"; event "hold talks" 2017-11-20 day relative
    user 2: PERSON "Putin" (canonical Vladimir Putin), GPE "Russia", LOC "Sochi"; the same
            claim, paraphrase, said by "Putin"; event "hold talks" 2017-11 month relative
  task 2 "The Kremlin said the meeting was planned for 2017. Critics called it a stunt."
    user 1: ORG "Kremlin"; claim "the meeting was planned for 2017" paraphrase said by
            "Kremlin"; claim "called it a stunt" assertion, no speaker; event "meeting"
            2017 year relative
    user 2: ORG "The Kremlin"; claim "the meeting was planned for 2017" quote said by "The
            Kremlin"; event "meeting" 2017 year relative
  task 3: user 1 only, PERSON "Peskov".

three-annotators.json: one task, "Putin met Gazprom chiefs and said: we agree. Talks end in 2018."
    user 1: PERSON "Putin"(0,5) canonical Vladimir Putin, ORG "Gazprom"; claim "we agree"
            quote by Putin; event "Talks end" 2018 year explicit
    user 2: PERSON "Putin"(0,5) canonical Putin; the same claim by its Putin; the same event
    user 3: PERSON "Puti"(0,4), ORG "Gazprom"; the same claim by "Puti"; the same event
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest

from annotate.cli import main
from annotate.gold.agreement import (
    AgreementAccumulator,
    AgreementReport,
    agreement,
    nominal_alpha,
)
from annotate.labelstudio.convert import iter_tasks
from annotate.records import Submission, Task
from annotate.schema import SchemaSet

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"
TWO = FIXTURES / "two-annotators.json"
THREE = FIXTURES / "three-annotators.json"


def _tasks(path: Path, schemas: SchemaSet) -> list[Task]:
    return [converted.task for converted in iter_tasks(path, schemas)]


@pytest.fixture(scope="module")
def two(schemas: SchemaSet) -> AgreementReport:
    return agreement(_tasks(TWO, schemas), schemas)


@pytest.fixture(scope="module")
def three(schemas: SchemaSet) -> AgreementReport:
    return agreement(_tasks(THREE, schemas), schemas)


def _label(report: AgreementReport, layer: str, label: str | None) -> tuple[object, ...]:
    row = next(x for x in report.labels if x.layer == layer and x.label == label)
    rounded = [None if v is None else round(v, 6) for v in (row.strict_f1, row.relaxed_f1)]
    return (*rounded, row.pairs, row.items)


def _attribute(report: AgreementReport, layer: str, field: str) -> tuple[object, ...]:
    row = next(x for x in report.attributes if x.layer == layer and x.field == field)
    return (row.measure, None if row.value is None else round(row.value, 6), row.units)


# One pair (user 1, user 2), counts pooled over tasks 1 and 2; F1 = 2·matches / (|A| + |B|).
@pytest.mark.parametrize(
    ("layer", "label", "expected"),
    [
        # PERSON: "Vladimir Putin" vs "Putin": no strict match, one overlap. 0/2, 2/2.
        pytest.param("entities", "PERSON", (0.0, 1.0, 1, 2), id="person-overlap-only"),
        # ORG: "Kremlin" vs "The Kremlin": the same.
        pytest.param("entities", "ORG", (0.0, 1.0, 1, 2), id="org-overlap-only"),
        # GPE: user 1 Russia + Sochi, user 2 Russia: 1 match of 2 + 1 items: 2/3.
        pytest.param("entities", "GPE", (0.666667, 0.666667, 1, 3), id="gpe"),
        # LOC: only user 2's Sochi: 0 matches of 0 + 1: 0.
        pytest.param("entities", "LOC", (0.0, 0.0, 1, 1), id="loc-one-sided"),
        # NORP: nobody: undefined, no pair counted.
        pytest.param("entities", "NORP", (None, None, 0, 0), id="norp-undefined"),
        # All entities: 4 + 4 items; strict 1 (Russia) → 2/8; relaxed 3 → 6/8.
        pytest.param("entities", None, (0.25, 0.75, 1, 8), id="entities-all"),
        # Claims: 3 + 2 items, 2 matches (same spans) → 4/5.
        pytest.param("claims", None, (0.8, 0.8, 1, 5), id="claims"),
        # Events: 2 + 2, both spans equal → 1.
        pytest.param("event_dates", None, (1.0, 1.0, 1, 4), id="events"),
    ],
)
def test_two_annotators_span_f1(
    two: AgreementReport, layer: str, label: str | None, expected: tuple[object, ...]
) -> None:
    assert _label(two, layer, label) == expected


@pytest.mark.parametrize(
    ("layer", "field", "expected"),
    [
        # Matched entity pairs: Putin (VP, VP) equal, Russia (Russia, none) not, Kremlin
        # (none, none) equal: 2/3.
        pytest.param("entities", "canonical", ("exact", 0.666667, 3), id="canonical"),
        # Units (paraphrase, paraphrase), (paraphrase, quote): n = 4, 3 paraphrase, 1 quote;
        # alpha = 1 - (n-1)·2 / (2·3·1) = 1 - 6/6 = 0.
        pytest.param("claims", "type", ("alpha", 0.0, 2), id="claim-type"),
        # Speakers by canonical name, else text: (Vladimir Putin, Vladimir Putin),
        # (Kremlin, The Kremlin): n = 4 (VP 2, K 1, TK 1); expected coincidences
        # sum n_c·n_k over c≠k = 16 - (4+1+1) = 10; alpha = 1 - 3·2/10 = 0.4.
        pytest.param("claims", "speaker", ("alpha", 0.4, 2), id="claim-speaker"),
        # Dates: (2017-11-20, 2017-11) differ, (2017, 2017) equal: 1/2.
        pytest.param("event_dates", "date", ("exact", 0.5, 2), id="date-exact"),
        # Precision (day, month), (year, year): n = 4 (1, 1, 2); 1 - 3·2/(16-6) = 0.4.
        pytest.param("event_dates", "precision", ("alpha", 0.4, 2), id="precision"),
        # Basis is "relative" everywhere: alpha undefined → None, not a crash.
        pytest.param("event_dates", "basis", ("alpha", None, 2), id="basis-one-value"),
    ],
)
def test_two_annotators_attributes(
    two: AgreementReport, layer: str, field: str, expected: tuple[object, ...]
) -> None:
    assert _attribute(two, layer, field) == expected


def test_two_annotators_per_annotator_table(two: AgreementReport) -> None:
    # Pooled over every layer of the shared tasks: user 1 has 4 + 3 + 2 = 9 items, user 2
    # 4 + 2 + 2 = 8; strict matches 1 + 2 + 2 = 5 → 10/17; relaxed 3 + 2 + 2 = 7 → 14/17.
    rows = {a.annotator: a for a in two.annotators}
    assert rows["user 1"].tasks == 3
    assert rows["user 1"].items == {"entities": 5, "claims": 3, "event_dates": 2}
    assert rows["user 2"].tasks == 2
    assert rows["user 2"].items == {"entities": 4, "claims": 2, "event_dates": 2}
    for row in rows.values():
        assert row.strict_f1 == pytest.approx(10 / 17)
        assert row.relaxed_f1 == pytest.approx(14 / 17)
    assert (two.tasks, two.compared_tasks) == (3, 2)


# Three pairs; each figure is the mean of the pairs that have items of the label.
@pytest.mark.parametrize(
    ("layer", "label", "expected"),
    [
        # PERSON: (1,2) strict 1 → 1; (1,3) and (2,3): (0,5) vs (0,4) strict 0, relaxed 1.
        # strict (1 + 0 + 0)/3, relaxed (1 + 1 + 1)/3.
        pytest.param("entities", "PERSON", (0.333333, 1.0, 3, 6), id="person"),
        # ORG: (1,2) 1 vs 0 items → 0; (1,3) both Gazprom → 1; (2,3) 0 vs 1 → 0.
        pytest.param("entities", "ORG", (0.333333, 0.333333, 3, 4), id="org"),
        # All entities: (1,2) 2 + 1 items, strict 1, relaxed 1 → 2/3, 2/3;
        # (1,3) 2 + 2, strict 1 (Gazprom), relaxed 2 → 1/2, 1; (2,3) 1 + 2, strict 0,
        # relaxed 1 → 0, 2/3. Means: (2/3 + 1/2 + 0)/3 = 0.388889, (2/3 + 1 + 2/3)/3.
        pytest.param("entities", None, (0.388889, 0.777778, 3, 10), id="entities-all"),
        pytest.param("claims", None, (1.0, 1.0, 3, 6), id="claims"),
    ],
)
def test_three_annotators_span_f1(
    three: AgreementReport, layer: str, label: str | None, expected: tuple[object, ...]
) -> None:
    assert _label(three, layer, label) == expected


def test_three_annotators_attributes(three: AgreementReport) -> None:
    # Speakers: Vladimir Putin (user 1's canonical), Putin (user 2's canonical), Puti (user 3's
    # text): three units, all disagreeing. n = 6, 2 of each; observed disagreeing coincidences
    # 6; sum n_c·n_k over c≠k = 36 - 12 = 24; alpha = 1 - 5·6/24 = -0.25.
    assert _attribute(three, "claims", "speaker") == ("alpha", -0.25, 3)
    # Canonical names on the 4 matched entity pairs: only (none, none) of Gazprom agrees.
    assert _attribute(three, "entities", "canonical") == ("exact", 0.25, 4)
    # Every event has precision "year": alpha undefined.
    assert _attribute(three, "event_dates", "precision") == ("alpha", None, 3)


def test_three_annotators_mean_f1_against_the_others(three: AgreementReport) -> None:
    # Pooled over layers. (1,2): 4 + 3 items, strict 3, relaxed 3 → 6/7, 6/7.
    # (1,3): 4 + 4, strict 3 (Gazprom, claim, event), relaxed 4 → 6/8, 8/8.
    # (2,3): 3 + 4, strict 2, relaxed 3 → 4/7, 6/7.
    expected = {
        "user 1": ((6 / 7 + 6 / 8) / 2, (6 / 7 + 1) / 2),
        "user 2": ((6 / 7 + 4 / 7) / 2, (6 / 7 + 6 / 7) / 2),
        "user 3": ((6 / 8 + 4 / 7) / 2, (1 + 6 / 7) / 2),
    }
    found = {a.annotator: (a.strict_f1, a.relaxed_f1) for a in three.annotators}
    assert found == {k: pytest.approx(v) for k, v in expected.items()}


def test_accumulating_task_by_task_is_order_independent(schemas: SchemaSet) -> None:
    tasks = _tasks(TWO, schemas) + _tasks(THREE, schemas)
    forward = AgreementAccumulator(schemas)
    backward = AgreementAccumulator(schemas)
    for task in tasks:
        forward.add(task)
    for task in reversed(tasks):
        backward.add(task)
    assert forward.report().to_dict() == backward.report().to_dict()


def test_nominal_alpha_equals_krippendorff_on_the_reliability_matrix() -> None:
    pairs = {("a", "a"): 3, ("a", "b"): 2, ("b", "c"): 1, ("c", "c"): 4}
    units = [pair for pair, n in pairs.items() for _ in range(n)]
    codes = {"a": 1.0, "b": 2.0, "c": 3.0}
    matrix = np.array([[codes[x] for x, _ in units], [codes[y] for _, y in units]])
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert nominal_alpha(pairs) == pytest.approx(expected)


def test_reports_render(two: AgreementReport) -> None:
    data = json.loads(json.dumps(two.to_dict()))
    assert data["compared_tasks"] == 2
    text = two.to_text()
    assert "entities     GPE         0.667       0.667" in text
    markdown = two.to_markdown()
    # 2/3 of a 30-cell bar: 20 full cells, then 10 cells of padding.
    assert "entities GPE      strict  " + "█" * 20 + " " * 11 + "0.667\n" in markdown
    assert "| user 1 | 3 | 5 | 3 | 2 | 0.588 | 0.824 |" in markdown


def test_cli_agreement_json_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "agreement.md"
    assert main(["agreement", str(TWO), "--format", "json", "--report", str(report)]) == 0
    data = json.loads(capsys.readouterr().out)
    claims = next(x for x in data["labels"] if x["layer"] == "claims")
    assert claims["strict_f1"] == pytest.approx(0.8)
    assert report.read_text(encoding="utf-8").startswith("# Inter-annotator agreement\n")


def test_an_adjudicated_version_is_not_counted_as_an_annotator(
    schemas: SchemaSet, two: AgreementReport
) -> None:
    """Two annotators plus an adjudicator's ground truth: agreement is between the two."""
    tasks = _tasks(TWO, schemas)
    adjudicated = [
        dataclasses.replace(
            t,
            submissions=(
                *t.submissions,
                Submission(
                    9999,
                    "adjudicator",
                    True,
                    dataclasses.replace(t.submissions[0].layers, entities=()),
                ),
            ),
        )
        if len(t.submissions) >= 2
        else t
        for t in tasks
    ]
    report = agreement(adjudicated, schemas)
    assert report.labels == two.labels
    assert report.attributes == two.attributes
    assert "adjudicator" in {a.annotator for a in report.annotators}


def test_ground_truth_of_one_of_two_annotators_still_counts(
    schemas: SchemaSet, two: AgreementReport
) -> None:
    tasks = _tasks(TWO, schemas)
    marked = [
        dataclasses.replace(
            t,
            submissions=(
                dataclasses.replace(t.submissions[0], ground_truth=True),
                *t.submissions[1:],
            ),
        )
        for t in tasks
    ]
    assert agreement(marked, schemas).labels == two.labels
