"""``annotate export --workers 2`` interrupted in a real process by SIGINT, SIGTERM or SIGKILL.

Each run is stopped once its workers are converting and the dataset is being written beside
the target. Then: the command's exit code and note, no worker left running, the caller's
pipes closed (``communicate`` returns only when no process holds them), and the next run
into the same target writes the right dataset and leaves no temporary behind.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

import annotate
from annotate.atomic import running

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="finds the workers in /proc"),
]

TASKS = 400  # about 14 MB: a few seconds of work for two workers
REPO = Path(__file__).resolve().parent.parent
CLI = "import sys; from annotate.cli import main; sys.exit(main())"
NOTE = "annotate export: interrupted; re-running is safe"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_export", REPO / "benchmarks" / "gen_export.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _annotate(*args: object) -> list[str]:
    return [sys.executable, "-c", CLI, *map(str, args)]


def _env() -> dict[str, str]:
    """This process's environment, importing the same annotate as the tests do."""
    source = str(Path(annotate.__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}


def _interruptible() -> None:
    """In the child before exec: the signals act, even if this test run ignores them (as a
    shell's background job ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def _children(pid: int) -> Iterator[int]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            yield int(entry.name)


def _workers(pid: int) -> list[int]:
    """The pool's worker processes of ``pid`` (not multiprocessing's resource tracker)."""
    found = []
    for child in _children(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.append(child)
    return found


def _mid_run(process: subprocess.Popen[str], folder: Path) -> list[int]:
    """Wait until both workers run and the dataset is being written; returns the workers."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, "the export ended before it could be interrupted"
        workers = _workers(process.pid)
        writing = [p for p in folder.iterdir() if p.name.startswith(".gold.")]
        if len(workers) == 2 and any((p / "documents").is_dir() for p in writing):
            return workers
        time.sleep(0.05)
    raise AssertionError("the export never got going")


def _wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("interrupts") / "export.json"
    _generator().write_export(path, TASKS)
    return path


@pytest.fixture(scope="module")
def reference(big_export: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The dataset of an uninterrupted run."""
    out = tmp_path_factory.mktemp("reference") / "gold"
    done = subprocess.run(
        _annotate("export", big_export, "-o", out, "--workers", "2"),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {TASKS} documents" in done.stdout
    return _files(out)


@pytest.mark.parametrize(
    ("sig", "code"),
    [
        pytest.param(signal.SIGINT, 130, id="SIGINT"),
        pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
        pytest.param(signal.SIGKILL, -signal.SIGKILL, id="SIGKILL"),
    ],
)
def test_an_interrupted_export_leaves_nothing_behind(
    sig: signal.Signals, code: int, big_export: Path, reference: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "gold"
    process = subprocess.Popen(
        _annotate("export", big_export, "-o", out, "--workers", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        preexec_fn=_interruptible,
    )
    workers: list[int] = []
    try:
        workers = _mid_run(process, tmp_path)
        for pid in workers:  # started workers hold none of the caller's streams
            assert [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (0, 1, 2)] == [os.devnull] * 3
        process.send_signal(sig)
        _, err = process.communicate(timeout=120)  # returns once nobody holds the pipes
    finally:
        if process.poll() is None:
            process.kill()
        for pid in workers:  # a failing test leaves no orphan either
            if running(pid):
                os.kill(pid, signal.SIGKILL)
    assert process.returncode == code, err
    assert _wait_until(lambda: not any(running(pid) for pid in workers), 10), "a worker survived"
    left = sorted(p.name for p in tmp_path.iterdir())
    if sig == signal.SIGKILL:
        assert [name.split(".")[2] for name in left] == [str(process.pid)]  # its temporary
    else:
        assert NOTE in err
        assert left == []  # cleaned up on the way out

    again = subprocess.run(
        _annotate("export", big_export, "-o", out, "--workers", "2"),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold"]
    assert _files(out) == reference


WATCHED = (  # a process that only watches its parent, without the kernel's help
    "import os; from annotate.dataset.parallel import _watch; "
    "parent = os.getppid(); print('ready', flush=True); _watch(parent)"
)


def test_the_watchdog_ends_a_worker_whose_parent_died() -> None:
    """Where the kernel cannot be asked to (not Linux), a worker notices by itself."""
    parent_code = (
        "import subprocess, sys, time; "
        f"child = subprocess.Popen([sys.executable, '-c', {WATCHED!r}]); "
        "print(child.pid, flush=True); time.sleep(120)"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True, env=_env()
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert parent.stdout.readline() == "ready\n"
        assert running(child)
        parent.kill()
        parent.wait()
        assert _wait_until(lambda: not running(child), 10), "the orphan kept running"
    finally:
        parent.stdout.close()
        if running(child):
            os.kill(child, signal.SIGKILL)
