"""Boxes that meet, found on a grid, against every pair compared by hand."""

from __future__ import annotations

import numpy as np
import pytest

from etl.boxes import meeting


def _every_pair(a: np.ndarray, b: np.ndarray) -> set[tuple[int, int]]:
    return {(i, j) for i in range(len(a)) for j in range(len(b))
            if a[i, 0] <= b[j, 2] and b[j, 0] <= a[i, 2] and a[i, 1] <= b[j, 3] and b[j, 1] <= a[i, 3]}


def test_boxes_that_touch_meet_and_each_pair_is_named_once() -> None:
    a = np.array([[0, 0, 1, 1], [1, 0, 2, 1], [3, 3, 4, 4], [0.5, 0.5, 3.5, 3.5]], dtype=float)
    first, second = meeting(a)
    # 0 and 1 share an edge; 3 reaches into 0, 1 and 2; 2 is apart from 0 and 1
    assert sorted(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1), (0, 3), (1, 3), (2, 3)]


def test_a_large_box_among_small_ones_meets_each_it_covers() -> None:
    small = np.array([[x, y, x + 0.5, y + 0.5] for x in range(10) for y in range(10)], dtype=float)
    large = np.array([[2.2, 2.2, 4.1, 3.1]])
    first, second = meeting(small, large)
    assert sorted(first.tolist()) == [x * 10 + y for x in (2, 3, 4) for y in (2, 3)]
    assert set(second.tolist()) == {0}


@pytest.mark.parametrize("most", [60, 600])
def test_random_boxes_agree_with_every_pair(most: int) -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        n, m = rng.integers(1, most, size=2)
        corner_a, corner_b = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
        a = np.hstack((corner_a, corner_a + rng.exponential(0.8, (n, 2))))
        b = np.hstack((corner_b, corner_b + rng.exponential(3.0, (m, 2))))
        first, second = meeting(a, b)
        found = list(zip(first.tolist(), second.tolist(), strict=True))
        assert found == sorted(_every_pair(a, b))  # each pair once, in the order of the first box, then the second
        first, second = meeting(a)
        found = list(zip(first.tolist(), second.tolist(), strict=True))
        assert found == sorted((i, j) for i, j in _every_pair(a, a) if i < j)


def test_points_and_lines_meet_too() -> None:
    a = np.array([[1, 1, 1, 1], [0, 1, 2, 1], [1, 0, 1, 0.5]], dtype=float)
    first, second = meeting(a)
    assert sorted(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1)]
