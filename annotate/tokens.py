"""Tokens and BIO tags for the ``tokens`` config of the gold dataset.

The tokenizer is deliberately simple and stable: a run of word characters, or any single
other non-space character, is a token. Offsets count code points of the text, like every
offset in annotate, so ``text[token.start:token.end] == token.text``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from annotate.records import Entity

_TOKEN = re.compile(r"\w+|[^\w\s]")
OUTSIDE = "O"


class Token(NamedTuple):
    """One token: its text and half-open code-point range."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into word and punctuation tokens with code-point offsets.

    >>> [(t.text, t.start, t.end) for t in tokenize("😀 Putin's aides.")]
    [('😀', 0, 1), ('Putin', 2, 7), ("'", 7, 8), ('s', 8, 9), ('aides', 10, 15), ('.', 15, 16)]
    """
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def bio_tags(tokens: Sequence[Token], entities: Iterable[Entity]) -> list[str]:
    """BIO tag names of ``tokens`` for the entity mentions.

    A token belongs to a mention when their ranges overlap, so a mention that ends inside
    a token still tags it. BIO cannot nest: mentions are taken longest first (then by
    start), and one that overlaps a token already tagged is left out.

    >>> tokens = tokenize("Vladimir Putin met Xi.")
    >>> putin = Entity("e1", 0, 14, "Vladimir Putin", "PERSON")
    >>> bio_tags(tokens, [putin, Entity("e2", 19, 21, "Xi", "PERSON")])
    ['B-PERSON', 'I-PERSON', 'O', 'B-PERSON', 'O']
    """
    tags = [OUTSIDE] * len(tokens)
    starts = [t.start for t in tokens]
    for entity in sorted(entities, key=lambda e: (e.start - e.end, e.start, e.label)):
        covered = _covered(tokens, starts, entity)
        if covered and all(tags[i] == OUTSIDE for i in covered):
            tags[covered[0]] = f"B-{entity.label}"
            for i in covered[1:]:
                tags[i] = f"I-{entity.label}"
    return tags


def _covered(tokens: Sequence[Token], starts: Sequence[int], entity: Entity) -> list[int]:
    """Indexes of the tokens overlapping the entity's range."""
    first = max(bisect.bisect_right(starts, entity.start) - 1, 0)
    covered = []
    for i in range(first, len(tokens)):
        if tokens[i].start >= entity.end:
            break
        if tokens[i].end > entity.start:
            covered.append(i)
    return covered
