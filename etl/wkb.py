"""Polygons read straight from their WKB bytes with numpy: their Gauss-Krüger areas, and a proof of validity.

A million parcels' areas need every vertex projected, not a million GEOS geometries built twice: the
rings are found in the little-endian WKB (Polygon or MultiPolygon, 2-D) by walking all features' headers
at once, the vertices are projected with pyproj (a chunk of features on each of two threads), and each
ring's area is the shoelace sum taken from its first vertex (as GEOS does, so that large coordinates lose
no precision).

Most parcels are drawn as one ring that every vertex can see from its middle (star-shaped): such a ring
is simple, so the polygon is valid, and numpy shows it for all of them at once (`star_shaped`); GEOS
judges only the others.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from etl.binary_copy import WKB_MULTIPOLYGON as MULTIPOLYGON
from etl.binary_copy import WKB_POLYGON as POLYGON
from etl.binary_copy import arrow_buffers
from mujun import rules


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
    at = np.concatenate(ring_at) if ring_at else np.zeros(0, dtype=np.int64)
    order = np.argsort(at)  # rings as they lie in the bytes: by feature, polygon, ring
    at, count = at[order], (np.concatenate(ring_points)[order] if ring_points else np.zeros(0, dtype=np.int64))
    # The vertices are the bytes of the rings' spans, in order: one mask over the buffer picks them all.
    ends = at + 16 * count
    runs = np.empty(2 * len(at) + 1, dtype=np.int64)
    runs[0:-1:2] = at - np.concatenate(([0], ends[:-1]))  # the headers before each ring's vertices
    runs[1::2] = 16 * count
    runs[-1] = len(data) - (ends[-1] if len(ends) else 0)
    picked = np.repeat(np.arange(len(runs)) % 2 == 1, runs)
    vertices = data[picked].view("<f8").reshape(-1, 2)
    return Rings(np.concatenate(ring_feature)[order] if ring_feature else np.zeros(0, dtype=np.int64),
                 np.concatenate(ring_shell)[order] if ring_shell else np.zeros(0, dtype=bool),
                 np.concatenate(([0], np.cumsum(count))), vertices[:, 0].copy(), vertices[:, 1].copy())


def _project(x: np.ndarray, y: np.ndarray, epsg: int) -> None:
    """Vertices onto a Gauss-Krüger plane, in place (PROJ works without the GIL)."""
    rules.gk_transformer(epsg).transform(x, y, inplace=True)


CHUNK_FEATURES = 100_000
"""Features worked on at a time: arrays of a few MB are reused by the allocator, not faulted in afresh."""


def chunks_of(count: int) -> list[slice]:
    """`count` features in chunks of CHUNK_FEATURES."""
    return [slice(start, min(count, start + CHUNK_FEATURES)) for start in range(0, count, CHUNK_FEATURES)]


def _by_chunks(work: Callable[[slice], np.ndarray], count: int, dtype: type) -> np.ndarray:
    """`work` of each chunk of `count` features, two chunks at a time on two threads (numpy and PROJ release
    the GIL), put together in order."""
    out: np.ndarray = np.zeros(count, dtype=dtype)
    parts = chunks_of(count)
    if len(parts) == 1:
        out[:] = work(parts[0])
        return out
    with ThreadPoolExecutor(2) as pool:
        for part, result in zip(parts, pool.map(work, parts), strict=True):
            out[part] = result
    return out


def planar_areas(wkb: pa.Array, epsg: np.ndarray) -> np.ndarray:
    """Area (m²) of each `plain_polygons` value in the Gauss-Krüger plane `epsg` gives it: shells less holes."""
    return _by_chunks(lambda part: _areas(rings(wkb[part]), epsg[part], len(wkb[part])), len(wkb), float)


def _areas(found: Rings, epsg: np.ndarray, features: int) -> np.ndarray:
    """The areas of the features whose `found` rings are given, their vertices projected in place."""
    x, y = found.x, found.y
    counts = np.diff(found.starts)
    vertex_epsg = np.repeat(epsg[found.feature], counts)
    codes = np.unique(vertex_epsg)
    for code in codes:
        if len(codes) == 1:
            _project(x, y, int(code))
            break
        chosen = np.flatnonzero(vertex_epsg == code)
        part_x, part_y = x[chosen], y[chosen]
        _project(part_x, part_y, int(code))
        x[chosen], y[chosen] = part_x, part_y
    filled = counts > 0
    first = found.starts[:-1][filled]
    dx, dy = x - np.repeat(x[first], counts[filled]), y - np.repeat(y[first], counts[filled])
    cross = np.zeros(len(x))
    cross[:-1] = dx[:-1] * dy[1:] - dx[1:] * dy[:-1]
    cross[found.starts[1:] - 1] = 0.0  # a ring's closing vertex starts no edge
    sums = np.zeros(len(found.feature))
    if filled.any():
        sums[filled] = np.add.reduceat(cross, first)
    ring_area = np.abs(sums) / 2
    return np.bincount(found.feature, weights=np.where(found.shell, ring_area, -ring_area), minlength=features)


def ring_chunks(wkb: pa.Array) -> list[Rings]:
    """The `rings` of `plain_polygons` values, a chunk of CHUNK_FEATURES features each (two chunks at a time on two
    threads)."""
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda part: rings(wkb[part]), chunks_of(len(wkb))))


@dataclass(frozen=True)
class Outline:
    """What the rings of `plain_polygons` values (`rings`) show: each feature's bounding box (minx, miny, maxx, maxy;
    NaN where it has no vertex), whether every ring of every feature is a proper one (closed, of four vertices or
    more, every coordinate a number), which features are shown valid (`star_shaped`); the rings are kept for the
    features' areas (`Outline.areas`)."""

    bounds: np.ndarray
    proper: bool
    star: np.ndarray
    rings: Rings

    def areas(self, epsg: np.ndarray) -> np.ndarray:
        """`planar_areas` of the features, from the rings kept (projected on copies: they stay as read)."""
        return _areas(replace(self.rings, x=self.rings.x.copy(), y=self.rings.y.copy()), epsg, len(epsg))


