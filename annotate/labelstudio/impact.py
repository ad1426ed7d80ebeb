"""What a migration plan does to a project or an export: per value, and every dropped region.

:class:`Impact` is filled task by task (:meth:`Impact.migrate_task`) by the live migration
and the offline one alike, so both report the same numbers for the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from annotate.labelstudio.relabel import MigrationPlan, Rewritten, rewrite_results, task_items

KIND_NAMES = {"annotations": "annotation", "predictions": "prediction", "drafts": "draft"}


@dataclass
class ValueImpact:
    """What the plan does with one value of one control."""

    control: str
    value: str
    action: str
    items: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KIND_NAMES, 0))
    renamed: int = 0
    dropped: int = 0
    tasks: set[int] = field(default_factory=set)
    annotators: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "value": self.value,
            "action": self.action,
            **self.items,
            "results_renamed": self.renamed,
            "regions_dropped": self.dropped,
            "tasks": len(self.tasks),
            "annotators": sorted(self.annotators),
        }


@dataclass(frozen=True)
class ItemRef:
    """One draft, annotation or prediction of a task, by who made it."""

    task_id: int
    document_id: str | None
    kind: str
    item_id: int | None
    author: str | None


@dataclass
class Impact:
    """The plan's effect, per value, with the dropped regions listed one by one."""

    plan: MigrationPlan
    values: dict[tuple[str, str], ValueImpact] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KIND_NAMES, 0))
    tasks: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for control, values in sorted(self.plan.sources().items()):
            for value in sorted(values):
                action = self.plan.action(control, value)
                self.values[(control, value)] = ValueImpact(control, value, action)

    def migrate_task(
        self, task: dict[str, Any], annotators: Mapping[int, str] | None = None
    ) -> dict[str, Any]:
        """The task with every item's results rewritten; counts what changed."""
        task_id = int(task.get("id") or 0)
        data = task.get("data") or {}
        out = dict(task)
        touched = False
        for kind, item in task_items(task):
            done = rewrite_results(list(item.get("result") or []), self.plan)
            if not done.changed:
                continue
            touched = True
            author = _author(kind, item, annotators or {})
            ref = ItemRef(task_id, data.get("doc_id"), kind, item.get("id"), author)
            self._count(ref, done)
            out[kind] = [
                {**x, "result": done.result} if x is item else x for x in out.get(kind) or []
            ]
        self.tasks += touched
        return out

    def _count(self, ref: ItemRef, done: Rewritten) -> None:
        self.changed[ref.kind] += 1
        keys = set(done.renamed) | {(d.control, d.value) for d in done.dropped}
        for key in keys:
            value = self.values[key]
            value.items[ref.kind] += 1
            value.renamed += done.renamed.get(key, 0)
            value.tasks.add(ref.task_id)
            if ref.author is not None and ref.kind != "predictions":
                value.annotators.add(ref.author)
        for region in done.dropped:
            self.values[(region.control, region.value)].dropped += 1
            self.dropped.append(
                {
                    "task_id": ref.task_id,
                    "document_id": ref.document_id,
                    "item": KIND_NAMES[ref.kind],
                    "item_id": ref.item_id,
                    "author": ref.author,
                    **region.to_dict(),
                }
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_dict(),
            "tasks_affected": self.tasks,
            "items_changed": dict(self.changed),
            "values": [v.to_dict() for v in self.values.values()],
            "dropped_regions": self.dropped,
        }

    def to_text(self) -> str:
        """A table per value, then the dropped regions."""
        head = ("value", "action", "annot.", "pred.", "drafts", "renamed", "dropped", "tasks")
        rows: list[tuple[str, ...]] = [head]
        for v in self.values.values():
            rows.append(
                (
                    f"{v.control}:{v.value}",
                    v.action,
                    *(str(v.items[k]) for k in ("annotations", "predictions", "drafts")),
                    str(v.renamed),
                    str(v.dropped),
                    str(len(v.tasks)),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        for v in self.values.values():
            if v.annotators:
                lines.append(f"{v.control}:{v.value} annotators: {', '.join(sorted(v.annotators))}")
        changed = ", ".join(f"{n} {k}" for k, n in self.changed.items())
        lines.append(f"{self.tasks} task(s) affected; items changed: {changed}")
        for d in self.dropped:
            lines.append(
                f"dropped: task {d['task_id']} ({d['document_id']}) {d['item']} {d['item_id']} "
                f"region {d['region_id']} {d['control']}:{d['value']} "
                f"[{d['start']}, {d['end']}) {d['text']!r}"
            )
        return "\n".join(lines) + "\n"


def _author(kind: str, item: Mapping[str, Any], annotators: Mapping[int, str]) -> str | None:
    if kind == "annotations":
        user = item.get("completed_by")
        return annotators.get(int(user), str(user)) if isinstance(user, int) else None
    if kind == "drafts":
        user = item.get("user")
        return str(user) if user is not None else None
    version = item.get("model_version")
    return str(version) if version is not None else None
