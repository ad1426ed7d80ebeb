"""Benchmark: ``annotate export`` against Label Studio's converter plus ``datasets``.

Side by side, on the same synthetic export (benchmarks/gen_export.py):

* ours: ``annotate export EXPORT -o DIR`` — convert and validate every annotation,
  adjudicate, measure agreement, write both parquet configs and the card;
* baseline: ``label_studio_sdk.converter.Converter.convert_to_json_min`` followed by
  ``datasets.load_dataset("json")`` on its output (no validation, no adjudication).

Each run is a subprocess of its own, so its peak memory (ru_maxrss) is its alone; runs of
the two alternate, so both see the same machine load. Reported: median wall time, median
CPU time (user + system, steadier on a shared machine), their ratios, and peak memory.

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
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WHICH = ("ours", "baseline")
TARGET_RATIO = 3.0
TARGET_MB = 500


def run_ours(export: Path, out: Path) -> None:
    from annotate.cli import main

    code = main(["export", str(export), "-o", str(out / "gold"), "--force"])
    if code != 0:
        raise SystemExit(f"annotate export failed with exit code {code}")


def run_baseline(export: Path, out: Path) -> None:
    import datasets
    from label_studio_sdk.converter import Converter

    from annotate.labelconfig import labeling_config
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
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats = {"cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}
    print(json.dumps(stats))


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
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stderr[-3000:]}")
    stats: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return {"wall": wall, **stats}


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
            "runs": runs[which],
        }
    ours, base = summary["ours"], summary["baseline"]
    summary["speedup_wall"] = base["wall_median"] / ours["wall_median"]
    summary["speedup_cpu"] = base["cpu_median"] / ours["cpu_median"]
    return summary


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| tasks | export MB | ours wall s | baseline wall s | speed-up (wall) | ours CPU s "
        "| baseline CPU s | speed-up (CPU) | ours peak MB | baseline peak MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        o, b = r["ours"], r["baseline"]
        lines.append(
            f"| {r['tasks']} | {r['export_mb']:.0f} | {o['wall_median']:.1f} | "
            f"{b['wall_median']:.1f} | {r['speedup_wall']:.2f}× | {o['cpu_median']:.1f} | "
            f"{b['cpu_median']:.1f} | {r['speedup_cpu']:.2f}× | {o['peak_mb']:.0f} | "
            f"{b['peak_mb']:.0f} |"
        )
    verdicts = [
        f"{r['tasks']} tasks: speed-up {r['speedup_wall']:.2f}× (target ≥ {TARGET_RATIO}×), "
        f"peak {r['ours']['peak_mb']:.0f} MB (target < {TARGET_MB} MB)"
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