def outline(found: Rings, features: int) -> Outline:
    """The `Outline` of `features` features from their `rings`."""
    counts = np.diff(found.starts)
    first, last = found.starts[:-1], found.starts[1:] - 1
    proper = (bool(np.all(counts >= 4)) and bool(np.all((found.x[first] == found.x[last]) & (found.y[first] == found.y[last])))
              and bool(np.isfinite(found.x).all()) and bool(np.isfinite(found.y).all()))
    # A feature's vertices are one run (its rings follow each other in the bytes): reduce over each run.
    vertices = np.bincount(found.feature, weights=counts, minlength=features).astype(np.int64)
    has = vertices > 0
    run = (np.cumsum(vertices) - vertices)[has]
    bounds = np.full((features, 4), np.nan)
    if has.any():
        bounds[has] = np.column_stack((np.minimum.reduceat(found.x, run), np.minimum.reduceat(found.y, run),
                                       np.maximum.reduceat(found.x, run), np.maximum.reduceat(found.y, run)))
    return Outline(bounds, proper, _star_shaped(found, features), found)


ORIENTATION_MARGIN = 1e-14
"""A turn counts only when its cross product exceeds this share of the sizes of its two products. Each
difference from the middle point, each product and their difference is rounded by at most 1.1e-16 of its own
size, so the cross product is off by at most about 4.4e-16 of that sum: the margin is some 20 times more, and
no rounding can make a turn seem to go the wrong way."""


def star_shaped(wkb: pa.Array) -> np.ndarray:
    """Where a `plain_polygons` value is one closed ring, of three or more vertices, that turns the same way
    around the mean of its vertices at every edge, and goes round it exactly once.

    Such a ring is a fan of triangles around that point that do not overlap, so it is simple and its polygon
    is valid (OGC); False says only that this proof does not apply (a hole, two parts, a point no vertex is
    seen from, a repeated vertex, a coordinate that is not a number), not that the polygon is invalid."""
    return _by_chunks(lambda part: _star_shaped(rings(wkb[part]), len(wkb[part])), len(wkb), bool)


def _star_shaped(found: Rings, features: int) -> np.ndarray:
    counts = np.diff(found.starts)
    first, last = found.starts[:-1], found.starts[1:] - 1
    x, y = found.x, found.y
    one_ring = np.bincount(found.feature, minlength=features)[found.feature] == 1
    usable = one_ring & (counts >= 4)  # three vertices and the closing one, at least
    usable[usable] &= (x[first[usable]] == x[last[usable]]) & (y[first[usable]] == y[last[usable]])
    proven = np.zeros(len(counts), dtype=bool)
    if usable.any():
        proven[usable] = _fans(x, y, first[usable], counts[usable])
    out = np.zeros(features, dtype=bool)
    out[found.feature[proven]] = True
    return out


def _fans(x: np.ndarray, y: np.ndarray, first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Whether each closed ring (its vertices at `first`, `counts` of them with the closing one) is a fan
    around the mean of its vertices."""
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    vertex = np.arange(int(counts.sum())) + np.repeat(first - starts, counts)  # each ring's vertices, end to end
    x, y = x[vertex], y[vertex]
    ends = starts + counts - 1  # each ring's closing vertex, the same point as its first
    distinct = counts - 1
    mean_x = (np.add.reduceat(x, starts) - x[ends]) / distinct
    mean_y = (np.add.reduceat(y, starts) - y[ends]) / distinct
    ax, ay = x - np.repeat(mean_x, counts), y - np.repeat(mean_y, counts)
    left, right = ax[:-1] * ay[1:], ay[:-1] * ax[1:]
    turn, size = left - right, ORIENTATION_MARGIN * (np.abs(left) + np.abs(right))
    edge_of = np.ones(len(x) - 1, dtype=bool)
    edge_of[ends[:-1]] = False  # the closing vertex starts no edge; the last ring's is past the end
    counter = np.append((turn > size) | ~edge_of, True)
    clockwise = np.append((turn < -size) | ~edge_of, True)
    # Going round once: with every turn the same way, the ray from the middle along +x is crossed once.
    up = np.append((ay[:-1] < 0) & (ay[1:] >= 0) & edge_of, False)
    down = np.append((ay[:-1] > 0) & (ay[1:] <= 0) & edge_of, False)
    once_counter = np.logical_and.reduceat(counter, starts) & (np.add.reduceat(up, starts, dtype=np.int64) == 1)
    once_clockwise = np.logical_and.reduceat(clockwise, starts) & (np.add.reduceat(down, starts, dtype=np.int64) == 1)
    return once_counter | once_clockwise
