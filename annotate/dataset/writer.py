"""The gold dataset: a Hugging Face dataset folder of parquet files and a generated card.

Layout (``datasets.load_dataset(DIR)`` reads it offline)::

    DIR/README.md                               card: YAML (configs, dataset_info) + prose
    DIR/.annotate-dataset                       marker: this folder was written by annotate
    DIR/documents/<split>-00000-of-00001.parquet   one row per document (default config)
    DIR/tokens/<split>-00000-of-00001.parquet      tokens, offsets and BIO ner_tags

Tasks stream through in batches (:mod:`annotate.dataset.build`: adjudicated, counted, turned into
arrow rows, possibly in worker processes, see :mod:`annotate.dataset.run`) and are written in
row groups of ROWS_PER_GROUP, so memory does not grow with the export. Documents go to
splits by a hash of their id, so a document keeps its split when the export grows. The
folder is built beside the target and renamed into place; the same input gives
byte-identical files, however the batches were built.

An existing folder is replaced only when it holds nothing but a dataset this tool wrote
(the marker says so), and then only when its content differs and ``force`` is given; any
other content is never replaced. A dataset of no document is never written (it could not
be loaded): an export without any usable task is an EmptyDatasetError.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from annotate.atomic import atomic_directory
from annotate.dataset.build import DEFAULT_SPLITS, Counts, Part, split_of
from annotate.dataset.card import CardFacts, CardOptions, SplitStats, data_files, render_card
from annotate.errors import (
    EmptyDatasetError,
    InvalidInputError,
    OutputExistsError,
    UsageError,
)
from annotate.gold.adjudicate import Mode
from annotate.gold.agreement import AgreementAccumulator, AgreementReport
from annotate.records import Annotation
from annotate.schema import SchemaSet

if TYPE_CHECKING:  # loaded when a dataset is written or read: datasets is slow to import
    from datasets import Features

DOCUMENTS = "documents"
TOKENS = "tokens"
CARD = "README.md"
MARKER = ".annotate-dataset"
MARKER_DATA = {"written_by": "annotate", "layout": "annotate gold dataset", "version": 1}
SMALL_SPLITS: dict[str, float] = {"test": 1.0}
SMALL = 50  # fewer documents than this: everything is test data
ROWS_PER_GROUP = 128  # per split: bounds what is buffered (a token row is ~100 kB)
_SPLIT_NAME = re.compile(r"^\w+$")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote (or found already there)."""

    output: Path
    unchanged: bool
    splits: dict[str, int]
    tasks: int
    methods: dict[str, int]
    left_out: tuple[tuple[int, str], ...]
    duplicates: tuple[tuple[int, str], ...]
    disagreements: int
    labels: dict[str, dict[str, int]]
    agreement: AgreementReport

    @property
    def documents(self) -> int:
        return sum(self.splits.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "output": str(self.output),
            "unchanged": self.unchanged,
            "documents": self.documents,
            "splits": self.splits,
            "tasks": self.tasks,
            "methods": self.methods,
            "left_out": [{"task_id": t, "reason": r} for t, r in self.left_out],
            "duplicates": [{"task_id": t, "document_id": d} for t, d in self.duplicates],
            "disagreements": self.disagreements,
            "labels": self.labels,
            "agreement": self.agreement.to_dict(),
        }


def parse_splits(spec: str | None) -> dict[str, float] | None:
    """Split ratios from ``train=0.8,test=0.2``; None for the default policy.

    >>> parse_splits("train=0.8,test=0.2")
    {'train': 0.8, 'test': 0.2}
    """
    if spec is None or not spec.strip():
        return None
    ratios: dict[str, float] = {}
    for part in spec.split(","):
        name, _, value = part.partition("=")
        try:
            ratios[name.strip()] = float(value)
        except ValueError as exc:
            raise UsageError(f"--splits: {part!r} is not NAME=RATIO, e.g. test=0.2") from exc
    check_splits(ratios)
    return ratios


def check_splits(ratios: Mapping[str, float]) -> None:
    """Split names are words, ratios positive and summing to 1; else UsageError."""
    bad = [n for n in ratios if not _SPLIT_NAME.match(n)]
    if bad:
        raise UsageError(f"split names must be letters, digits or _: {', '.join(bad)}")
    if not ratios or any(r <= 0 for r in ratios.values()):
        raise UsageError(f"split ratios must be positive, found {dict(ratios)}")
    if abs(sum(ratios.values()) - 1) > 1e-6:
        raise UsageError(f"split ratios must sum to 1, found {sum(ratios.values()):g}")


