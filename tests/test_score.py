"""Scores against figures computed by hand, and entity figures against nervaluate itself."""

from __future__ import annotations

import doctest
import json
import random
from pathlib import Path
from typing import Any

import pytest
from nervaluate import Evaluator

import annotate.bench.score
from annotate.bench.score import (
    SCHEMES,
    SemEvalCounts,
    render_table,
    score,
    score_entities,
    score_layer,
)
from annotate.errors import PredictionsError
from annotate.predictions import Prediction, claim, entity
from annotate.records import Annotation, Claim, Document, Entity, date_right, date_within_day

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
LABELS = ["PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"]


def load_case(name: str) -> tuple[Annotation, Prediction]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return Annotation.from_dict(data["gold"]), Prediction.from_dict(data["predictions"])


def test_doctests_pass() -> None:
    assert doctest.testmod(annotate.bench.score).failed == 0


# --- entities: by hand ------------------------------------------------------------------
#
# entities.json, text "Vladimir Putin met Bashar Assad in Sochi and Geneva with Russian envoys
# of the Kremlin.":
#   gold  g1 Vladimir Putin PERSON, g2 Bashar Assad PERSON, g3 Sochi GPE, g4 Geneva GPE,
#         g5 Russian NORP, g6 Kremlin ORG
#   pred  p1 Vladimir Putin PERSON   same span, same label
#         p2 Assad PERSON            inside g2, same label
#         p3 Sochi ORG               same span as g3, wrong label
#         p4 Russian envoys ORG      overlaps g5, wrong label
#         p5 met ORG                 overlaps nothing
#   g4 and g6 are missed by every scheme.
#
#   strict:   p1 correct; p2, p3, p4 incorrect; p5 spurious    C1 I3 P0 M2 S1
#             actual = 1+3+0+1 = 5, possible = 1+3+0+2 = 6
#             P = 1/5, R = 1/6, F1 = 2(1/5)(1/6) / (1/5 + 1/6) = (2/30) / (11/30) = 2/11
#   exact:    p1, p3 correct (same spans); p2, p4 incorrect     C2 I2 P0 M2 S1
#             P = 2/5, R = 2/6, F1 = 2(2/5)(1/3) / (2/5 + 1/3) = (4/15) / (11/15) = 4/11
#   partial:  p1, p3 correct; p2, p4 partial                   C2 I0 P2 M2 S1
#             P = (2 + 0.5*2)/5 = 3/5, R = 3/6, F1 = 2(3/5)(1/2) / (3/5 + 1/2) = 6/11
#   ent_type: p1, p2 correct (overlap, same label); p3, p4 incorrect   C2 I2 P0 M2 S1
#             P = 2/5, R = 1/3, F1 = 4/11
#
# Per label, each label alone (strict): PERSON p1 correct, p2 incorrect -> P = R = F1 = 1/2;
# GPE g3, g4 missed -> 0; NORP g5 missed -> 0; ORG p3, p4, p5 spurious, g6 missed -> 0.
# Macro strict F1 = (1/2 + 0 + 0 + 0) / 4 = 1/8. Per label ent_type: PERSON p1, p2 correct
# -> F1 1; the rest 0 -> macro 1/4. Per label partial: PERSON (1 + 0.5)/2 = 3/4 -> F1 3/4.

HAND_ENTITIES = {
    "strict": (SemEvalCounts(1, 3, 0, 2, 1), 1 / 5, 1 / 6, 2 / 11),
    "exact": (SemEvalCounts(2, 2, 0, 2, 1), 2 / 5, 2 / 6, 4 / 11),
    "partial": (SemEvalCounts(2, 0, 2, 2, 1), 3 / 5, 3 / 6, 6 / 11),
    "ent_type": (SemEvalCounts(2, 2, 0, 2, 1), 2 / 5, 1 / 3, 4 / 11),
}


