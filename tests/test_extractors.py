"""The baseline extractors on short invented sentences, and on the seed corpus."""

from __future__ import annotations

import doctest
import itertools
import types
from pathlib import Path

import pytest

import annotate.extractors
import annotate.extractors.baseline
import annotate.extractors.claims
import annotate.extractors.dates
import annotate.extractors.entities
from annotate.corpus import load_corpus
from annotate.errors import SchemaError
from annotate.extractors import baseline, claims, dates, entities, sentences
from annotate.predictions import check_prediction, id_span
from annotate.problems import Location
from annotate.records import Document, Entity
from annotate.schema import SchemaSet

CORPUS = Path(__file__).parent.parent / "corpus" / "sochi-2017"
TUESDAY = "2017-11-21"  # the publication date of every document below


def doc(text: str, published: str = TUESDAY) -> Document:
    return Document("d", text, "wire", published, "en")


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(annotate.extractors, id="extractors"),
        pytest.param(annotate.extractors.entities, id="entities"),
        pytest.param(annotate.extractors.claims, id="claims"),
        pytest.param(annotate.extractors.dates, id="dates"),
        pytest.param(annotate.extractors.baseline, id="baseline"),
    ],
)
def test_doctests_pass(module: types.ModuleType) -> None:
    assert doctest.testmod(module).failed == 0


def test_sentences() -> None:
    text = "Mr. Putin met him in the U.S. on Monday. “Fine,” he said.\nNew paragraph"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Mr. Putin met him in the U.S. on Monday.",
        "“Fine,” he said.",
        "New paragraph",
    ]


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "trigger", "date", "precision", "basis"),
    [
        pytest.param(
            "They met on Monday.", "met", "2017-11-20", "day", "relative", id="past-weekday"
        ),
        pytest.param(
            "They will meet on Wednesday.",
            "meet",
            "2017-11-22",
            "day",
            "relative",
            id="future-weekday",
        ),
        pytest.param(
            "The Kremlin said on Tuesday.",
            "said",
            "2017-11-21",
            "day",
            "relative",
            id="publication-weekday",
        ),
        pytest.param(
            "The talks are scheduled for Thursday.",
            "talks",
            "2017-11-23",
            "day",
            "relative",
            id="scheduled",
        ),
        pytest.param(
            "Wednesday's talks will take place here.",
            "talks",
            "2017-11-22",
            "day",
            "relative",
            id="possessive-weekday-then-will",
        ),
        pytest.param(
            "Putin told Assad at the Monday meeting.",
            "meeting",
            "2017-11-20",
            "day",
            "relative",
            id="attributive-weekday",
        ),
        pytest.param(
            "He hosted Assad on Monday ahead of a summit.",
            "hosted",
            "2017-11-20",
            "day",
            "relative",
            id="trigger-before-the-expression-first",
        ),
        pytest.param(
            "The crisis began in March 2011.",
            "began",
            "2011-03",
            "month",
            "explicit",
            id="month-year",
        ),
        pytest.param(
            "In 2015, Russia launched a campaign.",
            "launched",
            "2015",
            "year",
            "explicit",
            id="year",
        ),
        pytest.param(
            "On November 20 talks took place.",
            "talks",
            "2017-11-20",
            "day",
            "explicit",
            id="month-day",
        ),
        pytest.param(
            "The congress was re-scheduled for early December.",
            "congress",
            "2017-12",
            "month",
            "explicit",
            id="bare-month-forward",
        ),
        pytest.param(
            "In January, Russia said it would leave.",
            "said",
            "2017-01",
            "month",
            "explicit",
            id="bare-month-past",
        ),
        pytest.param(
            "He told me about yesterday's meeting.",
            "meeting",
            "2017-11-20",
            "day",
            "relative",
            id="yesterday",
        ),
        pytest.param(
            "Prices rose sharply this month.",
            "this month",
            "2017-11",
            "month",
            "relative",
            id="no-trigger-keeps-the-expression",
        ),
    ],
)
def test_dated_events(text: str, trigger: str, date: str, precision: str, basis: str) -> None:
    [event] = dates.find_events(doc(text))
    assert (event.text, event.date, event.precision, event.basis) == (
        trigger,
        date,
        precision,
        basis,
    )
    assert text[event.start : event.end] == trigger


