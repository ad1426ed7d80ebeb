"""The tasks of a pulled snapshot and the tasks fetched now, merged into the next snapshot.

A snapshot is a Label Studio JSON export whose tasks are in ascending id order, each the
raw bytes the server sent. The next snapshot keeps the raw bytes of every task whose
version did not change and takes the others from the server, so a pull that fetched a few
tasks and a pull that fetched them all write the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from annotate.errors import ExportFileError, LabelStudioError
from annotate.labelstudio.exportfile import decode_task, task_segments
from annotate.labelstudio.tasklist import Listing, Version, task_version

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Held:
    """One task of the previous snapshot: where it is, its version and what it holds."""

    position: int
    version: Version
    draft: bool
    annotations: int
    cancelled: int
    predictions: int


@dataclass(frozen=True, slots=True)
class Fetched:
    """One task fetched now: its id, raw bytes and counts."""

    id: int
    raw: bytes
    annotations: int
    cancelled: int


@dataclass
class Counts:
    """What a snapshot holds."""

    tasks: int = 0
    annotations: int = 0
    cancelled: int = 0

    def add(self, annotations: int, cancelled: int) -> None:
        self.tasks += 1
        self.annotations += annotations
        self.cancelled += cancelled


def read_held(path: Path) -> dict[int, Held] | None:
    """The tasks of the snapshot at ``path`` by id; None when there is none to build on
    (missing, unreadable, or not in ascending id order: then every task is fetched)."""
    if not path.is_file():
        return None
    held: dict[int, Held] = {}
    last = 0
    try:
        for segment in task_segments(path):
            task = decode_task(segment, path)
            annotations = task.get("annotations") or []
            task_id = int(task["id"])
            if task_id <= last:
                return None
            last = task_id
            cancelled = sum(bool(a.get("was_cancelled")) for a in annotations)
            draft = bool(task.get("drafts"))
            version = task_version(task)
            predictions = len(task.get("predictions") or [])
            held[task_id] = Held(
                segment.number, version, draft, len(annotations), cancelled, predictions
            )
    except (ExportFileError, KeyError, TypeError, ValueError):
        return None
    return held


def still_held(held: dict[int, Held], changed: dict[int, Version]) -> tuple[int, int, int]:
    """Tasks, annotations (not cancelled) and predictions the snapshot holds outside ``changed``."""
    kept = [h for task_id, h in held.items() if task_id not in changed]
    annotations = sum(h.annotations - h.cancelled for h in kept)
    return len(kept), annotations, sum(h.predictions for h in kept)


def to_fetch(listing: Listing, held: dict[int, Held]) -> list[int]:
    """The listed tasks the previous snapshot does not hold as they are now, ascending."""
    out = []
    for task_id, version in listing.versions.items():
        before = held.get(task_id)
        if (
            before is None
            or before.version != version
            or before.draft
            or task_id in listing.with_draft
        ):
            out.append(task_id)
    return out


def fetched_tasks(segments: Iterator[tuple[Path, list[int]]], where: str) -> Iterator[Fetched]:
    """The tasks of each downloaded chunk (a file and the ids asked for), checked: exactly
    the ids asked for, each with as many annotations as its counters say; ascending ids."""
    for path, ids in segments:
        tasks = []
        for segment in task_segments(path):
            task = decode_task(segment, path)
            annotations = task.get("annotations") or []
            cancelled = sum(bool(a.get("was_cancelled")) for a in annotations)
            _, total, counted_cancelled, _ = task_version(task)
            if len(annotations) != total + counted_cancelled:
                raise LabelStudioError(
                    f"{where}: task {task['id']} came with {len(annotations)} annotation(s), "
                    f"its counters say {total + counted_cancelled}; it changed while "
                    "pulling, pull again"
                )
            tasks.append(Fetched(int(task["id"]), segment.raw, len(annotations), cancelled))
        tasks.sort(key=lambda t: t.id)
        got = [t.id for t in tasks]
        if got != ids:
            missing = sorted(set(ids) - set(got))[:10]
            extra = sorted(set(got) - set(ids))[:10]
            raise LabelStudioError(
                f"{where}: asked for {len(ids)} task(s) (ids {ids[0]}..{ids[-1]}), got "
                f"{len(got)}; missing {missing or 'none'}, unexpected {extra or 'none'}; "
                "the project changed while pulling, pull again"
            )
        yield from tasks


@dataclass(frozen=True)
class Merge:
    """The sources of the next snapshot."""

    listing: Listing
    previous: Path | None
    held: dict[int, Held]
    fetched: Iterator[Fetched]
    fetch: frozenset[int]


def write_merged(handle: IO[bytes], merge: Merge, progress: Progress | None = None) -> Counts:
    """Write the listed tasks in ascending id order: those in ``merge.fetch`` from the
    fetched ones, the others from the previous snapshot."""
    counts = Counts()
    total = len(merge.listing.versions)
    kept = _kept(merge)
    handle.write(b"[")
    for task_id in merge.listing.versions:
        raw, annotations, cancelled = (
            _next_fetched(merge.fetched, task_id) if task_id in merge.fetch else next(kept)
        )
        if counts.tasks:
            handle.write(b",")
        handle.write(raw)
        counts.add(annotations, cancelled)
        if progress is not None:
            progress(counts.tasks, total)
    handle.write(b"]")
    return counts


def _next_fetched(fetched: Iterator[Fetched], task_id: int) -> tuple[bytes, int, int]:
    task = next(fetched)
    if task.id != task_id:  # fetched_tasks checked each chunk: this is a bug
        raise AssertionError(f"fetched task {task.id} where task {task_id} belongs")
    return task.raw, task.annotations, task.cancelled


def _kept(merge: Merge) -> Iterator[tuple[bytes, int, int]]:
    """The raw bytes of the kept tasks of the previous snapshot, in its (id) order."""
    if merge.previous is None:
        return
    wanted = {
        merge.held[t].position: merge.held[t]
        for t in merge.listing.versions
        if t not in merge.fetch
    }
    for segment in task_segments(merge.previous):
        held = wanted.get(segment.number)
        if held is not None:
            yield segment.raw, held.annotations, held.cancelled