@pytest.mark.parametrize("scheme", [pytest.param(s, id=s) for s in SCHEMES])
def test_entity_schemes_by_hand(scheme: str) -> None:
    gold, pred = load_case("entities.json")
    result = score_entities([gold], [pred]).schemes[scheme]
    counts, precision, recall, f1 = HAND_ENTITIES[scheme]
    assert result.counts == counts
    assert result.micro.precision == pytest.approx(precision)
    assert result.micro.recall == pytest.approx(recall)
    assert result.micro.f1 == pytest.approx(f1)


def test_entity_labels_and_macro_by_hand() -> None:
    gold, pred = load_case("entities.json")
    schemes = score_entities([gold], [pred]).schemes
    strict = schemes["strict"]
    assert set(strict.labels) == {"PERSON", "GPE", "NORP", "ORG"}
    assert strict.labels["PERSON"] == SemEvalCounts(correct=1, incorrect=1)
    assert strict.labels["ORG"] == SemEvalCounts(missed=1, spurious=3)
    assert strict.labels["PERSON"].scores.f1 == pytest.approx(1 / 2)
    assert strict.macro.f1 == pytest.approx(1 / 8)
    assert schemes["ent_type"].macro.f1 == pytest.approx(1 / 4)
    assert schemes["partial"].labels["PERSON"].scores.f1 == pytest.approx(3 / 4)


def test_entity_counts_sum_over_documents() -> None:
    # Two documents, one right mention each, plus one spurious in the second:
    # strict C2 S1 -> P = 2/3, R = 2/2, F1 = 2(2/3)(1) / (5/3) = 4/5.
    docs = [Document(f"d{i}", "Putin met Assad.", "wire", "2017-11-21", "en") for i in (1, 2)]
    gold = [Annotation(d, entities=(Entity("e", 0, 5, "Putin", "PERSON"),)) for d in docs]
    preds = [
        Prediction.of("d1", "t", "1", entities=(entity(0, 5, "PERSON"),)),
        Prediction.of("d2", "t", "1", entities=(entity(0, 5, "PERSON"), entity(6, 9, "ORG"))),
    ]
    strict = score_entities(gold, preds).schemes["strict"]
    assert strict.counts == SemEvalCounts(correct=2, spurious=1)
    assert strict.micro.f1 == pytest.approx(4 / 5)


# --- entities: equal to nervaluate ------------------------------------------------------


def nervaluate_results(gold: list[Annotation], preds: list[Prediction]) -> Any:
    """nervaluate on the same mentions; its ends are inclusive, so end - 1."""

    def spans(mentions: list[tuple[int, int, str]]) -> list[dict[str, object]]:
        return [{"label": label, "start": s, "end": e - 1} for s, e, label in sorted(mentions)]

    true = [spans([(e.start, e.end, e.label) for e in a.entities]) for a in gold]
    pred = [spans([(e.start, e.end, e.label) for e in p.entities]) for p in preds]
    return Evaluator(true, pred, tags=LABELS, loader="dict").evaluate()


def assert_equal_to_nervaluate(gold: list[Annotation], preds: list[Prediction]) -> None:
    ours = score_entities(gold, preds)
    theirs = nervaluate_results(gold, preds)
    for scheme in SCHEMES:
        pairs = [(ours.schemes[scheme].counts, theirs["overall"][scheme])]
        assert set(ours.schemes[scheme].labels) == set(theirs["entities"])
        for label, counts in ours.schemes[scheme].labels.items():
            pairs.append((counts, theirs["entities"][label][scheme]))
        for counts, result in pairs:
            ours_tuple = (
                counts.correct,
                counts.incorrect,
                counts.partial,
                counts.missed,
                counts.spurious,
            )
            theirs_tuple = (
                result.correct,
                result.incorrect,
                result.partial,
                result.missed,
                result.spurious,
            )
            assert ours_tuple == theirs_tuple, scheme
            # Same formula, same floats: equal to the last bit.
            assert (counts.scores.precision, counts.scores.recall, counts.scores.f1) == (
                result.precision,
                result.recall,
                result.f1,
            )


def test_hand_case_equals_nervaluate() -> None:
    gold, pred = load_case("entities.json")
    assert_equal_to_nervaluate([gold], [pred])


