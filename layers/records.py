"""Queries behind the map: the parcel record (DESIGN.md) by code, by point and by bbox; zones by bbox.

Every value is a bound parameter; the only names in SQL are the models' columns. Every query of parcels takes
the caller's `Access` and sees only its districts (`mujun.scope`); zones are context, visible to all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg
from geoalchemy2 import Geometry
from psycopg import AsyncConnection
from sqlalchemy import Connection, Float, Select, bindparam, cast, func, select, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import RowMapping

from layers.catalogue import Layer
from mujun.access import Access
from mujun.models import SRID, Load, Parcel, Project, Zone
from mujun.scope import parcel_in_scope, parcel_scope_condition, scope_params

BBox = tuple[float, float, float, float]
GEOJSON_DECIMALS = 7  # about 1 cm: enough for a cadastral outline on a web map


PARCEL_ZONE = (
    select(Zone.name.label("zone_name"), Zone.zone_class, Zone.jurisdiction)
    .where(Zone.zone_code == Parcel.zone_code)
    .limit(1)
    .lateral("parcel_zone")
)
"""The parcel's own zone, looked up by its key for each parcel. As a plain join, a cached (generic) plan
for a click hashes every zone on each call: 3,000 zones cost more than the lookup itself."""


def record_select() -> Select:
    envelope = func.ST_Envelope(Parcel.geom)
    return (
        select(
            Parcel.parcel_code, Parcel.project_code, Project.name.label("project_name"), Project.enterprise,
            Project.industry, Project.project_type, Project.stage, Project.level, Parcel.zone_code,
            PARCEL_ZONE.c.zone_name, PARCEL_ZONE.c.zone_class, PARCEL_ZONE.c.jurisdiction, Parcel.area_m2,
            Parcel.recorded_area_m2, Parcel.area_mu, Parcel.project_area_mu, Parcel.parcel_count,
            Project.total_investment_wan, Parcel.intensity_wan_per_mu, Parcel.threshold_wan_per_mu,
            Parcel.ratio, Parcel.status, Parcel.band, Parcel.shortfall_wan, Parcel.flags,
            func.ST_XMin(envelope).label("xmin"), func.ST_YMin(envelope).label("ymin"),
            func.ST_XMax(envelope).label("xmax"), func.ST_YMax(envelope).label("ymax"),
        )
        .select_from(Parcel)
        .outerjoin(Project, Project.project_code == Parcel.project_code)
        .outerjoin(PARCEL_ZONE, true())
    )


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


_NOT_IN_RECORD = frozenset(("xmin", "ymin", "xmax", "ymax", "geojson"))


def parcel_record(row: RowMapping | Mapping[str, Any]) -> dict[str, Any]:
    """The parcel record of DESIGN.md, with the project and zone fields the page shows beside it."""
    record = {key: float(value) if type(value) is Decimal else value
              for key, value in row.items() if key not in _NOT_IN_RECORD}
    record["flags"] = list(row["flags"] or [])
    record["bbox"] = [row["xmin"], row["ymin"], row["xmax"], row["ymax"]]
    return record


def parcel_by_code(conn: Connection, access: Access, parcel_code: str) -> dict[str, Any] | None:
    """The parcel's record; None when there is none, or it lies outside the caller's districts."""
    row = conn.execute(record_select().where(Parcel.parcel_code == parcel_code, *parcel_in_scope(access))).mappings().first()
    return parcel_record(row) if row else None


def _at_point(scoped: bool) -> Select:
    return (
        record_select()
        .where(func.ST_Intersects(Parcel.geom, func.ST_SetSRID(
            func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), SRID)))
        .where(*[parcel_scope_condition()] if scoped else [])
        .order_by(Parcel.area_m2)  # smallest first: a nested parcel before its host
    )


def for_psycopg(query: Select) -> tuple[str, dict[str, Any]]:
    """A query as psycopg's SQL and parameters: for COPY, the async pool, and big reads the ORM would slow."""
    compiled = query.compile(dialect=postgresql.psycopg.dialect(), compile_kwargs={"render_postcompile": True})
    return str(compiled), dict(compiled.params)


def fetch_dicts(conn: Connection, query: Select) -> list[dict[str, Any]]:
    """Every row of `query` as a dict, straight from psycopg (numerics as Decimal, arrays as lists)."""
    statement, parameters = for_psycopg(query)
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        cursor.execute(statement, parameters)
        keys = [column.name for column in cursor.description or ()]
        return [dict(zip(keys, row, strict=True)) for row in cursor]


