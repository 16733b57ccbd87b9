"""Polygons read straight from their WKB bytes with numpy, and their Gauss-Krüger areas.

A million parcels' areas need every vertex projected, not a million GEOS geometries built twice: the
rings are found in the little-endian WKB (Polygon or MultiPolygon, 2-D) by walking all features' headers
at once, the vertices are projected with pyproj on two threads, and each ring's area is the shoelace sum
taken from its first vertex (as GEOS does, so that large coordinates lose no precision).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from etl.binary_copy import arrow_buffers
from mujun import rules

POLYGON, MULTIPOLYGON = 3, 6


def _u32(data: np.ndarray, at: np.ndarray) -> np.ndarray:
    return (data[at].astype(np.int64) | data[at + 1].astype(np.int64) << 8 | data[at + 2].astype(np.int64) << 16
            | data[at + 3].astype(np.int64) << 24)


def plain_polygons(wkb: pa.Array) -> np.ndarray:
    """Where a value is a little-endian 2-D Polygon or MultiPolygon (ISO WKB, no SRID): what `rings` reads."""
    offsets, data = arrow_buffers(wkb)
    starts, sizes = offsets[:-1], np.diff(offsets)
    out = sizes >= 9
    head = starts[out]
    kind = _u32(data, head + 1)
    out[out] = (data[head] == 1) & ((kind == POLYGON) | (kind == MULTIPOLYGON))
    return out


@dataclass(frozen=True)
class Rings:
    """Every ring of the features read: its feature, whether it is a shell, and its vertices (ring i's are
    `starts[i]:starts[i + 1]` of x and y, the closing vertex included)."""

    feature: np.ndarray
    shell: np.ndarray
    starts: np.ndarray
    x: np.ndarray
    y: np.ndarray


def rings(wkb: pa.Array) -> Rings:
    """The rings of WKB values that are all `plain_polygons`, found for all features at once."""
    offsets, data = arrow_buffers(wkb)
    starts = offsets[:-1]
    multi = _u32(data, starts + 1) == MULTIPOLYGON
    # Each feature's polygons: a Polygon is its own; a MultiPolygon's follow its 9-byte head one after another.
    polygons_left = np.where(multi, _u32(data, starts + 5), 1)
    cursor = np.where(multi, starts + 9, starts)
    ring_feature: list[np.ndarray] = []
    ring_shell: list[np.ndarray] = []
    ring_at: list[np.ndarray] = []
    ring_points: list[np.ndarray] = []
    active = np.flatnonzero(polygons_left > 0)
    while len(active):
        at = cursor[active]
        rings_left = _u32(data, at + 5)
        ring_cursor = at + 9
        first = True
        live = np.flatnonzero(rings_left > 0)
        while len(live):
            points = _u32(data, ring_cursor[live])
            ring_feature.append(active[live])
            ring_shell.append(np.full(len(live), first))
            ring_at.append(ring_cursor[live] + 4)
            ring_points.append(points)
            ring_cursor[live] += 4 + 16 * points
            rings_left[live] -= 1
            live = live[rings_left[live] > 0]
            first = False
        cursor[active] = ring_cursor
        polygons_left[active] -= 1
        active = active[polygons_left[active] > 0]
    feature = np.concatenate(ring_feature) if ring_feature else np.zeros(0, dtype=np.int64)
    order = np.argsort(feature, kind="stable")  # rings of a feature together, in their order
    at = np.concatenate(ring_at)[order] if ring_at else np.zeros(0, dtype=np.int64)
    count = np.concatenate(ring_points)[order] if ring_points else np.zeros(0, dtype=np.int64)
    ring_starts = np.concatenate(([0], np.cumsum(count)))
    # Byte position of every vertex: its ring's first plus 16 per vertex before it in the ring.
    position = np.repeat(at - 16 * ring_starts[:-1], count) + 16 * np.arange(int(ring_starts[-1]))
    x, y = _doubles(data, position), _doubles(data, position + 8)
    return Rings(feature[order], np.concatenate(ring_shell)[order] if ring_shell else np.zeros(0, dtype=bool),
                 ring_starts, x, y)


def _doubles(data: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Little-endian doubles at any byte positions: read through eight views, one per alignment."""
    out = np.empty(len(position), dtype=np.float64)
    align = position % 8
    for a in range(8):
        chosen = np.flatnonzero(align == a)
        if len(chosen):
            words = (len(data) - a) // 8
            view = np.frombuffer(data.data, dtype="<f8", count=words, offset=a)
            out[chosen] = view[(position[chosen] - a) // 8]
    return out


def _project(x: np.ndarray, y: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices onto a Gauss-Krüger plane, in two halves on two threads (PROJ works without the GIL)."""
    transformer = rules.gk_transformer(epsg)
    middle = len(x) // 2
    with ThreadPoolExecutor(2) as pool:
        halves = list(pool.map(lambda part: transformer.transform(x[part], y[part]), (slice(0, middle), slice(middle, None))))
    return np.concatenate([h[0] for h in halves]), np.concatenate([h[1] for h in halves])


def planar_areas(wkb: pa.Array, epsg: np.ndarray) -> np.ndarray:
    """Area (m²) of each `plain_polygons` value in the Gauss-Krüger plane `epsg` gives it: shells less holes."""
    found = rings(wkb)
    ring_epsg = epsg[found.feature]
    vertex_epsg = np.repeat(ring_epsg, np.diff(found.starts))
    x, y = found.x.copy(), found.y.copy()
    for code in np.unique(vertex_epsg):
        chosen = np.flatnonzero(vertex_epsg == code)
        x[chosen], y[chosen] = _project(found.x[chosen], found.y[chosen], int(code))
    ring_of_vertex = np.repeat(np.arange(len(found.feature)), np.diff(found.starts))
    first = found.starts[:-1][ring_of_vertex]
    dx, dy = x - x[first], y - y[first]
    following = np.arange(1, len(x) + 1)
    last = np.zeros(len(x), dtype=bool)
    last[found.starts[1:] - 1] = True  # a ring's closing vertex starts no edge
    following[last] = np.flatnonzero(last)
    cross = np.where(last, 0.0, dx * dy[following] - dx[following] * dy)
    sums = np.zeros(len(found.feature))
    filled = np.diff(found.starts) > 0
    if filled.any():
        sums[filled] = np.add.reduceat(cross, found.starts[:-1][filled])
    ring_area = np.abs(sums) / 2
    return np.bincount(found.feature, weights=np.where(found.shell, ring_area, -ring_area), minlength=len(wkb))