def test_one_percent_overlap_threshold_equals_nervaluate() -> None:
    # A 1-character overlap with a 150-character gold span is under nervaluate's 1%:
    # no overlap, so the prediction is spurious and the gold missed in every scheme.
    doc = Document("d", "x" * 400, "wire", "2017-11-21", "en")
    gold = Annotation(doc, entities=(Entity("e", 100, 250, "x" * 150, "EVENT"),))
    pred = Prediction.of("d", "t", "1", entities=(entity(249, 260, "EVENT"),))
    assert score_entities([gold], [pred]).schemes["partial"].counts == SemEvalCounts(
        missed=1, spurious=1
    )
    assert_equal_to_nervaluate([gold], [pred])


Mention = tuple[int, int, str]


def random_gold(rng: random.Random) -> list[Mention]:
    starts = [rng.randint(0, 600) for _ in range(rng.randint(0, 8))]
    lengths = [1, 5, 12, 150, 300]  # long spans make nervaluate's 1% threshold matter
    return sorted({(s, s + rng.choice(lengths), rng.choice(LABELS[:4])) for s in starts})


def random_predictions(rng: random.Random, gold: list[Mention]) -> list[Mention]:
    """Gold mentions kept, relabelled, shifted or dropped, plus noise."""
    pred = set()
    for s, e, label in gold:
        roll = rng.random()
        if roll < 0.35:
            pred.add((s, e, label))
        elif roll < 0.5:
            pred.add((s, e, rng.choice(LABELS[:4])))
        elif roll < 0.7:
            pred.add((max(0, s + rng.randint(-3, 3)), e + rng.randint(0, 3), label))
    for _ in range(rng.randint(0, 3)):
        s = rng.randint(0, 900)
        pred.add((s, s + rng.randint(1, 20), rng.choice(LABELS[:4])))
    return sorted(pred)


def random_case(seed: int) -> tuple[list[Annotation], list[Prediction]]:
    rng = random.Random(seed)
    gold_docs, pred_docs = [], []
    for d in range(rng.randint(1, 4)):
        doc = Document(f"d{d}", "x" * 1000, "wire", "2017-11-21", "en")
        gold = random_gold(rng)
        entities = [Entity(f"e{i}", s, e, "x" * (e - s), lab) for i, (s, e, lab) in enumerate(gold)]
        gold_docs.append(Annotation(doc, entities=tuple(entities)))
        predicted = [entity(s, e, lab) for s, e, lab in random_predictions(rng, gold)]
        pred_docs.append(Prediction.of(doc.id, "t", "1", entities=tuple(predicted)))
    return gold_docs, pred_docs


@pytest.mark.parametrize("seed", [pytest.param(seed, id=f"seed-{seed}") for seed in range(100)])
def test_random_cases_equal_nervaluate(seed: int) -> None:
    assert_equal_to_nervaluate(*random_case(seed))


# --- claims -----------------------------------------------------------------------------
#
# claims.json, text "“The war is over,” Vladimir Putin said. Putin’s aide Peskov said the talks
# went well. The summit starts soon. Assad thanked Putin for the help."
#   gold  c1 "The war is over" quote, speaker e1 (Vladimir Putin, canonical Vladimir Putin)
#         c2 "the talks went well" paraphrase, speaker e3 (Peskov)
#         c3 "The summit starts soon" assertion, no speaker
#         c4 "Assad thanked Putin for the help" assertion, no speaker
#   pred  p1 = c1's span, quote, speaker = the last "Putin" (e5, canonical Vladimir Putin)
#         p2 "talks went well" (inside c2), quote, speaker = "Assad"
#         p3 = c3's span, assertion, no speaker
#         p4 "Putin’s aide" paraphrase: overlaps no claim
#   strict matches p1, p3: P = 2/4, R = 2/4, F1 = 1/2
#   relaxed matches p1, p2, p3: P = 3/4, R = 3/4, F1 = 3/4
#   type on the 3 matches: p1 right, p2 wrong (quote vs paraphrase), p3 right -> 2/3
#   speaker: p1 right (overlaps a mention with the gold speaker's canonical name), p2 wrong
#   (Assad is not Peskov), p3 right (none and none) -> 2/3
#   attribute F1 = accuracy x relaxed F1 = 2/3 x 3/4 = 1/2 for both


