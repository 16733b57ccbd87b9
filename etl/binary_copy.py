"""PostgreSQL binary COPY payloads built column by column with numpy and Arrow, not row by row in Python.

Each column is encoded as the lengths of its values (−1 for NULL) and their bytes end to end, or as
parts whose bytes joined make the values; `payload` writes the rows, field by field, in one compiled loop.
Numbers are sent as `numeric` in the binary form PostgreSQL reads (sign, weight, scale, base-10000 digits),
from integers scaled to their decimal places, so no Decimal is made per value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import shapely
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from etl._copy_rows import binary_rows, numeric_values

Values = Sequence[Any] | np.ndarray
"""A column's values: a list or a 1-D numpy array."""

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
PG_EPOCH = np.datetime64("2000-01-01", "D")
TEXT_OID = 25
_NOTHING = pa.scalar(b"", pa.large_binary())
WKB_POLYGON, WKB_MULTIPOLYGON = 3, 6
_AS_MULTIPOLYGON = bytes([1]) + WKB_MULTIPOLYGON.to_bytes(4, "little") + (1).to_bytes(4, "little")
"""Little-endian WKB head of a MultiPolygon of one polygon: a Polygon's WKB after it makes the MultiPolygon."""


@dataclass(frozen=True)
class Encoded:
    """One column of a chunk of rows: the byte length of each value (−1: NULL) and the values end to end;
    or, where `parts` are given, each value is its row's bytes of the parts joined (`data` unused), each part
    its bytes end to end and where each row's begin (offsets, one more than rows)."""

    lengths: np.ndarray
    data: np.ndarray
    parts: tuple[tuple[np.ndarray, np.ndarray], ...] = ()


def _offsets(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(np.maximum(lengths, 0)))).astype(np.int64)


def one_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Values as one array: a lone chunk's own buffers, several chunks copied together."""
    if isinstance(values, pa.Array):
        return values
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()


