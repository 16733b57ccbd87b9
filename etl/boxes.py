"""Which bounding boxes meet, found on a grid of square cells: no geometry object is made.

A million parcels' boxes are joined with each other (overlaps) or with the zones and their edges
(placement) without building a million GEOS geometries, which shapely makes one at a time holding the
GIL. Each box is listed in every cell it covers; boxes sharing a cell are candidates, kept when their
boxes meet (touching counts, as for GEOS envelopes), and each pair is reported once: in the cell that
holds the lower-left corner of the two boxes' common part. The cell size is chosen here; the loop over boxes
and cells is compiled (`etl/_box_join.pyx`): numpy would have to hold every candidate pair at once.
"""

from __future__ import annotations

import numpy as np

from etl._box_join import cell_entries, pairs_in_cells

MAX_CELLS_PER_BOX = 16
"""The grid is coarsened until the boxes list no more than this many cells each on average."""


def _cell_size(sizes: np.ndarray, extent: float) -> float:
    """A cell about as wide as a typical box (its median side), never below a millionth of the extent."""
    typical = float(np.median(sizes)) if len(sizes) else 0.0
    return max(typical, extent / 1e6, 1e-9)


def _cells(bounds: np.ndarray, origin: np.ndarray, size: float) -> int:
    """How many cells the boxes cover, all told."""
    first = np.floor((bounds[:, :2] - origin) / size)
    last = np.floor((bounds[:, 2:] - origin) / size)
    return int(np.prod(last - first + 1, axis=1).sum())


def meeting(a: np.ndarray, b: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of boxes `a[i]` and `b[j]` that meet, each once, in the order of i then j; boxes are (minx,
    miny, maxx, maxy) rows of finite numbers. Without `b`, the pairs of `a` with itself, i < j."""
    other = a if b is None else b
    if not len(a) or not len(other):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    both = np.concatenate((a, other)) if b is not None else a
    origin = both[:, :2].min(axis=0)
    extent = float(np.max(both[:, 2:].max(axis=0) - origin))
    # Cells as large as the larger boxes of the two sets: the smaller boxes then sit in one cell or a few.
    size = max(_cell_size(np.maximum(s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]), extent) for s in (a, other))
    while _cells(a, origin, size) + _cells(other, origin, size) > MAX_CELLS_PER_BOX * (len(a) + len(other)):
        size *= 2
    a, other = np.ascontiguousarray(a, dtype=float), np.ascontiguousarray(other, dtype=float)
    ox, oy = float(origin[0]), float(origin[1])
    rows = int(np.floor((max(a[:, 3].max(), other[:, 3].max()) - oy) / size)) + 1
    a_key, a_box = cell_entries(a, ox, oy, size, rows)
    b_key, b_box = (a_key, a_box) if b is None else cell_entries(other, ox, oy, size, rows)
    first, second = pairs_in_cells(a_key, a_box, b_key, b_box, a, other, b is None, ox, oy, size, rows)
    order = np.lexsort((second, first))
    return first[order], second[order]
