"""What a project holds, task by task, without its data: the listing a pull plans from.

Label Studio's data-manager listing (``GET /api/tasks/``) returns only the fields named in
``include``, in pages of any size, ordered by id. Each task's *version* is the fields Label
Studio changes whenever one of its annotations or predictions is saved or deleted:
``updated_at`` (touched by ``Annotation.save``/``delete`` and ``Prediction.save``/``delete``)
and the three counters (kept by the signals of bulk actions that bypass ``save``). Drafts
change none of them, so the tasks that hold a draft are listed apart and always fetched.
The same fields are in every exported task, so a pulled snapshot carries its own versions.

Listing every task costs the server about a quarter of an export (it loads each task's
annotations), so after a first pull only the tasks updated since the newest ``updated_at``
of the snapshot are listed (:func:`changed_since`, microsecond-exact), and one count of the
project's tasks, annotations and predictions (:func:`totals`, a one-task page) tells
whether the other tasks are exactly the ones the snapshot holds.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from annotate.errors import LabelStudioError
from annotate.labelstudio.client import Client

PAGE = 5000  # task ids per listing page: a few hundred kB, well under a second
VERSION_FIELDS = ("updated_at", "total_annotations", "cancelled_annotations", "total_predictions")
_INCLUDE = ",".join(("id", *VERSION_FIELDS))
_BY_ID = json.dumps({"ordering": ["tasks:id"]})
Version = tuple[str, int, int, int]
T = TypeVar("T")


def task_version(task: dict[str, Any]) -> Version:
    """The version of a listed or exported task (see the module's docstring)."""
    return (
        str(task.get("updated_at")),
        int(task.get("total_annotations") or 0),
        int(task.get("cancelled_annotations") or 0),
        int(task.get("total_predictions") or 0),
    )


@dataclass
class RequestLog:
    """How long each request of a pull took, to show none comes near a timeout."""

    durations: list[float] = field(default_factory=list)

    def timed(self, request: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return request()
        finally:
            self.durations.append(time.perf_counter() - start)


@dataclass(frozen=True)
class Listing:
    """Every task of a project: id → version in ascending id order, and the ids with a draft."""

    versions: dict[int, Version]
    with_draft: frozenset[int]
    every_task: bool = True  # listed whole, or only the tasks changed since the last pull
    newest: str | None = None  # the latest updated_at the server listed: changes come after


def newest(stamps: Iterable[str]) -> str | None:
    """The latest of Label Studio's ``updated_at`` stamps (compared as instants)."""
    return max(stamps, key=_instant, default=None)


def _instant(stamp: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def list_tasks(client: Client, project_id: int, log: RequestLog) -> dict[int, Version]:
    """Every task of project ``project_id``, checked complete: ascending unique ids whose
    number is the total the server announces."""
    pages = _pages(client, project_id, _INCLUDE, _BY_ID, log)
    return {int(t["id"]): task_version(t) for t in pages}


def changed_since(
    client: Client, project_id: int, since: str, log: RequestLog
) -> dict[int, Version]:
    """The tasks whose ``updated_at`` is later than ``since``, in ascending id order."""
    query = _filtered(
        {
            "filter": "filter:tasks:updated_at",
            "operator": "greater",
            "type": "Datetime",
            "value": since,
        }
    )
    pages = _pages(client, project_id, _INCLUDE, query, log)
    return {int(t["id"]): task_version(t) for t in pages}


def with_drafts(client: Client, project_id: int, log: RequestLog) -> frozenset[int]:
    """The tasks that hold a draft."""
    return frozenset(int(t["id"]) for t in _pages(client, project_id, "id", _WITH_DRAFT, log))


def totals(client: Client, project_id: int, log: RequestLog) -> tuple[int, int, int]:
    """The project's tasks, annotations (not cancelled) and predictions."""
    params = {"project": project_id, "page": 1, "page_size": 1}
    answer = log.timed(partial(client.get_json, "/api/tasks/", include="id", **params))
    return int(answer["total"]), int(answer["total_annotations"]), int(answer["total_predictions"])


def _filtered(item: dict[str, Any]) -> str:
    return json.dumps(
        {"filters": {"conjunction": "and", "items": [item]}, "ordering": ["tasks:id"]}
    )


_WITH_DRAFT = _filtered(
    {"filter": "filter:tasks:draft_exists", "operator": "equal", "type": "Boolean", "value": True}
)


def _pages(
    client: Client, project_id: int, include: str, query: str, log: RequestLog
) -> Iterator[dict[str, Any]]:
    where = f"the task listing of project {project_id} at {client.url}"
    seen, last, page, total = 0, 0, 1, None
    while total is None or seen < total:
        params = {"project": project_id, "page": page, "page_size": PAGE}
        answer = log.timed(
            partial(client.get_json, "/api/tasks/", include=include, query=query, **params)
        )
        total = int(answer["total"]) if total is None else total
        tasks = answer.get("tasks") or []
        if total == 0:
            return
        if not tasks or int(answer["total"]) != total:
            raise LabelStudioError(
                f"{where}: page {page} holds {len(tasks)} task(s) and announces "
                f"{answer['total']} in all, expected {total} after {seen}; the project "
                "changed while pulling, pull again"
            )
        for task in tasks:
            if int(task["id"]) <= last:
                raise LabelStudioError(
                    f"{where}: page {page} lists task {task['id']} after task {last}, "
                    "expected ascending ids; pull again"
                )
            last = int(task["id"])
            yield task
        seen, page = seen + len(tasks), page + 1