def test_a_week_across_two_months_is_skipped() -> None:
    # Next week from Tuesday 2017-11-21 runs from Monday 27 November to Sunday 3 December.
    assert dates.find_events(doc("Talks are due to resume in Geneva next week.")) == []


def test_a_week_inside_one_month_is_its_month() -> None:
    [event] = dates.find_events(doc("This week's visit was a surprise."))
    assert (event.text, event.date, event.precision) == ("visit", "2017-11", "month")


def test_weekdays_count_from_the_publication_date() -> None:
    [event] = dates.find_events(doc("They met on Monday.", published="2017-11-23"))
    assert event.date == "2017-11-20"


def test_a_trigger_dates_one_event() -> None:
    found = dates.find_events(doc("The meeting will take place on Tuesday and Wednesday."))
    assert [(e.text, e.date) for e in found] == [
        ("meeting", "2017-11-21"),
        ("Wednesday", "2017-11-22"),
    ]


# --- entities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "They met Mr Peskov there.", [("Peskov", "PERSON")], id="honorific-outside-the-span"
        ),
        pytest.param(
            "Syrian President Bashar al-Assad spoke.",
            [("Syrian", "NORP"), ("Bashar al-Assad", "PERSON")],
            id="demonym-title-name",
        ),
        pytest.param(
            "It angered the Kremlin and the Russian Defence Ministry.",
            [("Kremlin", "ORG"), ("Russian Defence Ministry", "ORG")],
            id="organisations",
        ),
        pytest.param(
            "They flew from Moscow to Geneva over the Black Sea.",
            [("Moscow", "GPE"), ("Geneva", "GPE"), ("Black Sea", "LOC")],
            id="places",
        ),
        pytest.param(
            "It is up to Russia’s leaders and Turkish voters.",
            [("Russia", "GPE"), ("Turkish", "NORP")],
            id="possessive-excluded",
        ),
        pytest.param("Iran-backed troops entered.", [("Iran", "GPE")], id="hyphenated-compound"),
        pytest.param("Breaking News\nRead more", [], id="furniture"),
    ],
)
def test_entities(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(e.text, e.label) for e in entities.find_entities(text)] == expected


def test_family_name_refers_to_the_full_name() -> None:
    found = entities.find_entities("Dmitry Peskov spoke first. Later Peskov added more.")
    assert [(e.text, e.canonical) for e in found] == [
        ("Dmitry Peskov", None),
        ("Peskov", "Dmitry Peskov"),
    ]


def test_unknown_single_word_is_left_out() -> None:
    assert entities.find_entities("Later Peskov added more.") == []


def test_title_case_headline_is_read_word_by_word() -> None:
    headline = "Putin Hosts Surprise Syrian Talks With Assad In Sochi"
    text = f"{headline}\nVladimir Putin and Bashar Assad met."
    found = [(e.text, e.label) for e in entities.find_entities(text)][:4]
    assert found == [("Putin", "PERSON"), ("Syrian", "NORP"), ("Assad", "PERSON"), ("Sochi", "GPE")]


def test_description_stands_for_a_named_person() -> None:
    text = "Vladimir Putin arrived. The Russian president said little."
    assert [e.text for e in entities.find_entities(text)] == ["Vladimir Putin", "Russian president"]


def test_rule_labels_must_exist_in_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(entities.RULE_LABELS, "person", "HUMAN")
    entities.labels.cache_clear()
    try:
        with pytest.raises(SchemaError, match="HUMAN not in the schema"):
            entities.find_entities("Vladimir Putin")
    finally:
        monkeypatch.undo()
        entities.labels.cache_clear()


# --- claims -----------------------------------------------------------------------------

PEOPLE_TEXT = "Vladimir Putin met Dmitry Peskov."


