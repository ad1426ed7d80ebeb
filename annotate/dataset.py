"""The gold dataset: a Hugging Face dataset folder of parquet files and a generated card.

Layout (``datasets.load_dataset(DIR)`` reads it offline)::

    DIR/README.md                               card: YAML (configs, dataset_info) + prose
    DIR/documents/<split>-00000-of-00001.parquet   one row per document (default config)
    DIR/tokens/<split>-00000-of-00001.parquet      tokens, offsets and BIO ner_tags

Tasks stream through: each is adjudicated, counted and written in row groups, so memory
does not grow with the export. Documents go to splits by a hash of their id, so a
document keeps its split when the export grows. The folder is built beside the target
and renamed into place; the same input gives byte-identical files.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List

from annotate.adjudicate import Adjudication, Mode, adjudicate, item_label, layer_items
from annotate.agreement import AgreementAccumulator, AgreementReport
from annotate.atomic import atomic_directory
from annotate.card import CardFacts, CardOptions, SplitStats, data_files, render_card
from annotate.errors import AnnotateError, InvalidInputError, OutputExistsError
from annotate.features import document_features, token_features
from annotate.records import Annotation, Task
from annotate.schema import SchemaSet
from annotate.tokens import Tokens, bio_ids, tokenize

DOCUMENTS = "documents"
TOKENS = "tokens"
CARD = "README.md"
DEFAULT_SPLITS: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}
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
            raise AnnotateError(f"--splits: {part!r} is not NAME=RATIO, e.g. test=0.2") from exc
    check_splits(ratios)
    return ratios


def check_splits(ratios: Mapping[str, float]) -> None:
    """Split names are words, ratios positive and summing to 1; else AnnotateError."""
    bad = [n for n in ratios if not _SPLIT_NAME.match(n)]
    if bad:
        raise AnnotateError(f"split names must be letters, digits or _: {', '.join(bad)}")
    if not ratios or any(r <= 0 for r in ratios.values()):
        raise AnnotateError(f"split ratios must be positive, found {dict(ratios)}")
    if abs(sum(ratios.values()) - 1) > 1e-6:
        raise AnnotateError(f"split ratios must sum to 1, found {sum(ratios.values()):g}")


def split_of(document_id: str, ratios: Mapping[str, float]) -> str:
    """The split of a document: the first 8 bytes of sha256(id) as a fraction, by cumulative ratio.

    >>> split_of("001_81e078628aa1d8a7", {"test": 1.0})
    'test'
    >>> halves = {"train": 0.5, "test": 0.5}  # sha256("a") = ca97…: 0.79; sha256("b") = 3e23…: 0.24
    >>> split_of("a", halves), split_of("b", halves)
    ('test', 'train')
    """
    digest = hashlib.sha256(document_id.encode("utf-8")).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    for name, ratio in ratios.items():
        total += ratio
        if point < total:
            return name
    return next(reversed(list(ratios)))


# Encoding records as arrow columns of the Features, and back.

Codec = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _labels(values: list[Any], feature: ClassLabel) -> list[int | None]:
    """ClassLabel names → their ints (None stays None)."""
    index: dict[Any, int | None] = {name: i for i, name in enumerate(feature.names)}
    index[None] = None
    try:
        return [index[v] for v in values]
    except KeyError as exc:
        names = ", ".join(feature.names)
        raise InvalidInputError(f"{exc.args[0]!r} is not one of {names}") from exc


def _get(values: list[Any], name: str) -> list[Any]:
    """Field ``name`` of every value: dict items or record attributes."""
    if values and isinstance(values[0], dict):
        return [v.get(name) for v in values]
    return list(map(attrgetter(name), values))


def column(values: list[Any], feature: Any, kind: pa.DataType) -> pa.Array:
    """An arrow array of ``kind`` holding ``values`` (records or dicts) as ``feature`` says.

    Built a column at a time, not a row at a time: ClassLabel names become their ints,
    structs are read from record attributes, lists are flattened with offsets.
    """
    if isinstance(feature, ClassLabel):
        return pa.array(_labels(values, feature), type=kind)
    if isinstance(feature, dict):
        children = [column(_get(values, k), f, kind.field(k).type) for k, f in feature.items()]
        return pa.StructArray.from_arrays(children, fields=list(kind))
    if isinstance(feature, List) and (isinstance(feature.feature, ClassLabel | dict | List)):
        flat = [x for v in values for x in v or ()]
        offsets = [0, *accumulate(len(v or ()) for v in values)]
        inner = column(flat, feature.feature, kind.value_type)
        return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), inner, type=kind)
    if isinstance(feature, List):
        return pa.array([list(v or ()) for v in values], type=kind)
    return pa.array(values, type=kind)


def decoder(feature: Any) -> Codec:
    """Turns a row value of ``feature`` back into JSON-ready values (ClassLabel ints → names)."""
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


class TokenRow(NamedTuple):
    """A ``tokens`` config row before it becomes arrow columns."""

    id: str
    tokens: Tokens
    tags: npt.NDArray[np.int64]


def token_row(annotation: Annotation, tag_ids: Mapping[str, int]) -> TokenRow:
    """The tokens of a document and the ids of their BIO tags."""
    tokens = tokenize(annotation.document.text)
    return TokenRow(annotation.document.id, tokens, bio_ids(tokens, annotation.entities, tag_ids))


def token_table(rows: list[TokenRow], schema: pa.Schema) -> pa.Table:
    """The ``tokens`` config columns of some rows, from arrays rather than per token."""
    offsets = pa.array([0, *accumulate(len(r.tokens.texts) for r in rows)], type=pa.int32())

    def listed(name: str, values: Any) -> pa.ListArray:
        kind = schema.field(name).type
        flat = pa.array(values, type=kind.value_type)
        return pa.ListArray.from_arrays(offsets, flat, type=kind)

    columns = {
        "id": pa.array([r.id for r in rows], type=schema.field("id").type),
        "tokens": listed("tokens", [t for r in rows for t in r.tokens.texts]),
        "token_starts": listed("token_starts", np.concatenate([r.tokens.starts for r in rows])),
        "token_ends": listed("token_ends", np.concatenate([r.tokens.ends for r in rows])),
        "ner_tags": listed("ner_tags", np.concatenate([r.tags for r in rows])),
    }
    return pa.Table.from_arrays([columns[name] for name in schema.names], schema=schema)


def document_table(rows: list[Annotation], features: Features, layers: Iterable[str]) -> pa.Table:
    """The ``documents`` config columns of some gold annotations."""
    schema = features.arrow_schema
    names = set(layers)
    arrays = [
        column(
            list(map(attrgetter(name if name in names else f"document.{name}"), rows)),
            feature,
            schema.field(name).type,
        )
        for name, feature in features.items()
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


# Writing.


def part_name(split: str) -> str:
    """The file name of a split's single parquet part."""
    return f"{split}-00000-of-00001.parquet"


