"""Atomic writes: build beside the target, then rename, so a reader never sees half a file.

Temporaries are named ``.NAME.PID.XXXXXXXX.tmp`` beside the target ``NAME``, so a run
killed outright (SIGKILL, a power cut) leaves something recognisable: the next write to the
same target removes the temporaries whose process no longer runs. A folder replaces another
in one step on Linux (``renameat2`` exchange); elsewhere the old one is moved aside to
``.NAME.PID.XXXXXXXX.old.tmp`` for the instant of the swap, and should the run die right
then, the next write puts it back.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

from annotate.errors import UsageError

_SUFFIX = ".tmp"
_OLD = ".old"


def _target(path: Path | str) -> Path:
    """``path`` made absolute without following links, so ``.`` has a name and a parent."""
    target = Path(os.path.abspath(path))
    if not target.name:
        raise UsageError(f"{path}: the root folder cannot be written as a whole")
    return target


def _prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}."


def _stale_pattern(path: Path) -> re.Pattern[str]:
    """Matches the temporaries of ``path``; group 1 is the owner's pid, group 2 ``.old``."""
    name = re.escape(f".{path.name}.")
    return re.compile(rf"^{name}(\d+)\.[a-z0-9_]{{8}}({re.escape(_OLD)})?{re.escape(_SUFFIX)}$")


def running(pid: int) -> bool:
    """Whether process ``pid`` runs: it exists and, on Linux, is not a zombie (a killed
    process whose parent does not reap it)."""
    if pid == os.getpid() or sys.platform == "win32":  # there, os.kill would end it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    if sys.platform == "linux":
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rpartition(")")[2].split()[:1] not in (["Z"], ["X"])  # zombie, dead
    return True


def remove_stale(path: Path | str) -> list[Path]:
    """Remove the temporaries beside ``path`` left by runs that no longer run; returns them.

    A folder that was moved aside to be replaced comes back to ``path`` when ``path`` is
    missing (the run died mid-swap); everything else is deleted.
    """
    target = _target(path)
    pattern = _stale_pattern(target)
    try:
        entries = sorted(target.parent.iterdir())
    except OSError:
        return []
    removed = []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or running(int(match.group(1))):
            continue
        if match.group(2) and not os.path.lexists(target):
            os.replace(entry, target)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _temp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(path), suffix=_SUFFIX, dir=path.parent)
    os.close(fd)
    return Path(tmp)


@contextmanager
def _atomic(path: Path | str, mode: str, encoding: str | None) -> Iterator[IO[Any]]:
    path = _target(path)
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
    """Build a directory in a temporary sibling; on success it replaces ``path``.

    ``path`` may be relative, ``.`` included; temporaries that runs killed earlier left
    beside it are removed first (see :func:`remove_stale`).
    """
    path = _target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=_SUFFIX, dir=path.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield tmp
        _swap(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap(new: Path, path: Path) -> None:
    """Put folder ``new`` in the place of ``path``; what was there ends up at ``new``."""
    if not os.path.lexists(path):
        os.replace(new, path)
        return
    if _exchange(new, path):
        return
    old = new.with_name(new.name.removesuffix(_SUFFIX) + _OLD + _SUFFIX)
    os.replace(path, old)  # from here to the next line, a killed run leaves no path: see
    os.replace(new, path)  # remove_stale, which puts the old folder back
    os.replace(old, new)


_AT_FDCWD = -100  # from <fcntl.h>
_RENAME_EXCHANGE = 2  # from <linux/fs.h>


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is not possible."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it
        return False
    done: int = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return done == 0
