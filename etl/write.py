"""Write checked rows into PostGIS with binary COPY: upserted by code, or straight into an empty table.

Upsert: rows go to a temporary table and are merged by code; a row whose values did not change is not
touched, so loading the same file again changes nothing. A layer named in `replace` loses the rows its
file does not hold (explicit, never the default). Into an empty table (a first load) the rows are COPYed
directly, with the table's keys and indexes dropped before and rebuilt after, inside the load's
transaction: building an index once is far cheaper than growing it a row at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, LiteralString, cast

import numpy as np
import psycopg
import pyarrow as pa
from psycopg import sql

from etl import binary_copy as bc
from etl.check import PARCEL_TEXTS, Checked
from etl.geometry_check import CheckedGeometries
from etl.placement import objects
from mujun.rules import GEOGRAPHIC_SRID
from mujun.stages import DATE_FIELDS

Column = Callable[[slice], bc.Encoded]
LAND_USE_COLUMNS = ("land_price_wan", "start_date", "developed_area_m2", "stopped_date", "government_delay")
"""What idle land is judged by: optional fields of a parcels file, each written only where the file has it."""
_GIVEN = {"land_price_wan": "has_price", "start_date": "start_date", "developed_area_m2": "has_developed",
          "stopped_date": "stopped_date", "government_delay": "has_government_delay"}
Progress = Callable[[str, int, int], None]

TABLE_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "zones": ("zone_code", ("zone_code", "name", "zone_class", "jurisdiction", "area_m2", "attributes", "geom")),
    "projects": ("project_code", (
        "project_code", "name", "enterprise", "industry", "project_type", "total_investment_wan",
        "investment_amount", "currency", "exchange_rate", "exchange_rate_date", "stage", "level", "attributes",
        "name_initials", "enterprise_initials", "jurisdiction", *DATE_FIELDS, "reported_stage", "reported_stage_on",
    )),
    "parcels": ("parcel_code", (
        "parcel_code", "project_code", "land_use", "recorded_area_m2", "supply_date", "agreed_start_date",
        "agreed_completion_date", "attributes", "geom", "area_m2", "geometry_repaired", *LAND_USE_COLUMNS,
    )),
    "constraints": ("code", ("code", "constraint_type", "attributes", "geom", "area_m2")),
    "approval_batches": ("batch_code", ("batch_code", "approved_date", "approval_no", "attributes", "geom", "area_m2")),
}
TABLE_OF_KIND = {"batches": "approval_batches"}
"""Kinds of file stored in a table of another name."""
NUMERIC_SCALES = {"area_m2": 2, "recorded_area_m2": 2, "total_investment_wan": 2, "investment_amount": 4, "exchange_rate": 6}
"""Decimal places of each numeric column (as the schema declares them)."""
PARCEL_DATE_COLUMNS = ("supply_date", "agreed_start_date", "agreed_completion_date")
DATE_COLUMNS = {"exchange_rate_date", *PARCEL_DATE_COLUMNS, *DATE_FIELDS, "reported_stage_on", "approved_date"}


def _scaled(values: Sequence[Decimal | None], scale: int) -> tuple[np.ndarray, np.ndarray]:
    step = Decimal(1).scaleb(-scale)
    return (np.array([int(v.quantize(step, rounding=ROUND_HALF_UP).scaleb(scale)) if v is not None else 0 for v in values],
                     dtype=np.int64), np.array([v is not None for v in values], dtype=bool))


def _dates(values: Sequence[dt.date | None]) -> np.ndarray:
    return np.array([np.datetime64(v, "D") if v is not None else np.datetime64("NaT") for v in values], dtype="datetime64[D]")


def _encode(name: str, values: Sequence[Any]) -> bc.Encoded:
    if name in NUMERIC_SCALES:
        scaled, given = _scaled(values, NUMERIC_SCALES[name])
        return bc.numeric(scaled, NUMERIC_SCALES[name], given)
    if name in DATE_COLUMNS:
        return bc.date(_dates(values))
    if name == "attributes":
        return bc.jsonb(values)
    if name == "geom":
        return bc.ewkb(objects(values), GEOGRAPHIC_SRID)
    if name == "geometry_repaired":
        return bc.boolean(np.array([bool(v) for v in values]))
    return bc.text(values)


def record_columns(checked: Checked) -> dict[str, Column]:
    """COPY columns of zones, projects, constraints or batches, from their records or (projects) their columns."""
    names = TABLE_COLUMNS[TABLE_OF_KIND.get(checked.kind, checked.kind)][1]
    if checked.columns:
        return {name: _record_column(name, list(checked.columns[name])) for name in names}
    return {name: _record_column(name, [r.get(name) for r in checked.records]) for name in names}


def _record_column(name: str, values: list[Any]) -> Column:
    return lambda rows: _encode(name, values[rows])


def _text_column(values: pa.Array) -> Column:
    return lambda rows: bc.text(values[rows])


def _date_column(values: np.ndarray) -> Column:
    return lambda rows: bc.date(values[rows])


def parcel_columns(checked: Checked, geometry: CheckedGeometries | None = None) -> dict[str, Column]:
    """COPY columns of the parcels' own data (not the rule results), from their checked arrays and geometries
    (`geometry`: theirs, when not yet the file's)."""
    c, g, texts = checked.columns, geometry or checked.geometry, checked.texts
    assert g is not None
    return {
        **{name: _text_column(texts[name]) for name in PARCEL_TEXTS},
        "recorded_area_m2": lambda rows: bc.numeric(c["recorded_cents"][rows], 2, c["has_recorded"][rows]),
        **{name: _date_column(c[name]) for name in PARCEL_DATE_COLUMNS},
        "attributes": lambda rows: bc.jsonb(c["attributes"][rows]),
        "geom": lambda rows: bc.multipolygon_wkb(g.wkb[rows]),
        "area_m2": lambda rows: bc.numeric(g.area_cents[rows], 2),
        "geometry_repaired": lambda rows: bc.boolean(g.repaired[rows]),
        "land_price_wan": lambda rows: bc.numeric(c["price_cents"][rows], 2, c["has_price"][rows]),
        "start_date": _date_column(c["start_date"]),
        "developed_area_m2": lambda rows: bc.numeric(c["developed_cents"][rows], 2, c["has_developed"][rows]),
        "stopped_date": _date_column(c["stopped_date"]),
        "government_delay": lambda rows: bc.boolean(c["government_delay"][rows], c["has_government_delay"][rows]),
    }


def absent_land_use_columns(checked: Checked) -> set[str]:
    """The land-use columns no parcel of the file gives: left to their default (NULL) in a first load, so that a file
    without them costs nothing more to write."""
    given = {name: checked.columns[key] for name, key in _GIVEN.items()}
    return {name for name, values in given.items()
            if not (values.any() if values.dtype == bool else (~np.isnat(values)).any())}


def _ids(names: Sequence[str], prefix: str = "") -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL(prefix + "{}").format(sql.Identifier(n)) for n in names)