def people(text: str) -> list[Entity]:
    return entities.find_entities(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "“We will never give up the fight,” Vladimir Putin said.",
            [("We will never give up the fight", "quote", "Vladimir Putin")],
            id="quote-speaker-after",
        ),
        pytest.param(
            "Dmitry Peskov said “possible options have been discussed.”",
            [("possible options have been discussed", "quote", "Dmitry Peskov")],
            id="quote-speaker-before",
        ),
        pytest.param(
            "Dmitry Peskov said that the talks went very well.",
            [("the talks went very well", "paraphrase", "Dmitry Peskov")],
            id="said-that",
        ),
        pytest.param(
            "Assad was asked to come to Russia, the Kremlin said on Tuesday.",
            [("Assad was asked to come to Russia", "paraphrase", "Kremlin")],
            id="clause-before-said",
        ),
        pytest.param(
            "According to the Kremlin, the meeting lasted three hours.",
            [("the meeting lasted three hours", "paraphrase", "Kremlin")],
            id="according-to",
        ),
        pytest.param(
            "Putin told Assad that Moscow is about to leave.",
            [("Moscow is about to leave", "paraphrase", None)],
            id="told-that-unknown-speaker",
        ),
        pytest.param(
            "In January, Russia said it is pulling out its carrier.",
            [("it is pulling out its carrier", "paraphrase", None)],
            id="place-is-no-speaker",
        ),
        pytest.param(
            "The so-called “de-escalation zones” remain in place for now.",
            [("The so-called “de-escalation zones” remain in place for now", "assertion", None)],
            id="scare-quote-is-no-quote",
        ),
        pytest.param("Where next?", [], id="question-is-no-claim"),
    ],
)
def test_claims(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = claims.find_claims(text, people(text))
    spans = [id_span(c.speaker) if c.speaker else None for c in found]
    spoken = [
        (c.text, c.type, text[span[0] : span[1]] if span else None)
        for c, span in zip(found, spans, strict=True)
    ]
    assert spoken == expected


def test_pronoun_refers_to_the_last_person() -> None:
    text = "Vladimir Putin arrived late. He said that the war was nearly over."
    [claim] = claims.find_claims(text, people(text))
    assert (claim.text, claim.type, claim.speaker) == (
        "the war was nearly over",
        "paraphrase",
        "0-14",  # a predicted region's id is its span
    )


def test_a_quotation_is_split_at_paragraphs() -> None:
    text = '"First paragraph of the long quote.\n"Second paragraph of the long quote," he said.'
    found = claims.find_claims(text, [])
    assert [c.text for c in found] == [
        "First paragraph of the long quote",
        "Second paragraph of the long quote",
    ]


# --- on the seed corpus -----------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    return load_corpus(CORPUS)


def test_baseline_predictions_validate(corpus: list[Document]) -> None:
    """They are pushed to Label Studio as pre-annotations: they must pass validation."""
    schemas = SchemaSet()
    documents = {d.id: d for d in corpus}
    predictions = baseline.predict_corpus(corpus)
    assert [p.document_id for p in predictions] == list(documents)
    for prediction in predictions:
        where = Location(document_id=prediction.document_id)
        assert check_prediction(prediction.to_dict(), documents, schemas, where) == []
        assert prediction.entities and prediction.claims and prediction.event_dates


def test_baseline_speakers_are_predicted_entities(corpus: list[Document]) -> None:
    for prediction in baseline.predict_corpus(corpus):
        ids = {e.id for e in prediction.entities}
        assert {c.speaker for c in prediction.claims if c.speaker} <= ids


def test_baseline_entities_never_nest(corpus: list[Document]) -> None:
    for prediction in baseline.predict_corpus(corpus):
        ends = [(e.start, e.end) for e in prediction.entities]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))


@pytest.mark.parametrize(
    ("module", "name", "layer"),
    [
        pytest.param(entities, "baseline-entities", "entities", id="entities"),
        pytest.param(claims, "baseline-claims", "claims", id="claims"),
        pytest.param(dates, "baseline-dates", "event_dates", id="dates"),
        pytest.param(baseline, "baseline", "claims", id="baseline"),
    ],
)
def test_each_module_extracts_one_prediction(
    module: types.ModuleType, name: str, layer: str, corpus: list[Document]
) -> None:
    prediction = module.extract(corpus[0])
    assert (prediction.document_id, prediction.extractor, prediction.version) == (
        corpus[0].id,
        name,
        "1",
    )
    assert getattr(prediction, layer)
