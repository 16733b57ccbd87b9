"""PostgreSQL binary COPY payloads built column by column with numpy, not row by row in Python.

Each column is encoded as the lengths of its values (−1 for NULL) and their bytes end to end; `payload`
interleaves the columns into rows in one vectorised pass. Numbers are sent as `numeric` in the binary
form PostgreSQL reads (sign, weight, scale, base-10000 digits), from integers scaled to their decimal
places, so no Decimal is made per value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import shapely
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

Values = Sequence[Any] | np.ndarray
"""A column's values: a list or a 1-D numpy array."""

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
PG_EPOCH = np.datetime64("2000-01-01", "D")
TEXT_OID = 25


@dataclass(frozen=True)
class Encoded:
    """One column of a chunk of rows: byte length of each value (−1: NULL) and the values end to end, or
    (for long values such as geometries) the values themselves, joined into the rows without a copy."""

    lengths: np.ndarray
    data: np.ndarray
    pieces: list[bytes] | None = None


def _join(pieces: Values) -> Encoded:
    lengths = np.fromiter((-1 if p is None else len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    return Encoded(lengths, np.frombuffer(b"".join(p for p in pieces if p is not None), dtype=np.uint8))




def _fixed(values: np.ndarray, valid: np.ndarray | None) -> Encoded:
    """Fixed-width big-endian values (a structured or >iN array), NULL where not `valid`."""
    raw = np.ascontiguousarray(values).view(np.uint8).reshape(len(values), -1)
    width = raw.shape[1]
    if valid is None:
        return Encoded(np.full(len(values), width, dtype=np.int64), raw.ravel())
    return Encoded(np.where(valid, width, -1).astype(np.int64), raw[valid].ravel())


def text(values: Values) -> Encoded:
    return _join([None if v is None else v.encode() for v in values])


def categories(codes: np.ndarray, encoded: Values) -> Encoded:
    """A column of few distinct values: `codes` index `encoded`, each value's bytes made once."""
    unique = _join(encoded)
    lengths = unique.lengths[codes]
    size = np.maximum(lengths, 0)
    starts = np.concatenate(([0], np.cumsum(np.maximum(unique.lengths, 0))[:-1]))
    total = int(size.sum())
    source = np.repeat(starts[codes] - (np.cumsum(size) - size), size) + np.arange(total)
    return Encoded(lengths, unique.data[source])


def text_categories(values: Values) -> Encoded:
    found: dict[str | None, int] = {}
    codes = np.fromiter((found.setdefault(v, len(found)) for v in values), dtype=np.int64, count=len(values))
    return categories(codes, [None if v is None else v.encode() for v in found])


def text_array(values: Values) -> Encoded:
    """`text[]` values (one dimension, no NULL elements), made once per distinct list."""
    found: dict[tuple[str, ...], int] = {}
    codes = np.fromiter((found.setdefault(tuple(v), len(found)) for v in values), dtype=np.int64, count=len(values))
    encoded = []
    for items in found:
        body = b"".join(len(b).to_bytes(4, "big") + b for b in (item.encode() for item in items))
        head = (1, 0, TEXT_OID, len(items), 1) if items else (0, 0, TEXT_OID)
        encoded.append(b"".join(x.to_bytes(4, "big") for x in head) + body)
    return categories(codes, encoded)


def jsonb(values: Values) -> Encoded:
    """jsonb (version 1 + JSON text); an empty or missing object is `{}`."""
    return _join([b"\x01" + json.dumps(v, ensure_ascii=False, default=str).encode() if v else b"\x01{}" for v in values])


def boolean(values: np.ndarray) -> Encoded:
    return _fixed(np.asarray(values, dtype=np.uint8), None)


def int4(values: np.ndarray, valid: np.ndarray | None = None) -> Encoded:
    return _fixed(np.asarray(values).astype(">i4"), valid)


def date(values: np.ndarray) -> Encoded:
    """dates (datetime64[D], NaT = NULL) as days since 2000-01-01."""
    days = np.asarray(values, dtype="datetime64[D]")
    valid = ~np.isnat(days)
    return _fixed(np.where(valid, (days - PG_EPOCH).astype(np.int64), 0).astype(">i4"), valid)


_INTEGER_GROUPS = 5  # base-10000 digits before the point: up to 10²⁰, beyond any int64


def numeric(scaled: np.ndarray, scale: int, valid: np.ndarray | None = None) -> Encoded:
    """`numeric` from integers holding `scale` decimal places (cents: scale 2), sent unnormalised with a
    fixed number of digits; PostgreSQL strips the zeros on receipt."""
    value = np.asarray(scaled, dtype=np.int64)
    magnitude = np.abs(value).astype(np.uint64)
    fraction_groups = -(-scale // 4)
    whole, fraction = magnitude // np.uint64(10**scale), magnitude % np.uint64(10**scale)
    fraction = fraction * np.uint64(10 ** (fraction_groups * 4 - scale))
    digits = [(whole // np.uint64(10000**k)) % np.uint64(10000) for k in range(_INTEGER_GROUPS - 1, -1, -1)]
    digits += [(fraction // np.uint64(10000**k)) % np.uint64(10000) for k in range(fraction_groups - 1, -1, -1)]
    fields = [("ndigits", ">i2"), ("weight", ">i2"), ("sign", ">u2"), ("dscale", ">i2")]
    fields += [(f"d{k}", ">i2") for k in range(len(digits))]
    out = np.empty(len(value), dtype=np.dtype(fields))
    out["ndigits"], out["weight"], out["dscale"] = len(digits), _INTEGER_GROUPS - 1, scale
    out["sign"] = np.where(value < 0, 0x4000, 0)
    for k, digit in enumerate(digits):
        out[f"d{k}"] = digit.astype(np.int64)
    return _fixed(out, valid)


def ewkb(geometries: np.ndarray, srid: int) -> Encoded:
    """PostGIS geometry in its binary input form, EWKB with the SRID; NULL for None."""
    present = ~shapely.is_missing(geometries)
    wkb = np.full(len(geometries), b"", dtype=object)
    wkb[present] = shapely.to_wkb(shapely.set_srid(geometries[present], srid), include_srid=True)
    pieces = wkb.tolist()
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    lengths[~present] = -1
    return Encoded(lengths, np.zeros(0, dtype=np.uint8), pieces)


def _gather(column: Encoded, starts: np.ndarray, present: int, rows: np.ndarray, width: int) -> np.ndarray:
    """The values of `rows`, each `width` bytes long (`starts`: where each row's value begins in the data)."""
    if len(column.data) == width * present:  # one width throughout: whole rows at once
        return column.data.reshape(-1, width)[starts[rows] // width]
    return column.data[starts[rows][:, None] + np.arange(width)]


def _layouts(lengths: np.ndarray) -> np.ndarray:
    """A number for each distinct row of `lengths` (mixed radix over the columns, renumbered as it grows)."""
    key = np.zeros(len(lengths), dtype=np.int64)
    for column in lengths.T:
        values, code = np.unique(column, return_inverse=True)
        key = key * len(values) + code.ravel()
        if key.max(initial=0) > 1 << 40:
            key = np.unique(key, return_inverse=True)[1].ravel()
    return np.unique(key, return_inverse=True)[1].ravel()


def payload(columns: Sequence[Encoded]) -> bytes:
    """The binary COPY rows (no header) of encoded columns of equal length.

    Rows whose fields have the same lengths have the same layout: each such group is laid out as one
    rows × bytes array, filled a column at a time (length words broadcast, values copied row-wise), and
    the groups follow each other (COPY takes rows in any order). A last column given as pieces
    (geometries) is joined after each row's head, so its bulk is copied once, by `bytes.join`.
    """
    k = len(columns)
    lengths = np.column_stack([c.lengths for c in columns]).astype(np.int64)
    size = np.maximum(lengths, 0)
    tail = columns[-1].pieces
    layout = lengths.copy()
    if tail is not None:  # the geometry's length varies row by row; its value is not in the head
        layout[:, -1] = np.where(lengths[:, -1] < 0, -1, 0)
    group = _layouts(layout)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(group.max(initial=-1) + 2))
    starts = np.cumsum(size, axis=0) - size
    present = np.count_nonzero(size, axis=0)
    field_count = np.array([k >> 8, k & 0xFF], dtype=np.uint8)
    parts: list[bytes] = []
    for g in range(len(bounds) - 1):
        rows = order[bounds[g]:bounds[g + 1]]
        shape = layout[rows[0]]
        widths = np.maximum(shape, 0)
        block = np.empty((len(rows), 2 + 4 * k + int(widths.sum())), dtype=np.uint8)
        block[:, :2] = field_count
        at = 2
        for j, column in enumerate(columns):
            if tail is not None and j == k - 1:
                block[:, at:at + 4] = lengths[rows, j].astype(">i4").view(np.uint8).reshape(-1, 4)
            else:
                block[:, at:at + 4] = np.array([shape[j]], dtype=">i4").view(np.uint8)
            at += 4
            width = int(widths[j])
            if width:
                block[:, at:at + width] = _gather(column, starts[:, j], int(present[j]), rows, width)
                at += width
        if tail is None:
            parts.append(block.tobytes())
            continue
        heads, step = block.tobytes(), block.shape[1]
        pieces: list[bytes] = [b""] * (2 * len(rows))
        pieces[0::2] = [heads[i:i + step] for i in range(0, len(heads), step)]
        pieces[1::2] = [tail[r] for r in rows.tolist()]
        parts.append(b"".join(pieces))
    return b"".join(parts)


CHUNK_ROWS = 100_000


def copy_rows(conn: psycopg.Connection[Any], table: str, names: Sequence[str], columns: Sequence[Callable[[slice], Encoded]],
              rows: int, progress: Callable[[int], None] | None = None) -> None:
    """COPY `rows` rows into `table`, encoding the columns a chunk at a time (memory stays bounded)."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)))
    cursor = conn.cursor()
    # The queued writer sends on a thread: the next chunk is built while the server takes this one.
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        copy.write(HEADER)
        for start in range(0, rows, CHUNK_ROWS):
            part = slice(start, min(rows, start + CHUNK_ROWS))
            copy.write(payload([column(part) for column in columns]))
            if progress is not None:
                progress(part.stop)
        copy.write(TRAILER)
