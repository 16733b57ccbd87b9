"""Which bounding boxes meet, found on a grid of square cells: no geometry object is made.

A million parcels' boxes are joined with each other (overlaps) or with the zones and their edges
(placement) without building a million GEOS geometries, which shapely makes one at a time holding the
GIL. Each box is listed in every cell it covers; boxes sharing a cell are candidates, kept when their
boxes meet (touching counts, as for GEOS envelopes), and each pair is reported once: in the cell that
holds the lower-left corner of the two boxes' common part. The cell size is chosen here; the loop over boxes
and cells is compiled (`etl/_box_join.pyx`): numpy would have to hold every candidate pair at once.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Grid:
    """Boxes (`boxes`) listed once in the cells of a grid, to be met by other boxes again and again (`meets`):
    cells of side `size` from the corner `origin`, below and left of every box either side brings, numbered
    column × `rows` + row."""

    boxes: np.ndarray
    origin: tuple[float, float]
    size: float
    rows: int
    keys: np.ndarray
    owners: np.ndarray

    @classmethod
    def of(cls, boxes: np.ndarray, origin: tuple[float, float], size: float, rows: int) -> Grid:
        boxes = np.ascontiguousarray(boxes, dtype=float)
        return cls(boxes, origin, size, rows, *cell_entries(boxes, origin[0], origin[1], size, rows))

    @classmethod
    def over(cls, boxes: np.ndarray, bounds: tuple[float, float, float, float], typical: float) -> Grid:
        """A grid for `boxes` that other boxes within `bounds` (minx, miny, maxx, maxy) can meet: cells at least as
        wide as a `typical` box of the other side, coarsened until `boxes` list no more than MAX_CELLS_PER_BOX
        cells each on average."""
        low = np.minimum(bounds[:2], boxes[:, :2].min(axis=0)) if len(boxes) else np.array(bounds[:2])
        high = np.maximum(bounds[2:], boxes[:, 2:].max(axis=0)) if len(boxes) else np.array(bounds[2:])
        (ox, oy), top = (float(v) for v in low), float(high[1])
        size = max(typical, _cell_size(np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]), float(high[0]) - ox))
        while _cells(boxes, low, size) > MAX_CELLS_PER_BOX * len(boxes):
            size *= 2
        return cls.of(boxes, (ox, oy), size, int(np.floor((top - oy) / size)) + 1)

    def meets(self, a: np.ndarray, same: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (i, j) of boxes `a[i]` and `self.boxes[j]` that meet, each once, in the order of i then j; `same`: a
        is the grid's own boxes, and only pairs i < j are given."""
        if not len(a) or not len(self.boxes):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        a = np.ascontiguousarray(a, dtype=float)
        ox, oy = self.origin
        if a[:, 0].min() < ox or a[:, 1].min() < oy or np.floor((a[:, 3].max() - oy) / self.size) >= self.rows:
            raise ValueError("boxes outside the grid's extent")
        a_key, a_box = (self.keys, self.owners) if same else cell_entries(a, ox, oy, self.size, self.rows)
        first, second = pairs_in_cells(a_key, a_box, self.keys, self.owners, a, self.boxes, same, ox, oy, self.size, self.rows)
        order = np.lexsort((second, first))
        return first[order], second[order]


def meeting(a: np.ndarray, b: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of boxes `a[i]` and `b[j]` that meet, each once, in the order of i then j; boxes are (minx,
    miny, maxx, maxy) rows of finite numbers. Without `b`, the pairs of `a` with itself, i < j."""
    other = a if b is None else b
    if not len(a) or not len(other):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low = np.minimum(a[:, :2].min(axis=0), other[:, :2].min(axis=0))
    high = np.maximum(a[:, 2:].max(axis=0), other[:, 2:].max(axis=0))
    extent = float(np.max(high - low))
    # Cells as large as the larger boxes of the two sets: the smaller boxes then sit in one cell or a few.
    size = max(_cell_size(np.maximum(s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]), extent) for s in (a, other))
    while _cells(a, low, size) + _cells(other, low, size) > MAX_CELLS_PER_BOX * (len(a) + len(other)):
        size *= 2
    grid = Grid.of(other, (float(low[0]), float(low[1])), size, int(np.floor((high[1] - low[1]) / size)) + 1)
    return grid.meets(a, same=b is None)
