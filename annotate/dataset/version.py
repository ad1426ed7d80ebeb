"""The version of a gold dataset, and what changed since the previous one.

A gold dataset's version is ``MAJOR.MINOR.PATCH``, written in its card (the YAML key
``annotate.version``, beside ``annotate.schema_version``, and the text). The first export
is 1.0.0. An export given the previous release (``annotate export --previous DIR``) takes
the previous version and bumps

- the **major** number when the schemas changed (their version hash differs): the labels
  or fields a user reads may have changed;
- else the **minor** number when any gold item changed: added, removed, relabelled, moved,
  or with a changed attribute (see :mod:`annotate.gold.diff`), or a document came or went;
- else the **patch** number: the items are the same, only the card (name, notes,
  leaderboard …) can differ.

The version depends only on the previous card and the two golds, so exporting the same
data against the same previous release gives the same version and byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from annotate.dataset.card import CARD_KEY, FIRST_VERSION
from annotate.dataset.reader import load_gold
from annotate.dataset.writer import CARD
from annotate.errors import InvalidInputError
from annotate.gold.diff import GoldDiff, diff_gold
from annotate.records import Annotation
from annotate.schema import SchemaSet

Part = Literal["major", "minor", "patch"]
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_OLD_SCHEMA_LINE = re.compile(r"^Schema version: `(\w+)`\.$", re.MULTILINE)
_CHANGES = re.compile(r"^## Changes\b.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
WHY: dict[Part, str] = {
    "major": "the schemas changed",
    "minor": "gold items changed",
    "patch": "the gold items are unchanged; only the card can differ",
}


@dataclass(frozen=True, slots=True)
class Release:
    """A dataset version; for a release made after another, what changed since."""

    version: str = FIRST_VERSION
    schema_version: str | None = None
    previous: str | None = None
    part: Part | None = None  # which number grew since ``previous``
    diff: GoldDiff | None = None

    def changelog(self) -> str | None:
        """The card's "Changes since" section; None for a first version (the card says so)."""
        if self.previous is None or self.part is None or self.diff is None:
            return None
        return (
            f"## Changes since v{self.previous}\n\n"
            f"Version {self.version} is a {self.part} release: {WHY[self.part]} "
            "(major: schema change; minor: any gold item added, removed or changed; "
            "patch: anything else).\n\n" + self.diff.to_markdown()
        )

    def describe(self) -> str:
        """One line for the command line."""
        if self.previous is None or self.diff is None:
            return f"version {self.version} (first version)"
        return f"version {self.version} ({self.part} release after {self.previous}): " + (
            self.diff.summary()
        )


def bump(version: str, part: Part) -> str:
    """The next version.

    >>> bump("1.2.3", "major"), bump("1.2.3", "minor"), bump("1.2.3", "patch")
    ('2.0.0', '1.3.0', '1.2.4')
    """
    major, minor, patch = parse_version(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def parse_version(version: str) -> tuple[int, int, int]:
    """The three numbers of ``MAJOR.MINOR.PATCH``; InvalidInputError for anything else."""
    match = _VERSION.match(version)
    if match is None:
        raise InvalidInputError(f"version {version!r}: expected MAJOR.MINOR.PATCH, e.g. 1.0.0")
    major, minor, patch = (int(n) for n in match.groups())
    return major, minor, patch


def release_part(schema_changed: bool, diff: GoldDiff) -> Part:
    """Which number grows (see the module docstring)."""
    if schema_changed:
        return "major"
    return "patch" if diff.empty else "minor"


def read_release(directory: Path | str) -> Release:
    """The version and schema version a gold dataset's card records.

    A card written before versions were (no ``annotate`` key) is version 1.0.0, with the
    schema version its text states.
    """
    from huggingface_hub import DatasetCard

    path = Path(directory) / CARD
    try:
        card = DatasetCard.load(path)
    except Exception as exc:  # the card's YAML is someone else's format: report, don't leak
        raise InvalidInputError(f"{path}: unreadable dataset card ({exc})") from exc
    recorded = card.data.to_dict().get(CARD_KEY)
    if isinstance(recorded, dict) and isinstance(recorded.get("version"), str):
        schema = recorded.get("schema_version")
        version = recorded["version"]
        parse_version(version)  # a malformed version fails here, not at the next release
        return Release(version, None if schema is None else str(schema))
    line = _OLD_SCHEMA_LINE.search(card.text)
    return Release(FIRST_VERSION, line.group(1) if line else None)


def release_after(previous: Path | str, gold: Sequence[Annotation], schemas: SchemaSet) -> Release:
    """The release of ``gold`` (with ``schemas``) made after the gold dataset ``previous``."""
    before = read_release(previous)
    diff = diff_gold(load_gold(previous, schemas), gold, schemas)
    part = release_part(before.schema_version != schemas.version, diff)
    return Release(bump(before.version, part), schemas.version, before.version, part, diff)


def rebuilt_release(
    previous: Path | str, gold: Sequence[Annotation], schemas: SchemaSet
) -> tuple[str, str | None]:
    """The version and "Changes" section of a rebuild of the dataset ``previous`` (``make
    gold``): those of ``previous`` when no item and no schema changed, so that rebuilding
    the same data gives the same card; else those of the release after it."""
    release = release_after(previous, gold, schemas)
    if release.part != "patch" or release.previous is None:
        return release.version, release.changelog()
    text = (Path(previous) / CARD).read_text(encoding="utf-8")
    found = _CHANGES.search(text)
    return release.previous, None if found is None else found.group(0).rstrip("\n") + "\n"
