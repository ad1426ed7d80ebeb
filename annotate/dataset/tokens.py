"""Tokens and BIO tags for the ``tokens`` config of the gold dataset.

The tokenizer is deliberately simple and stable: a token is what the regular expression
``\\w+|[^\\w\\s]`` matches, a run of word characters or any single other non-space
character. Offsets count code points of the text, like every offset in annotate, so
``text[start:end]`` is the token. It runs on whole arrays of code points (numpy) rather
than match by match, because the gold export tokenizes every document.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from annotate.records import Entity
from annotate.schema.columns import OUTSIDE

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
_BMP = 0x10000
_WORD = re.compile(r"\w")


Offsets = npt.NDArray[np.int32]


class Tokens(NamedTuple):
    """The tokens of a text: their strings and half-open code-point ranges."""

    texts: list[str]
    starts: Offsets
    ends: Offsets


@cache
def _classes() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which code points of the Basic Multilingual Plane are word characters, and spaces."""
    plane = "".join(map(chr, range(_BMP)))
    word = np.zeros(_BMP, dtype=bool)
    space = np.zeros(_BMP, dtype=bool)
    word[[m.start() for m in re.finditer(r"\w", plane)]] = True
    space[[m.start() for m in re.finditer(r"\s", plane)]] = True
    return word, space


def tokenize(text: str) -> Tokens:
    """Split ``text`` into word and punctuation tokens with code-point offsets.

    >>> tokens = tokenize("😀 Putin's aides.")
    >>> tokens.texts
    ['😀', 'Putin', "'", 's', 'aides', '.']
    >>> list(zip(tokens.starts.tolist(), tokens.ends.tolist()))
    [(0, 1), (2, 7), (7, 8), (8, 9), (10, 15), (15, 16)]
    """
    starts, ends, _ = token_spans(text)
    texts = [text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    return Tokens(texts, starts, ends)


def token_spans(text: str) -> tuple[Offsets, Offsets, npt.NDArray[np.uint32]]:
    """The tokens' start and end offsets, and the text's code points (what tokenize uses)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    word_table, space_table = _classes()
    inside = points < _BMP
    index = np.where(inside, points, 0)
    word, space = word_table[index], space_table[index]
    for i in np.flatnonzero(~inside).tolist():  # outside the BMP: emoji, rare scripts
        word[i] = _WORD.match(text[i]) is not None
        space[i] = text[i].isspace()
    other = ~word & ~space
    before = np.concatenate(([False], word[:-1]))
    after = np.concatenate((word[1:], [False]))
    starts = np.flatnonzero((word & ~before) | other).astype(np.int32)
    ends = (np.flatnonzero((word & ~after) | other) + 1).astype(np.int32)
    return starts, ends, points


def utf8_offsets(points: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """For each code point offset 0…n, the offset of the same place in the UTF-8 bytes.

    >>> utf8_offsets(np.array([ord(c) for c in "aé😀"], dtype=np.uint32)).tolist()
    [0, 1, 3, 7]
    """
    widths = 1 + (points >= 0x80) + (points >= 0x800).astype(np.int64) + (points >= 0x10000)
    return np.concatenate(([0], np.cumsum(widths, dtype=np.int64)))


def bio_ids(
    token_starts: Offsets,
    token_ends: Offsets,
    entities: Iterable[Entity],
    tag_ids: Mapping[str, int],
) -> npt.NDArray[np.int64]:
    """The BIO tag of each token (given by its offsets) for the entity mentions, as ids:
    ``tag_ids`` maps each tag name (``O``, ``B-PERSON``, ``I-PERSON``…) to its id.

    A token belongs to a mention when their ranges overlap, so a mention that ends inside
    a token still tags it. BIO cannot nest: mentions are taken longest first (then by
    start), and one that overlaps a token already tagged is left out.

    >>> tokens = tokenize("Vladimir Putin met Xi.")
    >>> names = ["O", "B-PERSON", "I-PERSON"]
    >>> putin = Entity("e1", 0, 14, "Vladimir Putin", "PERSON")
    >>> mentions = [putin, Entity("e2", 19, 21, "Xi", "PERSON")]
    >>> ids = bio_ids(tokens.starts, tokens.ends, mentions, {n: i for i, n in enumerate(names)})
    >>> [names[i] for i in ids.tolist()]
    ['B-PERSON', 'I-PERSON', 'O', 'B-PERSON', 'O']
    """
    entities = list(entities)
    fast = _apart_bio_ids(token_starts, token_ends, entities, tag_ids)
    if fast is not None:
        return fast
    return longest_first_bio_ids(token_starts, token_ends, entities, tag_ids)


def longest_first_bio_ids(
    token_starts: Offsets,
    token_ends: Offsets,
    entities: Iterable[Entity],
    tag_ids: Mapping[str, int],
) -> npt.NDArray[np.int64]:
    """:func:`bio_ids` mention by mention, longest first: the rule itself, for any mentions."""
    starts, ends = token_starts.tolist(), token_ends.tolist()  # both increasing
    tags = [tag_ids[OUTSIDE]] * len(starts)
    taken = [False] * len(starts)
    for entity in sorted(entities, key=lambda e: (e.start - e.end, e.start, e.label)):
        first = bisect.bisect_right(ends, entity.start)  # the first token ending after it starts
        last = bisect.bisect_left(starts, entity.end)  # past the last token starting before its end
        if first < last and not any(taken[first:last]):
            tags[first] = tag_ids[f"B-{entity.label}"]
            tags[first + 1 : last] = [tag_ids[f"I-{entity.label}"]] * (last - first - 1)
            taken[first:last] = [True] * (last - first)
    return np.array(tags, dtype=np.int64)


def _apart_bio_ids(
    token_starts: Offsets,
    token_ends: Offsets,
    entities: list[Entity],
    tag_ids: Mapping[str, int],
) -> npt.NDArray[np.int64] | None:
    """The tags when no two mentions share a token (the usual case), in whole arrays;
    None when some do, and the longest-first rule has to decide. A third faster than the
    rule alone (``benchmarks/fastpaths_bench.py``); ``tests/test_fast_paths.py`` proves
    both agree."""
    tags = np.full(len(token_starts), tag_ids[OUTSIDE], dtype=np.int64)
    if not entities:
        return tags
    mention_starts = np.fromiter((e.start for e in entities), np.int64, len(entities))
    mention_ends = np.fromiter((e.end for e in entities), np.int64, len(entities))
    first = np.searchsorted(token_ends, mention_starts, side="right")
    last = np.searchsorted(token_starts, mention_ends, side="left")
    order = np.argsort(first, kind="stable")
    first, last = first[order], last[order]
    kept = first < last  # a mention covering no token tags nothing
    first, last = first[kept], last[kept]
    if np.any(last[:-1] > first[1:]):
        return None
    labels = [entities[i].label for i in order[kept].tolist()]
    inside = np.array([tag_ids[f"I-{label}"] for label in labels], dtype=np.int64)
    lengths = last - first
    covered = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    tags[covered] = np.repeat(inside, lengths)
    tags[first] = [tag_ids[f"B-{label}"] for label in labels]
    return tags
