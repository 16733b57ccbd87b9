"""Polygons read straight from their WKB bytes: their Gauss-Krüger areas, and a proof of validity.

A million parcels' areas need every vertex projected, not a million GEOS geometries built twice: the
rings are walked in the little-endian WKB (Polygon or MultiPolygon, 2-D), the vertices are projected with
pyproj (a chunk of features on each of two threads), and each ring's area is the shoelace sum taken from
its first vertex (as GEOS does, so that large coordinates lose no precision).

Most parcels are drawn as one ring that every vertex can see from its middle (star-shaped): such a ring
is simple, so the polygon is valid, and that is shown for all of them from their vertices (`star_shaped`);
GEOS judges only the others. The loops over bytes and vertices are compiled (`etl/_wkb_loops.pyx`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from etl._wkb_loops import outline as vertex_outline
from etl._wkb_loops import shoelace, walk
from etl.binary_copy import WKB_MULTIPOLYGON as MULTIPOLYGON
from etl.binary_copy import WKB_POLYGON as POLYGON
from etl.binary_copy import arrow_buffers, one_array
from mujun import rules

if sys.byteorder != "little":
    raise ImportError("etl.wkb's compiled loops read little-endian WKB as this machine's own numbers: a little-endian machine is needed")


def _u32(data: np.ndarray, at: np.ndarray) -> np.ndarray:
    return (data[at].astype(np.int64) | data[at + 1].astype(np.int64) << 8 | data[at + 2].astype(np.int64) << 16
            | data[at + 3].astype(np.int64) << 24)


def plain_polygons(wkb: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Where a value is a little-endian 2-D Polygon or MultiPolygon (ISO WKB, no SRID): what `rings` reads."""
    if isinstance(wkb, pa.ChunkedArray):  # chunk by chunk: the bytes are not copied together
        return np.concatenate([plain_polygons(chunk) for chunk in wkb.chunks]) if wkb.num_chunks else np.zeros(0, dtype=bool)
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
    `starts[i]:starts[i + 1]` of x and y, the closing vertex included); `whole`: every value held together (one
    that does not, its counts running past its bytes, has no ring)."""

    feature: np.ndarray
    shell: np.ndarray
    starts: np.ndarray
    x: np.ndarray
    y: np.ndarray
    whole: bool = True


def rings(wkb: pa.Array) -> Rings:
    """The rings of WKB values that are all `plain_polygons`, walked feature by feature in their bytes."""
    return Rings(*walk(*arrow_buffers(wkb)))


def _project(x: np.ndarray, y: np.ndarray, epsg: int) -> None:
    """Vertices onto a Gauss-Krüger plane, in place (without the GIL)."""
    rules.gauss_kruger(epsg).project(x, y)


CHUNK_FEATURES = 100_000
"""Features worked on at a time: arrays of a few MB are reused by the allocator, not faulted in afresh."""


def chunks_of(count: int) -> list[slice]:
    """`count` features in chunks of CHUNK_FEATURES."""
    return [slice(start, min(count, start + CHUNK_FEATURES)) for start in range(0, count, CHUNK_FEATURES)]


def part_of(values: pa.Array | pa.ChunkedArray, part: slice) -> pa.Array:
    """Values `part` as one array: where they lie in one chunk (a file is read in batches of CHUNK_FEATURES, so each
    chunk of features is one), that chunk's own buffers, else copied together."""
    return one_array(values[part])


def _by_chunks(work: Callable[[slice], np.ndarray], count: int, dtype: type) -> np.ndarray:
    """`work` of each chunk of `count` features, two chunks at a time on two threads (numpy and the projection release
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
    codes = np.unique(epsg)
    if len(codes) == 1:
        _project(x, y, int(codes[0]))
    else:
        vertex_epsg = np.repeat(epsg[found.feature], np.diff(found.starts))
        for code in codes:
            chosen = np.flatnonzero(vertex_epsg == code)
            part_x, part_y = x[chosen], y[chosen]
            _project(part_x, part_y, int(code))
            x[chosen], y[chosen] = part_x, part_y
    return shoelace(found.feature, found.shell.view(np.uint8), found.starts, x, y, features)


def ring_chunks(wkb: pa.Array | pa.ChunkedArray) -> list[Rings]:
    """The `rings` of `plain_polygons` values, a chunk of CHUNK_FEATURES features each (two chunks at a time on two
    threads)."""
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda part: rings(part_of(wkb, part)), chunks_of(len(wkb))))


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
    bounds, proper, star = vertex_outline(found.feature, found.starts, found.x, found.y, features, ORIENTATION_MARGIN)
    return Outline(bounds, found.whole and proper, star, found)


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
    return _by_chunks(lambda part: outline(rings(wkb[part]), len(wkb[part])).star, len(wkb), bool)
