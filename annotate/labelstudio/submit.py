"""Submitting annotations through the API as given annotators (recorded gold work, tests).

Idempotent: a task that already holds an annotation by that annotator is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotate.errors import LabelStudioError
from annotate.labelstudio.client import Client
from annotate.labelstudio.push import existing_tasks


@dataclass(frozen=True)
class RecordedAnnotation:
    """One annotation to submit: the document, who made it, and its Label Studio results."""

    document_id: str
    annotator: str
    result: list[dict[str, Any]]
    ground_truth: bool = False


def ensure_users(client: Client, emails: Iterable[str]) -> dict[str, int]:
    """Email → user id, creating the users that do not exist yet."""
    users = {str(u.get("email")): int(u["id"]) for u in client.get_json("/api/users/")}
    for email in sorted(set(emails) - set(users)):
        user = client.call(
            f"create user {email}",
            lambda email=email: client.sdk.users.create(  # type: ignore[misc]
                username=email.split("@")[0], email=email
            ),
            idempotent=False,
        )
        users[email] = int(user.id or 0)
    return users


def submit(client: Client, project_id: int, annotations: Iterable[RecordedAnnotation]) -> int:
    """Create each annotation on its document's task as its annotator; returns how many."""
    annotations = list(annotations)
    users = ensure_users(client, (a.annotator for a in annotations))
    tasks = existing_tasks(client, project_id)
    created = 0
    for item in annotations:
        task = tasks.get(item.document_id)
        if task is None:
            raise LabelStudioError(
                f"{client.url}: no task for document {item.document_id} in "
                f"project {project_id}; push the corpus first"
            )
        done = client.get_json(f"/api/tasks/{task.task_id}/annotations/")
        if any(a.get("completed_by") == users[item.annotator] for a in done):
            continue
        client.call(
            f"annotate task {task.task_id}",
            lambda item=item, task=task: client.sdk.annotations.create(  # type: ignore[misc]
                id=task.task_id,
                result=item.result,
                completed_by=users[item.annotator],
                ground_truth=item.ground_truth,
                was_cancelled=False,
            ),
            idempotent=False,
        )
        created += 1
    return created
