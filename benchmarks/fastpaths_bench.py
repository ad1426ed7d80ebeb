"""Benchmark: does each fast path pay? Each is timed against the careful path it shortcuts.

A fast path is kept only where it pays; a property test (``tests/test_fast_paths.py``)
proves it gives what the careful path gives. On the synthetic export of
``benchmarks/gen_export.py`` (news-length tasks, ~55 regions each, 20% annotated twice),
in one process, alternating fast and careful so both see the same machine load:

* convert:    Label Studio results → records; ``AnnotationReader._usual_results`` (one pass
  over results as Label Studio writes them) against the careful reading alone;
* validate:   the compiled (Rust) schema validator answering first, against jsonschema alone;
* adjudicate: ``_alone`` (a single submission) against keys and votes (``_credited``);
* BIO tags:   ``_apart_bio_ids`` (whole arrays when no two mentions share a token) against
  the longest-first rule mention by mention.

Reported: median CPU seconds of each side over the runs, and careful / fast.

    python benchmarks/fastpaths_bench.py --tasks 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotate.dataset import tokens
from annotate.dataset.rows import table_layout, token_row
from annotate.gold import adjudicate
from annotate.gold.adjudicate import adjudicate_all
from annotate.labelstudio.convert import AnnotationReader, convert_task
from annotate.records import Annotation, Task
from annotate.schema import SchemaSet

HERE = Path(__file__).resolve().parent


@contextmanager
def patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    """``owner.name`` set to ``value`` for the block: the careful path alone."""
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def _no_usual(self: AnnotationReader, results: list[Any]) -> None:
    return None


def _credited_alone(task: Task, chosen: Any, schemas: SchemaSet) -> Annotation:
    return adjudicate._credited(task, chosen, (chosen,), schemas)


def _careful_bio(starts: Any, ends: Any, entities: Any, tag_ids: Any) -> None:
    return None


def cpu(work: Callable[[], object]) -> tuple[float, object]:
    """CPU seconds of ``work`` with the garbage collector off (so that neither side pays
    for the other's garbage), and what it returned."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        out = work()
        return time.process_time() - start, out
    finally:
        gc.enable()


def measure(
    repeat: int, work: Callable[[], object], careful: Callable[[], Any]
) -> tuple[float, float]:
    """Median CPU seconds of ``work`` as it is and inside ``careful()``; they must agree."""
    fast_times, careful_times = [], []
    work()  # warm: caches filled, code paths loaded
    for _ in range(repeat):
        seconds, fast_out = cpu(work)
        fast_times.append(seconds)
        with careful():
            seconds, careful_out = cpu(work)
        careful_times.append(seconds)
        if fast_out != careful_out:
            raise SystemExit("the fast and the careful path disagree")
        del fast_out, careful_out
    return statistics.median(fast_times), statistics.median(careful_times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from gen_export import tasks as synthetic_tasks

    schemas = SchemaSet()
    raw = list(synthetic_tasks(args.tasks, args.seed, schemas))
    converted = [convert_task(t, schemas, {}).task for t in raw]
    gold = [a.gold for a in adjudicate_all(converted, schemas) if a.gold is not None]
    layout = table_layout(schemas)

    def convert() -> object:
        return [convert_task(t, schemas, {}) for t in raw]

    def judge() -> object:
        return list(adjudicate_all(converted, schemas))

    def bio() -> object:
        return [token_row(a, layout.tag_ids).tags.tolist() for a in gold]

    def jsonschema_only() -> Any:
        schemas.__dict__["compiled"] = schemas.validators  # same is_valid, in Python
        return _restore_compiled(schemas)

    cases = [
        ("convert", convert, lambda: patched(AnnotationReader, "_usual_results", _no_usual)),
        ("validate (in convert)", convert, jsonschema_only),
        ("adjudicate", judge, lambda: patched(adjudicate, "_alone", _credited_alone)),
        ("BIO tags", bio, lambda: patched(tokens, "_apart_bio_ids", _careful_bio)),
    ]
    print(f"{args.tasks} synthetic tasks, median CPU s of {args.repeat} runs")
    print("| path | fast, CPU s | careful, CPU s | careful / fast |")
    print("| --- | ---: | ---: | ---: |")
    for name, work, careful in cases:
        fast, slow = measure(args.repeat, work, careful)
        print(f"| {name} | {fast:.2f} | {slow:.2f} | {slow / fast:.2f}× |")
    return 0


@contextmanager
def _restore_compiled(schemas: SchemaSet) -> Iterator[None]:
    try:
        yield
    finally:
        del schemas.__dict__["compiled"]


if __name__ == "__main__":
    sys.exit(main())
