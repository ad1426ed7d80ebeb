"""The one span matcher: which regions of two lists are "the same" region.

Agreement (two annotators) and scoring (gold against predictions) pair regions with the
same two rules:

- **strict**: the same start and end, counted one to one (:func:`strict_count`);
- **relaxed**: overlapping spans (at least one shared code point), paired one to one,
  greedily: the largest overlap first; ties go to the pair with the closest boundaries
  (``|start - start'| + |end - end'|``), then to the earliest spans in text order, then to
  the earliest positions in the lists (:func:`relaxed_pairs`).

Spans are half-open ``(start, end)`` code-point ranges.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

SpanRange = tuple[int, int]


def strict_count(left: Sequence[SpanRange], right: Sequence[SpanRange]) -> int:
    """How many spans of the two lists have the same (start, end), paired one to one.

    >>> strict_count([(0, 5), (9, 11), (9, 11)], [(0, 5), (9, 11), (12, 14)])
    2
    """
    return (Counter(left) & Counter(right)).total()


def overlapping(ordered: Sequence[SpanRange], spans: Sequence[SpanRange]) -> list[list[int]]:
    """For each span of ``spans``, the indices of the ``ordered`` spans (sorted by start)
    that it overlaps by at least one code point.

    >>> overlapping([(0, 5), (4, 9), (20, 25)], [(3, 6), (10, 12)])
    [[0, 1], []]
    """
    starts = [s for s, _ in ordered]
    ends = [e for _, e in ordered]
    longest = max((e - s for s, e in ordered), default=0)
    out: list[list[int]] = []
    for start, end in spans:
        low = bisect_left(starts, start - longest)
        out.append([i for i in range(low, bisect_left(starts, end, low)) if ends[i] > start])
    return out


def relaxed_pairs(left: Sequence[SpanRange], right: Sequence[SpanRange]) -> list[tuple[int, int]]:
    """One-to-one (index in left, index in right) pairs of overlapping spans, sorted.

    Largest overlap first, then closest boundaries, then text order, then list order:

    >>> relaxed_pairs([(0, 14)], [(0, 8), (9, 14)])  # "Vladimir Putin" / "Vladimir", "Putin"
    [(0, 0)]
    >>> relaxed_pairs([(0, 10), (12, 20)], [(5, 14), (0, 9)])
    [(0, 1), (1, 0)]
    >>> relaxed_pairs([(0, 4), (6, 10)], [(2, 8)])  # equal overlaps and distances: text order
    [(0, 0)]
    """
    if not left or not right:
        return []
    order = sorted(range(len(left)), key=lambda i: (left[i], i))
    ordered = [left[i] for i in order]
    near = overlapping(ordered, right)
    taken = [order[h] for hits in near for h in hits]
    if len(taken) == len(set(taken)) and all(len(hits) <= 1 for hits in near):
        # Every overlap is isolated (the usual case): each is a pair, nothing to rank.
        return sorted((order[hits[0]], j) for j, hits in enumerate(near) if hits)
    candidates = []
    for j, hits in enumerate(near):
        r_start, r_end = right[j]
        for h in hits:
            l_start, l_end = ordered[h]
            overlap = min(r_end, l_end) - max(r_start, l_start)
            distance = abs(r_start - l_start) + abs(r_end - l_end)
            candidates.append((-overlap, distance, l_start, l_end, r_start, r_end, order[h], j))
    candidates.sort()
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for *_, i, j in candidates:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((i, j))
    return sorted(pairs)
