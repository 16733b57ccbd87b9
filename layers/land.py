"""The rows behind `/api/land/…`: gathered here, decided by `mujun.idle_land`.

One statement gathers one row per parcel that could be listed as of D, under the map's filters (`MapFilters`: the
zone a parcel's project is held against, the project's stage, industry and level, the parcel's band and status):
those agreed to start by the latest date whose anniversary has come, or stopped by such a date, and not started on
their own or their project's date (the bounds come from `mujun.idle_land.bounds`; every category is decided there).
Each row carries its project's investment spent to D: for each year, the 本年累计 of the project's latest report in
force for a month that has ended by D, summed over the years (the investment completed to date), beside 总投资.

批而未供 sums `batch_cover` (`etl.batches`) over the parcels supplied by D. Every value is a bound parameter.

Every query takes the asker's `Access`: parcels of its districts only (`mujun.scope`), a parcel elsewhere not found;
batches meeting a zone of its districts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from sqlalchemy import Connection

from layers.tiles import MapFilters, filter_conditions
from mujun.access import Access
from mujun.idle_land import (
    LAND_COLUMNS,
    IdleLand,
    IdleLandPolicy,
    LandParcels,
    approved_unsupplied,
    bounds,
    explain,
    idle_land,
    land_columns,
    map_classes,
    supplied_unused,
)
from mujun.scope import batch_in_scope_sql, scope_params

_ROWS = """
WITH spent AS (
  SELECT y.project_code, sum(y.ytd) AS spent_wan FROM (
    SELECT DISTINCT ON (m.project_code, date_trunc('year', m.month)) m.project_code, m.completed_ytd_wan AS ytd
    FROM monthly_reports m
    WHERE m.superseded_by IS NULL AND m.month <= %(reports_through)s
      AND m.project_code IN (SELECT project_code FROM parcels WHERE stopped_date <= %(stopped_by)s)
    ORDER BY m.project_code, date_trunc('year', m.month), m.month DESC) y
  GROUP BY y.project_code)
SELECT t.parcel_code, t.project_code, to_char(t.supply_date, 'YYYY-MM-DD'), to_char(t.agreed_start_date, 'YYYY-MM-DD'),
       to_char(t.start_date, 'YYYY-MM-DD'), to_char(pr.actual_start_date, 'YYYY-MM-DD'), to_char(t.stopped_date, 'YYYY-MM-DD'),
       t.government_delay, (t.land_price_wan * 100)::bigint, (coalesce(t.recorded_area_m2, t.area_m2) * 100)::bigint,
       (t.developed_area_m2 * 100)::bigint, (pr.total_investment_wan * 100)::bigint, (spent.spent_wan * 100)::bigint
