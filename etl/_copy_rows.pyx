# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The loops of `etl.binary_copy`: binary COPY rows written field by field, row by row, in one pass (`binary_rows`),
and `numeric` values encoded from scaled integers (`numeric_values`).

Each column is the byte length of each value (−1: NULL) and the pieces its values are made of (one, or a
Polygon's WKB after the head that makes it a MultiPolygon), each piece its bytes end to end and where each
row's begin. numpy has to stack fixed-width fields into blocks and join those with the others again; here each
byte is written once, short values with a few word moves rather than a call to memcpy.
"""

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy


cdef extern from *:
    uint32_t bswap32 "__builtin_bswap32"(uint32_t) nogil


cdef inline void copy_short(uint8_t *to, const uint8_t *source, int64_t size) noexcept nogil:
    """`size` bytes: overlapping fixed-size moves up to 16, memcpy beyond."""
    if size >= 8:
        if size > 16:
            memcpy(to, source, size)
        else:
            memcpy(to, source, 8)
            memcpy(to + size - 8, source + size - 8, 8)
    elif size >= 4:
        memcpy(to, source, 4)
        memcpy(to + size - 4, source + size - 4, 4)
    elif size > 0:
        to[0] = source[0]
        to[size - 1] = source[size - 1]
        to[size // 2] = source[size // 2]


def binary_rows(list columns, Py_ssize_t rows):
    """The rows of `columns` in PostgreSQL's binary COPY form, without header or trailer, as a numpy array of
    bytes. Each column is a pair: lengths, and a list of pieces, each a pair: offsets (one more than rows; None:
    the values lie end to end, as the lengths say) and bytes. Each value's pieces must hold exactly the length
    said for it (else ValueError, and nothing is returned)."""
    cdef Py_ssize_t fields = len(columns), c, p, pieces = 0, i, k
    cdef int64_t total = 2 * rows, length, size
    cdef const int64_t[::1] lengths
    cdef const int64_t[::1] offsets
    cdef const uint8_t[::1] data
    views = []  # keeps alive the buffers the pointers below point into
    for lengths_of, parts in columns:
        lengths = lengths_of
        if lengths.shape[0] != rows:
            raise ValueError(f"{lengths.shape[0]} lengths for {rows} rows")
        pieces += len(parts)
        for i in range(rows):
            total += 4 + (lengths[i] if lengths[i] > 0 else 0)
    cdef const int64_t **length_at = <const int64_t **>malloc((fields + 1) * sizeof(void *))
    cdef int64_t *first_piece = <int64_t *>malloc((fields + 1) * sizeof(int64_t))
    cdef const int64_t **offset_at = <const int64_t **>malloc((pieces + 1) * sizeof(void *))
    cdef const uint8_t **data_at = <const uint8_t **>malloc((pieces + 1) * sizeof(void *))
    cdef int64_t *cursor = <int64_t *>malloc((pieces + 1) * sizeof(int64_t))
    cdef int64_t *limit = <int64_t *>malloc((pieces + 1) * sizeof(int64_t))
    if length_at == NULL or first_piece == NULL or offset_at == NULL or data_at == NULL or cursor == NULL or limit == NULL:
        free(length_at); free(first_piece); free(offset_at); free(data_at); free(cursor); free(limit)
        raise MemoryError()
    out = np.empty(total, dtype=np.uint8)
    cdef uint8_t[::1] written = out
    cdef uint8_t *at = &written[0] if total else NULL
    cdef uint8_t *end = at + total
    cdef uint8_t nothing = 0
    cdef uint32_t big
    cdef uint8_t head[2]
    cdef const int64_t *off
    cdef Py_ssize_t wrong = -1
    head[0], head[1] = (fields >> 8) & 0xFF, fields & 0xFF
    try:
        k = 0
        for c, (lengths_of, parts) in enumerate(columns):
            lengths = lengths_of
            views.append(lengths)
            length_at[c] = &lengths[0] if rows else NULL
            first_piece[c] = k
            for offsets_of, data_of in parts:
                data = data_of
                views.append(data)
                data_at[k], cursor[k], limit[k] = (&data[0] if data.shape[0] else &nothing), 0, data.shape[0]
                if offsets_of is None:  # the values end to end, as the lengths say: the column's one piece
                    if len(parts) != 1:
                        raise ValueError(f"column {c}: values end to end make the only piece of a column")
                    offset_at[k] = NULL
                else:
                    offsets = offsets_of
                    views.append(offsets)
                    if offsets.shape[0] != rows + 1 or (rows and (offsets[0] < 0 or offsets[rows] > data.shape[0])):
                        raise ValueError(f"column {c}: its offsets do not fit its {data.shape[0]} bytes")
                    offset_at[k] = &offsets[0]
                k += 1
        first_piece[fields] = k
        with nogil:
            for i in range(rows):
                memcpy(at, head, 2)
                at += 2
                for c in range(fields):
                    length = length_at[c][i]
                    big = bswap32(<uint32_t><int32_t>length)
                    memcpy(at, &big, 4)
                    at += 4
                    if length <= 0:
                        continue
                    p = first_piece[c]
                    if offset_at[p] == NULL:
                        if cursor[p] + length > limit[p] or at + length > end:
                            wrong = c
                            break
                        copy_short(at, data_at[p] + cursor[p], length)
                        cursor[p] += length
                        at += length
                        continue
                    size = 0
                    for p in range(first_piece[c], first_piece[c + 1]):
                        off = offset_at[p]
                        if off[i + 1] < off[i]:
                            size = -1
                            break
                        size += off[i + 1] - off[i]
                    if size != length or at + length > end:  # the pieces must hold exactly the length said
                        wrong = c
                        break
                    for p in range(first_piece[c], first_piece[c + 1]):
                        off = offset_at[p]
                        copy_short(at, data_at[p] + off[i], off[i + 1] - off[i])
                        at += off[i + 1] - off[i]
                if wrong >= 0:
                    break
        if wrong >= 0:
            raise ValueError(f"column {wrong}: a value's pieces do not add up to its length")
        return out
    finally:
        free(length_at); free(first_piece); free(offset_at); free(data_at); free(cursor); free(limit)


cdef inline void put_int16(uint8_t *at, int64_t value) noexcept nogil:
    at[0], at[1] = (value >> 8) & 0xFF, value & 0xFF


def numeric_values(const int64_t[::1] scaled, const uint8_t[::1] valid, int scale):
    """`numeric` values in their binary form (ndigits, weight, sign, dscale, then base-10000 digits, each a
    big-endian int16), from integers holding `scale` decimal places, the present ones (`valid`) end to end, each
    with as many digits before the point as the largest needs, so all the same width; and that width."""
    cdef Py_ssize_t n = scaled.shape[0], i, present = 0
    cdef int fraction_groups = (scale + 3) // 4, integer_groups = 1, digits, k
    cdef Py_ssize_t width
    cdef uint64_t power = 1, largest = 0, magnitude, whole, fraction, tens_up = 1, group
    cdef uint8_t *at
    for k in range(scale):
        power *= 10
    for k in range(fraction_groups * 4 - scale):
        tens_up *= 10
    with nogil:
        for i in range(n):
            if valid[i]:
                present += 1
                magnitude = <uint64_t>(-scaled[i]) if scaled[i] < 0 else <uint64_t>scaled[i]
                if magnitude // power > largest:
                    largest = magnitude // power
    while largest >= 10000:
        largest //= 10000
        integer_groups += 1
    digits = integer_groups + fraction_groups
    width = 8 + 2 * digits
    out = np.empty(present * width, dtype=np.uint8)
    cdef uint8_t[::1] written = out
    with nogil:
        at = &written[0] if present else NULL
        for i in range(n):
            if not valid[i]:
                continue
            magnitude = <uint64_t>(-scaled[i]) if scaled[i] < 0 else <uint64_t>scaled[i]
            whole, fraction = magnitude // power, (magnitude % power) * tens_up
            put_int16(at, digits)
            put_int16(at + 2, integer_groups - 1)
            put_int16(at + 4, 0x4000 if scaled[i] < 0 else 0)
            put_int16(at + 6, scale)
            for k in range(integer_groups - 1, -1, -1):
                group = whole % 10000
                whole //= 10000
                put_int16(at + 8 + 2 * k, <int64_t>group)
            for k in range(fraction_groups - 1, -1, -1):
                group = fraction % 10000
                fraction //= 10000
                put_int16(at + 8 + 2 * (integer_groups + k), <int64_t>group)
            at += width
    return out, width