# Reading rows back into records.

Codec = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def decoder(feature: Any) -> Codec:
    """Turns a row value of ``feature`` back into JSON-ready values (ClassLabel ints → names)."""
    from datasets import ClassLabel, List

    if isinstance(feature, ClassLabel):
        names = list(feature.names)
        return lambda value: None if value is None else names[value]
    if isinstance(feature, List):
        inner = decoder(feature.feature)
        return lambda value: [inner(v) for v in value or ()]
    if isinstance(feature, dict):
        codecs = {k: decoder(f) for k, f in feature.items()}
        return lambda value: {k: codec(value.get(k)) for k, codec in codecs.items()}
    return _identity


# Writing.


def part_name(split: str) -> str:
    """The file name of a split's single parquet part."""
    return f"{split}-00000-of-00001.parquet"


class _ConfigWriter:
    """The parquet files of one config, one per split, written ROWS_PER_GROUP rows at a time."""

    def __init__(self, directory: Path, schema: pa.Schema, splits: Iterable[str]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.paths = {s: directory / part_name(s) for s in splits}
        self.writers = {s: pq.ParquetWriter(path, schema) for s, path in self.paths.items()}
        self.rows: dict[str, list[pa.Table]] = {s: [] for s in self.writers}
        self.examples: dict[str, int] = dict.fromkeys(self.writers, 0)

    def add(self, split: str, rows: pa.Table) -> None:
        self.rows[split].append(rows)
        if sum(t.num_rows for t in self.rows[split]) >= ROWS_PER_GROUP:
            buffered = pa.concat_tables(self.rows[split])
            start = 0
            while buffered.num_rows - start >= ROWS_PER_GROUP:
                self._write(split, buffered.slice(start, ROWS_PER_GROUP))
                start += ROWS_PER_GROUP
            self.rows[split] = [buffered.slice(start)]
        self.rows[split][-1] = _compact(self.rows[split][-1])

    def _write(self, split: str, table: pa.Table) -> None:
        table = table.combine_chunks()
        self.writers[split].write_table(table)
        self.examples[split] += table.num_rows
        pa.default_memory_pool().release_unused()  # else the pool keeps what parquet freed

    def close(self) -> dict[str, SplitStats]:
        for split, writer in self.writers.items():
            rest = [t for t in self.rows[split] if t.num_rows]
            if rest:
                self._write(split, pa.concat_tables(rest))
            writer.close()
        return {s: SplitStats(n, self.paths[s].stat().st_size) for s, n in self.examples.items()}


def _compact(rows: pa.Table) -> pa.Table:
    """The rows in buffers of their own: a slice keeps alive all of the table it was cut
    from (a whole batch of every split), and a small split waits for many batches."""
    return rows.take(np.arange(rows.num_rows))


class _DatasetWriter:
    """Both configs; splits fixed up front, or decided once SMALL documents have been seen.

    The parquet files are written with the arrow schemas of the dataset's ``Features``
    (the card is generated from the same objects), built when the first rows arrive:
    loading ``datasets`` takes a while, and by then the workers are busy.
    """

    def __init__(self, directory: Path, schemas: SchemaSet, ratios: dict[str, float] | None):
        self.directory = directory
        self.schemas = schemas
        self.ratios = ratios
        self.features: dict[str, Features] = {}
        self.pending: list[Part] = []
        self.writers: dict[str, _ConfigWriter] = {}

    def _open(self, ratios: dict[str, float]) -> None:
        from annotate.schema.features import document_features, token_features

        self.ratios = ratios
        self.features = {
            DOCUMENTS: document_features(self.schemas),
            TOKENS: token_features(self.schemas),
        }
        self.writers = {
            name: _ConfigWriter(self.directory / name, features.arrow_schema, ratios)
            for name, features in self.features.items()
        }

    def add(self, part: Part) -> None:
        if not self.writers and self.ratios is not None:
            self._open(self.ratios)
        if self.writers:
            self._write(part)
            return
        self.pending.append(part)
        if sum(len(p.ids) for p in self.pending) >= SMALL:
            self._release(DEFAULT_SPLITS)

    def _release(self, ratios: dict[str, float]) -> None:
        self._open(ratios)
        pending, self.pending = self.pending, []
        for part in pending:
            self._write(part)

    def _write(self, part: Part) -> None:
        assert self.ratios is not None
        if part.ratios == self.ratios:  # grouped as they go: slices, no copies
            for split, (start, stop) in part.bounds.items():
                self.writers[DOCUMENTS].add(split, part.documents.slice(start, stop - start))
                self.writers[TOKENS].add(split, part.tokens.slice(start, stop - start))
            return
        rows: dict[str, list[int]] = defaultdict(list)
        for k in sorted(range(len(part.order)), key=part.order.__getitem__):  # batch order
            rows[split_of(part.ids[k], self.ratios)].append(k)
        for split, indices in rows.items():
            self.writers[DOCUMENTS].add(split, part.documents.take(indices))
            self.writers[TOKENS].add(split, part.tokens.take(indices))

    def close(self) -> dict[str, dict[str, SplitStats]]:
        """Finish the parquet files and write the marker."""
        if not self.writers:
            self._release(self.ratios or SMALL_SPLITS)
        stats = {name: writer.close() for name, writer in self.writers.items()}
        marker = json.dumps(MARKER_DATA, indent=2, sort_keys=True) + "\n"
        (self.directory / MARKER).write_text(marker, encoding="utf-8", newline="")
        return stats


class _Unchanged(Exception):
    """The new build equals what is already there: keep the existing folder untouched."""


@dataclass(frozen=True)
class ExportOptions:
    """How to build the dataset: adjudication mode, split ratios, what the card says.

    ``splits`` maps split names to ratios; None means a single ``test`` split under SMALL
    documents, else DEFAULT_SPLITS.
    """

    mode: Mode = "majority"
    splits: Mapping[str, float] | None = None
    card: CardOptions = field(default_factory=CardOptions)


def write_dataset(
    parts: Iterable[Part],
    output: Path | str,
    schemas: SchemaSet,
    options: ExportOptions,
    *,
    force: bool = False,
) -> ExportSummary:
    """Write the gold dataset folder ``output`` from adjudicated parts, atomically.

    An existing different dataset is replaced only with ``force`` (else
    OutputExistsError); an identical one is left as it is. An error raised while reading
    ``parts`` leaves ``output`` untouched. The engine that makes the parts is
    :class:`annotate.dataset.run.ExportRun`.
    """
    output = Path(output)
    ratios = dict(options.splits) if options.splits is not None else None
    if ratios is not None:
        check_splits(ratios)
    _check_target(output)
    counts = Counts()
    agreement = AgreementAccumulator(schemas)
    unchanged = False
    try:
        with atomic_directory(output) as tmp:
            writer = _DatasetWriter(tmp, schemas, ratios)
            for part in parts:
                counts.merge(part.counts)
                agreement.counts.merge(part.agreement)
                writer.add(part)
            stats = writer.close()
            _check_not_empty(stats, counts)
            report = agreement.report()
            facts = _facts(schemas, writer.features, stats, counts, report)
            text = render_card(facts, options.card)
            (tmp / CARD).write_text(text, encoding="utf-8", newline="")
            _check_replace(tmp, output, force)
    except _Unchanged:
        unchanged = True
    return ExportSummary(
        output,
        unchanged,
        {s: st.examples for s, st in stats[DOCUMENTS].items()},
        counts.tasks,
        dict(sorted(counts.methods.items())),
        tuple(counts.left_out),
        tuple(counts.duplicates),
        counts.disagreements,
        counts.label_table(schemas),
        report,
    )


def _facts(
    schemas: SchemaSet,
    configs: dict[str, Features],
    stats: dict[str, dict[str, SplitStats]],
    counts: Counts,
    agreement: AgreementReport,
) -> CardFacts:
    return CardFacts(
        schemas=schemas,
        configs=configs,
        splits=stats,
        default_config=DOCUMENTS,
        languages=sorted(counts.languages),
        labels=counts.label_table(schemas),
        choices=counts.choice_table(schemas),
        methods=dict(sorted(counts.methods.items())),
        left_out=len(counts.left_out),
        disagreements=counts.disagreements,
        agreement=agreement,
    )


def _check_not_empty(stats: dict[str, dict[str, SplitStats]], counts: Counts) -> None:
    """A dataset of no document cannot be loaded: EmptyDatasetError, saying why it is empty."""
    if any(st.examples for st in stats[DOCUMENTS].values()):
        return
    if not counts.tasks:
        why = "the export has no task"
    else:
        reasons = {reason for _, reason in counts.left_out}
        reasons |= {"duplicate document id"} if counts.duplicates else set()
        why = f"all {counts.tasks} task(s) were left out ({'; '.join(sorted(reasons))})"
    raise EmptyDatasetError(
        f"no document to write: {why}; a dataset of no document cannot be loaded, "
        "so nothing was written"
    )


_DATASET_FILE = re.compile(
    "^(?:{}|{}|(?:{}|{})/{})$".format(
        *map(re.escape, (MARKER, CARD, DOCUMENTS, TOKENS)),
        re.escape(part_name("SPLIT")).replace("SPLIT", r"\w+"),
    )
)


def _check_target(output: Path) -> None:
    """Fail early unless the target is missing, empty, or a dataset this tool wrote: a
    folder holding anything else is never replaced, whatever ``force`` says."""
    if os.path.lexists(output) and not output.is_dir():
        raise OutputExistsError(f"{output} is a file, not a dataset folder; remove it first")
    files = _files(output)
    if not files:
        return
    never = "it is never replaced, even with --force: choose another folder, or empty this one"
    foreign = sorted(f for f in files if not _DATASET_FILE.match(f))
    if foreign:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise OutputExistsError(f"{output} holds files this tool did not write ({shown}); {never}")
    if not _is_marker(output / MARKER):
        raise OutputExistsError(
            f"{output} is not a dataset written by annotate (no {MARKER} marker); {never}"
        )


def _is_marker(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and data.get("written_by") == MARKER_DATA["written_by"]


def _check_replace(new: Path, output: Path, force: bool) -> None:
    old = _files(output)
    if not old:
        return
    if old == _files(new) and all(
        filecmp.cmp(new / name, output / name, shallow=False) for name in old
    ):
        raise _Unchanged
    if not force:
        raise OutputExistsError(f"{output} holds a different dataset; pass --force to replace it")


def _files(directory: Path) -> set[str]:
    if not directory.is_dir():
        return set()
    return {
        str(path.relative_to(directory))
        for path in directory.rglob("*")
        if path.is_file() or path.is_symlink()
    }


# Reading back.


def read_gold(directory: Path | str, split: str = "test") -> list[Annotation]:
    """The gold annotations of one split, read from the dataset's parquet files.

    The Features come from the card's ``dataset_info``, so ClassLabel ints turn back into
    the label names the dataset was written with.
    """
    return list(iter_gold(directory, split))


def iter_gold(directory: Path | str, split: str = "test") -> Iterator[Annotation]:
    """Like :func:`read_gold`, one annotation at a time."""
    directory = Path(directory)
    features = _card_features(directory)
    decode = decoder(features)
    files = sorted(directory.glob(data_files(DOCUMENTS, split)))
    if not files:
        found = sorted({p.name.split("-")[0] for p in directory.glob(f"{DOCUMENTS}/*.parquet")})
        raise UsageError(
            f"{directory}: no split {split!r} in the gold dataset "
            f"(splits: {', '.join(found) or 'none'})"
        )
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=ROWS_PER_GROUP):
            for row in batch.to_pylist():
                yield Annotation.from_dict(decode(row))


def _card_features(directory: Path) -> Features:
    from datasets.info import DatasetInfosDict

    if not (directory / CARD).is_file():
        raise InvalidInputError(f"{directory}: not a gold dataset folder (no {CARD})")
    try:
        infos = DatasetInfosDict.from_directory(os.fspath(directory))
    except Exception as exc:  # the card's YAML is someone else's format: report, don't leak
        raise InvalidInputError(f"{directory / CARD}: unreadable dataset card ({exc})") from exc
    info = infos.get(DOCUMENTS)
    if info is None or info.features is None:
        raise InvalidInputError(f"{directory / CARD}: no dataset_info for config {DOCUMENTS!r}")
    features: Features = info.features
    return features
