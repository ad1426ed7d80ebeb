"""Work for test_parallel's worker processes.

Spawned workers import what they run by module name; test modules are not importable
under their own names (pytest's importlib mode), so the work lives here and the tests put
this folder on ``sys.path`` before starting the workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable


class Squarer:
    """Built once per worker; says which process did the work."""

    def __init__(self, fail_on: int, die_on: int) -> None:
        self.fail_on = fail_on
        self.die_on = die_on

    def __call__(self, item: int) -> tuple[int, int]:
        if item == self.fail_on:
            raise ValueError(f"cannot square {item}")
        if item == self.die_on:
            os._exit(3)  # the process dies, as when the system kills it for memory
        return item * item, os.getpid()


def squarer(fail_on: int = -1, die_on: int = -1) -> Callable[[int], tuple[int, int]]:
    return Squarer(fail_on, die_on)


def unstartable(message: str) -> Callable[[int], tuple[int, int]]:
    """A worker whose start fails."""
    raise ValueError(message)
