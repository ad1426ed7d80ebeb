"""Rebuild gold/ from the seed corpus through a local Label Studio (``make gold``).

1. start the local Label Studio (the embedded default);
2. push the corpus with the baseline extractors' predictions as pre-annotations;
3. submit the recorded annotations (annotations/sochi-2017.json) as the annotators' work;
4. pull, validate (zero problems required), measure agreement, adjudicate and export to gold/
   (the same items keep gold/'s version; corrected items make the next one, with a changelog);
5. score the baselines against the gold and show them in the dataset card;
6. print a short summary and the load_dataset line.

Every step is idempotent, so an interrupted build can simply be run again, and the result
is byte-identical from run to run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from annotate.bench.run import BenchReport, append_leaderboard, gold_version, score_predictions
from annotate.corpus import load_corpus
from annotate.dataset.card import FIRST_VERSION, CardOptions
from annotate.dataset.run import ExportRun
from annotate.dataset.version import read_release, rebuilt_release
from annotate.dataset.writer import CARD, ExportOptions, ExportSummary
from annotate.errors import AnnotateError
from annotate.extractors.baseline import predict_corpus
from annotate.gold.adjudicate import adjudicate_all
from annotate.gold.agreement import AgreementReport, agreement
from annotate.gold.validate import validate_export
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.convert import annotator_name, iter_tasks
from annotate.labelstudio.manifest import load_annotators
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import PushOptions, push
from annotate.labelstudio.server import LocalServer
from annotate.labelstudio.submit import RecordedAnnotation, submit
from annotate.predictions import Prediction
from annotate.records import Annotation
from annotate.schema import SchemaSet

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "sochi-2017"
RECORDED = ROOT / "annotations" / "sochi-2017.json"
CARD_NOTES = ROOT / "annotations" / "CARD.md"
GOLD = ROOT / "gold"
WORK = ROOT / ".annotate" / "gold-build"
PROJECT = "sochi-2017 gold"
# Cross-source facts on which the five articles disagree, found in the gold claims by what a
# claim states (any of the first words) about what (any of the second; empty: anything).
DISPUTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "death toll": (("400,000", "330,000", "hundreds of thousands"), ()),
    "day of the three-way summit": (
        ("Wednesday", "Thursday", "November 22"),
        ("summit", "talks", "leaders of", "presidents of", "counterparts"),
    ),
    "who runs the agency SANA": (("SANA",), ()),
}


def recorded_annotations() -> tuple[list[RecordedAnnotation], str]:
    """The recorded annotations and the date they were made (the build's fixed date)."""
    tasks = json.loads(RECORDED.read_text(encoding="utf-8"))
    items, dates = [], []
    for task in tasks:
        for annotation in task["annotations"]:
            items.append(
                RecordedAnnotation(
                    task["data"]["doc_id"],
                    annotator_name(annotation["completed_by"], {}),
                    annotation["result"],
                    bool(annotation.get("ground_truth")),
                )
            )
            dates.append(str(annotation.get("created_at", ""))[:10])
    return items, max(dates)


def disputed_claims(gold: list[Annotation]) -> str:
    """A Markdown table of the gold claims that carry the facts the sources disagree on."""
    rows = ["| fact | document | claim type | claim |", "| --- | --- | --- | --- |"]
    for fact, (states, about) in DISPUTED.items():
        for annotation in gold:
            for claim in annotation.claims:
                on_topic = not about or any(a in claim.text for a in about)
                if on_topic and any(s in claim.text for s in states):
                    text = claim.text.replace("|", "\\|").replace("\n", " ")
                    rows.append(f"| {fact} | `{annotation.document.id}` | {claim.type} | {text} |")
    return "\n".join(rows)


def write_gold(
    export: Path,
    predictions: list[Prediction],
    schemas: SchemaSet,
    output: Path,
    work: Path,
) -> tuple[AgreementReport, BenchReport, ExportSummary]:
    """The gold dataset folder of an annotated export, its card scoring the baseline."""
    annotators = load_annotators(export)
    tasks = [c.task for c in iter_tasks(export, schemas, annotators)]
    agree = agreement(tasks, schemas)
    gold = [a.gold for a in adjudicate_all(tasks, schemas) if a.gold is not None]

    work.mkdir(parents=True, exist_ok=True)
    board = work / "leaderboard.json"
    board.unlink(missing_ok=True)
    scores = score_predictions(gold, predictions)
    first = predictions[0]
    append_leaderboard(board, scores, first.extractor, first.version, gold_version(gold), "test")

    notes = CARD_NOTES.read_text(encoding="utf-8").replace(
        "{{DISPUTED_CLAIMS}}", disputed_claims(gold)
    )
    # A rebuild of the same items keeps the version; corrected items make a new version.
    version, changes = (
        rebuilt_release(output, gold, schemas)
        if (output / CARD).is_file()
        else (FIRST_VERSION, None)
    )
    card = CardOptions(
        name="Sochi 2017: entities, claims and dated events",
        license="cc-by-4.0",
        notes=notes,
        leaderboard=board,
        load_name="gold",
        version=version,
        changes=changes,
    )
    run = ExportRun(export, schemas, ExportOptions(card=card), annotators)
    summary = run.write(output, force=True)
    return agree, scores, summary


def main() -> int:
    schemas = SchemaSet()
    documents = load_corpus(CORPUS, schemas)
    predictions = predict_corpus(documents)
    recorded, made_on = recorded_annotations()
    os.environ.setdefault("SOURCE_DATE_EPOCH", _epoch(made_on))

    server = LocalServer(ROOT / ".annotate" / "server")
    print("starting the local Label Studio (the first start takes about a minute) …", flush=True)
    status = server.start()
    client = Client(Connection(str(status.url), server.credentials().token))
    report = push(client, documents, PROJECT, PushOptions(schemas, predictions=predictions))
    print(
        f"pushed {len(report.imported)} new document(s) to {PROJECT!r} at {client.url} "
        f"({len(report.unchanged)} already there), with baseline pre-annotations"
    )
    made = submit(client, report.project.id, recorded)
    print(f"submitted {made} recorded annotation(s) ({len(recorded) - made} already there)")

    export = WORK / "export.json"
    pull(client, PROJECT, export, schemas)
    validation = validate_export(export, schemas)
    print(validation.to_text(), end="")
    if not validation.ok:
        print("the recorded annotations are invalid: fix annotations/ first", file=sys.stderr)
        return 1
    agree, scores, summary = write_gold(export, predictions, schemas, GOLD, WORK)

    print(agree.to_text(), end="")
    print(scores.to_text(), end="")
    state = "unchanged" if summary.unchanged else "written"
    print(
        f"gold dataset {state}: {GOLD.relative_to(ROOT)}/ ({summary.tasks} documents, "
        f"version {read_release(GOLD).version})"
    )
    print(
        'load it with:  datasets.load_dataset("gold")  or  datasets.load_dataset("gold", "tokens")'
    )
    print("stop the local Label Studio with: .venv/bin/annotate server stop")
    return 0


def _epoch(day: str) -> str:
    import datetime as dt

    return str(int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AnnotateError as exc:
        print(f"build_gold: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
