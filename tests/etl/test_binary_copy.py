"""Binary COPY payloads (columns made with numpy, rows written by the compiled loop) read back as the values they were made from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import numpy as np
import psycopg
import pyarrow as pa
import pytest
import shapely

from etl import binary_copy as bc


def test_every_column_kind_round_trips_through_postgresql(empty_db: str) -> None:
    square = shapely.MultiPolygon([shapely.box(119.9, 31.7, 119.91, 31.71)])
    columns = [
        bc.text(["P1", None, "宗地-三"]),
        bc.text(["工业用地", "工业用地", None]),
        bc.numeric(np.array([666667, -5, 0]), 2, np.array([True, True, False])),
        bc.numeric(np.array([10000005, 123456789012345678, 1]), 6),
        bc.numeric(np.array([9070, 10000, 5]), 4),
        bc.int4(np.array([2, 0, -7]), np.array([True, False, True])),
        bc.boolean(np.array([True, False, True])),
        bc.date(np.array(["2023-05-01", "NaT", "1999-12-31"], dtype="datetime64[D]")),
        bc.jsonb([{"备注": "东区", "n": 1}, None, {}]),
        bc.text_array([["area_mismatch", "straddles_zones"], [], ["area_mismatch", "straddles_zones"]]),
        bc.ewkb(np.array([square, None, square], dtype=object), 4490),
        bc.int4(np.array([0, 1, 2])),
    ]
    with psycopg.connect(empty_db) as conn:
        conn.execute("CREATE TEMP TABLE t (a text, b text, c numeric(16,2), d numeric(18,6), e numeric(10,4), f integer, "
                     "g boolean, h date, i jsonb, j text[], k geometry(MultiPolygon, 4490), n integer)")
        with conn.cursor().copy("COPY t FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(bc.HEADER + bytes(bc.payload(columns)) + bc.TRAILER)
        rows = conn.execute("SELECT a, b, c, d, e, f, g, h, i, j, ST_AsText(k), ST_SRID(k) FROM t ORDER BY n").fetchall()
    assert rows[0] == ("P1", "工业用地", D("6666.67"), D("10.000005"), D("0.9070"), 2, True, dt.date(2023, 5, 1),
                       {"备注": "东区", "n": 1}, ["area_mismatch", "straddles_zones"],
                       "MULTIPOLYGON(((119.91 31.7,119.91 31.71,119.9 31.71,119.9 31.7,119.91 31.7)))", 4490)
    assert rows[1] == (None, "工业用地", D("-0.05"), D("123456789012.345678"), D("1.0000"), None, False, None, {}, [], None, None)
    assert rows[2][:9] == ("宗地-三", None, None, D("0.000001"), D("0.0005"), -7, True, dt.date(1999, 12, 31), {})


def test_file_wkb_goes_in_as_read_polygons_as_multipolygons_of_one(empty_db: str) -> None:
    """Little-endian WKB from the file is sent as it is (a Polygon behind a MultiPolygon head); the column gives the SRID."""
    polygon = shapely.box(119.9, 31.7, 119.91, 31.71)
    multi = shapely.MultiPolygon([shapely.box(120.0, 31.0, 120.01, 31.01), shapely.box(120.02, 31.0, 120.03, 31.01)])
    wkb = pa.array(list(shapely.to_wkb(np.array([polygon, multi], dtype=object), byte_order=1)), type=pa.binary())
    with psycopg.connect(empty_db) as conn:
        conn.execute("CREATE TEMP TABLE t (k geometry(MultiPolygon, 4490), n integer)")
        with conn.cursor().copy("COPY t FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(bc.HEADER + bytes(bc.payload([bc.multipolygon_wkb(wkb), bc.int4(np.array([0, 1]))])) + bc.TRAILER)
        rows = conn.execute("SELECT ST_AsText(k), ST_SRID(k) FROM t ORDER BY n").fetchall()
    assert rows == [("MULTIPOLYGON(((119.91 31.7,119.91 31.71,119.9 31.71,119.9 31.7,119.91 31.7)))", 4490),
                    ("MULTIPOLYGON(((120.01 31,120.01 31.01,120 31.01,120 31,120.01 31)),"
                     "((120.03 31,120.03 31.01,120.02 31.01,120.02 31,120.03 31)))", 4490)]


@pytest.mark.parametrize("cents", [[999_999, 0], [1_000_000, 999_999], [0, 0], [-1_000_000, 5], [10**17, 1]])
def test_numbers_carry_as_many_digits_as_their_largest_needs(empty_db: str, cents: list[int]) -> None:
    # 9999.99 needs one base-10000 digit before the point, 10000.00 two, 10¹⁵ four; each column sends only those.
    with psycopg.connect(empty_db) as conn:
        conn.execute("CREATE TEMP TABLE t (c numeric(20,2), n integer)")
        with conn.cursor().copy("COPY t FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(bc.HEADER + bytes(bc.payload([bc.numeric(np.array(cents), 2), bc.int4(np.array([0, 1]))])) + bc.TRAILER)
        assert [row[0] for row in conn.execute("SELECT c FROM t ORDER BY n")] == [D(c) / 100 for c in cents]


def test_rows_are_written_field_by_field_and_a_value_must_fill_the_length_said() -> None:
    # Two fields a row: an int4, then a text of two pieces ('ab' + 'c'; NULL in the second row).
    number = bc.int4(np.array([7, 0]), np.array([True, False]))
    text = bc.Encoded(np.array([3, -1]), np.zeros(0, dtype=np.uint8),
                      ((np.array([0, 2, 2]), np.frombuffer(b"ab", dtype=np.uint8)), (np.array([0, 1, 1]), np.frombuffer(b"c", dtype=np.uint8))))
    null = (-1).to_bytes(4, "big", signed=True)
    assert bytes(bc.payload([number, text])) == (b"\x00\x02" + (4).to_bytes(4, "big") + (7).to_bytes(4, "big") + (3).to_bytes(4, "big")
                                                 + b"abc" + b"\x00\x02" + null + null)
    with pytest.raises(ValueError, match="do not add up"):  # says 4 bytes, its pieces hold 3
        bc.payload([number, bc.Encoded(np.array([4, -1]), text.data, text.parts)])
    with pytest.raises(ValueError, match="do not add up"):  # says 9 bytes end to end, 3 are there
        bc.payload([bc.Encoded(np.array([9, 0]), np.frombuffer(b"abc", dtype=np.uint8))])
