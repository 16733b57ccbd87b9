"""Codes matched by their 64-bit hashes (FNV-1a, compiled in `etl/_text_hash.pyx`), sorted: a million codes are
matched in a fraction of the time a hash table of their text takes to build, and text is compared only where two
hashes meet, so that no two codes are ever taken for one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl._text_hash import text_hashes
from etl.binary_copy import arrow_buffers


def texts(codes: Sequence[str | None] | np.ndarray | pa.Array) -> pa.Array:
    """Codes as one Arrow array of large strings (NULL: no code)."""
    return (codes if isinstance(codes, pa.Array) else pa.array(codes, type=pa.large_string())).cast(pa.large_string())


def repeats(codes: pa.Array) -> list[tuple[int, int]]:
    """(row, the first row with its code) of every code seen before, in the order of the rows; NULL is no code."""
    hashes = text_hashes(*arrow_buffers(codes))
    rows = np.flatnonzero(codes.is_valid().to_numpy(zero_copy_only=False))
    order = rows[np.argsort(hashes[rows])]
    shared = hashes[order[1:]] == hashes[order[:-1]]
    first: dict[str, int] = {}
    found = []
    for row in np.unique(np.concatenate([order[1:][shared], order[:-1][shared]])):  # ascending: a code's first row first
        seen = first.setdefault(codes[row].as_py(), int(row))
        if seen != row:
            found.append((int(row), seen))
    return found


def positions(codes: Sequence[str | None] | np.ndarray | pa.Array, among: pa.Array) -> np.ndarray:
    """Where each code is in `among` (its first place; −1: not there, or NULL)."""
    codes, among = texts(codes), texts(among)
    if not len(among):
        return np.full(len(codes), -1, dtype=np.int64)
    own = text_hashes(*arrow_buffers(among))
    order = np.argsort(own, kind="stable")
    ranked = own[order]
    if (ranked[1:] == ranked[:-1]).any():  # two of `among` share a hash (or are one code): Arrow's lookup of their text
        return pc.index_in(codes, value_set=among, skip_nulls=True).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    wanted = text_hashes(*arrow_buffers(codes))
    at = np.minimum(np.searchsorted(ranked, wanted), len(ranked) - 1)
    found = order[at]
    same = (ranked[at] == wanted) & pc.equal(codes, among.take(found)).fill_null(False).to_numpy(zero_copy_only=False)
    return np.where(same, found, -1).astype(np.int64)
