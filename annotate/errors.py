"""The one exception tree of annotate.

Every error the library raises on purpose is an :class:`AnnotateError`::

    AnnotateError
    ├── SchemaError          a schema file is missing or malformed
    ├── InvalidInputError    an input file breaks its format (carries every Problem found)
    │   ├── CorpusError      a corpus folder or JSONL
    │   ├── PredictionsError a predictions JSONL
    │   ├── ExportFileError  a Label Studio export that is truncated or not JSON
    │   ├── EmptyDatasetError an export that gives no document to write
    │   └── PlanError        a migration plan that is malformed or does not fit the schemas
    ├── LabelStudioError     talking to a Label Studio server failed (URL named, token never)
    │   └── ServerError      the local embedded server could not be started or stopped
    ├── ConfigChangeError    a push would orphan annotations already made
    ├── MigrationError       a migration record or its backup cannot be used
    ├── ExtractorError       an extractor given as MODULE:FUNCTION cannot be loaded or fails
    ├── OutputExistsError    an export would overwrite a different dataset without --force,
    │                        or a folder this tool did not write (never replaced)
    └── UsageError           an argument cannot be used (bad split ratios, a split the
                             dataset lacks)

Each class carries the exit code the command line uses for it: 1 for invalid data,
2 for usage and connection problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotate.problems import Problem


class AnnotateError(Exception):
    """Base of every error raised by annotate."""

    exit_code = 2


class SchemaError(AnnotateError):
    """A schema file is missing, unreadable or not a valid draft 2020-12 schema."""


class InvalidInputError(AnnotateError):
    """An input file breaks its format; ``problems`` lists everything found, not only the first."""

    exit_code = 1

    def __init__(self, summary: str, problems: Sequence[Problem] = ()) -> None:
        self.summary = summary
        self.problems = list(problems)
        lines = [summary, *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


class CorpusError(InvalidInputError):
    """A corpus folder or JSONL of documents is invalid."""


class PredictionsError(InvalidInputError):
    """A predictions file is invalid."""


class ExportFileError(InvalidInputError):
    """A Label Studio export file is truncated, not JSON, or not an export."""


class EmptyDatasetError(InvalidInputError):
    """An export has no task, or leaves every task out: a dataset of no document cannot be
    loaded, so none is written."""


class PlanError(InvalidInputError):
    """A migration plan is malformed, or does not take the old schemas to the new ones."""


class LabelStudioError(AnnotateError):
    """A request to Label Studio failed; the message names the URL, never the token."""


class ServerError(LabelStudioError):
    """The local Label Studio server could not be started, found or stopped."""


class ConfigChangeError(AnnotateError):
    """Changing a project's labeling config would orphan existing annotations."""


class MigrationError(AnnotateError):
    """A migration record or its backup is missing, unreadable or for another project."""


class ExtractorError(AnnotateError):
    """An extractor cannot be imported, is not callable, or raised on a document."""


class OutputExistsError(AnnotateError):
    """The output exists and holds something else: a different dataset of this tool (pass
    force to replace it), or anything this tool did not write (never replaced)."""


class UsageError(AnnotateError):
    """An argument cannot be used: split ratios that are not NAME=RATIO summing to 1, a split
    the dataset does not have."""
