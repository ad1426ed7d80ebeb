"""Push/pull benchmark (issue 3): annotate's push and pull against the bare SDK calls.

One run starts one local Label Studio (``LocalServer`` in a temporary folder), pushes
synthetic news-length documents (``synthetic.py``) and pulls an annotated project back,
both ways, side by side:

- push, ours: ``push(client, documents, title, batch_size=B)`` (or ``PushOptions(batch_size=B)``,
  whichever the checkout's signature takes) into a fresh project: project lookup, config,
  idempotency lookup, hashing and batching included;
- push, bare: ``sdk.projects.create(...)`` with the same config, then one
  ``sdk.projects.import_tasks(pid, request=batch)`` per batch of the same size, with the
  same task data (built before the clock starts: same bytes on the wire);
- pull, ours: ``pull(client, title, out)`` then ``validate_export(out)``;
- pull, bare: one ``sdk.projects.exports.download_sync(pid, export_type="JSON",
  download_all_tasks=True)`` streamed to a file.

Both pulls read the same annotated project (one annotation per task, imported inside the
task JSON in an untimed setup step), so they export identical data from the same rows.
Each repetition pushes into fresh projects, alternates which side goes first, and deletes
its projects afterwards (untimed), so neither side inherits a bigger database. Medians
over the repetitions are reported, with the ratio ours/bare, for two measures: wall-clock
seconds (the target), and CPU seconds of this process plus the server process, which hardly
move when other work shares the machine (the wall clock can double).

    python benchmarks/pushpull_bench.py --docs 10000 --repeat 3
    python benchmarks/pushpull_bench.py --quick          # 500 documents, 1 repetition
    python benchmarks/pushpull_bench.py --quick --profile /tmp/prof   # plus cProfile of ours
    python benchmarks/pushpull_bench.py --quick --home /tmp/ls --keep-server  # reuse a server
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import inspect
import io
import json
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import ijson
from synthetic import make_documents

from annotate.gold.validate import validate_export
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import PushReport, push
from annotate.labelstudio.results import annotation_results, task_data
from annotate.labelstudio.server import LocalServer
from annotate.records import Annotation, Document
from annotate.schema import SchemaSet

TARGET = 1.3
SIDES = ("ours", "bare")
Task = dict[str, Any]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    """One timed phase: wall-clock seconds, and CPU seconds of this process and the server's.

    The CPU seconds hardly depend on what else the machine runs; the wall clock does.
    """

    wall: float
    client_cpu: float
    server_cpu: float

    @property
    def cpu(self) -> float:
        return self.client_cpu + self.server_cpu

    def __add__(self, other: Sample) -> Sample:
        return Sample(
            self.wall + other.wall,
            self.client_cpu + other.client_cpu,
            self.server_cpu + other.server_cpu,
        )


@dataclass
class Bench:
    """One benchmark run: the server, the data and the samples collected so far."""

    client: Client
    server_pid: int
    documents: list[Document]
    annotations: list[Annotation]
    batch_size: int
    workdir: Path
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    schemas: SchemaSet = field(default_factory=SchemaSet)
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    context: dict[str, float] = field(default_factory=dict)

    @property
    def config(self) -> str:
        return labeling_config(self.schemas)

    def record(self, name: str, sample: Sample) -> None:
        self.samples.setdefault(name, []).append(sample)

    def batches(self, tasks: Sequence[Task]) -> Iterator[Sequence[Task]]:
        for start in range(0, len(tasks), self.batch_size):
            yield tasks[start : start + self.batch_size]

    def create_project(self, title: str) -> int:
        created = self.client.sdk.projects.create(title=title, label_config=self.config)
        return int(created.id or 0)

    def task_count(self, project_id: int) -> int:
        return int(self.client.get_json(f"/api/projects/{project_id}/")["task_number"])

    def server_cpu(self) -> float:
        """CPU seconds the server process (all its threads) has used so far."""
        stat = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / CLOCK_TICKS  # utime + stime

    def timed(self, action: Callable[[], Any]) -> tuple[Sample, Any]:
        """What ``action`` cost (after a garbage collection, so none is pending) and its result."""
        gc.collect()
        server, client, wall = self.server_cpu(), time.process_time(), time.perf_counter()
        result = action()
        wall, client = time.perf_counter() - wall, time.process_time() - client
        return Sample(wall, client, self.server_cpu() - server), result


def push_documents(
    client: Client, documents: Sequence[Document], title: str, batch_size: int
) -> PushReport:
    """``push`` with this batch size, through whichever signature the checkout has."""
    if "batch_size" in inspect.signature(push).parameters:  # the signature of issue 3
        return push(client, documents, title, batch_size=batch_size)  # type: ignore[call-arg]
    from annotate.labelstudio.push import PushOptions  # newer: an options object

    return push(client, documents, title, PushOptions(batch_size=batch_size))


def annotated_task(document: Document, annotation: Annotation, schemas: SchemaSet) -> Task:
    """A task with one submitted (not ground-truth) annotation embedded in it."""
    result = annotation_results(annotation, schemas)
    return {"data": task_data(document), "annotations": [{"result": result, "ground_truth": False}]}


def setup_annotated(bench: Bench) -> tuple[str, int]:
    """The project both pulls export: every document with one annotation (untimed)."""
    title = f"bench annotated {bench.run_id}"
    project_id = bench.create_project(title)
    start = time.perf_counter()
    pairs = list(zip(bench.documents, bench.annotations, strict=True))
    for index in range(0, len(pairs), bench.batch_size):
        chunk = pairs[index : index + bench.batch_size]
        tasks = [annotated_task(d, a, bench.schemas) for d, a in chunk]
        bench.client.sdk.projects.import_tasks(project_id, request=tasks)
    bench.context["setup: import annotated project"] = time.perf_counter() - start
    if bench.task_count(project_id) != len(pairs):
        raise SystemExit(f"setup: project {project_id} did not receive {len(pairs)} tasks")
    return title, project_id


def push_ours(bench: Bench, rep: int) -> int:
    title = f"bench ours r{rep} {bench.run_id}"
    sample, report = bench.timed(
        lambda: push_documents(bench.client, bench.documents, title, bench.batch_size)
    )
    if not report.created or len(report.imported) != len(bench.documents):
        raise SystemExit(f"ours: pushed {len(report.imported)} of {len(bench.documents)}")
    bench.record("push ours", sample)
    return int(report.project.id)


def push_bare(bench: Bench, rep: int, payload: Sequence[Task]) -> int:
    title = f"bench bare r{rep} {bench.run_id}"

    def run() -> int:
        project_id = bench.create_project(title)
        for batch in bench.batches(payload):
            bench.client.sdk.projects.import_tasks(project_id, request=batch)
        return project_id

    sample, project_id = bench.timed(run)
    bench.record("push bare", sample)
    return int(project_id)


def pull_ours(bench: Bench, title: str, out: Path) -> None:
    pulled_in, pulled = bench.timed(lambda: pull(bench.client, title, out))
    checked_in, report = bench.timed(lambda: validate_export(out, bench.schemas))
    expected = len(bench.documents)
    if pulled.tasks != expected or not report.ok or report.valid != expected:
        raise SystemExit(
            f"ours: pulled {pulled.tasks} task(s), {report.valid} valid "
            f"annotation(s), {len(report.problems)} problem(s); expected {expected}"
        )
    bench.record("pull ours", pulled_in + checked_in)
    bench.record("ours: pull()", pulled_in)
    bench.record("ours: validate_export()", checked_in)


def pull_bare(bench: Bench, project_id: int, out: Path) -> None:
    def run() -> None:
        with out.open("wb") as handle:
            for chunk in bench.client.sdk.projects.exports.download_sync(
                project_id, export_type="JSON", download_all_tasks=True
            ):
                handle.write(chunk)

    sample, _ = bench.timed(run)
    with out.open("rb") as handle:  # untimed check, streamed: the whole project came back
        counts = [len(task["annotations"]) for task in ijson.items(handle, "item")]
    if len(counts) != len(bench.documents) or set(counts) != {1}:
        raise SystemExit(f"bare: exported {len(counts)} task(s), expected {len(bench.documents)}")
    bench.record("pull bare", sample)


def repetition(bench: Bench, rep: int, annotated: tuple[str, int], payload: Sequence[Task]) -> None:
    """One push and one pull each way; the side that goes first alternates."""
    sides = ("ours", "bare") if rep % 2 == 0 else ("bare", "ours")
    pushed = []
    for side in sides:
        pushed.append(push_ours(bench, rep) if side == "ours" else push_bare(bench, rep, payload))
    for project_id in pushed:
        if bench.task_count(project_id) != len(bench.documents):
            raise SystemExit(f"project {project_id} does not hold {len(bench.documents)} tasks")
    for side in sides:
        out = bench.workdir / f"{side}-{rep}.json"
        if side == "ours":
            pull_ours(bench, annotated[0], out)
        else:
            pull_bare(bench, annotated[1], out)
        out.unlink()
        out.with_name(out.stem + ".manifest.json").unlink(missing_ok=True)
    start = time.perf_counter()
    for project_id in pushed:
        bench.client.sdk.projects.delete(id=project_id)
    cleanup = "cleanup: delete pushed projects"
    bench.context[cleanup] = bench.context.get(cleanup, 0.0) + time.perf_counter() - start
    done = ", ".join(f"{k} {v[-1].wall:.1f} s" for k, v in bench.samples.items())
    print(f"repetition {rep + 1} ({'/'.join(sides)} first): {done}", file=sys.stderr)


def totals(samples: dict[str, list[Sample]], side: str) -> list[Sample]:
    """Push plus pull of one side, per repetition."""
    pairs = zip(samples[f"push {side}"], samples[f"pull {side}"], strict=True)
    return [push_ + pull_ for push_, pull_ in pairs]


def medians(samples: dict[str, list[Sample]]) -> dict[str, dict[str, float]]:
    """Per phase, the median of each measure; totals are medians of per-repetition sums."""
    series = dict(samples)
    for side in SIDES:
        series[f"total {side}"] = totals(samples, side)
    measures: dict[str, Callable[[Sample], float]] = {
        "wall": lambda s: s.wall,
        "cpu": lambda s: s.cpu,
        "client_cpu": lambda s: s.client_cpu,
        "server_cpu": lambda s: s.server_cpu,
    }
    return {
        name: {m: statistics.median(get(s) for s in values) for m, get in measures.items()}
        for name, values in series.items()
    }


def table(samples: dict[str, list[Sample]]) -> str:
    """Medians side by side with the ratio ours/bare: wall clock, then CPU seconds."""
    med = medians(samples)
    head = f"{'phase':<8}{'ours':>9}{'bare':>9}{'ratio':>8}   {'ours':>9}{'bare':>9}{'ratio':>8}"
    lines = [f"{'':<8}{'wall-clock seconds':^26}   {'CPU s (client + server)':^26}", head]
    lines.append("-" * len(head))
    for phase in ("push", "pull", "total"):
        ours, bare = med[f"{phase} ours"], med[f"{phase} bare"]
        cells = [
            f"{ours[m]:>9.2f}{bare[m]:>9.2f}{ours[m] / bare[m]:>7.2f}x" for m in ("wall", "cpu")
        ]
        lines.append(f"{phase:<8}" + "   ".join(cells))
    lines.append("-" * len(head))
    ratio = med["total ours"]["wall"] / med["total bare"]["wall"]
    verdict = "meets" if ratio <= TARGET else "misses"
    lines.append(f"total wall-clock ratio {ratio:.2f}x {verdict} the target of {TARGET}x")
    per_rep = [o.wall / b.wall for o, b in zip(*(totals(samples, s) for s in SIDES), strict=True)]
    lines.append(
        "total ratio per repetition: "
        + " ".join(f"{r:.2f}" for r in per_rep)
        + f" (median {statistics.median(per_rep):.2f}; their spread shows the noise)"
    )
    lines.append("medians per phase (wall; client CPU + server CPU):")
    for name, value in med.items():
        lines.append(
            f"  {name:<26}{value['wall']:>8.2f} s;  {value['client_cpu']:.2f} + "
            f"{value['server_cpu']:.2f} s"
        )
    return "\n".join(lines)


def server_version(client: Client) -> str:
    info = client.get_json("/api/version")
    release = info.get("release") or info.get("label-studio-os-package", {}).get("version")
    return str(release or "?")


def environment(args: argparse.Namespace, bench: Bench) -> str:
    text_chars = sum(len(d.text) for d in bench.documents) / max(1, len(bench.documents))
    context = ", ".join(f"{k} {v:.1f} s" for k, v in bench.context.items())
    return "\n".join(
        [
            f"documents {len(bench.documents)} (mean {text_chars:.0f} chars), batch size "
            f"{bench.batch_size}, repetitions {args.repeat}, seed {args.seed}",
            f"label-studio {server_version(bench.client)} (SQLite), label-studio-sdk "
            f"{metadata.version('label-studio-sdk')}, python {platform.python_version()}, "
            f"{os.cpu_count()} CPU(s), client and server on the same machine",
            f"untimed: {context}",
        ]
    )


def profile(bench: Bench, annotated_title: str, directory: Path) -> None:
    """cProfile one more push, pull and validate of ours (CPU time, so waiting for the
    server counts as nothing); print where this process spends it."""
    directory.mkdir(parents=True, exist_ok=True)
    runs: dict[str, Callable[[], Any]] = {
        "push": lambda: push_documents(
            bench.client, bench.documents, f"bench profile {bench.run_id}", bench.batch_size
        ),
        "pull": lambda: pull(bench.client, annotated_title, bench.workdir / "profile.json"),
        "validate": lambda: validate_export(bench.workdir / "profile.json", bench.schemas),
    }
    for name, action in runs.items():
        profiler = cProfile.Profile(time.process_time)
        result = profiler.runcall(action)
        target = directory / f"{name}.prof"
        profiler.dump_stats(target)
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime")
        stats.print_stats(15)
        print(f"\n=== cProfile of ours: {name} ({target}), top 15 by own CPU time ===")
        print(stream.getvalue().split("\n\n", 1)[-1].rstrip())
        if name == "push":
            bench.client.sdk.projects.delete(id=result.project.id)


def run(args: argparse.Namespace, client: Client, server_pid: int, workdir: Path) -> Bench:
    pairs = list(make_documents(args.docs, args.seed))
    documents, annotations = [d for d, _ in pairs], [a for _, a in pairs]
    bench = Bench(client, server_pid, documents, annotations, args.batch_size, workdir)
    del pairs
    payload = [{"data": task_data(d)} for d in bench.documents]
    print(f"{len(documents)} documents generated; importing the annotated project", file=sys.stderr)
    annotated = setup_annotated(bench)
    for rep in range(args.repeat):
        repetition(bench, rep, annotated, payload)
    print(table(bench.samples))
    print(environment(args, bench))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "samples": {k: [asdict(s) for s in v] for k, v in bench.samples.items()},
                    "medians": medians(bench.samples),
                    "context": bench.context,
                },
                indent=2,
            )
            + "\n"
        )
    if args.profile:
        profile(bench, annotated[0], args.profile)
    return bench


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--batch-size", type=int, default=500, help="tasks per import (500)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="500 documents, 1 repetition")
    parser.add_argument("--json", type=Path, help="also write every timing to this JSON file")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="afterwards, cProfile ours once more and keep the .prof files here",
    )
    parser.add_argument(
        "--home",
        type=Path,
        help="the server's folder (default: a new temporary one); a server running there is reused",
    )
    parser.add_argument(
        "--keep-server", action="store_true", help="leave the server running (with --home)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.repeat = 500, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pushpull-bench-") as tmp:
        server = LocalServer(args.home or Path(tmp) / "server")
        started = time.perf_counter()
        status = server.start()
        try:
            assert status.url is not None and status.pid is not None
            print(
                f"Label Studio at {status.url}, up in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            client = Client(Connection(status.url, server.credentials().token))
            run(args, client, status.pid, Path(tmp))
        finally:
            if not args.keep_server:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
