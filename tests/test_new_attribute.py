"""An attribute added to a schema reaches every step with no code change.

A copy of the schemas gives claims a closed choice, ``stance``. The same code then puts it
in the labeling config, reads and validates it in an export, measures agreement on it,
writes it to the dataset, and scores it in ``bench``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from annotate.bench.run import score_predictions
from annotate.dataset.run import export_dataset
from annotate.dataset.writer import read_gold
from annotate.gold.agreement import agreement
from annotate.gold.validate import validate_export
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.convert import iter_tasks
from annotate.predictions import Prediction, check_prediction, claim
from annotate.problems import Location
from annotate.records import Annotation
from annotate.schema import SchemaSet

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "agreement" / "two-annotators.json"
GOLD_EXPORT = FIXTURES / "dataset" / "export.json"  # its tasks have a gold claim
STANCES = ["for", "against", "neutral"]
# The stance each annotator gave each claim region of the fixture, by region id.
GIVEN = {"a4": "for", "b4": "for", "a2": "against", "a3": "neutral", "b2": "for"}


def with_stance(schemas: dict[str, dict[str, Any]]) -> None:
    """The edit a project would make: one property in claims, and its place in predictions."""
    schemas["claims"]["properties"]["stance"] = {
        "enum": STANCES,
        "description": "Whether the claim supports the talks.",
        "x-annotate": {"control": "Choices", "title": "Stance"},
    }
    schemas["claims"]["required"].append("stance")
    predicted = schemas["predictions"]["properties"]["claims"]["items"]["properties"]
    predicted["stance"] = {"$ref": "urn:annotate:schema:claims#/properties/stance"}


@pytest.fixture
def stance_schemas(schema_copy: Callable[..., SchemaSet]) -> SchemaSet:
    return schema_copy(with_stance)


def stance_export(tmp_path: Path, stances: dict[str, str], source: Path = EXPORT) -> Path:
    """An export with a ``claims_stance`` choice on every claim region ("for" by default)."""
    tasks = json.loads(source.read_text(encoding="utf-8"))
    for task in tasks:
        for annotation in task["annotations"]:
            results = annotation["result"]
            for result in list(results):
                if result.get("from_name") == "claims_type":
                    stance = copy.deepcopy(result)
                    stance["from_name"] = "claims_stance"
                    stance["value"]["choices"] = [stances.get(result["id"], "for")]
                    results.append(stance)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def test_the_config_has_the_new_choice(stance_schemas: SchemaSet) -> None:
    xml = labeling_config(stance_schemas)
    assert 'name="claims_stance"' in xml
    assert all(f'<Choice value="{s}"' in xml for s in STANCES)
    assert "claims_stance" not in labeling_config(SchemaSet())


def test_validation_reads_and_checks_it(stance_schemas: SchemaSet, tmp_path: Path) -> None:
    report = validate_export(stance_export(tmp_path, GIVEN), stance_schemas)
    assert report.problems == [] and report.valid == 5
    tasks = [c.task for c in iter_tasks(stance_export(tmp_path, GIVEN), stance_schemas)]
    stances = {c.id: c.stance for t in tasks for s in t.submissions for c in s.layers.claims}
    assert stances == GIVEN

    wrong = stance_export(tmp_path, {**GIVEN, "a2": "maybe"})
    [problem] = validate_export(wrong, stance_schemas).problems
    assert (problem.where.region_id, problem.where.field) == ("a2", "claims_stance")
    assert "maybe" in str(problem)

    unlabelled = validate_export(EXPORT, stance_schemas).problems
    assert {p.where.field for p in unlabelled} == {"stance"}  # now required


def test_agreement_measures_it(stance_schemas: SchemaSet, tmp_path: Path) -> None:
    tasks = [c.task for c in iter_tasks(stance_export(tmp_path, GIVEN), stance_schemas)]
    rows = {(a.layer, a.field): a for a in agreement(tasks, stance_schemas).attributes}
    stance = rows[("claims", "stance")]
    # Matched claim pairs: a4-b4 (for, for) and a2-b2 (against, for).
    assert (stance.measure, stance.units) == ("alpha", 2)
    assert stance.value is not None and stance.value < 1.0


def export_with_stance(schemas: SchemaSet, tmp_path: Path) -> Path:
    export = stance_export(tmp_path, {}, GOLD_EXPORT)
    tasks = [c.task for c in iter_tasks(export, schemas)]
    out = tmp_path / "gold"
    export_dataset(tasks, out, schemas)
    return out


def test_the_dataset_holds_it(stance_schemas: SchemaSet, tmp_path: Path) -> None:
    gold = read_gold(export_with_stance(stance_schemas, tmp_path))
    claims = {(a.document.id, c.text): c.stance for a in gold for c in a.claims}
    assert claims and set(claims.values()) <= set(STANCES)
    assert claims == {("002-plain", "Erdogan will visit Tehran in 2018"): "for"}
    assert all("stance" in c.to_dict() for a in gold for c in a.claims)


def stance_predictions(gold: list[Annotation], schemas: SchemaSet, stance: str) -> list[Prediction]:
    """Every gold claim predicted right but for its stance; checked, sent and read back."""
    documents = {a.document.id: a.document for a in gold}
    predictions = []
    for annotation in gold:
        regions = [
            replace(claim(c.start, c.end, c.type), extra=(("stance", stance),))
            for c in annotation.claims
        ]
        sent = Prediction.of(annotation.document.id, "demo", "1", claims=regions).to_dict()
        where = Location(document_id=annotation.document.id)
        assert check_prediction(sent, documents, schemas, where) == []
        predictions.append(Prediction.from_dict(json.loads(json.dumps(sent))))
    return predictions


def test_bench_scores_it(stance_schemas: SchemaSet, tmp_path: Path) -> None:
    gold = read_gold(export_with_stance(stance_schemas, tmp_path))
    right = stance_predictions(gold, stance_schemas, "for")
    wrong = stance_predictions(gold, stance_schemas, "against")
    scores = score_predictions(gold, right, stance_schemas).flat_scores()
    assert (scores["claims.relaxed.f1"], scores["claims.stance_accuracy"]) == (1.0, 1.0)
    scores = score_predictions(gold, wrong, stance_schemas).flat_scores()
    assert (scores["claims.relaxed.f1"], scores["claims.stance_accuracy"]) == (1.0, 0.0)
    assert scores["claims.type_accuracy"] == 1.0
    assert "claims.stance_accuracy" not in score_predictions(gold, right).flat_scores()
