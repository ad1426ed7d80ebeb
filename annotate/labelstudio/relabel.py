"""Migration plans, and the rewrite of Label Studio results they describe (no network).

A plan is a JSON file naming what the schemas alone cannot say: which retired value of a
control becomes which new one, and which retired values lose their regions::

    {
      "rename": {"entities": {"ORG": "ORGANIZATION", "LOC": "GPE"}},
      "drop": {"entities": ["EVENT"]}
    }

Keys are Label Studio control names: a layer's labels (``entities``), a per-region choice
(``claims_type``, ``event_dates_basis``: ``<layer>_<field>``) or ``Relations``. ``rename``
covers a rename, a merge (several old values onto one) and "keep under another label";
``drop`` removes every region that carries the value (all its results) and the relations
that touch those regions; a dropped relation value removes those relations only.

A plan maps retired values only: a source must not exist in the new schemas and a target
must, so a rewrite applied twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.errors import PlanError
from annotate.labelstudio.project import result_values
from annotate.problems import Location, Problem, shorten

Result = dict[str, Any]
Values = Mapping[str, Set[str]]
ITEM_KINDS = ("drafts", "annotations", "predictions")
_VALUE_KEYS = ("labels", "choices")


@dataclass(frozen=True)
class MigrationPlan:
    """Retired values of each control: renamed onto a new value, or dropped with their regions."""

    rename: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    drop: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def sources(self) -> dict[str, set[str]]:
        """Control → every value the plan retires."""
        out: dict[str, set[str]] = {}
        for control, mapping in self.rename.items():
            out.setdefault(control, set()).update(mapping)
        for control, values in self.drop.items():
            out.setdefault(control, set()).update(values)
        return out

    def action(self, control: str, value: str) -> str:
        """What happens to ``value`` of ``control``: ``→ NEW`` or ``drop``."""
        if value in self.drop.get(control, ()):
            return "drop"
        return f"→ {self.rename[control][value]}"

    def to_dict(self) -> dict[str, Any]:
        """The plan as canonical JSON-ready data (sorted)."""
        return {
            "rename": {c: dict(sorted(m.items())) for c, m in sorted(self.rename.items())},
            "drop": {c: sorted(v) for c, v in sorted(self.drop.items())},
        }

    @property
    def fingerprint(self) -> str:
        """A short hash of the plan's canonical JSON."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:10]


def load_plan(path: Path | str) -> MigrationPlan:
    """Read a plan file; PlanError lists every problem in it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(f"{path}: the plan is not a JSON file ({exc})") from exc
    return parse_plan(data, str(path))


def parse_plan(data: Any, source: str = "plan") -> MigrationPlan:
    """A plan from decoded JSON; PlanError lists every problem found."""
    where = Location(file=source)
    if not isinstance(data, dict):
        raise PlanError(f"{source}: not a migration plan", [_expected(where, "an object", data)])
    problems = [
        Problem(Location(file=source, field=key), "unknown key", "'rename' or 'drop'")
        for key in data
        if key not in {"rename", "drop"}
    ]
    rename = _mapping(data.get("rename", {}), source, problems)
    drop = _lists(data.get("drop", {}), source, problems)
    for control, values in drop.items():
        for value in sorted(values & set(rename.get(control, {}))):
            problems.append(
                Problem(
                    Location(file=source, field=f"{control}.{value}"),
                    "value is both renamed and dropped",
                    "one of the two",
                )
            )
    if problems:
        raise PlanError(f"{source}: invalid migration plan", problems)
    return MigrationPlan(rename, drop)


def _expected(where: Location, expected: str, found: Any) -> Problem:
    return Problem(where, "wrong type", expected, shorten(found), code="plan")


def _mapping(raw: Any, source: str, problems: list[Problem]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        problems.append(_expected(Location(file=source, field="rename"), "an object", raw))
        return {}
    out: dict[str, dict[str, str]] = {}
    for control, mapping in raw.items():
        where = Location(file=source, field=f"rename.{control}")
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in mapping.items()
        ):
            problems.append(_expected(where, "an object of OLD: NEW strings", mapping))
            continue
        out[str(control)] = dict(mapping)
    return out


def _lists(raw: Any, source: str, problems: list[Problem]) -> dict[str, frozenset[str]]:
    if not isinstance(raw, dict):
        problems.append(_expected(Location(file=source, field="drop"), "an object", raw))
        return {}
    out: dict[str, frozenset[str]] = {}
    for control, values in raw.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            where = Location(file=source, field=f"drop.{control}")
            problems.append(_expected(where, "a list of strings", values))
            continue
        out[str(control)] = frozenset(values)
    return out


def check_plan(plan: MigrationPlan, old: Values, new: Values, where: str) -> list[Problem]:
    """Every way ``plan`` fails to take ``old`` control values to ``new`` ones.

    Each source must be an old value that the new schemas no longer define, each rename
    target a value they do define, and every retired value must be covered.
    """
    problems: list[Problem] = []
    for control, values in sorted(plan.sources().items()):
        for value in sorted(values):
            problems += _source_problems(control, value, old, new, where)
    for control, mapping in sorted(plan.rename.items()):
        for value, target in sorted(mapping.items()):
            if target not in new.get(control, ()):
                known = ", ".join(sorted(new.get(control, ())))
                problems.append(
                    Problem(
                        Location(file=where, field=f"{control}.{value}"),
                        f"rename target {target!r} is not defined by the new schemas",
                        f"one of {known}" if known else f"a control {control} in the new schemas",
                        code="plan",
                    )
                )
    covered = plan.sources()
    for control, defined in sorted(old.items()):
        for value in sorted(set(defined) - set(new.get(control, ())) - covered.get(control, set())):
            problems.append(
                Problem(
                    Location(file=where, field=f"{control}.{value}"),
                    "retired by the new schemas but not covered by the plan",
                    f"a rename of {value!r} under 'rename.{control}' or an entry in "
                    f"'drop.{control}'",
                    code="plan-missing",
                )
            )
    return problems


def _source_problems(
    control: str, value: str, old: Values, new: Values, where: str
) -> list[Problem]:
    at = Location(file=where, field=f"{control}.{value}")
    if control not in old:
        known = ", ".join(sorted(old))
        return [Problem(at, f"unknown control {control!r}", f"one of {known}", code="plan")]
    if value not in old[control]:
        return [Problem(at, f"{value!r} is not a value of {control} today", code="plan")]
    if value in new.get(control, ()):
        return [
            Problem(
                at,
                f"{value!r} is still defined by the new schemas; a plan maps retired values only",
                code="plan",
            )
        ]
    return []


def with_sources(old: Values, plan: MigrationPlan, new: Values) -> dict[str, set[str]]:
    """``old`` plus the values the plan retires in controls known to either side: for a first
    check before the values in use are known (a plan may retire a value only items use)."""
    out = {control: set(values) for control, values in old.items()}
    for control, values in plan.sources().items():
        if control in old or control in new:
            out.setdefault(control, set()).update(values)
    return out


def require_plan(plan: MigrationPlan, old: Values, new: Values, where: str) -> None:
    """Raise PlanError listing every problem of ``plan`` between the two vocabularies."""
    problems = check_plan(plan, old, new, where)
    if problems:
        missing = sum(p.code == "plan-missing" for p in problems)
        raise PlanError(
            f"{where}: the migration plan does not fit the schemas ({missing} retired value(s) "
            "not covered); nothing was changed",
            problems,
        )


@dataclass(frozen=True)
class Dropped:
    """A region (or relation) the plan removes, as it was."""

    region_id: str
    control: str
    value: str
    start: int | None
    end: int | None
    text: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "region_id": self.region_id,
            "control": self.control,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True)
class Rewritten:
    """One item's results after the plan, with what changed."""

    result: list[Result]
    renamed: Counter[tuple[str, str]]
    dropped: tuple[Dropped, ...]

    @property
    def changed(self) -> bool:
        return bool(self.renamed or self.dropped)