FROM parcels t
LEFT JOIN projects pr ON pr.project_code = t.project_code
LEFT JOIN zones hz ON hz.zone_code = t.assessed_zone_code
LEFT JOIN spent ON spent.project_code = t.project_code
WHERE {which}{conditions}
"""
_NOT_STARTED = "NOT coalesce(coalesce(t.start_date, pr.actual_start_date) <= %(as_of)s, false)"
WHICH = {
    "idle": f"((t.agreed_start_date <= %(agreed_by)s AND {_NOT_STARTED}) OR t.stopped_date <= %(stopped_by)s)",
    "supply": f"(t.supply_date <= %(as_of)s AND {_NOT_STARTED})",
    "map": f"((t.agreed_start_date <= %(agreed_by)s AND {_NOT_STARTED}) OR t.stopped_date <= %(stopped_by)s "
           f"OR (t.supply_date <= %(as_of)s AND {_NOT_STARTED}))",
    "one": "t.parcel_code = %(parcel_code)s",
}
"""The parcels each answer could list: a narrowing by dates, never the decision. Dates come as ISO text, which numpy reads
thirty times faster than date objects (50,000 values: 6 ms, not 190), money and areas as integer hundredths."""


def rows_sql(which: str, filters: MapFilters, scoped: bool = False) -> sql.Composed:
    return sql.SQL(_ROWS).format(which=sql.SQL(WHICH[which]), conditions=filter_conditions(filters.in_use(), scoped))


def _driver(conn: Connection) -> psycopg.Connection[Any]:
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def parameters(as_of: dt.date, policy: IdleLandPolicy, filters: MapFilters, **more: Any) -> dict[str, Any]:
    found = bounds(as_of, policy)
    return {"as_of": as_of, "agreed_by": found.agreed_by, "stopped_by": found.stopped_by,
            "reports_through": found.reports_through, **filters.params(), **more}


def gather(conn: Connection, access: Access, which: str, as_of: dt.date, policy: IdleLandPolicy, filters: MapFilters,
           **more: Any) -> LandParcels:
    rows = _driver(conn).execute(rows_sql(which, filters, access.scoped),
                                 parameters(as_of, policy, filters, **more, **scope_params(access))).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(LAND_COLUMNS)
    return land_columns(dict(zip(LAND_COLUMNS, columns, strict=True)))


def idle_land_of(conn: Connection, access: Access, as_of: dt.date, policy: IdleLandPolicy, filters: MapFilters) -> IdleLand:
    return idle_land(gather(conn, access, "idle", as_of, policy, filters), as_of, policy)


_BATCHES = """
SELECT b.batch_code, b.approved_date, (b.area_m2 * 100)::bigint AS area_cents, (coalesce({covered}, 0) * 100)::bigint{geometry}
FROM approval_batches b{joins}{where}
"""
_COVERED_ONE = "(SELECT sum(c.covered_m2) FROM batch_cover c WHERE c.batch_code = b.batch_code AND c.supply_date <= %(as_of)s)"
_COVERED_ALL = """
LEFT JOIN (SELECT c.batch_code, sum(c.covered_m2) AS covered FROM batch_cover c WHERE c.supply_date <= %(as_of)s
           GROUP BY c.batch_code) c ON c.batch_code = b.batch_code"""
_UNSUPPLIED_GEOMETRY = """,
       ST_AsGeoJSON((SELECT coalesce(ST_Difference(b.geom, ST_Union(p.geom)), b.geom) FROM parcels p
                     WHERE p.geom && b.geom AND ST_Intersects(p.geom, b.geom) AND p.supply_date <= %(as_of)s), 7, 0) AS geometry"""
_IN_VIEW = """
WHERE b.geom && ST_MakeEnvelope(%(xmin)s, %(ymin)s, %(xmax)s, %(ymax)s, 4490){scope}
ORDER BY b.area_m2 DESC, b.batch_code LIMIT %(limit)s"""
"""The batches in a view, each with the part of it no parcel supplied by D covers, cut by PostGIS (geometry, not a rule)."""


def batches_sql(in_view: bool, scoped: bool = False) -> sql.Composed:
    """Every batch with its area covered by D (a list), or those in a view with their unsupplied parts' GeoJSON: a
    view's few batches each sum their own pieces (by the key), a list of every batch sums them all at once. `scoped`:
    only the batches meeting a zone of the districts of `%(scope)s`."""
    scope = batch_in_scope_sql("b") if scoped else sql.SQL("")
    where = sql.SQL(_IN_VIEW).format(scope=scope) if in_view else sql.SQL(" WHERE true{}").format(scope) if scoped else sql.SQL("")
    return sql.SQL(_BATCHES).format(covered=sql.SQL(_COVERED_ONE if in_view else "c.covered"),
                                    geometry=sql.SQL(_UNSUPPLIED_GEOMETRY if in_view else ""),
                                    joins=sql.SQL("" if in_view else _COVERED_ALL), where=where)


def _batches(conn: Connection, access: Access, as_of: dt.date, bbox: tuple[float, float, float, float] | None = None,
             limit: int = 0) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """批而未供 of the batches `access` may see (those in `bbox`, at most `limit`, with the unsupplied parts' GeoJSON), the
    largest first."""
    params: dict[str, Any] = {"as_of": as_of, "limit": limit, **dict(zip(("xmin", "ymin", "xmax", "ymax"), bbox or (), strict=False)),
                              **scope_params(access)}
    rows = _driver(conn).execute(batches_sql(in_view=bbox is not None, scoped=access.scoped), params).fetchall()
    listed = approved_unsupplied([row[0] for row in rows], [row[1] for row in rows], np.array([row[2] for row in rows], dtype=np.int64),
                                 np.array([row[3] for row in rows], dtype=np.int64))
    return listed, {row[0]: row[4] for row in rows if bbox and row[4] is not None}


def unsupplied_features(conn: Connection, access: Access, as_of: dt.date, bbox: tuple[float, float, float, float],
                        limit: int) -> dict[str, Any]:
    """The unsupplied part of each batch in the view that has one, as GeoJSON features (CRS84) with its figures."""
    listed, geometries = _batches(conn, access, as_of, bbox, limit)
    features = [{"type": "Feature", "id": entry["batch_code"], "geometry": json.loads(geometries[entry["batch_code"]]),
                 "properties": {**entry, "kind": "unsupplied"}} for entry in listed if entry["batch_code"] in geometries]
    return {"type": "FeatureCollection", "as_of": as_of, "features": features}


@dataclass
class Supply:
    as_of: dt.date
    supplied_unused: list[dict[str, Any]]
    approved_unsupplied: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "supplied_unused": self.supplied_unused, "approved_unsupplied": self.approved_unsupplied}


def supply_of(conn: Connection, access: Access, as_of: dt.date, policy: IdleLandPolicy, filters: MapFilters) -> Supply:
    """供而未用 under the map's filters, and 批而未供 of every batch (a batch is no project's: the filters do not apply)."""
    unused = supplied_unused(gather(conn, access, "supply", as_of, policy, filters), as_of, policy)
    return Supply(as_of, unused, _batches(conn, access, as_of)[0])


def land_map(conn: Connection, access: Access, as_of: dt.date, policy: IdleLandPolicy,
             filters: MapFilters) -> tuple[dict[str, str], list[str]]:
    return map_classes(gather(conn, access, "map", as_of, policy, filters), as_of, policy)


def land_card(conn: Connection, access: Access, parcel_code: str, as_of: dt.date, policy: IdleLandPolicy) -> dict[str, Any] | None:
    """Why a parcel is or is not idle on `as_of`, with the dates, and the batches it lies in; None: no such parcel (or
    none of `access`'s districts)."""
    parcels = gather(conn, access, "one", as_of, policy, MapFilters(), parcel_code=parcel_code)
    if not len(parcels):
        return None
    batches = _driver(conn).execute(
        "SELECT c.batch_code FROM batch_cover c WHERE c.parcel_code = %s ORDER BY c.batch_code", [parcel_code]).fetchall()
    return {"parcel_code": parcel_code, "project_code": parcels.project_code[0], **explain(parcels, as_of, policy),
            "batches": [row[0] for row in batches]}
