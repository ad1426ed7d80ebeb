"""ordered_map: work in real worker processes, results in input order."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from annotate.dataset.parallel import available_cpus, default_workers, ordered_map
from annotate.errors import AnnotateError

Make = Callable[..., Callable[[int], tuple[int, int]]]


@pytest.fixture
def squarer(monkeypatch: pytest.MonkeyPatch) -> Make:
    """The work, from a module the spawned workers can import by name."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    make: Make = importlib.import_module("parallel_helpers").squarer
    return make


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_in_input_order(workers: int, squarer: Make) -> None:
    results = list(ordered_map(squarer, (), range(40), workers))
    assert [item for item, _ in results] == list(range(40))
    assert [square for _, (square, _) in results] == [i * i for i in range(40)]
    pids = {pid for _, (_, pid) in results}
    if workers == 1:
        assert pids == {os.getpid()}
    else:
        assert os.getpid() not in pids  # the work was done elsewhere


def test_an_error_in_a_worker_is_raised_for_its_item(squarer: Make) -> None:
    seen = []
    with pytest.raises(ValueError, match="cannot square 7"):
        for item, _ in ordered_map(squarer, (7,), range(20), 2):
            seen.append(item)
    assert seen == list(range(7))


def test_a_worker_that_dies_is_a_clear_error(squarer: Make) -> None:
    with pytest.raises(AnnotateError, match="a worker process stopped unexpectedly"):
        list(ordered_map(squarer, (-1, 5), range(20), 2))


def test_default_workers() -> None:
    assert default_workers(10, 100) == 1
    assert default_workers(100, 100) == min(available_cpus(), 8)


def test_a_worker_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    make: Make = importlib.import_module("parallel_helpers").unstartable
    with pytest.raises(ValueError, match="no schemas in /nowhere"):
        list(ordered_map(make, ("no schemas in /nowhere",), range(5), 2))
