"""Which bounding boxes meet, found with numpy on a grid of square cells: no geometry object is made.

A million parcels' boxes are joined with each other (overlaps) or with the zones and their edges
(placement) without building a million GEOS geometries, which shapely makes one at a time holding the
GIL. Each box is listed in every cell it covers; boxes sharing a cell are candidates, kept when their
boxes meet (touching counts, as for GEOS envelopes), and each pair is reported once: in the cell that
holds the lower-left corner of the two boxes' common part.
"""

from __future__ import annotations

import numpy as np

MAX_CELLS_PER_BOX = 16
"""The grid is coarsened until the boxes list no more than this many cells each on average."""
MAX_TABLE_BITS = 26
"""Cells used are marked in a hash table of at most 2**this buckets (64 MB)."""


def _buckets(key: np.ndarray, bits: int) -> np.ndarray:
    """Fibonacci hashing: the top `bits` bits of the key times 2**64 over the golden ratio (wrapping)."""
    return ((key.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)).astype(np.int64)


def _cell_size(sizes: np.ndarray, extent: float) -> float:
    """A cell about as wide as a typical box (its median side), never below a millionth of the extent."""
    typical = float(np.median(sizes)) if len(sizes) else 0.0
    return max(typical, extent / 1e6, 1e-9)


def _ranges(bounds: np.ndarray, origin: np.ndarray, size: float) -> tuple[np.ndarray, ...]:
    """The first and last cell column and row each box covers."""
    first = np.floor((bounds[:, :2] - origin) / size).astype(np.int64)
    last = np.floor((bounds[:, 2:] - origin) / size).astype(np.int64)
    return first[:, 0], first[:, 1], last[:, 0], last[:, 1]


def _runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """start, start + 1, …, start + count − 1 for each (start, count), end to end."""
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


def _entries(columns: tuple[np.ndarray, ...], rows_in_grid: int) -> tuple[np.ndarray, np.ndarray]:
    """(box, cell key) for every cell each box covers."""
    x0, y0, x1, y1 = columns
    wide = x1 - x0 + 1
    box = np.repeat(np.arange(len(wide)), wide)  # each box's columns, then each column's rows
    column = _runs(x0, wide)
    high = (y1 - y0 + 1)[box]
    return np.repeat(box, high), np.repeat(column, high) * rows_in_grid + _runs(y0[box], high)


def meeting(a: np.ndarray, b: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of boxes `a[i]` and `b[j]` that meet, each once; boxes are (minx, miny, maxx, maxy) rows
    of finite numbers. Without `b`, the pairs of `a` with itself, i < j."""
    other = a if b is None else b
    if not len(a) or not len(other):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    both = np.concatenate((a, other)) if b is not None else a
    origin = both[:, :2].min(axis=0)
    extent = float(np.max(both[:, 2:].max(axis=0) - origin))
    # Cells as large as the larger boxes of the two sets: the smaller boxes then sit in one cell or a few.
    size = max(_cell_size(np.maximum(s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]), extent) for s in (a, other))
    while True:
        ranges_a, ranges_b = _ranges(a, origin, size), _ranges(other, origin, size)
        cells = sum(int(((r[2] - r[0] + 1) * (r[3] - r[1] + 1)).sum()) for r in (ranges_a, ranges_b))
        if cells <= MAX_CELLS_PER_BOX * (len(a) + len(other)):
            break
        size *= 2
    rows_in_grid = int(max(ranges_a[3].max(), ranges_b[3].max())) + 1
    box_a, key_a = _entries(ranges_a, rows_in_grid)
    box_b, key_b = (box_a, key_a) if b is None else _entries(ranges_b, rows_in_grid)
    if b is not None:  # only cells both sets use can hold a pair (cells marked in a table by hash: a shared
        # bucket only keeps a few entries that could have been dropped)
        bits = min(MAX_TABLE_BITS, max(4, int(len(key_a) + len(key_b)).bit_length() + 1))
        bucket_a, bucket_b = _buckets(key_a, bits), _buckets(key_b, bits)
        in_a, in_b = np.zeros(1 << bits, dtype=bool), np.zeros(1 << bits, dtype=bool)
        in_a[bucket_a], in_b[bucket_b] = True, True
        use_a, use_b = in_b[bucket_a], in_a[bucket_b]
        box_a, key_a, box_b, key_b = box_a[use_a], key_a[use_a], box_b[use_b], key_b[use_b]
    order = np.argsort(key_b, kind="stable")
    box_b, key_b = box_b[order], key_b[order]
    if b is None:
        box_a, key_a = box_b, key_b
    low = np.searchsorted(key_b, key_a, "left")
    count = np.searchsorted(key_b, key_a, "right") - low
    first = np.repeat(box_a, count)
    second = box_b[_runs(low, count)]
    key = np.repeat(key_a, count)
    if b is None:
        keep = first < second
        first, second, key = first[keep], second[keep], key[keep]
    ax0, ay0, ax1, ay1 = (a[:, k][first] for k in range(4))
    bx0, by0, bx1, by1 = (other[:, k][second] for k in range(4))
    meet = (ax0 <= bx1) & (bx0 <= ax1) & (ay0 <= by1) & (by0 <= ay1)
    column = np.floor((np.maximum(ax0, bx0)[meet] - origin[0]) / size).astype(np.int64)
    row = np.floor((np.maximum(ay0, by0)[meet] - origin[1]) / size).astype(np.int64)
    first, second = first[meet], second[meet]
    once = column * rows_in_grid + row == key[meet]
    return first[once], second[once]
