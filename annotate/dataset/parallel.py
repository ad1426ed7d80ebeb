"""Work spread over processes, results in input order, memory bounded.

:func:`ordered_map` is ``map`` over worker processes: the workers are started fresh
(``spawn``, so no state or threads are inherited), each runs an initializer once, and at
most a few inputs per worker are in flight, so a producer reading a large file never runs
ahead of the consumer. With one worker, everything runs in this process.

The number of workers is the caller's choice; :func:`default_workers` gives one per
available CPU for work big enough to pay for starting them (about half a second each).

Workers never outlive this process, however it ends: on Linux the kernel kills them when
it dies (``PR_SET_PDEATHSIG``), and a watchdog thread in each worker exits when its parent
changes (everywhere). They ignore SIGINT (Ctrl-C reaches the whole process group; this
process stops them in order) and, once started, hold none of this process's standard
streams (stdin, stdout and stderr are /dev/null), so a caller reading this process's
output sees its end when this process ends. Their results and errors come back through
the pool. Start the pool from the main thread: the death signal follows the thread that
started the workers.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from annotate.errors import AnnotateError

T = TypeVar("T")
R = TypeVar("R")
IN_FLIGHT = 3  # inputs per worker submitted ahead of the consumer
MAX_WORKERS = 8
WATCH_SECONDS = 0.5  # how often a worker checks that its parent still runs
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(size: int, worth_it: int) -> int:
    """One worker per CPU (at most MAX_WORKERS) when ``size`` reaches ``worth_it``, else 1."""
    return min(available_cpus(), MAX_WORKERS) if size >= worth_it else 1


_work: Callable[[Any], Any] | None = None  # in a worker: what make(*args) returned
_failure: Exception | None = None  # in a worker: what make(*args) raised


def _start(make: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...], parent: int) -> None:
    global _work, _failure
    _die_with(parent)
    _detach_streams()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _work = make(*args)
    except Exception as exc:  # stderr is gone: reported through the pool, with the first item
        _failure = exc


def _die_with(parent: int) -> None:
    """End this worker when process ``parent`` ends, or now if it already has."""
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the watchdog is enough
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _detach_streams() -> None:
    """Point file descriptors 0, 1 and 2 at /dev/null, letting go of the parent's streams."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:  # else one of 0-2 was closed, and it now is /dev/null itself
        os.close(devnull)


def _run(item: Any) -> Any:
    if _failure is not None:
        raise _failure
    assert _work is not None, "worker used before it was started"
    return _work(item)


def ordered_map(
    make: Callable[..., Callable[[T], R]],
    args: tuple[Any, ...],
    items: Iterable[T],
    workers: int,
) -> Iterator[tuple[T, R]]:
    """Each item with ``fn(item)``, in input order, where ``fn = make(*args)``.

    Each of ``workers`` processes calls ``make(*args)`` once, so ``make`` (a module-level
    function or class) and ``args`` must pickle, but ``fn`` need not. An exception raised
    by ``fn`` is raised here, for the item that caused it (one raised by ``make`` in a
    worker, for the first item that worker takes), and the remaining work is cancelled; a
    worker that dies (killed by the system) raises AnnotateError. With ``workers`` below 2,
    ``fn`` runs in this process.
    """
    if workers < 2:
        fn = make(*args)
        for item in items:
            yield item, fn(item)
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, context, _start, (make, args, os.getpid()))
    pending: deque[tuple[T, Future[R]]] = deque()
    try:
        for item in items:
            pending.append((item, pool.submit(_run, item)))
            if len(pending) >= IN_FLIGHT * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    except BrokenProcessPool as exc:
        raise AnnotateError(
            "a worker process stopped unexpectedly (was it killed for lack of memory?); "
            "run again with fewer workers"
        ) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
