"""Benchmark: scoring predictions against gold, next to merely reading both files.

Writes N synthetic documents with all three layers (gold: a JSONL of ``Annotation.to_dict()``
rows; predictions: a predictions JSONL) to a temporary folder, streaming, then times side by
side in one process, alternating so both see the same machine load:

* read:          parse both files into records (``Annotation``, ``Prediction``);
* read + score:  the same, then ``annotate.bench.run.score_predictions`` (every entity
  scheme, claims with speakers, events with dates).

With ``--validate``, a third in each run: *read + validate + score*, what ``annotate bench
--predictions`` does: read the gold, then ``load_predictions`` with the gold documents (every
line checked against the JSON Schema, dates, document ids, offsets against the text and
duplicates, before records are built), then score.
Reported: median wall and CPU times over the runs (CPU time, this process's user + system,
is steadier on a shared machine) and the ratio of each to read (target: under 2).

    python benchmarks/score_bench.py --documents 20000 --repeat 5 --validate
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from annotate.bench.run import score_predictions
from annotate.predictions import Prediction, claim, entity, event, load_predictions
from annotate.records import Annotation, Claim, Document, Entity, Event

TARGET_RATIO = 2.0
WORDS = [
    *("the", "of", "and", "to", "in", "a", "said", "on", "for", "that", "with", "was", "as"),
    *("by", "at", "from", "his", "it", "an", "were", "are", "which", "this", "be", "has"),
    *("had", "not", "but", "talks", "war", "peace", "meeting", "president", "minister"),
    *("forces", "government", "region", "city", "border", "agreement", "statement"),
    *("officials", "country", "military", "political", "support"),
]
LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT")
TYPES = ("quote", "paraphrase", "assertion")
PRECISIONS = ("year", "month", "day")
Span = tuple[int, int]


def make_text(rng: random.Random, words: int) -> tuple[str, list[Span]]:
    """Wire-like text of ``words`` words, and the span of each word."""
    parts = rng.choices(WORDS, k=words)
    parts[::12] = [w.capitalize() for w in parts[::12]]
    spans, offset = [], 0
    for word in parts:
        spans.append((offset, offset + len(word)))
        offset += len(word) + 1
    return " ".join(parts), spans


def make_gold(index: int, rng: random.Random) -> Annotation:
    """About 4,000 characters with 25 entity mentions, 6 claims and 6 dated events."""
    text, words = make_text(rng, 700)
    document = Document(f"doc{index:06d}", text, "synthetic", "2017-11-21", "en")

    def span(first: int, last: int) -> tuple[int, int, str]:
        start, end = words[first][0], words[last][1]
        return start, end, text[start:end]

    entities = tuple(
        Entity(f"e{i}", *span(p, p + 1), rng.choice(LABELS), f"Name {rng.randrange(40)}")
        for i, p in enumerate(sorted(rng.sample(range(0, 690, 2), 25)))
    )
    speakers = [None, *(e.id for e in entities[:8])]
    claims = tuple(
        Claim(f"c{i}", *span(100 * i, 100 * i + 30), rng.choice(TYPES), rng.choice(speakers))
        for i in range(6)
    )
    events = tuple(
        Event(f"v{i}", *span(110 * i + 5, 110 * i + 5), *_date(rng), "relative") for i in range(6)
    )
    return Annotation(document, entities, claims, events)


def _date(rng: random.Random) -> tuple[str, str]:
    precision = rng.choice(PRECISIONS)
    date = f"2017-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return date[: {"year": 4, "month": 7, "day": 10}[precision]], precision


def make_prediction(gold: Annotation, rng: random.Random) -> Prediction:
    """Gold perturbed the way extractors err: kept, relabelled, shifted, dropped, invented."""
    entities = [
        entity(e.start + rng.choice([0, 0, 0, 1]), e.end, rng.choice([e.label, e.label, "ORG"]))
        for e in gold.entities
        if rng.random() < 0.85
    ]
    inside = range(5, len(gold.document.text) - 4, 7)  # invented, but within the text
    entities += [entity(s, s + 4, "GPE") for s in rng.sample(inside, 4)]
    claims = [
        claim(c.start, c.end - rng.choice([0, 3]), rng.choice(TYPES), _speaker(gold, c.speaker))
        for c in gold.claims
        if rng.random() < 0.8
    ]
    events = [
        event(v.start, v.end, v.date, v.precision)
        if rng.random() < 0.7
        else event(v.start, v.end, "2017-11-20", "day")
        for v in gold.event_dates
    ]
    entities.sort(key=lambda e: e.start)
    return Prediction.of(
        gold.document.id, "synthetic", "1", entities=entities, claims=claims, event_dates=events
    )


def _speaker(gold: Annotation, speaker: str | None) -> tuple[int, int] | None:
    found = gold.entity(speaker) if speaker else None
    return (found.start, found.end) if found else None


def write_files(folder: Path, count: int, seed: int) -> tuple[Path, Path]:
    """Stream ``count`` documents of gold and predictions to two JSONL files."""
    rng = random.Random(seed)
    gold_path, pred_path = folder / "gold.jsonl", folder / "predictions.jsonl"
    with (
        gold_path.open("w", encoding="utf-8") as gold_file,
        pred_path.open("w", encoding="utf-8") as pred_file,
    ):
        for index in range(count):
            gold = make_gold(index, rng)
            gold_file.write(json.dumps(gold.to_dict(), ensure_ascii=False) + "\n")
            pred_file.write(
                json.dumps(make_prediction(gold, rng).to_dict(), ensure_ascii=False) + "\n"
            )
    return gold_path, pred_path


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def read(gold_path: Path, pred_path: Path) -> tuple[list[Annotation], list[Prediction]]:
    gold = [Annotation.from_dict(row) for row in _rows(gold_path)]
    predictions = [Prediction.from_dict(row) for row in _rows(pred_path)]
    return gold, predictions


def read_and_score(gold_path: Path, pred_path: Path) -> dict[str, float]:
    return score_predictions(*read(gold_path, pred_path)).flat_scores()


def read_validate_and_score(gold_path: Path, pred_path: Path) -> dict[str, float]:
    gold = [Annotation.from_dict(row) for row in _rows(gold_path)]
    predictions = load_predictions(pred_path, {a.document.id: a.document for a in gold})
    return score_predictions(gold, predictions).flat_scores()


def timed(function: Callable[[], object]) -> tuple[float, float]:
    """Wall time and CPU time (user + system of this process) of one call."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each (at least 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--validate", action="store_true", help="also time read + validate + score")
    args = parser.parse_args(argv)
    repeat = max(3, args.repeat)
    with tempfile.TemporaryDirectory(prefix="score-bench-") as tmp:
        start = time.perf_counter()
        gold_path, pred_path = write_files(Path(tmp), args.documents, args.seed)
        size = (gold_path.stat().st_size + pred_path.stat().st_size) / 1e6
        took = time.perf_counter() - start
        print(
            f"{args.documents} documents, {size:.0f} MB of JSONL, written in {took:.1f} s",
            flush=True,
        )
        steps: dict[str, Callable[[Path, Path], object]] = {
            "read": read,
            "read + score": read_and_score,
        }
        if args.validate:
            steps["read + validate + score"] = read_validate_and_score
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
        for run in range(repeat):
            for name, step in steps.items():
                times[name].append(timed(partial(step, gold_path, pred_path)))
            figures = ", ".join(
                f"{k} {v[-1][0]:.2f} s ({v[-1][1]:.2f} s CPU)" for k, v in times.items()
            )
            print(f"run {run + 1}/{repeat}: {figures}", flush=True)
    return report(times, args.documents, repeat)


def report(times: dict[str, list[tuple[float, float]]], documents: int, repeat: int) -> int:
    """Print the medians and the ratios; exit status 1 when a CPU ratio misses the target."""
    print(f"\nmedians over {repeat} runs ({documents} documents):")
    print(f"  {'':<24} {'wall':>8} {'CPU':>8} {'CPU per document':>18}")
    medians = {}
    for name, values in times.items():
        wall, cpu = (statistics.median(v[i] for v in values) for i in (0, 1))
        medians[name] = (wall, cpu)
        print(f"  {name:<24} {wall:7.2f}s {cpu:7.2f}s {1e6 * cpu / documents:12.0f} µs")
    missed = 0
    for name in list(medians)[1:]:
        wall_ratio, cpu_ratio = (medians[name][i] / medians["read"][i] for i in (0, 1))
        verdict = "meets" if cpu_ratio < TARGET_RATIO else "MISSES"
        missed += cpu_ratio >= TARGET_RATIO
        print(f"  ({name}) / read: {cpu_ratio:.2f} in CPU time, {wall_ratio:.2f} in wall time")
        print(f"    {verdict} the target: under {TARGET_RATIO}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
