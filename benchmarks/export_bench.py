"""Benchmark: ``annotate export`` against Label Studio's converter plus ``datasets``.

Side by side, on the same synthetic export (benchmarks/gen_export.py):

* ours: ``annotate export EXPORT -o DIR`` — convert and validate every annotation,
  adjudicate, measure agreement, write both parquet configs and the card;
* baseline: ``label_studio_sdk.converter.Converter.convert_to_json_min`` followed by
  ``datasets.load_dataset("json")`` on its output (no validation, no adjudication).

Each run is a subprocess of its own; runs of the two alternate, so both see the same
machine load. ``annotate export`` runs its own worker processes, so memory and CPU are
measured over the whole process tree: CPU is user + system of the run and every process
it waited for; memory is sampled every 200 ms from /proc as the sum over the tree of the
proportional set size (PSS: pages shared between processes, such as the libraries every
worker maps, are divided among them) and, for comparison, of the resident set size (RSS,
which counts shared pages once per process). Reported: median wall time, median CPU time
(steadier on a shared machine), their ratios, and the peak PSS and RSS sums.

    python benchmarks/export_bench.py --sizes 5000 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WHICH = ("ours", "baseline")
TARGET_RATIO = 5.0  # issue 17: at 20,000 tasks
TARGET_MB = 300  # peak PSS of the process tree
TARGET_CPU = 0.4  # our CPU time over the baseline's


def run_ours(export: Path, out: Path) -> None:
    from annotate.cli import main

    code = main(["export", str(export), "-o", str(out / "gold"), "--force"])
    if code != 0:
        raise SystemExit(f"annotate export failed with exit code {code}")


def run_baseline(export: Path, out: Path) -> None:
    import datasets
    from label_studio_sdk.converter import Converter

    from annotate.labelstudio.config import labeling_config
    from annotate.schema import SchemaSet

    converter = Converter(labeling_config(SchemaSet()), project_dir=None, download_resources=False)
    converter.convert_to_json_min(str(export), str(out / "json-min"), is_dir=False)
    data = datasets.load_dataset(
        "json", data_files=str(out / "json-min" / "result.json"), cache_dir=str(out / "cache")
    )
    if not data["train"].num_rows:
        raise SystemExit("the baseline produced no rows")


def child(which: str, export: Path, out: Path) -> None:
    """Run one side in this process, then print its CPU time and peak memory as JSON."""
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"
    (run_ours if which == "ours" else run_baseline)(export, out)
    cpu = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):  # workers included
        usage = resource.getrusage(who)
        cpu += usage.ru_utime + usage.ru_stime
    print(json.dumps({"cpu": cpu}))


class TreeMemory(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_pss = 0
        self.peak_rss = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pss = rss = 0
            for pid in self.tree():
                pss += _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
                rss += _kib(f"/proc/{pid}/status", "VmRSS:")
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)
            self.done.wait(self.interval)

    def tree(self) -> list[int]:
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for task in tasks:
                try:
                    with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                        todo += [int(c) for c in handle.read().split()]
                except OSError:
                    continue
        return found


def _kib(path: str, key: str) -> int:
    """A ``key: N kB`` figure of a /proc file, 0 if the process is gone."""
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(which: str, export: Path, workdir: Path) -> dict[str, float]:
    """One run of one side in a fresh subprocess and a fresh output folder."""
    out = workdir / f"out-{which}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        which,
        str(export),
        str(out),
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    memory.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    memory.done.set()
    memory.join()
    if process.returncode != 0:
        raise SystemExit(f"{which} failed:\n{stderr[-3000:]}")
    stats: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return {
        "wall": wall,
        **stats,
        "peak_mb": memory.peak_pss / 1024,
        "peak_rss_mb": memory.peak_rss / 1024,
    }


def ensure_export(workdir: Path, size: int, seed: int) -> Path:
    path = workdir / f"export-{size}-seed{seed}.json"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from gen_export import write_export

        print(f"generating {path} …", file=sys.stderr)
        write_export(path, size, seed)
    return path


def bench(size: int, repeat: int, workdir: Path, seed: int) -> dict[str, Any]:
    export = ensure_export(workdir, size, seed)
    runs: dict[str, list[dict[str, float]]] = {w: [] for w in WHICH}
    for i in range(repeat):
        for which in WHICH:
            runs[which].append(measure(which, export, workdir))
            print(
                f"{size} tasks, run {i + 1}/{repeat}, {which}: {runs[which][-1]}", file=sys.stderr
            )
    summary: dict[str, Any] = {"tasks": size, "export_mb": export.stat().st_size / 2**20}
    for which in WHICH:
        summary[which] = {
            "wall_median": statistics.median(r["wall"] for r in runs[which]),
            "cpu_median": statistics.median(r["cpu"] for r in runs[which]),
            "peak_mb": max(r["peak_mb"] for r in runs[which]),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs[which]),
            "runs": runs[which],
        }
    ours, base = summary["ours"], summary["baseline"]
    summary["speedup_wall"] = base["wall_median"] / ours["wall_median"]
    summary["speedup_cpu"] = base["cpu_median"] / ours["cpu_median"]
    return summary


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| tasks | export MB | ours wall s | baseline wall s | speed-up (wall) | ours CPU s "
        "| baseline CPU s | speed-up (CPU) | ours peak PSS MB | ours peak RSS MB "
        "| baseline peak PSS MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        o, b = r["ours"], r["baseline"]
        lines.append(
            f"| {r['tasks']} | {r['export_mb']:.0f} | {o['wall_median']:.1f} | "
            f"{b['wall_median']:.1f} | {r['speedup_wall']:.2f}× | {o['cpu_median']:.1f} | "
            f"{b['cpu_median']:.1f} | {r['speedup_cpu']:.2f}× | {o['peak_mb']:.0f} | "
            f"{o['peak_rss_mb']:.0f} | {b['peak_mb']:.0f} |"
        )
    verdicts = [
        f"{r['tasks']} tasks: speed-up {r['speedup_wall']:.2f}× (target ≥ {TARGET_RATIO}×), "
        f"CPU {1 / r['speedup_cpu']:.2f}× the baseline's (target ≤ {TARGET_CPU}×), "
        f"peak {r['ours']['peak_mb']:.0f} MB (target ≤ {TARGET_MB} MB)"
        for r in results
    ]
    return "\n".join([*lines, "", *verdicts]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "annotate-export-bench"
    )
    parser.add_argument("--output", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--child", nargs=3, metavar=("WHICH", "EXPORT", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [bench(size, args.repeat, args.workdir, args.seed) for size in args.sizes]
    print(table(results), end="")
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