def _reporter(table: str, rows: int, progress: Progress | None) -> Callable[[int], None] | None:
    return None if progress is None else (lambda done: progress(f"write {table}", done, rows))


def upsert(conn: psycopg.Connection[Any], table: str, columns: dict[str, Column], rows: int, replace: bool = False,
           progress: Progress | None = None, within: tuple[sql.Composable, dict[str, Any]] = (sql.SQL(""), {})) -> dict[str, int]:
    """Rows merged by code; with `replace`, stored rows missing from the file deleted (only those meeting `within`: the
    ` AND …` condition on `t` of a scoped account's districts, and its parameters)."""
    key, names = TABLE_COLUMNS[table]
    stage = sql.Identifier(f"stage_{table}")
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(stage, sql.Identifier(table)))
    bc.copy_rows(conn, f"stage_{table}", names, [columns[n] for n in names], rows, _reporter(table, rows, progress))
    updates = [n for n in names if n != key]
    changed = conn.execute(sql.SQL(
        "INSERT INTO {table} AS t ({names}) SELECT {names} FROM {stage} "
        "ON CONFLICT ({key}) DO UPDATE SET ({updates}) = ROW({excluded}) "
        "WHERE ({current}) IS DISTINCT FROM ({excluded}) RETURNING (xmax = 0) AS inserted"
    ).format(table=sql.Identifier(table), names=_ids(names), stage=stage, key=sql.Identifier(key), updates=_ids(updates),
             excluded=_ids(updates, "EXCLUDED."), current=_ids(updates, "t."))).fetchall()
    inserted = sum(1 for (was_inserted,) in changed if was_inserted)
    counts = {"read": rows, "inserted": inserted, "updated": len(changed) - inserted, "unchanged": rows - len(changed)}
    if replace:
        counts["deleted"] = conn.execute(sql.SQL("DELETE FROM {table} AS t WHERE NOT EXISTS (SELECT 1 FROM {stage} AS s "
                                                 "WHERE s.{key} = t.{key}){within}").format(
            table=sql.Identifier(table), stage=stage, key=sql.Identifier(key), within=within[0]), within[1]).rowcount
    return counts


