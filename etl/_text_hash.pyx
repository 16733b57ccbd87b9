# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The loop of `etl.codes`: a 64-bit hash of each string of an Arrow array (`text_hashes`).

Sorting a million such hashes, and comparing as text only the rows whose hash another shares, finds a file's
duplicate codes, or each code's place among others, in a fraction of the time a hash table of a million strings
takes to build.
"""

import numpy as np

from libc.stdint cimport int64_t, uint8_t, uint64_t


def text_hashes(const int64_t[::1] offsets, const uint8_t[::1] data):
    """FNV-1a (64-bit) of each string `data[offsets[i]:offsets[i + 1]]`."""
    cdef Py_ssize_t n = offsets.shape[0] - 1, i
    cdef int64_t k
    cdef uint64_t h
    out = np.empty(max(n, 0), dtype=np.uint64)
    cdef uint64_t[::1] hashes = out
    with nogil:
        for i in range(n):
            h = 14695981039346656037ULL
            for k in range(offsets[i], offsets[i + 1]):
                h = (h ^ data[k]) * 1099511628211ULL
            hashes[i] = h
    return out
