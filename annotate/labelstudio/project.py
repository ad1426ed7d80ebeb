"""Projects: find one by title, create it from the schemas, change its config safely, and
keep its labeling instructions up to date."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from annotate.errors import ConfigChangeError, LabelStudioError
from annotate.labelstudio.client import Client

_VALUE_TAGS = {"Labels": "Label", "Choices": "Choice", "Relations": "Relation"}


@dataclass(frozen=True)
class Project:
    """A Label Studio project as far as annotate cares."""

    id: int
    title: str
    label_config: str
    task_number: int
    instructions: str = ""
    show_instructions: bool = False


def _project(data: dict[str, Any]) -> Project:
    return Project(
        int(data["id"]),
        str(data["title"]),
        str(data.get("label_config") or ""),
        int(data.get("task_number") or 0),
        str(data.get("expert_instruction") or ""),
        bool(data.get("show_instruction")),
    )


def find_project(client: Client, title: str) -> Project | None:
    """The project with exactly this title; more than one is an error."""
    found = client.get_json("/api/projects/", title=title, page_size=1000)
    items = found.get("results", found) if isinstance(found, dict) else found
    matches = [p for p in items if p.get("title") == title]
    if len(matches) > 1:
        ids = ", ".join(str(p["id"]) for p in matches)
        raise LabelStudioError(
            f"{client.url}: {len(matches)} projects are titled {title!r} "
            f"(ids {ids}); rename all but one"
        )
    return _project(client.get_json(f"/api/projects/{matches[0]['id']}/")) if matches else None


def require_project(client: Client, title: str) -> Project:
    """The project with this title, or a clear error."""
    project = find_project(client, title)
    if project is None:
        raise LabelStudioError(f"{client.url}: no project titled {title!r}")
    return project


def create_project(client: Client, title: str, config: str, instructions: str = "") -> Project:
    """A new project with this config and instructions (HTML, shown when not empty); not
    retried: a repeat could create two."""
    created = client.call(
        f"create project {title!r}",
        lambda: client.sdk.projects.create(
            title=title,
            label_config=config,
            expert_instruction=instructions,
            show_instruction=bool(instructions),
        ),
        idempotent=False,
    )
    return Project(int(created.id or 0), title, config, 0, instructions, bool(instructions))


def update_instructions(client: Client, project: Project, instructions: str) -> bool:
    """Show these labeling instructions (HTML; none when empty); False if already so."""
    if (project.instructions, project.show_instructions) == (instructions, bool(instructions)):
        return False
    client.call(
        f"update the instructions of project {project.title!r}",
        lambda: client.sdk.projects.update(
            id=project.id, expert_instruction=instructions, show_instruction=bool(instructions)
        ),
    )
    return True


def control_values(config: str) -> dict[str, set[str]]:
    """Control name → the label, choice or relation values a config defines."""
    values: dict[str, set[str]] = {}
    root = ET.fromstring(config) if config.strip() else ET.Element("View")
    for tag, child in _VALUE_TAGS.items():
        for control in root.iter(tag):
            name = control.get("name", tag)
            values.setdefault(name, set()).update(str(c.get("value")) for c in control.iter(child))
    return values


def removed_values(old: str, new: str) -> dict[str, set[str]]:
    """What ``new`` drops from ``old``: control name → values no longer defined."""
    before, after = control_values(old), control_values(new)
    removed = {name: vals - after.get(name, set()) for name, vals in before.items()}
    return {name: vals for name, vals in removed.items() if vals}


def result_values(result: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(control name, value) pairs a result uses."""
    if result.get("type") == "relation":
        for label in result.get("labels") or []:
            yield "Relations", str(label)
        return
    value = result.get("value") or {}
    for key in ("labels", "choices"):
        for item in value.get(key) or []:
            yield str(result.get("from_name")), str(item)


def update_config(client: Client, project: Project, config: str) -> bool:
    """Apply a new config; refuse one that drops a value existing annotations use."""
    if project.label_config.strip() == config.strip():
        return False
    removed = removed_values(project.label_config, config)
    if removed and project.task_number:
        in_use = _values_in_use(client, project, removed)
        if in_use:
            detail = "; ".join(
                f"{value!r} of {name} ({count} result(s))"
                for (name, value), count in sorted(in_use.items())
            )
            raise ConfigChangeError(
                f"project {project.title!r}: the new labeling config removes values that "
                f"existing annotations use: {detail}. Keep them in the schema, or change the "
                f"schema with 'annotate migrate --project {project.title!r} --plan PLAN'."
            )
    client.call(
        f"update the config of project {project.title!r}",
        lambda: client.sdk.projects.update(id=project.id, label_config=config),
    )
    return True


def _values_in_use(
    client: Client, project: Project, removed: dict[str, set[str]]
) -> Counter[tuple[str, str]]:
    used: Counter[tuple[str, str]] = Counter()
    for task in client.get_json(f"/api/projects/{project.id}/export", exportType="JSON"):
        for annotation in (task.get("annotations") or []) + (task.get("predictions") or []):
            for result in annotation.get("result") or []:
                for name, value in result_values(result):
                    if value in removed.get(name, ()):
                        used[(name, value)] += 1
    return used