def is_empty(conn: psycopg.Connection[Any], table: str) -> bool:
    return conn.execute(sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))).fetchone() == (True,)


def _drop_indexes(conn: psycopg.Connection[Any], table: str) -> list[sql.Composed | sql.SQL]:
    """Drop the table's primary key, unique constraints and plain indexes; the statements that rebuild them."""
    rebuild: list[sql.Composed | sql.SQL] = []
    for name, definition in conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                         "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')", [table]).fetchall():
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name)))
        rebuild.append(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(sql.Identifier(table), sql.Identifier(name))
                       + sql.SQL(cast(LiteralString, definition)))
    for name, definition in conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table]).fetchall():
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        rebuild.append(sql.SQL(cast(LiteralString, definition)))
    return rebuild


def _reserve_ids(conn: psycopg.Connection[Any], table: str, rows: int) -> np.ndarray | None:
    """Ids for `rows` new rows, taken from the table's `id` sequence at once (None: no such sequence): sent in
    the COPY, they spare the server a `nextval` per row. Loads run one at a time (`etl.load.LOAD_LOCK`)."""
    found = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()
    if found is None or found[0] is None or rows == 0:
        return None
    row = conn.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [found[0], found[0], rows]).fetchone()
    assert row is not None
    return np.arange(int(row[0]) - rows + 1, int(row[0]) + 1, dtype=np.int64)


@dataclass(frozen=True)
class EmptyTable:
    """An empty table made ready for its first rows (`empty_for_copy`): the ids reserved for them, and the
    statements that build the indexes dropped meanwhile."""

    ids: np.ndarray | None
    rebuild: list[sql.Composed | sql.SQL]

    def build_indexes(self, conn: psycopg.Connection[Any]) -> None:
        """Build the indexes dropped, a spatial one first: GiST builds on one core, where B-trees take parallel
        workers, so a caller's work beside it has the other core to itself."""
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in sorted(self.rebuild, key=lambda statement: " USING gist " not in statement.as_string(conn)):
            conn.execute(statement)


def empty_for_copy(conn: psycopg.Connection[Any], table: str, rows: int) -> EmptyTable:
    """Make an empty table ready for a COPY of `rows` rows in the caller's transaction: locked, truncated, its keys
    and indexes dropped (building an index once is far cheaper than growing it a row at a time) and ids reserved.

    Truncated under the lock that dropping its indexes takes anyway, the table's rows go to a file of this
    transaction's own, written frozen (readers need not revisit them) and, on a server with `wal_level = minimal`,
    without WAL (PostgreSQL syncs the file at commit instead)."""
    conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
    if not is_empty(conn, table):
        raise RuntimeError(f"{table} gained rows outside a load while this load ran; nothing was written")
    conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
    rebuild = _drop_indexes(conn, table)
    return EmptyTable(_reserve_ids(conn, table, rows), rebuild)


def insert_into_empty(conn: psycopg.Connection[Any], table: str, columns: dict[str, Column], rows: int,
                      progress: Progress | None = None, step: Callable[[str], None] | None = None) -> dict[str, int]:
    """COPY straight into an empty table, its keys and indexes rebuilt after (all inside the caller's transaction)."""
    empty = empty_for_copy(conn, table, rows)
    ids = empty.ids
    if ids is not None:
        columns = {**columns, "id": lambda part: bc.int4(ids[part])}
    names = list(columns)
    bc.copy_rows(conn, table, names, [columns[n] for n in names], rows, _reporter(table, rows, progress), freeze=True)
    if step is not None:
        step(f"index {table}")
    empty.build_indexes(conn)
    return {"read": rows, "inserted": rows, "updated": 0, "unchanged": 0}
