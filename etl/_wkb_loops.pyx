# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The loops of `etl.wkb`: rings walked in the bytes of plain polygons (`walk`), each feature's box and the proof
that a ring is a fan around its middle (`outline`), and the shoelace areas of projected rings (`shoelace`).

numpy walks the rings of a million features by masks over every byte of the file and makes each intermediate
quantity an array of eleven million vertices; here each feature's bytes are read once, in order. The arithmetic
is `etl.wkb`'s, operation by operation (built with -ffp-contract=off: no fused multiply-adds).
"""

import numpy as np

from libc.math cimport INFINITY, NAN, fabs, isfinite
from libc.stdint cimport int64_t, uint8_t, uint32_t
from libc.string cimport memcpy

cdef enum:
    POLYGON = 3
    MULTIPOLYGON = 6


cdef inline uint32_t u32(const uint8_t *at) noexcept nogil:
    cdef uint32_t value
    memcpy(&value, at, 4)  # little-endian WKB on a little-endian machine (etl.wkb checks it is one)
    return value


cdef inline double f64(const uint8_t *at) noexcept nogil:
    cdef double value
    memcpy(&value, at, 8)
    return value


cdef int64_t polygon_rings(const uint8_t *data, int64_t at, int64_t end, int64_t *rings, int64_t *vertices) noexcept nogil:
    """Count a little-endian Polygon's rings and vertices from byte `at`; where it ends, or −1 if it does not fit."""
    cdef uint32_t count, points, k
    if at + 9 > end or data[at] != 1 or u32(data + at + 1) != POLYGON:
        return -1
    count = u32(data + at + 5)
    at += 9
    for k in range(count):
        if at + 4 > end:
            return -1
        points = u32(data + at)
        if at + 4 + 16 * <int64_t>points > end:
            return -1
        rings[0] += 1
        vertices[0] += points
        at += 4 + 16 * <int64_t>points
    return at


cdef int64_t feature_rings(const uint8_t *data, int64_t at, int64_t end, int64_t *rings, int64_t *vertices) noexcept nogil:
    """`polygon_rings` of a Polygon, or of each polygon of a MultiPolygon; −1 if the value does not hold together."""
    cdef uint32_t parts, k
    if at + 9 > end or data[at] != 1:
        return -1
    if u32(data + at + 1) == POLYGON:
        return polygon_rings(data, at, end, rings, vertices)
    if u32(data + at + 1) != MULTIPOLYGON:
        return -1
    parts = u32(data + at + 5)
    at += 9
    for k in range(parts):
        at = polygon_rings(data, at, end, rings, vertices)
        if at < 0:
            return -1
    return at


def walk(const int64_t[::1] offsets, const uint8_t[::1] data):
    """The rings of little-endian 2-D (Multi)Polygon values (value f's bytes are offsets[f]:offsets[f + 1]): for each
    ring its feature, whether it is a shell, and where its vertices start in x and y (one more start than rings,
    closing vertices included). `whole`: every value held together; a value that does not has no ring."""
    cdef Py_ssize_t n = offsets.shape[0] - 1, f
    cdef int64_t rings = 0, vertices = 0, r = 0, v = 0, at, end, polygon, parts, ring, count, points, k, p
    cdef bint whole = True
    cdef const uint8_t *bytes = &data[0] if data.shape[0] else NULL
    with nogil:
        for f in range(n):
            if feature_rings(bytes, offsets[f], offsets[f + 1], &rings, &vertices) < 0 and offsets[f + 1] > offsets[f]:
                whole = False
    features, shells = np.empty(rings, dtype=np.int64), np.empty(rings, dtype=bool)
    starts, xs, ys = np.empty(rings + 1, dtype=np.int64), np.empty(vertices, dtype=np.float64), np.empty(vertices, dtype=np.float64)
    cdef int64_t[::1] feature = features, start = starts
    cdef uint8_t[::1] shell = shells.view(np.uint8)
    cdef double[::1] x = xs, y = ys
    cdef int64_t skip_rings, skip_vertices
    with nogil:
        for f in range(n):
            at, end = offsets[f], offsets[f + 1]
            skip_rings, skip_vertices = 0, 0
            if feature_rings(bytes, at, end, &skip_rings, &skip_vertices) < 0:
                continue  # counted as no ring above
            parts = 1
            if u32(bytes + at + 1) == MULTIPOLYGON:
                parts = u32(bytes + at + 5)
                at += 9
            for polygon in range(parts):
                count = u32(bytes + at + 5)
                at += 9
                for ring in range(count):
                    points = u32(bytes + at)
                    at += 4
                    feature[r], shell[r], start[r] = f, ring == 0, v
                    r += 1
                    for k in range(points):
                        x[v] = f64(bytes + at)
                        y[v] = f64(bytes + at + 8)
                        at += 16
                        v += 1
        start[r] = v
    return features, shells, starts, xs, ys, whole