TableBuilder = Callable[[list[Any]], pa.Table]


class _ConfigWriter:
    """The parquet files of one config, one per split, written a row group at a time."""

    def __init__(
        self, directory: Path, schema: pa.Schema, build: TableBuilder, splits: Iterable[str]
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.build = build
        self.writers = {s: pq.ParquetWriter(directory / part_name(s), schema) for s in splits}
        self.rows: dict[str, list[Any]] = {s: [] for s in self.writers}
        self.stats: dict[str, list[int]] = {s: [0, 0] for s in self.writers}

    def add(self, split: str, row: Any) -> None:
        self.rows[split].append(row)
        if len(self.rows[split]) >= ROWS_PER_GROUP:
            self._flush(split)

    def _flush(self, split: str) -> None:
        if not self.rows[split]:
            return
        table = self.build(self.rows[split])
        self.writers[split].write_table(table)
        self.stats[split][0] += table.num_rows
        self.stats[split][1] += table.nbytes
        self.rows[split] = []

    def close(self) -> dict[str, SplitStats]:
        for split, writer in self.writers.items():
            self._flush(split)
            writer.close()
        return {s: SplitStats(n, size) for s, (n, size) in self.stats.items()}


@dataclass
class _Tally:
    """Counts gathered while writing, for the summary and the card."""

    schemas: SchemaSet
    agreement: AgreementAccumulator
    tasks: int = 0
    methods: Counter[str] = field(default_factory=Counter)
    left_out: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    disagreements: int = 0
    languages: set[str] = field(default_factory=set)
    labels: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    choices: dict[tuple[str, str], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    seen: set[str] = field(default_factory=set)

    def keep(self, task: Task, result: Adjudication) -> Annotation | None:
        """Count an adjudicated task; its gold if it goes into the dataset."""
        self.tasks += 1
        self.disagreements += len(result.disagreements)
        if result.gold is None:
            self.left_out.append((task.task_id, result.reason or "no gold"))
            return None
        if result.gold.document.id in self.seen:
            self.duplicates.append((task.task_id, result.gold.document.id))
            return None
        self.seen.add(result.gold.document.id)
        self.methods[result.method or "none"] += 1
        self._count(result.gold)
        return result.gold

    def _count(self, gold: Annotation) -> None:
        self.languages.add(gold.document.language)
        for layer in self.schemas.layers.values():
            counts = self.labels[layer.name]
            for item in layer_items(gold, layer):
                counts[item_label(layer, item)] += 1
                for attribute in layer.attributes:
                    if attribute.choices:
                        key = (layer.name, attribute.field)
                        self.choices[key][getattr(item, attribute.field)] += 1

    def label_table(self) -> dict[str, dict[str, int]]:
        """Items per label of every layer, in schema order, zeros included."""
        return {
            layer.name: {label: self.labels[layer.name][label] for label in layer.labels}
            for layer in self.schemas.layers.values()
        }

    def choice_table(self) -> dict[tuple[str, str], dict[str, int]]:
        """Items per value of every closed attribute, in schema order."""
        return {
            (layer.name, a.field): {c: self.choices[(layer.name, a.field)][c] for c in a.choices}
            for layer in self.schemas.layers.values()
            for a in layer.attributes
            if a.choices
        }


class _DatasetWriter:
    """Both configs; splits fixed up front, or decided once SMALL documents have been seen."""

    def __init__(self, directory: Path, schemas: SchemaSet, ratios: dict[str, float] | None):
        self.directory = directory
        documents, tokens = document_features(schemas), token_features(schemas)
        layers = list(schemas.layers)
        self.configs: dict[str, tuple[pa.Schema, TableBuilder]] = {
            DOCUMENTS: (
                documents.arrow_schema,
                lambda rows: document_table(rows, documents, layers),
            ),
            TOKENS: (tokens.arrow_schema, lambda rows: token_table(rows, tokens.arrow_schema)),
        }
        tag_names = tokens["ner_tags"].feature.names
        self.tag_ids = {name: i for i, name in enumerate(tag_names)}
        self.ratios = ratios
        self.pending: list[Annotation] = []
        self.writers: dict[str, _ConfigWriter] = {}
        if ratios is not None:
            self._open(ratios)

    def _open(self, ratios: dict[str, float]) -> None:
        self.ratios = ratios
        self.writers = {
            name: _ConfigWriter(self.directory / name, schema, build, ratios)
            for name, (schema, build) in self.configs.items()
        }

    def add(self, gold: Annotation) -> None:
        if self.writers:
            self._write(gold)
            return
        self.pending.append(gold)
        if len(self.pending) >= SMALL:
            self._release(DEFAULT_SPLITS)

    def _release(self, ratios: dict[str, float]) -> None:
        self._open(ratios)
        pending, self.pending = self.pending, []
        for gold in pending:
            self._write(gold)

    def _write(self, gold: Annotation) -> None:
        assert self.ratios is not None
        split = split_of(gold.document.id, self.ratios)
        self.writers[DOCUMENTS].add(split, gold)
        self.writers[TOKENS].add(split, token_row(gold, self.tag_ids))

    def close(self) -> dict[str, dict[str, SplitStats]]:
        if not self.writers:
            self._release(SMALL_SPLITS)
        return {name: writer.close() for name, writer in self.writers.items()}


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


def export_dataset(
    tasks: Iterable[Task],
    output: Path | str,
    schemas: SchemaSet,
    options: ExportOptions | None = None,
    *,
    force: bool = False,
) -> ExportSummary:
    """Adjudicate ``tasks`` and write the gold dataset folder ``output``.

    An existing different dataset is replaced only with ``force`` (else OutputExistsError);
    an identical one is left as it is. An error raised while reading ``tasks`` leaves
    ``output`` untouched.
    """
    output = Path(output)
    options = options or ExportOptions()
    ratios = dict(options.splits) if options.splits is not None else None
    if ratios is not None:
        check_splits(ratios)
    _check_target(output, force)
    tally = _Tally(schemas, AgreementAccumulator(schemas))
    unchanged = False
    try:
        with atomic_directory(output) as tmp:
            stats = _write_data(tasks, tmp, options.mode, ratios, tally)
            report = tally.agreement.report()
            facts = _facts(schemas, stats, tally, report)
            text = render_card(facts, options.card)
            (tmp / CARD).write_text(text, encoding="utf-8", newline="")
            _check_replace(tmp, output, force)
    except _Unchanged:
        unchanged = True
    return ExportSummary(
        output,
        unchanged,
        {s: st.examples for s, st in stats[DOCUMENTS].items()},
        tally.tasks,
        dict(sorted(tally.methods.items())),
        tuple(tally.left_out),
        tuple(tally.duplicates),
        tally.disagreements,
        tally.label_table(),
        report,
    )


def _write_data(
    tasks: Iterable[Task],
    directory: Path,
    mode: Mode,
    ratios: dict[str, float] | None,
    tally: _Tally,
) -> dict[str, dict[str, SplitStats]]:
    writer = _DatasetWriter(directory, tally.schemas, ratios)
    for task in tasks:
        tally.agreement.add(task)
        gold = tally.keep(task, adjudicate(task, tally.schemas, mode))
        if gold is not None:
            writer.add(gold)
    return writer.close()


def _facts(
    schemas: SchemaSet,
    stats: dict[str, dict[str, SplitStats]],
    tally: _Tally,
    agreement: AgreementReport,
) -> CardFacts:
    return CardFacts(
        schemas=schemas,
        configs={DOCUMENTS: document_features(schemas), TOKENS: token_features(schemas)},
        splits=stats,
        default_config=DOCUMENTS,
        languages=sorted(tally.languages),
        labels=tally.label_table(),
        choices=tally.choice_table(),
        methods=dict(sorted(tally.methods.items())),
        left_out=len(tally.left_out),
        disagreements=tally.disagreements,
        agreement=agreement,
    )


def _check_target(output: Path, force: bool) -> None:
    """Fail early when the target cannot be a dataset folder or clearly is something else."""
    if output.exists() and not output.is_dir():
        raise OutputExistsError(f"{output} is a file, not a dataset folder; remove it first")
    if not force and _files(output) and not (output / CARD).is_file():
        raise OutputExistsError(
            f"{output} holds files but no dataset card; pass --force to replace it"
        )


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
        raise InvalidInputError(
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
