"""Atomic writes: build beside the target, then rename, so a reader never sees half a file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any


def _temp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


@contextmanager
def _atomic(path: Path | str, mode: str, encoding: str | None) -> Iterator[IO[Any]]:
    path = Path(path)
    tmp = _temp_beside(path)
    try:
        with tmp.open(mode, encoding=encoding, newline="" if encoding else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_binary(path: Path | str) -> AbstractContextManager[IO[bytes]]:
    """A binary file opened beside ``path`` (its ``name`` is that temporary path); on
    success it replaces ``path`` atomically, on error it is removed."""
    return _atomic(path, "wb", None)


def atomic_text(path: Path | str) -> AbstractContextManager[IO[str]]:
    """Like :func:`atomic_binary`, for UTF-8 text written exactly as given (no newline
    translation)."""
    return _atomic(path, "w", "utf-8")


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_text(path) as handle:
        handle.write(text)


@contextmanager
def atomic_directory(path: Path | str) -> Iterator[Path]:
    """Build a directory in a temporary sibling; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield tmp
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
