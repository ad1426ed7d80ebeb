"""Team server against the embedded default (issue 13): push, pull, and how fast a task opens
while a pull runs.

One run starts both servers in temporary folders: the team server (``TeamServer``: its own
PostgreSQL cluster, gunicorn with 2 workers) and the embedded default (``LocalServer``:
SQLite, Django's development server). On each, side by side in the same run:

- push: ``push()`` of N synthetic news-length documents (``synthetic.py``) into a fresh
  project;
- pull: ``pull()`` of a project holding the same N documents with one annotation each (the
  annotations are imported through the API inside the tasks, untimed);
- latency while that pull runs: a second thread asks ``/health`` and, as an annotator
  opening the labeling stream would, ``/api/projects/{id}/next`` of the pushed project,
  every 0.2 s; medians and maxima are reported.

    python benchmarks/team_bench.py --docs 50000
    python benchmarks/team_bench.py --quick       # 1,000 documents
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from synthetic import make_documents

from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import PushOptions, push
from annotate.labelstudio.results import annotation_results, task_data
from annotate.labelstudio.server import LocalServer
from annotate.labelstudio.teamserver import TeamServer
from annotate.records import Annotation, Document
from annotate.schema import SchemaSet

TARGET_OPEN = 1.0  # seconds: a task opens in under 1 s on the team server while a pull runs
PAIR = 2


@dataclass
class Probe:
    """Latencies of /health and of opening the next task, sampled while something runs."""

    url: str
    token: str
    project_id: int
    health: list[float] = field(default_factory=list)
    open_task: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        headers = {"Authorization": f"Token {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=120) as http:
            while not self.stop.is_set():
                self.health.append(_timed(lambda: http.get("/health")))
                self.open_task.append(
                    _timed(lambda: http.get(f"/api/projects/{self.project_id}/next"))
                )
                self.stop.wait(0.2)


def _timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@dataclass
class Result:
    server: str
    push: float
    pull: float
    health: list[float]
    open_task: list[float]


def measure(name: str, client: Client, documents: list[Document], annotated: list[Any]) -> Result:
    """Push, set up the annotated project, pull it while probing; returns the timings."""
    start = time.perf_counter()
    pushed = push(client, documents, f"bench push {name}", PushOptions(batch_size=500))
    push_seconds = time.perf_counter() - start
    project = client.sdk.projects.create(title=f"bench pull {name}")
    for index in range(0, len(annotated), 500):
        client.sdk.projects.import_tasks(project.id, request=annotated[index : index + 500])
    probe = Probe(client.url, client.connection.api_key, pushed.project.id)
    thread = threading.Thread(target=probe.run, daemon=True)
    with tempfile.TemporaryDirectory() as tmp:
        thread.start()
        start = time.perf_counter()
        pull(client, f"bench pull {name}", Path(tmp) / "export.json")
        pull_seconds = time.perf_counter() - start
        probe.stop.set()
        thread.join()
    return Result(name, push_seconds, pull_seconds, probe.health, probe.open_task)


def annotated_tasks(pairs: list[tuple[Document, Annotation]], schemas: SchemaSet) -> list[Any]:
    return [
        {
            "data": task_data(d),
            "annotations": [{"result": annotation_results(a, schemas), "ground_truth": False}],
        }
        for d, a in pairs
    ]


def table(results: list[Result]) -> str:
    def ms(values: list[float], how: Callable[[list[float]], float]) -> str:
        return f"{how(values) * 1000:.0f}" if values else "–"

    lines = [
        "| server | push s | pull s | /health ms (median / max) | open task ms (median / max) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.server} | {r.push:.1f} | {r.pull:.1f} | "
            f"{ms(r.health, statistics.median)} / {ms(r.health, max)} | "
            f"{ms(r.open_task, statistics.median)} / {ms(r.open_task, max)} |"
        )
    if len(results) == PAIR:
        team, embedded = results
        lines.append(
            f"\nratio team/embedded: push {team.push / embedded.push:.2f}, "
            f"pull {team.pull / embedded.pull:.2f}, open task (median) "
            f"{statistics.median(team.open_task) / statistics.median(embedded.open_task):.2f}"
        )
    return "\n".join(lines)


def run_on(
    name: str, server: LocalServer, documents: list[Document], annotated: list[Any]
) -> Result:
    """Start ``server``, measure on it, stop it."""
    status = server.start()
    try:
        assert status.url is not None
        client = Client(Connection(status.url, server.credentials().token))
        result = measure(name.split()[0], client, documents, annotated)
        result.server = name
        return result
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="1,000 documents")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    count = 1_000 if args.quick else args.docs
    schemas = SchemaSet()
    pairs = list(make_documents(count))
    documents = [d for d, _ in pairs]
    annotated = annotated_tasks(pairs, schemas)
    results = []
    root = Path(tempfile.mkdtemp(prefix="annotate-team-bench-"))
    root.chmod(0o711)  # under root the private PostgreSQL runs as 'postgres' and must enter
    try:
        for name, server in (
            ("team (PostgreSQL, gunicorn)", TeamServer(root / "team", workers=args.workers)),
            ("embedded (SQLite, runserver)", LocalServer(root / "embedded")),
        ):
            results.append(run_on(name, server, documents, annotated))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{count} documents, team server with {args.workers} workers\n")
    print(table(results))
    worst = max(results[0].open_task, default=0.0)
    print(f"\ntarget: a task opens in under {TARGET_OPEN:.0f} s on the team server during a pull")
    print(f"worst seen: {worst:.2f} s → {'met' if worst < TARGET_OPEN else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