def rewrite_results(results: list[Result], plan: MigrationPlan) -> Rewritten:
    """Apply the plan to the results of one annotation, prediction or draft."""
    dropped = _dropped_regions(results, plan)
    renamed: Counter[tuple[str, str]] = Counter()
    gone: list[Dropped] = list(dropped.values())
    out: list[Result] = []
    for result in results:
        if result.get("type") == "relation":
            kept = _relation(result, plan, set(dropped), gone)
            if kept is not None:
                out.append(_renamed(kept, "Relations", plan, renamed))
        elif str(result.get("id")) not in dropped:
            out.append(_renamed(result, str(result.get("from_name")), plan, renamed))
    return Rewritten(out, renamed, tuple(gone))


def _dropped_regions(results: list[Result], plan: MigrationPlan) -> dict[str, Dropped]:
    dropped: dict[str, Dropped] = {}
    for result in results:
        if result.get("type") == "relation":
            continue
        for control, value in result_values(result):
            if value in plan.drop.get(control, ()):
                region = str(result.get("id"))
                span = result.get("value") or {}
                dropped.setdefault(
                    region,
                    Dropped(region, control, value, span.get("start"), span.get("end"), None),
                )
    for result in results:  # the region's text, taken from its labels result when it has one
        region = str(result.get("id"))
        if region in dropped and result.get("type") == "labels":
            text = (result.get("value") or {}).get("text")
            old = dropped[region]
            dropped[region] = Dropped(region, old.control, old.value, old.start, old.end, text)
    return dropped


def _relation(
    result: Result, plan: MigrationPlan, regions: set[str], gone: list[Dropped]
) -> Result | None:
    ends = f"{result.get('from_id')}->{result.get('to_id')}"
    retired = [v for v in result.get("labels") or [] if v in plan.drop.get("Relations", ())]
    if retired:
        gone.append(Dropped(ends, "Relations", str(retired[0]), None, None, None))
        return None
    if str(result.get("from_id")) in regions or str(result.get("to_id")) in regions:
        return None
    return result


def _renamed(
    result: Result, control: str, plan: MigrationPlan, renamed: Counter[tuple[str, str]]
) -> Result:
    mapping = plan.rename.get(control)
    if not mapping:
        return result
    if result.get("type") == "relation":
        labels = _mapped(result.get("labels"), mapping, control, renamed)
        return result if labels is None else {**result, "labels": labels}
    value = result.get("value")
    if not isinstance(value, dict):
        return result
    for key in _VALUE_KEYS:
        items = _mapped(value.get(key), mapping, control, renamed)
        if items is not None:
            value = {**value, key: items}
    return result if value is result.get("value") else {**result, "value": value}


def _mapped(
    items: Any, mapping: Mapping[str, str], control: str, renamed: Counter[tuple[str, str]]
) -> list[Any] | None:
    if not isinstance(items, list) or not any(str(i) in mapping for i in items):
        return None
    out: list[Any] = []
    for item in items:
        new = mapping.get(str(item), item)
        if new != item:
            renamed[(control, str(item))] += 1
        if new not in out:  # a merge can make two values one
            out.append(new)
    return out


def task_items(task: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, item) for each draft, annotation and prediction of an exported task that
    carries its results (a prediction exported as a bare id does not)."""
    for kind in ITEM_KINDS:
        for item in task.get(kind) or []:
            if isinstance(item, dict):
                yield kind, item


def values_used(results: list[Result]) -> Iterator[tuple[str, str]]:
    """(control, value) pairs the results use."""
    for result in results:
        yield from result_values(result)
