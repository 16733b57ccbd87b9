# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The loops of `etl.boxes.meeting`: each box listed in the grid cells it covers (`cell_entries`, sorted by cell
with a radix sort), and the boxes of two sets sharing a cell tested against each other (`pairs_in_cells`),
walking both lists in the order of their cells.

numpy can only do this by making every candidate pair an element of an array (a few per box, before most are
thrown away); here each candidate is tested as it is found.
"""

import numpy as np

from libc.math cimport floor, fmax
from libc.stdint cimport int64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy


def cell_entries(const double[:, ::1] boxes, double ox, double oy, double size, int64_t rows):
    """(cell, box) for every cell of side `size` each box covers, in the order of the cells (then of the boxes).
    The grid's corner is at ox, oy, below and left of every box; a cell is numbered column × `rows` + row."""
    cdef Py_ssize_t n = boxes.shape[0], i
    cdef int64_t c0, r0, c1, r1, c, r, total = 0, k = 0, largest = 0
    with nogil:
        for i in range(n):
            c0, c1 = <int64_t>floor((boxes[i, 0] - ox) / size), <int64_t>floor((boxes[i, 2] - ox) / size)
            r0, r1 = <int64_t>floor((boxes[i, 1] - oy) / size), <int64_t>floor((boxes[i, 3] - oy) / size)
            total += (c1 - c0 + 1) * (r1 - r0 + 1)
            if c1 * rows + r1 > largest:
                largest = c1 * rows + r1
    keys, owners = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64)
    cdef int64_t[::1] key = keys, owner = owners
    with nogil:
        for i in range(n):
            c0, c1 = <int64_t>floor((boxes[i, 0] - ox) / size), <int64_t>floor((boxes[i, 2] - ox) / size)
            r0, r1 = <int64_t>floor((boxes[i, 1] - oy) / size), <int64_t>floor((boxes[i, 3] - oy) / size)
            for c in range(c0, c1 + 1):
                for r in range(r0, r1 + 1):
                    key[k] = c * rows + r
                    owner[k] = i
                    k += 1
    return _radix_sorted(keys, owners, largest)


cdef enum:
    DIGIT_BITS = 11


def _radix_sorted(keys, owners, int64_t largest):
    """The (key, owner) entries sorted by key, stably: least significant digit first, DIGIT_BITS bits a pass."""
    cdef Py_ssize_t n = keys.shape[0], i
    cdef int64_t digits = 1 << DIGIT_BITS, shift = 0, d, total
    cdef int64_t[::1] key = keys, owner = owners
    cdef int64_t[::1] key_to = np.empty(n, dtype=np.int64), owner_to = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] count = np.empty(digits, dtype=np.int64)
    while largest >> shift:
        with nogil:
            for d in range(digits):
                count[d] = 0
            for i in range(n):
                count[(key[i] >> shift) & (digits - 1)] += 1
            total = 0
            for d in range(digits):
                count[d], total = total, total + count[d]
            for i in range(n):
                d = (key[i] >> shift) & (digits - 1)
                key_to[count[d]] = key[i]
                owner_to[count[d]] = owner[i]
                count[d] += 1
        key, key_to = key_to, key
        owner, owner_to = owner_to, owner
        shift += DIGIT_BITS
    return np.asarray(key), np.asarray(owner)


cdef struct Pairs:
    int64_t *first
    int64_t *second
    int64_t size
    int64_t room


cdef int add(Pairs *pairs, int64_t i, int64_t j) noexcept nogil:
    cdef int64_t room
    cdef int64_t *grown
    if pairs.size == pairs.room:
        room = pairs.room * 2 + 4096
        grown = <int64_t *>realloc(pairs.first, room * sizeof(int64_t))
        if grown == NULL:
            return -1
        pairs.first = grown
        grown = <int64_t *>realloc(pairs.second, room * sizeof(int64_t))
        if grown == NULL:
            return -1
        pairs.second = grown
        pairs.room = room
    pairs.first[pairs.size] = i
    pairs.second[pairs.size] = j
    pairs.size += 1
    return 0


def pairs_in_cells(const int64_t[::1] a_key, const int64_t[::1] a_box, const int64_t[::1] b_key, const int64_t[::1] b_box,
                   const double[:, ::1] a, const double[:, ::1] b, bint same, double ox, double oy, double size, int64_t rows):
    """(i, j) for every box a[i] meeting a box b[j] (touching counts), each pair once: found in the cell that holds
    the lower-left corner of the two boxes' common part. The entries (`cell_entries`) of each set come sorted by
    cell, numbered as `cell_entries` numbers them. `same`: a and b are one set, and only pairs i < j are given."""
    cdef Py_ssize_t na = a_key.shape[0], nb = b_key.shape[0], p = 0, q = 0, p_end, q_end, s, t
    cdef int64_t key, i, j, column, row
    cdef Pairs pairs
    cdef int failed = 0
    pairs.first = NULL
    pairs.second = NULL
    pairs.size = 0
    pairs.room = 0
    try:
        with nogil:
            while p < na and q < nb and not failed:
                if a_key[p] < b_key[q]:
                    p += 1
                    continue
                if b_key[q] < a_key[p]:
                    q += 1
                    continue
                key = a_key[p]
                p_end, q_end = p, q
                while p_end < na and a_key[p_end] == key:
                    p_end += 1
                while q_end < nb and b_key[q_end] == key:
                    q_end += 1
                column, row = key // rows, key % rows
                for s in range(p, p_end):
                    i = a_box[s]
                    for t in range(q, q_end):
                        j = b_box[t]
                        if same and j <= i:
                            continue
                        if a[i, 0] > b[j, 2] or b[j, 0] > a[i, 2] or a[i, 1] > b[j, 3] or b[j, 1] > a[i, 3]:
                            continue
                        if <int64_t>floor((fmax(a[i, 0], b[j, 0]) - ox) / size) != column or \
                                <int64_t>floor((fmax(a[i, 1], b[j, 1]) - oy) / size) != row:
                            continue
                        if add(&pairs, i, j) != 0:
                            failed = 1
                            break
                p, q = p_end, q_end
        if failed:
            raise MemoryError()
        first = np.empty(pairs.size, dtype=np.int64)
        second = np.empty(pairs.size, dtype=np.int64)
        if pairs.size:
            copy_out(first, pairs.first, pairs.size)
            copy_out(second, pairs.second, pairs.size)
        return first, second
    finally:
        free(pairs.first)
        free(pairs.second)


cdef void copy_out(int64_t[::1] out, int64_t *values, int64_t size) noexcept:
    memcpy(&out[0], values, size * sizeof(int64_t))