_AT_POINT = {scoped: for_psycopg(_at_point(scoped)) for scoped in (False, True)}
"""The click lookup as plain SQL for psycopg, unscoped and scoped, built once; `at_point` fills it."""


def at_point(access: Access, lon: float, lat: float) -> tuple[str, dict[str, Any]]:
    """The click lookup's statement and parameters for `access`."""
    statement, params = _AT_POINT[access.scoped]
    return statement, {**params, "lon": lon, "lat": lat, **scope_params(access)}


def parcels_at(conn: Connection, access: Access, lon: float, lat: float) -> list[dict[str, Any]]:
    """Parcels containing the point (lon/lat, CGCS2000), smallest first (a nested parcel before its host)."""
    statement, params = at_point(access, lon, lat)
    return [parcel_record(row) for row in conn.exec_driver_sql(statement, params).mappings()]


async def parcels_at_async(conn: AsyncConnection[dict[str, Any]], access: Access, lon: float, lat: float) -> list[dict[str, Any]]:
    """`parcels_at` on the async pool (the map's click): the same statement, with no ORM on the way."""
    cursor = await conn.execute(*at_point(access, lon, lat))
    return [parcel_record(row) for row in await cursor.fetchall()]


def _envelope(bbox: BBox) -> Any:
    return cast(func.ST_MakeEnvelope(*bbox, SRID), Geometry("POLYGON", srid=SRID))


def _feature_collection(features: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    truncated = len(features) > limit
    return {"type": "FeatureCollection", "features": features[:limit], "truncated": truncated}


def parcel_features(conn: Connection, access: Access, bbox: BBox, limit: int) -> dict[str, Any]:
    query = (
        record_select()
        .add_columns(func.ST_AsGeoJSON(Parcel.geom, GEOJSON_DECIMALS).label("geojson"))
        .where(func.ST_Intersects(Parcel.geom, _envelope(bbox)), *parcel_in_scope(access))
        .order_by(Parcel.parcel_code)
        .limit(limit + 1)
    )
    features = [
        {"type": "Feature", "id": row["parcel_code"], "geometry": json.loads(row["geojson"]),
         "properties": parcel_record(row)}
        for row in conn.execute(query).mappings()
    ]
    return _feature_collection(features, limit)


def zone_select(columns: Sequence[str]) -> Select:
    """Zones with the given columns and their geometry as GeoJSON: what `zone_feature` makes a feature of."""
    return select(*(Zone.__table__.c[name] for name in columns), func.ST_AsGeoJSON(Zone.geom, GEOJSON_DECIMALS).label("geojson"))


def zone_feature(row: RowMapping, columns: Sequence[str]) -> dict[str, Any]:
    return {"type": "Feature", "id": row["zone_code"], "geometry": json.loads(row["geojson"]),
            "properties": {name: _number(row[name]) for name in columns}}


def zone_features(conn: Connection, layer: Layer, bbox: BBox, limit: int) -> dict[str, Any]:
    columns: Sequence[str] = layer.properties if isinstance(layer.properties, list) else []
    query = zone_select(columns).where(func.ST_Intersects(Zone.geom, _envelope(bbox))).order_by(Zone.area_m2.desc()).limit(limit + 1)
    return _feature_collection([zone_feature(row, columns) for row in conn.execute(query).mappings()], limit)


def data_extent(conn: Connection) -> BBox | None:
    """The extent of all zones and parcels (lon/lat), for the map's first view."""
    extent = func.ST_Extent(Zone.geom)
    row = conn.execute(select(func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent),
                              func.ST_YMax(extent))).first()
    if row is None or row[0] is None:
        row = conn.execute(select(func.ST_XMin(func.ST_Extent(Parcel.geom)), func.ST_YMin(func.ST_Extent(Parcel.geom)),
                                  func.ST_XMax(func.ST_Extent(Parcel.geom)),
                                  func.ST_YMax(func.ST_Extent(Parcel.geom)))).first()
    if row is None or row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def data_date(conn: Connection) -> datetime | None:
    """When the data shown were last loaded (the latest load's end): the date a printed map says it shows."""
    return conn.execute(select(func.max(func.coalesce(Load.finished_at, Load.started_at)))).scalar()