def test_claims_by_hand() -> None:
    gold, pred = load_case("claims.json")
    result = score_layer([gold], [pred], "claims")
    assert (result.spans.gold, result.spans.predicted) == (4, 4)
    assert (result.spans.strict_matches, result.spans.relaxed_matches) == (2, 3)
    assert result.spans.strict.f1 == pytest.approx(1 / 2)
    assert result.spans.relaxed.precision == pytest.approx(3 / 4)
    assert result.spans.relaxed.f1 == pytest.approx(3 / 4)
    assert (result.attributes["type"].correct, result.attributes["type"].total) == (2, 3)
    assert (result.attributes["speaker"].correct, result.attributes["speaker"].total) == (2, 3)
    assert result.attributes["type"].f1(result.spans) == pytest.approx(1 / 2)
    assert result.attributes["speaker"].f1(result.spans) == pytest.approx(1 / 2)


SPEAKER_TEXT = "Putin said it. Vladimir Putin agreed. Peskov nodded. Putin again."
#               0    5          16             31     38     45     53   58


@pytest.mark.parametrize(
    ("gold_speaker", "predicted", "right"),
    [
        pytest.param("e1", (0, 5), True, id="the-gold-mention-itself"),
        pytest.param("e1", (20, 25), True, id="another-mention-same-canonical"),
        pytest.param("e1", (38, 44), False, id="a-different-person"),
        pytest.param("e1", None, False, id="missing-speaker"),
        pytest.param(None, None, True, id="no-speaker-in-both"),
        pytest.param(None, (0, 5), False, id="speaker-where-gold-has-none"),
        pytest.param("e4", (53, 58), True, id="no-canonical-the-mention-itself"),
        pytest.param("e4", (0, 5), False, id="no-canonical-same-text-elsewhere"),
    ],
)
def test_speaker_attribution(
    gold_speaker: str | None, predicted: tuple[int, int] | None, right: bool
) -> None:
    doc = Document("d", SPEAKER_TEXT, "wire", "2017-11-21", "en")
    entities = (
        Entity("e1", 0, 5, "Putin", "PERSON", "Vladimir Putin"),
        Entity("e2", 15, 29, "Vladimir Putin", "PERSON", "Vladimir Putin"),
        Entity("e3", 38, 44, "Peskov", "PERSON", "Dmitry Peskov"),
        Entity("e4", 53, 58, "Putin", "PERSON"),
    )
    gold = Annotation(
        doc, entities=entities, claims=(Claim("c", 6, 13, "said it", "paraphrase", gold_speaker),)
    )
    pred = Prediction.of("d", "t", "1", claims=(claim(6, 13, "paraphrase", predicted),))
    assert score_layer([gold], [pred], "claims").attributes["speaker"].correct == int(right)


# --- events -----------------------------------------------------------------------------
#
# events.json, text "They met on Monday. Talks resume on Wednesday. The visit was in November.
# The war began in 2015. He resigned on Monday. Officials spoke later. The call came on Monday."
#   gold  v1 met 2017-11-20 day, v2 resume 2017-11-22 day, v3 visit 2017-11 month,
#         v4 began 2015 year, v5 resigned 2017-11-20 day, v6 call 2017-11-20 day
#   pred  p1 met 2017-11-21 day          same span, one day off
#         p2 resume 2017-12-22 day       same span, one month off
#         p3 "The visit" 2017-11-05 day  overlaps v3, finer than gold
#         p4 began 2015-10 month         same span, finer than gold
#         p5 spoke                       spurious
#         p6 call 2017-11 month          same span, coarser than gold
#   v5 is missed.
#   strict matches p1 p2 p4 p6: P = R = 4/6, F1 = 2/3
#   relaxed matches + p3: P = R = 5/6, F1 = 5/6
#   date at gold precision: p3 (2017-11-05 -> 2017-11) and p4 (2015-10 -> 2015) right; p1, p2
#   wrong; p6 wrong (less precise than gold) -> 2/5
#   within one day: also p1 -> 3/5 (p2, a month off, and p6 stay wrong)
#   precision: p1, p2 right (day = day); p3, p4, p6 wrong -> 2/5
#   date F1 = 2/5 x 5/6 = 1/3


