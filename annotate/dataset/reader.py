"""Either side of a diff, as gold annotations: a gold dataset folder or an export's gold.

A folder is read back split by split (:func:`annotate.dataset.writer.read_gold`); an export
file is converted and adjudicated as ``annotate export`` does
(:func:`annotate.gold.diff.gold_of_tasks`).
"""

from __future__ import annotations

from pathlib import Path

from annotate.dataset.writer import DOCUMENTS, read_gold
from annotate.errors import InvalidInputError
from annotate.gold.adjudicate import Mode
from annotate.gold.diff import gold_of_tasks
from annotate.labelstudio.convert import iter_tasks
from annotate.labelstudio.manifest import load_annotators
from annotate.records import Annotation
from annotate.schema import SchemaSet


def load_gold(path: Path | str, schemas: SchemaSet, mode: Mode = "majority") -> list[Annotation]:
    """A gold dataset folder (every split), or the gold of a Label Studio export file.

    An export with invalid annotations fails with every problem listed (InvalidInputError).
    """
    path = Path(path)
    if path.is_dir():
        return [a for split in gold_splits(path) for a in read_gold(path, split)]
    if not path.is_file():
        raise InvalidInputError(f"{path}: neither a gold dataset folder nor an export file")
    converted = list(iter_tasks(path, schemas, load_annotators(path)))
    problems = [p for c in converted for p in c.problems]
    if problems:
        raise InvalidInputError(f"{path}: {len(problems)} problem(s) in the export", problems)
    return gold_of_tasks((c.task for c in converted), schemas, mode)


def gold_splits(directory: Path) -> list[str]:
    """The splits of a gold dataset folder, from its parquet file names; none is an error."""
    found = sorted({p.name.split("-")[0] for p in (directory / DOCUMENTS).glob("*.parquet")})
    if not found:
        raise InvalidInputError(
            f"{directory}: not a gold dataset folder (no {DOCUMENTS}/*.parquet)"
        )
    return found
