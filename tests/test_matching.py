"""The one span matcher, shared by agreement and scoring."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.gold.matching import relaxed_pairs, strict_count

Spans = list[tuple[int, int]]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        # (0,10) overlaps (0,3) by 3 and (2,10) by 8: the largest overlap wins.
        pytest.param([(0, 10)], [(0, 3), (2, 10)], [(0, 1)], id="largest-overlap-first"),
        pytest.param([(0, 10), (12, 20)], [(5, 14)], [(0, 0)], id="largest-overlap-left"),
        # Equal overlaps of 10: the pair with the closest boundaries.
        pytest.param([(0, 10)], [(0, 10), (0, 12)], [(0, 0)], id="tie-closest-boundaries"),
        # Equal overlaps of 2 and equal distances: the earliest span pairs first.
        pytest.param([(0, 4), (4, 8)], [(2, 6)], [(0, 0)], id="tie-text-order"),
        pytest.param([(0, 4)], [(4, 8)], [], id="touching-is-not-overlapping"),
        pytest.param([(0, 4), (0, 4)], [(0, 4)], [(0, 0)], id="one-to-one"),
        pytest.param([(4, 8), (0, 3)], [(1, 2), (5, 6)], [(0, 1), (1, 0)], id="unsorted"),
        pytest.param([], [(0, 4)], [], id="empty"),
    ],
)
def test_relaxed_pairs(left: Spans, right: Spans, expected: list[tuple[int, int]]) -> None:
    assert relaxed_pairs(left, right) == expected


def test_strict_count_is_one_to_one() -> None:
    assert strict_count([(0, 4), (0, 4)], [(0, 4)]) == 1


def _careful(left: Spans, right: Spans) -> list[tuple[int, int]]:
    """The rule as written: every pair of overlapping spans, ranked, taken greedily."""
    ranked = sorted(
        (
            -(min(b, d) - max(a, c)),
            abs(a - c) + abs(b - d),
            (a, b),
            (c, d),
            i,
            j,
        )
        for i, (a, b) in enumerate(left)
        for j, (c, d) in enumerate(right)
        if a < d and c < b
    )
    pairs: list[tuple[int, int]] = []
    for *_, i, j in ranked:
        if all(i != x and j != y for x, y in pairs):
            pairs.append((i, j))
    return sorted(pairs)


span = st.tuples(st.integers(0, 40), st.integers(1, 12)).map(lambda s: (s[0], s[0] + s[1]))


@given(st.lists(span, max_size=12), st.lists(span, max_size=12))
def test_fast_matcher_equals_the_careful_rule(left: Spans, right: Spans) -> None:
    assert relaxed_pairs(left, right) == _careful(left, right)


@given(st.lists(span, max_size=10), st.lists(span, max_size=10))
def test_matching_is_symmetric(left: Spans, right: Spans) -> None:
    swapped = sorted((i, j) for j, i in relaxed_pairs(right, left))
    pairs = relaxed_pairs(left, right)
    assert len(swapped) == len(pairs)
    assert strict_count(left, right) == strict_count(right, left)
