"""Baseline extractors: small, explainable rules that run offline.

Each module exposes ``extract(document) -> Prediction`` and can be benchmarked with
``annotate bench --extractor annotate.extractors.<module>:extract``:

- ``entities``: capitalised word runs, titles, demonyms, keywords and a gazetteer;
- ``claims``: quotations, reporting verbs, and the outlet's own sentences;
- ``dates``: time expressions normalised by dateparser against the publication date;
- ``baseline``: all three together (``extract`` and ``predict_corpus``).

The word lists, cues and triggers were written while reading the seed corpus
(``corpus/sochi-2017``) and ``docs/guidelines.md``: scores on that corpus are development
scores, optimistic for unseen text.

This package holds what they share: sentence and paragraph spans, and the check that
every label or choice a rule emits exists in the schemas (labels are spelled in the
schemas; a rule only names the value it maps to, and that value is verified on first use).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from annotate.errors import SchemaError
from annotate.schema import SchemaSet

Span = tuple[int, int]

_SPACE = " \t\u00a0\r"
_ABBREVIATIONS = frozenset({"Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Lt", "Col", "Sgt", "No", "vs"})
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)\]]*(?=[ \t\u00a0]+[\"“‘(\[]?[A-Z0-9])")


@cache
def schemas() -> SchemaSet:
    """The schemas shipped with annotate, loaded once."""
    return SchemaSet()


def checked(mapping: Mapping[str, str], allowed: Iterable[str], what: str) -> dict[str, str]:
    """``mapping`` (rule -> schema value) after checking every value is in ``allowed``."""
    allowed = set(allowed)
    unknown = sorted(v for v in mapping.values() if v not in allowed)
    if unknown:
        raise SchemaError(
            f"{what}: {', '.join(unknown)} not in the schema ({', '.join(sorted(allowed))})"
        )
    return dict(mapping)


def trim(text: str, start: int, end: int, strip: str = _SPACE + "\n") -> Span:
    """``(start, end)`` narrowed until neither end is one of the ``strip`` characters."""
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def paragraphs(text: str) -> list[Span]:
    """The non-blank lines of ``text``, trimmed (the corpus puts one paragraph per line)."""
    spans: list[Span] = []
    offset = 0
    for line in text.split("\n"):
        start, end = trim(text, offset, offset + len(line))
        if end > start:
            spans.append((start, end))
        offset += len(line) + 1
    return spans


def sentences(text: str) -> list[Span]:
    """Sentence spans: paragraphs split after ``.``, ``!`` or ``?`` before a capital.

    >>> text = "Mr Putin met him. They talked.\\nNext line"
    >>> [text[s:e] for s, e in sentences(text)]
    ['Mr Putin met him.', 'They talked.', 'Next line']
    """
    spans: list[Span] = []
    for start, end in paragraphs(text):
        begin = start
        for match in _SENTENCE_END.finditer(text, start, end):
            if not _after_abbreviation(text, begin, match.start()):
                spans.append(trim(text, begin, match.end()))
                begin = match.end()
        spans.append(trim(text, begin, end))
    return [s for s in spans if s[1] > s[0]]


def _after_abbreviation(text: str, begin: int, dot: int) -> bool:
    word_start = dot
    while word_start > begin and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    return word in _ABBREVIATIONS or (len(word) <= 3 and "." in word) or len(word) == 1


def enclosing(spans: Iterable[Span], start: int, end: int) -> Span | None:
    """The first span that contains ``[start, end)``."""
    return next((s for s in spans if s[0] <= start and end <= s[1]), None)
