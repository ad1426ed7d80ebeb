"""Loading a corpus: a folder with ``manifest.jsonl`` and text files, or a JSONL of documents.

Text is decoded as UTF-8 and kept exactly as stored (no newline translation), because every
annotation offset refers to it. Every problem in the input is collected before anything is
raised, each naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from annotate.errors import CorpusError
from annotate.jsonl import Row, read_jsonl
from annotate.problems import Location, Problem, schema_problems
from annotate.records import Document
from annotate.schema import DOCUMENT, SchemaSet

MANIFEST = "manifest.jsonl"


def load_corpus(path: Path | str, schemas: SchemaSet | None = None) -> list[Document]:
    """The documents of a corpus folder or JSONL file, in input order.

    Raises CorpusError listing every problem: unreadable lines, missing fields (such as the
    publication date), duplicate ids, missing text files and text that is not UTF-8.
    """
    path = Path(path)
    schemas = schemas or SchemaSet()
    if path.is_dir():
        rows = _manifest_rows(path)
        manifest = path / MANIFEST
    elif path.is_file():
        rows = read_jsonl(path, CorpusError)
        manifest = path
    else:
        raise CorpusError(f"{path}: no such corpus folder or JSONL file")
    documents, problems = _documents(rows, manifest, schemas)
    if problems:
        raise CorpusError(f"{path}: {len(problems)} problem(s) in the corpus", problems)
    return documents


def _manifest_rows(folder: Path) -> Iterator[Row]:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise CorpusError(f"{folder}: no {MANIFEST} in the corpus folder")
    for number, data, problems in read_jsonl(manifest, CorpusError):
        if data is None:
            yield number, data, problems
            continue
        where = Location(file=str(manifest), line=number, document_id=data.get("id"))
        name = data.pop("file", None)
        if not isinstance(name, str) or not name:
            where = Location(
                file=str(manifest), line=number, document_id=data.get("id"), field="file"
            )
            yield number, data, [Problem(where, "no 'file' naming the text file", code="schema")]
            continue
        text, problem = _read_text(folder / name, where)
        if text is not None:
            data["text"] = text
        yield number, data, [problem] if problem else []


def _read_text(path: Path, where: Location) -> tuple[str | None, Problem | None]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, Problem(where, f"text file {path.name} is missing", code="missing-file")
    except OSError as exc:
        return None, Problem(where, f"cannot read {path.name}: {exc.strerror}", code="missing-file")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        msg = f"{path.name} is not UTF-8: invalid byte 0x{byte:02x} at byte offset {exc.start}"
        return None, Problem(where, msg, code="encoding")


def _documents(
    rows: Iterator[Row], file: Path, schemas: SchemaSet
) -> tuple[list[Document], list[Problem]]:
    documents: list[Document] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for number, data, row_problems in rows:
        problems += row_problems
        if data is None or row_problems:
            continue
        doc_id = data.get("id")
        where = Location(file=str(file), line=number, document_id=doc_id)
        for error in schemas.errors(DOCUMENT, data):
            problems += [_hint(p) for p in schema_problems(error, where)]
        if isinstance(doc_id, str) and doc_id in first_line:
            where = Location(file=str(file), line=number, document_id=doc_id, field="id")
            msg = f"duplicate document id (first seen on line {first_line[doc_id]})"
            problems.append(Problem(where, msg, code="duplicate-id"))
        elif isinstance(doc_id, str):
            first_line[doc_id] = number
        if not problems:
            documents.append(Document.from_dict(data))
    return documents, problems


def _hint(problem: Problem) -> Problem:
    """A missing publication date says what it is for."""
    if problem.where.field == "published" and problem.expected is None:
        return replace(problem, expected="the publication date, YYYY-MM-DD")
    return problem