def outline(const int64_t[::1] feature, const int64_t[::1] start, const double[::1] x, const double[::1] y, Py_ssize_t features,
            double margin):
    """Each feature's box (minx, miny, maxx, maxy; NaN without a vertex); whether every ring is proper (closed, of
    four vertices or more, every coordinate a number); and each feature proven valid: one ring that turns the
    same way around the mean of its distinct vertices at every edge, each turn larger than `margin` times the
    sizes of its two products, and goes round it once (the ray from the middle along +x crossed once)."""
    cdef Py_ssize_t rings = feature.shape[0], r, f
    cdef int64_t first, last, k
    cdef double sx, sy, mx, my, ax, ay, bx, by, left, right, turn, size
    cdef bint proper = True, counter, clockwise
    cdef int64_t up, down
    bounds_out = np.empty((features, 4))
    star_out, ring_count, nan_seen = np.zeros(features, dtype=bool), np.zeros(features, dtype=np.int64), np.zeros(features, dtype=bool)
    cdef double[:, ::1] bounds = bounds_out
    cdef uint8_t[::1] star = star_out.view(np.uint8), nan = nan_seen.view(np.uint8)
    cdef int64_t[::1] counted = ring_count
    with nogil:
        for f in range(features):
            bounds[f, 0], bounds[f, 1], bounds[f, 2], bounds[f, 3] = INFINITY, INFINITY, -INFINITY, -INFINITY
        for r in range(rings):
            counted[feature[r]] += 1
        for r in range(rings):
            f, first, last = feature[r], start[r], start[r + 1] - 1
            if last - first + 1 < 4 or x[first] != x[last] or y[first] != y[last]:
                proper = False
            for k in range(first, last + 1):
                if not (isfinite(x[k]) and isfinite(y[k])):
                    proper = False
                    nan[f] = nan[f] or x[k] != x[k] or y[k] != y[k]
                bounds[f, 0] = x[k] if x[k] < bounds[f, 0] else bounds[f, 0]
                bounds[f, 1] = y[k] if y[k] < bounds[f, 1] else bounds[f, 1]
                bounds[f, 2] = x[k] if x[k] > bounds[f, 2] else bounds[f, 2]
                bounds[f, 3] = y[k] if y[k] > bounds[f, 3] else bounds[f, 3]
            if counted[f] != 1 or last - first + 1 < 4 or x[first] != x[last] or y[first] != y[last]:
                continue
            sx, sy = 0.0, 0.0
            for k in range(first, last + 1):
                sx += x[k]
                sy += y[k]
            mx, my = (sx - x[last]) / (last - first), (sy - y[last]) / (last - first)
            counter, clockwise, up, down = True, True, 0, 0
            for k in range(first, last):
                ax, ay, bx, by = x[k] - mx, y[k] - my, x[k + 1] - mx, y[k + 1] - my
                left, right = ax * by, ay * bx
                turn, size = left - right, margin * (fabs(left) + fabs(right))
                counter = counter and turn > size
                clockwise = clockwise and turn < -size
                up += ay < 0 and by >= 0
                down += ay > 0 and by <= 0
            star[f] = (counter and up == 1) or (clockwise and down == 1)
        for f in range(features):  # no vertex, or one that is not a number: NaN, as numpy's reductions give
            if counted[f] == 0 or nan[f] or bounds[f, 0] > bounds[f, 2]:
                bounds[f, 0], bounds[f, 1], bounds[f, 2], bounds[f, 3] = NAN, NAN, NAN, NAN
    return bounds_out, bool(proper), star_out


def shoelace(const int64_t[::1] feature, const uint8_t[::1] shell, const int64_t[::1] start, const double[::1] x,
             const double[::1] y, Py_ssize_t features):
    """Each feature's area from its projected rings: shells less holes, each ring's shoelace sum taken from its first
    vertex (as GEOS does, so that large coordinates lose no precision)."""
    cdef Py_ssize_t rings = feature.shape[0], r
    cdef int64_t first, k
    cdef double x0, y0, total
    areas_out = np.zeros(features, dtype=np.float64)
    cdef double[::1] areas = areas_out
    with nogil:
        for r in range(rings):
            first = start[r]
            x0, y0, total = x[first], y[first], 0.0
            for k in range(first, start[r + 1] - 1):
                total = total + ((x[k] - x0) * (y[k + 1] - y0) - (x[k + 1] - x0) * (y[k] - y0))
            areas[feature[r]] += fabs(total) / 2 if shell[r] else -fabs(total) / 2
    return areas_out
