"""Pull benchmark (issue 17): incremental pull after 1 % changed, and pulls of large projects.

One run starts one local Label Studio (or reuses one with ``--home``), imports an annotated
project of ``--docs`` synthetic tasks (``synthetic.py``, one annotation each, untimed) and then
measures, against that server in that run:

1. the API routes a pull can take (``--routes``): the one-request sync export of every task
   (what ``pull`` did before), an export snapshot (``POST /api/projects/{id}/exports/``, wait,
   download), the task listing with selected fields (``/api/tasks?include=id,updated_at,…``)
   and the sync export restricted to 1 % of the ids (``ids[]=…``);
2. a full ``pull(..., full=True)``;
3. after changing the annotation of ``--change`` (default 1 %) of the tasks (untimed), the
   incremental ``pull`` over the first pull's snapshot, then a fresh full pull, and checks
   the two files are byte-identical.

Each pull runs in a child process, so its peak memory (``VmHWM``) is its own; the slowest
request of each pull is reported (the target: none over 60 s).

    python benchmarks/pull_bench.py --docs 20000 --routes
    python benchmarks/pull_bench.py --docs 100000 --change 0
    python benchmarks/pull_bench.py --quick                    # 1,000 tasks
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthetic import make_documents

from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.config import labeling_config
from annotate.labelstudio.results import annotation_results, task_data
from annotate.labelstudio.server import LocalServer
from annotate.schema import SchemaSet

HERE = Path(__file__).resolve().parent
TARGET = 0.20  # incremental wall time over a full pull's


def fill(client: Client, docs: int, batch: int, seed: int) -> tuple[str, int]:
    """A project of ``docs`` tasks with one annotation each (untimed setup)."""
    schemas = SchemaSet()
    title = f"pull bench {uuid.uuid4().hex[:6]}"
    created = client.sdk.projects.create(title=title, label_config=labeling_config(schemas))
    project_id = int(created.id or 0)
    tasks: list[dict[str, Any]] = []
    for document, annotation in make_documents(docs, seed):
        result = annotation_results(annotation, schemas)
        annotations = [{"result": result, "ground_truth": False}]
        tasks.append({"data": task_data(document), "annotations": annotations})
        if len(tasks) == batch:
            client.sdk.projects.import_tasks(project_id, request=tasks)
            tasks = []
    if tasks:
        client.sdk.projects.import_tasks(project_id, request=tasks)
    return title, project_id


def change(client: Client, project_id: int, share: float) -> int:
    """Edit the annotation of every (1 / share)-th task: drop its last region."""
    if share <= 0:
        return 0
    step = max(1, round(1 / share))
    answer = client.get_json("/api/tasks/", project=project_id, page_size=10**6, include="id")
    ids = sorted(int(t["id"]) for t in answer["tasks"])[::step]
    for task_id in ids:
        annotation = client.sdk.annotations.list(id=task_id)[0]
        result = list(annotation.result or [])[:-1]
        client.sdk.annotations.update(id=int(annotation.id or 0), result=result)
    return len(ids)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def routes(client: Client, project_id: int, workdir: Path) -> dict[str, Any]:
    """Each API route once, wall seconds (one request unless said)."""
    wrapper = client.sdk._client_wrapper
    http = wrapper.httpx_client.httpx_client
    base = f"{client.url}/api/projects/{project_id}"
    out: dict[str, Any] = {}

    def sync_export() -> int:
        with (workdir / "route.json").open("wb") as handle:
            for chunk in client.sdk.projects.exports.download_sync(
                project_id, export_type="JSON", download_all_tasks=True
            ):
                handle.write(chunk)
        return (workdir / "route.json").stat().st_size

    out["sync export, every task (1 request)"] = timed(sync_export)[0]

    def snapshot() -> int:
        answer = http.post(f"{base}/exports/", json={}, headers=wrapper.get_headers(), timeout=3600)
        export_id = answer.json()["id"]
        while http.get(f"{base}/exports/{export_id}", headers=wrapper.get_headers()).json()[
            "status"
        ] not in ("completed", "failed"):
            time.sleep(0.5)
        url = f"{base}/exports/{export_id}/download?exportType=JSON"
        with http.stream("GET", url, headers=wrapper.get_headers(), timeout=3600) as response:
            return sum(len(b) for b in response.iter_bytes())

    out["export snapshot, create + wait + download"] = timed(snapshot)[0]
    include = "id,updated_at,total_annotations,cancelled_annotations,total_predictions"
    listing = timed(
        lambda: client.get_json("/api/tasks/", project=project_id, page_size=10**6, include=include)
    )
    out["task listing, selected fields, 1 page"] = listing[0]
    ids = sorted(int(t["id"]) for t in listing[1]["tasks"])[::100]

    def by_ids() -> int:
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("exportType", "JSON"),
            ("download_all_tasks", "true"),
        ]
        params += [("ids[]", i) for i in ids]
        return len(
            http.get(f"{base}/export", params=params, headers=wrapper.get_headers(), timeout=3600)
            .raise_for_status()
            .content
        )

    out[f"sync export of 1 % of the ids ({len(ids)}, 1 request)"] = timed(by_ids)[0]
    return out


def pull_in_child(url: str, token: str, title: str, out: Path, full: bool) -> dict[str, Any]:
    """``pull`` in a fresh process: its wall time, report and peak resident memory."""
    code = (
        "import json, os, sys, time\n"
        "from annotate.labelstudio.client import Client, Connection\n"
        "from annotate.labelstudio.pull import pull\n"
        "c = Client(Connection(sys.argv[1], os.environ['BENCH_TOKEN']))\n"
        "t = time.perf_counter()\n"
        "r = pull(c, sys.argv[2], sys.argv[3], full=sys.argv[4] == 'full')\n"
        "wall = time.perf_counter() - t\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(json.dumps({'wall': wall, 'fetched': r.fetched, 'tasks': r.tasks,\n"
        "  'incremental': r.incremental, 'requests': len(r.requests),\n"
        "  'slowest_request': r.slowest_request, 'peak_rss_mb': int(hwm) / 1024}))\n"
    )
    env = {**os.environ, "BENCH_TOKEN": token}
    mode = "full" if full else "incremental"
    answer = subprocess.run(
        [sys.executable, "-c", code, url, title, str(out), mode],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(answer.stdout)
    return result


def run(args: argparse.Namespace, client: Client, token: str, workdir: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"docs": args.docs, "change": args.change}
    seconds, (title, project_id) = timed(lambda: fill(client, args.docs, args.batch, args.seed))
    report["setup: import"] = seconds
    print(f"imported {args.docs} annotated tasks in {seconds:.0f} s", file=sys.stderr)
    if args.routes:
        report["routes"] = routes(client, project_id, workdir)
        print(json.dumps(report["routes"], indent=2), file=sys.stderr)
    snapshot, fresh = workdir / "snapshot.json", workdir / "fresh.json"
    report["full pull"] = pull_in_child(client.url, token, title, snapshot, True)
    print(f"full pull: {report['full pull']}", file=sys.stderr)
    if args.change > 0:
        report["setup: changed tasks"] = change(client, project_id, args.change)
        report["incremental pull"] = pull_in_child(client.url, token, title, snapshot, False)
        print(f"incremental pull: {report['incremental pull']}", file=sys.stderr)
        report["full pull after"] = pull_in_child(client.url, token, title, fresh, True)
        report["identical"] = snapshot.read_bytes() == fresh.read_bytes()
        full = (report["full pull"]["wall"] + report["full pull after"]["wall"]) / 2
        report["incremental / full (wall)"] = report["incremental pull"]["wall"] / full
    client.sdk.projects.delete(id=project_id)
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--change", type=float, default=0.01, help="share of tasks changed")
    parser.add_argument("--batch", type=int, default=1000, help="tasks per import request")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--routes", action="store_true", help="also time each API route once")
    parser.add_argument("--quick", action="store_true", help="1,000 tasks, with routes")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--home", type=Path, help="the server's folder (reused if running)")
    parser.add_argument("--keep-server", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.routes = 1000, True
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pull-bench-") as tmp:
        server = LocalServer(args.home or Path(tmp) / "server")
        status = server.start()
        try:
            assert status.url is not None
            token = server.credentials().token
            report = run(args, Client(Connection(status.url, token)), token, Path(tmp))
        finally:
            if not args.keep_server:
                server.stop()
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    ratio = report.get("incremental / full (wall)")
    if ratio is not None:
        verdict = "meets" if ratio <= TARGET else "misses"
        print(f"incremental/full wall ratio {ratio:.3f} {verdict} the target of {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
