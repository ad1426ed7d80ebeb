"""Pulling every task of a project with its annotations, written atomically with a manifest.

A pull lists the project's task ids with their versions (:mod:`annotate.labelstudio.tasklist`),
then fetches tasks through the export endpoint restricted to a few hundred ids at a time
(``GET /api/projects/{id}/export?ids[]=…``), so no request grows with the project. When the
output already holds an earlier pull of the same project, only the tasks whose version
changed (or that hold a draft) are fetched and the rest are copied from it
(:mod:`annotate.labelstudio.snapshot`); ``full=True`` fetches everything. Either way the
snapshot lists the tasks in ascending id order, each as the server sent it, so both write
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from label_studio_sdk.core.api_error import ApiError

from annotate.atomic import atomic_binary, atomic_write_text
from annotate.errors import ExportFileError, LabelStudioError
from annotate.labelstudio.accounts import user_emails
from annotate.labelstudio.client import TIMEOUT, Client
from annotate.labelstudio.manifest import manifest_path, read_manifest
from annotate.labelstudio.project import require_project
from annotate.labelstudio.snapshot import (
    Counts,
    Held,
    Merge,
    Progress,
    fetched_tasks,
    read_held,
    still_held,
    to_fetch,
    write_merged,
)
from annotate.labelstudio.tasklist import (
    Listing,
    RequestLog,
    changed_since,
    list_tasks,
    newest,
    totals,
    with_drafts,
)
from annotate.schema import SchemaSet

CHUNK = 500  # task ids per export request at most: seconds of server work
URL_BUDGET = 3500  # bytes of URL per export request: gunicorn refuses request lines over 4094


@dataclass(frozen=True)
class PullReport:
    """What a pull fetched and where it wrote it."""

    project_id: int
    title: str
    tasks: int
    annotations: int
    cancelled: int
    output: Path
    manifest: Path
    fetched: int = 0
    incremental: bool = False
    listed_every_task: bool = True
    requests: list[float] = field(default_factory=list, compare=False)

    @property
    def slowest_request(self) -> float:
        """Seconds of the longest request of this pull."""
        return max(self.requests, default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": {"id": self.project_id, "title": self.title},
            "tasks": self.tasks,
            "annotations": self.annotations,
            "cancelled": self.cancelled,
            "fetched": self.fetched,
            "incremental": self.incremental,
            "listed_every_task": self.listed_every_task,
            "output": str(self.output),
            "manifest": str(self.manifest),
        }


def pull(
    client: Client,
    title: str,
    output: Path | str,
    schemas: SchemaSet | None = None,
    *,
    full: bool = False,
    progress: Progress | None = None,
) -> PullReport:
    """Export every task (annotated or not) of project ``title`` to ``output``.

    When ``output`` holds an earlier pull of this project (same server, same project id in
    its manifest) and ``full`` is false, only the tasks that changed since are fetched.
    The listing, every chunk and the result are checked against the server (ids, counts),
    so a truncated or racing export is an error, never a silent loss; nothing is written
    then, and an earlier snapshot stays as it was. ``progress(done, total)`` is called as
    tasks are written.
    """
    schemas = schemas or SchemaSet()
    output = Path(output)
    project = require_project(client, title)
    log = RequestLog()
    since = _listed_up_to(output, client.url, project.id)
    held = None if full or since is None else read_held(output)
    listing = _listing(client, project.id, held, since, log)
    if len(listing.versions) != project.task_number:
        raise LabelStudioError(
            f"{client.url}: the task listing of project {title!r} holds "
            f"{len(listing.versions)} task(s) but the project has {project.task_number}; "
            "nothing was written, pull again"
        )
    fetch = to_fetch(listing, held or {})
    with tempfile.TemporaryDirectory(prefix="annotate-pull-") as scratch:
        chunks = _download(client, project.id, fetch, Path(scratch), log)
        where = f"{client.url}: the export of project {title!r}"
        merge = Merge(
            listing,
            output if held is not None else None,
            held or {},
            fetched_tasks(chunks, where),
            frozenset(fetch),
        )
        with atomic_binary(output) as handle:
            counts = write_merged(handle, merge, progress)
    target = manifest_path(output)
    text = _manifest(client, project.id, project.title, counts, schemas, listing.newest)
    atomic_write_text(target, text)
    return PullReport(
        project.id,
        project.title,
        counts.tasks,
        counts.annotations,
        counts.cancelled,
        output,
        target,
        fetched=len(fetch),
        incremental=held is not None,
        listed_every_task=listing.every_task,
        requests=log.durations,
    )


def _listing(
    client: Client,
    project_id: int,
    held: dict[int, Held] | None,
    since: str | None,
    log: RequestLog,
) -> Listing:
    """Every task with its version. Over a snapshot, only the tasks changed after ``since``
    (the latest ``updated_at`` its pull listed) are listed when the project's counts show
    the others are exactly what it holds; otherwise (a task or annotation deleted, a change
    that left ``updated_at`` alone) all are."""
    drafts = with_drafts(client, project_id, log)
    if not held or since is None:
        versions = list_tasks(client, project_id, log)
        return Listing(versions, drafts, newest=newest(v[0] for v in versions.values()))
    project_totals = totals(client, project_id, log)
    changed = changed_since(client, project_id, since, log)
    rest = (
        project_totals[0] - len(changed),
        project_totals[1] - sum(v[1] for v in changed.values()),
        project_totals[2] - sum(v[3] for v in changed.values()),
    )
    if rest != still_held(held, changed):
        return _listing(client, project_id, None, since, log)
    versions = {t: h.version for t, h in held.items() if t not in changed} | changed
    latest = newest([since, *(v[0] for v in changed.values())])
    return Listing(dict(sorted(versions.items())), drafts, every_task=False, newest=latest)


def _listed_up_to(output: Path, url: str, project_id: int) -> str | None:
    """The latest ``updated_at`` listed by the pull that wrote ``output``, when its manifest
    says it was pulled from this project; None when there is no such pull to build on."""
    try:
        manifest = read_manifest(output)
        if manifest["url"] != url or manifest["project"]["id"] != project_id:
            return None
        since = manifest["listed_up_to"]
    except (ExportFileError, KeyError, TypeError):
        return None
    return since if isinstance(since, str) else None


def _download(
    client: Client, project_id: int, ids: list[int], scratch: Path, log: RequestLog
) -> Iterator[tuple[Path, list[int]]]:
    """Each chunk of ``ids`` exported to a file in ``scratch`` (one at a time, lazily)."""
    path = scratch / "chunk.json"
    for chunk in id_chunks(_export_url(client, project_id, []), ids):

        def export(chunk: list[int] = chunk) -> None:
            _export(client, project_id, chunk, path)

        log.timed(export)
        yield path, chunk


def id_chunks(base: str, ids: list[int]) -> Iterator[list[int]]:
    """``ids`` in consecutive chunks of at most CHUNK ids whose export URL (``base`` plus
    ``&ids[]=…`` per id) stays within URL_BUDGET bytes."""
    chunk: list[int] = []
    length = len(base)
    for task_id in ids:
        cost = len(f"&ids[]={task_id}")
        if chunk and (len(chunk) == CHUNK or length + cost > URL_BUDGET):
            yield chunk
            chunk, length = [], len(base)
        chunk.append(task_id)
        length += cost
    if chunk:
        yield chunk


def _export_url(client: Client, project_id: int, ids: list[int]) -> str:
    query = "".join(f"&ids[]={i}" for i in ids)  # brackets unescaped: shorter, Django reads them
    export = f"{client.url}/api/projects/{project_id}/export"
    return f"{export}?exportType=JSON&download_all_tasks=true{query}"


def _export(client: Client, project_id: int, ids: list[int], path: Path) -> None:
    wrapper = client.sdk._client_wrapper
    url = _export_url(client, project_id, ids)

    def request() -> None:
        with (
            wrapper.httpx_client.httpx_client.stream(
                "GET", url, headers=wrapper.get_headers(), timeout=TIMEOUT
            ) as response,
            path.open("wb") as handle,
        ):
            if response.status_code >= 400:
                raise ApiError(status_code=response.status_code, body=response.read()[:300])
            for data in response.iter_bytes(1 << 20):
                handle.write(data)

    client.call(f"export of {len(ids)} task(s) of project {project_id}", request)


def _manifest(
    client: Client,
    project_id: int,
    title: str,
    counts: Counts,
    schemas: SchemaSet,
    listed_up_to: str | None,
) -> str:
    manifest = {
        "project": {"id": project_id, "title": title},
        "url": client.url,
        "pulled_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": {
            "tasks": counts.tasks,
            "annotations": counts.annotations,
            "cancelled": counts.cancelled,
        },
        "schema_version": schemas.version,
        "annotators": _annotators(client),
        "listed_up_to": listed_up_to,  # the next pull lists the tasks updated after this
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def _annotators(client: Client) -> dict[str, str]:
    return {str(user_id): email for user_id, email in user_emails(client).items()}
