"""``annotate diff``: pairing, what counts as a change, symmetry; versions; kept predictions."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.bench.rescore import rescore
from annotate.bench.run import append_leaderboard, gold_version, score_predictions
from annotate.bench.stored import stored_predictions
from annotate.dataset.reader import load_gold
from annotate.dataset.version import (
    bump,
    read_release,
    rebuilt_release,
    release_after,
    release_part,
)
from annotate.dataset.writer import read_gold
from annotate.errors import InvalidInputError, PredictionsError
from annotate.gold.diff import GoldDiff, diff_gold, match_items
from annotate.predictions import Prediction, entity
from annotate.records import Annotation, Claim, Document, Entity, Event
from annotate.schema import SchemaSet

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "gold"
TEXT = "Putin met Assad in Sochi on Monday and said the war is ending."
DOC = Document("d1", TEXT, "wire", "2017-11-21", "en")
PUTIN = Entity("e1", 0, 5, "Putin", "PERSON", canonical="Vladimir Putin")
ASSAD = Entity("e2", 10, 15, "Assad", "PERSON")
SOCHI = Entity("e3", 19, 24, "Sochi", "GPE")
CLAIM = Claim("c1", 44, 61, "the war is ending", "paraphrase", speaker="e1")
MET = Event("v1", 6, 9, "met", "2017-11-20", "day", "relative")
BASE = Annotation(DOC, (PUTIN, ASSAD, SOCHI), (CLAIM,), (MET,))


def changed(old: Annotation, new: Annotation, schemas: SchemaSet) -> list[tuple[Any, ...]]:
    return [
        (c.layer, c.kind, tuple((f.field, f.old, f.new) for f in c.fields))
        for c in diff_gold([old], [new], schemas).changes
    ]


def test_no_change_is_an_empty_diff(schemas: SchemaSet) -> None:
    result = diff_gold([BASE], [BASE], schemas)
    assert result.empty
    assert result.to_text() == "No change in 1 document(s).\n"


def test_ids_and_annotators_are_not_content(schemas: SchemaSet) -> None:
    renamed = replace(
        BASE,
        entities=(replace(PUTIN, id="x9", annotators=("someone",)), ASSAD, SOCHI),
        claims=(replace(CLAIM, speaker="x9"),),
    )
    assert diff_gold([BASE], [renamed], schemas).empty


def test_each_kind_of_change(schemas: SchemaSet) -> None:
    new = replace(
        BASE,
        entities=(
            replace(PUTIN, canonical=None),  # attribute (free text)
            replace(ASSAD, label="ORG"),  # relabelled
            Entity("e4", 28, 34, "Monday", "EVENT"),  # added; SOCHI removed
        ),
        claims=(replace(CLAIM, start=39, text="said the war is ending"),),  # moved
        event_dates=(replace(MET, date="2017-11-21", basis="explicit"),),  # two attributes
    )
    assert changed(BASE, new, schemas) == [
        ("entities", "changed", (("canonical", "Vladimir Putin", None),)),
        ("entities", "changed", (("label", "PERSON", "ORG"),)),
        ("entities", "removed", ()),
        ("entities", "added", ()),
        (
            "claims",
            "changed",
            (("boundary", '[44, 61) "the war is ending"', '[39, 61) "said the war is ending"'),),
        ),
        (
            "event_dates",
            "changed",
            (("date", "2017-11-20", "2017-11-21"), ("basis", "relative", "explicit")),
        ),
    ]
    result = diff_gold([BASE], [new], schemas)
    assert {
        k: result.count(k) for k in ("added", "removed", "relabelled", "moved", "attributes")
    } == {
        "added": 1,
        "removed": 1,
        "relabelled": 1,
        "moved": 1,
        "attributes": 2,
    }
    assert result.rows()[0] == ["entities", "PERSON", "0", "0", "0", "0", "canonical 1"]


def test_a_moved_speaker_does_not_change_its_claims(schemas: SchemaSet) -> None:
    moved = replace(PUTIN, start=1, text="utin")
    new = replace(BASE, entities=(moved, ASSAD, SOCHI))
    assert [c.layer for c in diff_gold([BASE], [new], schemas).changes] == ["entities"]


def test_a_new_speaker_is_named_by_its_entity(schemas: SchemaSet) -> None:
    new = replace(BASE, claims=(replace(CLAIM, speaker="e2"),))
    assert changed(BASE, new, schemas) == [
        ("claims", "changed", (("speaker", '[0, 5) "Putin"', '[10, 15) "Assad"'),))
    ]
    none = replace(BASE, claims=(replace(CLAIM, speaker=None),))
    assert changed(BASE, none, schemas)[0][2] == (("speaker", '[0, 5) "Putin"', None),)


def test_documents_added_removed_and_changed_text(schemas: SchemaSet) -> None:
    other = Annotation(Document("d2", "Xi.", "wire", "2017-11-21", "en"))
    edited = replace(BASE, document=replace(DOC, text=TEXT.replace("war", "WAR")))
    result = diff_gold([BASE], [edited, other], schemas)
    assert (result.documents_added, result.documents_removed) == (("d2",), ())
    assert result.texts_changed == ("d1",)
    assert not result.empty
    assert diff_gold([edited, other], [BASE], schemas).documents_removed == ("d2",)


def test_markdown_lists_items_only_when_few(schemas: SchemaSet) -> None:
    new = replace(BASE, entities=(PUTIN, ASSAD))
    result = diff_gold([BASE], [new], schemas)
    assert "- `d1` entities GPE [19, 24) “Sochi”: removed\n" in result.to_markdown()
    assert "1 changed items: `annotate diff` lists them." in result.to_markdown(listed=0)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["counts"]["removed"] == 1
    assert data["changes"][0]["old"]["id"] == "e3"


def test_identical_spans_pair_before_overlapping_ones() -> None:
    old = [Entity("a", 0, 10, "x" * 10, "GPE")]
    new = [Entity("b", 0, 30, "x" * 30, "GPE"), Entity("c", 0, 10, "x" * 10, "GPE")]
    assert match_items(old, new) == [(0, 1)]
    same_span = [Entity("d", 0, 10, "x" * 10, "ORG"), Entity("e", 0, 10, "x" * 10, "GPE")]
    assert match_items(old, same_span, lambda e: e.label) == [(0, 1)]


def test_paths_that_are_no_gold_are_reported(tmp_path: Path, schemas: SchemaSet) -> None:
    with pytest.raises(InvalidInputError, match="neither a gold dataset folder"):
        load_gold(tmp_path / "missing", schemas)
    with pytest.raises(InvalidInputError, match="not a gold dataset folder"):
        load_gold(tmp_path, schemas)


# --- symmetry: diff(A, B) and diff(B, A) --------------------------------------------------

SPANS = st.tuples(st.integers(0, 40), st.integers(1, 8)).map(lambda s: (s[0], s[0] + s[1]))


@st.composite
def annotations(draw: st.DrawFn) -> Annotation:
    entities = tuple(
        Entity(f"e{n}", a, b, TEXT[a:b], draw(st.sampled_from(["PERSON", "GPE"])))
        for n, (a, b) in enumerate(draw(st.lists(SPANS, max_size=6)))
    )
    ids = [e.id for e in entities]
    claims = tuple(
        Claim(
            f"c{n}",
            a,
            b,
            TEXT[a:b],
            draw(st.sampled_from(["quote", "assertion"])),
            draw(st.sampled_from([None, *ids])),
        )
        for n, (a, b) in enumerate(draw(st.lists(SPANS, max_size=4)))
    )
    events = tuple(
        Event(
            f"v{n}", a, b, TEXT[a:b], draw(st.sampled_from(["2017", "2017-11"])), "year", "explicit"
        )
        for n, (a, b) in enumerate(draw(st.lists(SPANS, max_size=4)))
    )
    return Annotation(DOC, entities, claims, events)


def _reversed(result: GoldDiff) -> set[tuple[Any, ...]]:
    swap = {"added": "removed", "removed": "added", "changed": "changed"}
    return {
        (c.layer, swap[c.kind], c.new, c.old, tuple(f.flipped() for f in c.fields))
        for c in result.changes
    }


@settings(max_examples=150, deadline=None)
@given(annotations(), annotations())
def test_diff_is_symmetric(a: Annotation, b: Annotation) -> None:
    schemas = SchemaSet()
    forward, backward = diff_gold([a], [b], schemas), diff_gold([b], [a], schemas)
    assert _reversed(forward) == {
        (c.layer, c.kind, c.old, c.new, c.fields) for c in backward.changes
    }
    assert forward.count("added") == backward.count("removed")
    assert diff_gold([a], [a], schemas).empty


# --- versions -----------------------------------------------------------------------------


def test_version_rule() -> None:
    empty, one = GoldDiff(()), diff_gold([BASE], [replace(BASE, claims=())], SchemaSet())
    assert (release_part(True, empty), release_part(False, one), release_part(False, empty)) == (
        "major",
        "minor",
        "patch",
    )
    assert bump("1.9.3", "minor") == "1.10.0"
    with pytest.raises(InvalidInputError, match=r"expected MAJOR\.MINOR\.PATCH"):
        bump("v1", "patch")


def test_a_schema_change_is_a_major_release(tmp_path: Path, schemas: SchemaSet) -> None:
    previous = tmp_path / "previous"
    shutil.copytree(GOLD, previous)
    card = previous / "README.md"
    card.write_text(
        card.read_text(encoding="utf-8").replace(
            f"schema_version: {schemas.version}", "schema_version: 000000000000"
        ),
        encoding="utf-8",
    )
    release = release_after(previous, read_gold(GOLD), schemas)
    assert (release.version, release.part, release.previous) == ("2.0.0", "major", "1.0.0")
    assert (release.changelog() or "").startswith(
        "## Changes since v1.0.0\n\nVersion 2.0.0 is a major"
    )


def test_a_card_from_before_versions_is_one_point_zero(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\nlicense: other\n---\n\n# x\n\nSchema version: `abc123`.\n", encoding="utf-8"
    )
    assert read_release(tmp_path).version == "1.0.0"
    assert read_release(tmp_path).schema_version == "abc123"


# --- kept predictions ---------------------------------------------------------------------


def test_a_run_keeps_its_predictions(tmp_path: Path) -> None:
    board = tmp_path / "board.json"
    predictions = [Prediction.of("d1", "demo", "1", entities=(entity(0, 5, "PERSON"),))]
    run = append_leaderboard(
        board, score_predictions([BASE], predictions), "demo", "1", "abc", "test"
    )
    assert run["predictions"]["path"].startswith("board.predictions/")
    assert stored_predictions(board, run) == predictions
    again = append_leaderboard(
        board, score_predictions([BASE], predictions), "demo", "1", "abc", "test"
    )
    assert again["predictions"] == run["predictions"]  # stored once, by content
    (tmp_path / run["predictions"]["path"]).write_text("{}\n", encoding="utf-8")
    with pytest.raises(PredictionsError, match="changed since the run"):
        stored_predictions(board, run)
    with pytest.raises(InvalidInputError, match="kept no predictions"):
        stored_predictions(board, {"extractor": "demo", "version": "1", "date": "2017-11-21"})


def test_rescore_on_a_small_gold(tmp_path: Path, schemas: SchemaSet) -> None:
    board = tmp_path / "board.json"
    predicted = (entity(0, 5, "PERSON"), entity(10, 15, "ORG"))
    predictions = [Prediction.of("d1", "demo", "1", entities=predicted)]
    append_leaderboard(
        board, score_predictions([BASE], predictions), "demo", "1", gold_version([BASE]), "test"
    )
    # Assad was PERSON; the baseline said ORG, and the correction agrees with it.
    new = replace(BASE, entities=(PUTIN, replace(ASSAD, label="ORG"), SOCHI))
    report = rescore(board, [new], schemas, old_gold=[BASE])
    (run,) = report.runs
    # strict: 1 of 2 predicted right of 3 gold, F1 = 2/5; then 2 of 2, F1 = 4/5.
    assert run.before["entities.strict.f1"] == pytest.approx(2 / 5)
    assert run.moved()["entities.strict.f1"] == pytest.approx(4 / 5 - 2 / 5)
    assert [v.status for v in run.verdicts] == ["gold error"]
    assert "note:" not in run.to_text()
    other = rescore(board, [new], schemas, old_gold=[replace(BASE, claims=())])
    assert "note: the old gold given is" in other.runs[0].to_text()
    assert "no score moved" in rescore(board, [BASE], schemas).to_text()


def test_a_rebuild_keeps_the_version_unless_items_changed(schemas: SchemaSet) -> None:
    gold = read_gold(GOLD)
    version, changes = rebuilt_release(GOLD, gold, schemas)
    assert version == "1.0.0"
    assert changes == (
        "## Changes\n\nVersion 1.0.0 is the first version: there is no earlier one to compare "
        "with.\n"
    )
    first = gold[0]
    corrected = [replace(first, claims=first.claims[1:]), *gold[1:]]
    version, changes = rebuilt_release(GOLD, corrected, schemas)
    assert version == "1.1.0"
    assert (changes or "").startswith("## Changes since v1.0.0\n\nVersion 1.1.0 is a minor")
    assert "(0 added, 1 removed," in (changes or "")


def test_a_run_without_kept_predictions_is_skipped(tmp_path: Path, schemas: SchemaSet) -> None:
    board = tmp_path / "board.json"
    append_leaderboard(
        board, score_predictions([BASE], []), "demo", "1", gold_version([BASE]), "test"
    )
    data = json.loads(board.read_text(encoding="utf-8"))
    data["runs"].append({**data["runs"][0], "extractor": "older"})
    del data["runs"][1]["predictions"]
    board.write_text(json.dumps(data), encoding="utf-8")
    report = rescore(board, [BASE], schemas)
    assert [r.run["extractor"] for r in report.runs] == ["demo"]
    assert [run["extractor"] for run, _ in report.skipped] == ["older"]
    assert "not scored again: older 1" in report.to_text()
    assert "kept no predictions" in report.to_text()