def test_events_by_hand() -> None:
    gold, pred = load_case("events.json")
    result = score_layer([gold], [pred], "event_dates")
    assert (result.spans.gold, result.spans.predicted) == (6, 6)
    assert (result.spans.strict_matches, result.spans.relaxed_matches) == (4, 5)
    assert result.spans.strict.f1 == pytest.approx(2 / 3)
    assert result.spans.relaxed.f1 == pytest.approx(5 / 6)
    assert (result.attributes["date"].correct, result.attributes["date"].total) == (2, 5)
    assert (
        result.attributes["date_within_day"].correct,
        result.attributes["date_within_day"].total,
    ) == (3, 5)
    assert (result.attributes["precision"].correct, result.attributes["precision"].total) == (2, 5)
    assert result.attributes["date"].f1(result.spans) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("gold", "predicted", "right", "within_day"),
    [
        pytest.param("2017-11-20", "2017-11-20", True, True, id="same-day"),
        pytest.param("2017-11-20", "2017-11-21", False, True, id="one-day-off"),
        pytest.param("2017-11-30", "2017-12-01", False, True, id="one-day-off-across-months"),
        pytest.param("2017-11-20", "2017-11-22", False, False, id="two-days-off"),
        pytest.param("2017-11-20", "2017-12-20", False, False, id="one-month-off"),
        pytest.param("2017-11", "2017-11-20", True, True, id="finer-prediction"),
        pytest.param("2017-11-20", "2017-11", False, False, id="coarser-prediction"),
        pytest.param("2015", "2015-10", True, True, id="year-from-month"),
    ],
)
def test_date_comparisons(gold: str, predicted: str, right: bool, within_day: bool) -> None:
    assert date_right(gold, predicted) is right
    assert date_within_day(gold, predicted) is within_day


# --- matching, aggregation, reports -----------------------------------------------------


def test_misaligned_predictions_are_refused() -> None:
    gold, pred = load_case("entities.json")
    other = Prediction.of("someone-else", "t", "1")
    with pytest.raises(PredictionsError, match="prediction 0 is for document 'someone-else'"):
        score([gold], [other])
    with pytest.raises(PredictionsError, match="cannot score 2 prediction"):
        score([gold], [pred, pred])


def test_no_gold_and_no_predictions_score_zero() -> None:
    doc = Document("d", "Nothing here.", "wire", "2017-11-21", "en")
    result = score([Annotation(doc)], [Prediction.of("d", "t", "1")])
    assert set(result.flat_scores().values()) == {0.0}


def test_report_outputs() -> None:
    cases = [load_case(name) for name in ("entities.json", "claims.json", "events.json")]
    result = score([g for g, _ in cases], [p for _, p in cases])
    flat = result.flat_scores()
    assert flat["claims.relaxed.f1"] == pytest.approx(3 / 4)
    assert flat["events.date_accuracy"] == pytest.approx(2 / 5)
    assert {"entities.strict.f1", "entities.partial.f1", "claims.speaker_accuracy"} <= set(flat)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["entities"]["strict"]["micro"]["correct"] == 1
    assert data["claims"]["type"] == {"correct": 2, "total": 3, "accuracy": 2 / 3, "f1": 0.5}
    assert "Documents scored: 3" in render_table(result)
    assert "  date_within_day" in render_table(result)
    entities_only = render_table(score([cases[0][0]], [cases[0][1]]))
    assert (
        "  strict    0.200  0.167  0.182     0.125        1          3        0       2"
        in entities_only
    )