def arrow_buffers(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (int64, from 0, one more than values) and bytes of a string or binary Arrow array; NULL as empty."""
    values = one_array(values).cast(pa.large_binary())
    if values.null_count:
        values = values.fill_null(_NOTHING)
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
    return offsets - offsets[0], data[offsets[0]:offsets[-1]]


def _valid(values: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    return values.is_valid().to_numpy(zero_copy_only=False) if values.null_count else None


def from_arrow(values: pa.Array) -> Encoded:
    """A string or binary Arrow array: its offsets give the lengths, its buffer the bytes; NULL where null."""
    offsets, data = arrow_buffers(values)
    lengths, valid = np.diff(offsets), _valid(values)
    return Encoded(lengths if valid is None else np.where(valid, lengths, -1), data)


def _fixed(values: np.ndarray, valid: np.ndarray | None) -> Encoded:
    """Fixed-width big-endian values (a structured or >iN array), NULL where not `valid`."""
    raw = np.ascontiguousarray(values).view(np.uint8).reshape(len(values), -1)
    width = raw.shape[1]
    if valid is None:
        return Encoded(np.full(len(values), width, dtype=np.int64), raw.ravel())
    return Encoded(np.where(valid, width, -1).astype(np.int64), raw[valid].ravel())


def text(values: Values | pa.Array) -> Encoded:
    return from_arrow(values if isinstance(values, pa.Array) else pa.array(values, type=pa.large_string()))


def categories(codes: np.ndarray, encoded: Values) -> Encoded:
    """A column of few distinct values: `codes` index `encoded` (bytes, or None for NULL), each value made once."""
    return from_arrow(pa.array(encoded, type=pa.large_binary()).take(pa.array(codes)))


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
    return from_arrow(pa.array([b"\x01" + json.dumps(v, ensure_ascii=False, default=str).encode() if v else b"\x01{}"
                                for v in values], type=pa.large_binary()))


def boolean(values: np.ndarray, valid: np.ndarray | None = None) -> Encoded:
    return _fixed(np.asarray(values, dtype=np.uint8), valid)


def int4(values: np.ndarray, valid: np.ndarray | None = None) -> Encoded:
    return _fixed(np.asarray(values).astype(">i4"), valid)


def int8(values: np.ndarray, valid: np.ndarray | None = None) -> Encoded:
    return _fixed(np.asarray(values).astype(">i8"), valid)


def date(values: np.ndarray) -> Encoded:
    """dates (datetime64[D], NaT = NULL) as days since 2000-01-01."""
    days = np.asarray(values, dtype="datetime64[D]")
    valid = ~np.isnat(days)
    return _fixed(np.where(valid, (days - PG_EPOCH).astype(np.int64), 0).astype(">i4"), valid)


def numeric(scaled: np.ndarray, scale: int, valid: np.ndarray | None = None) -> Encoded:
    """`numeric` from integers holding `scale` decimal places (cents: scale 2), sent unnormalised with as many
    base-10000 digits before the point as the largest value needs, the same for every value (PostgreSQL strips
    the zeros on receipt); encoded by a compiled loop (`etl/_copy_rows.pyx`), no array made per digit."""
    value = np.ascontiguousarray(scaled, dtype=np.int64)
    present = np.ones(len(value), dtype=np.uint8) if valid is None else np.ascontiguousarray(valid, dtype=np.uint8)
    data, width = numeric_values(value, present, scale)
    return Encoded(np.full(len(value), width, dtype=np.int64) if valid is None else np.where(valid, width, -1).astype(np.int64), data)


def ewkb(geometries: np.ndarray, srid: int) -> Encoded:
    """PostGIS geometry in its binary input form, EWKB with the SRID; NULL for None."""
    present = ~shapely.is_missing(geometries)
    wkb = np.full(len(geometries), None, dtype=object)
    wkb[present] = shapely.to_wkb(shapely.set_srid(geometries[present], srid), include_srid=True)
    return from_arrow(pa.array(wkb, type=pa.large_binary()))


def multipolygon_wkb(wkb: pa.Array | pa.ChunkedArray) -> Encoded:
    """MultiPolygons from little-endian 2-D WKB Polygons and MultiPolygons (NULL where null), bytes as read: a
    Polygon gets the head of a MultiPolygon of one before it. Without an SRID, the column's own applies."""
    offsets, data = arrow_buffers(wkb)
    sizes, valid = np.diff(offsets), _valid(wkb)
    polygon = np.zeros(len(sizes), dtype=bool)
    present = np.flatnonzero(sizes > 0)
    polygon[present] = data[offsets[present] + 1] == WKB_POLYGON
    lengths = sizes + np.where(polygon, len(_AS_MULTIPOLYGON), 0)
    head = categories(polygon.astype(np.int64), [b"", _AS_MULTIPOLYGON])
    return Encoded(lengths if valid is None else np.where(valid, lengths, -1), np.zeros(0, dtype=np.uint8),
                   ((_offsets(head.lengths), head.data), (offsets, data)))


def payload(columns: Sequence[Encoded]) -> memoryview:
    """The binary COPY rows (no header) of encoded columns of equal length, in their order, laid out by a
    compiled loop (`etl/_copy_rows.pyx`): numpy would stack the fixed-width fields into blocks and Arrow join
    those with the others again, two passes over the bytes with a copy of them between."""
    rows = len(columns[0].lengths) if columns else 0
    pieces: list[list[tuple[np.ndarray | None, np.ndarray]]] = [list(c.parts) or [(None, c.data)] for c in columns]
    laid_out = binary_rows([(np.ascontiguousarray(c.lengths, dtype=np.int64), p) for c, p in zip(columns, pieces, strict=True)], rows)
    return laid_out.data


CHUNK_ROWS = 100_000


@contextmanager
def copy_into(conn: psycopg.Connection[Any], table: str, names: Sequence[str], freeze: bool = False) -> Iterator[Callable[[Sequence[Encoded]], None]]:
    """A binary COPY into `table` (columns `names`), open while the block runs: the function it gives sends rows,
    one encoded column each. An exception in the block abandons the COPY (the server rolls the statement back).
    `freeze` (only for a table created or truncated in this transaction): the rows are written frozen and all-visible."""
    options = sql.SQL("(FORMAT BINARY, FREEZE)" if freeze else "(FORMAT BINARY)")
    statement = sql.SQL("COPY {} ({}) FROM STDIN {}").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)), options)
    cursor = conn.cursor()
    # The queued writer sends on a thread: the next rows are built while the server takes these.
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        copy.write(HEADER)
        yield lambda columns: copy.write(payload(columns))
        copy.write(TRAILER)


def copy_rows(conn: psycopg.Connection[Any], table: str, names: Sequence[str], columns: Sequence[Callable[[slice], Encoded]],
              rows: int, progress: Callable[[int], None] | None = None, freeze: bool = False) -> None:
    """COPY `rows` rows into `table`, encoding the columns a chunk at a time (memory stays bounded)."""
    with copy_into(conn, table, names, freeze) as send:
        for start in range(0, rows, CHUNK_ROWS):
            part = slice(start, min(rows, start + CHUNK_ROWS))
            send([column(part) for column in columns])
            if progress is not None:
                progress(part.stop)
