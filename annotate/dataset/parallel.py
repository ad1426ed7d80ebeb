"""Work spread over processes, results in input order, memory bounded.

:func:`ordered_map` is ``map`` over worker processes: the workers are started fresh
(``spawn``, so no state or threads are inherited), each runs an initializer once, and at
most a few inputs per worker are in flight, so a producer reading a large file never runs
ahead of the consumer. With one worker, everything runs in this process.

The number of workers is the caller's choice; :func:`default_workers` gives one per
available CPU for work big enough to pay for starting them (about half a second each).
"""

from __future__ import annotations

import multiprocessing
import os
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


def _start(make: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...]) -> None:
    global _work
    _work = make(*args)


def _run(item: Any) -> Any:
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
    by ``fn`` is raised here, for the item that caused it, and the remaining work is
    cancelled; a worker that dies (killed by the system) raises AnnotateError. With
    ``workers`` below 2, ``fn`` runs in this process.
    """
    if workers < 2:
        fn = make(*args)
        for item in items:
            yield item, fn(item)
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, context, _start, (make, args))
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
