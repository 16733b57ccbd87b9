"""The feature collections published through OGC API - Features: zones, parcels and projects.

Each collection's items are GeoJSON (RFC 7946, CRS84) built by PostgreSQL itself, one text per feature, so
a page of a hundred features costs one query and no geometry parsing in Python. Column names come from
the collection definitions below, checked against the models and quoted; every value is a bound
parameter. CGCS2000 (EPSG:4490) is written as CRS84 (the difference is centimetres, DOMAIN.md).

Parcels and projects are those of the caller's districts (`mujun.scope`); zones are context, the same for all.
A collection's extent is the planner's estimate for the whole table, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import tuple_row
from sqlalchemy import Integer, Numeric

from mujun.access import Access
from mujun.models import Base
from mujun.scope import parcel_in_scope_sql, project_in_scope_sql, scope_params

GEOJSON_DECIMALS = 7  # about 1 cm
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Collection:
    id: str
    title_zh: str
    title_en: str
    table: str
    key: str
    properties: tuple[str, ...]
    queryables: tuple[str, ...]
    """Properties a request may filter on by equality (`?status=below`)."""
    count_always: bool
    """A small table: `numberMatched` on every page. Otherwise only where it costs nothing (the last page)."""


COLLECTIONS = {
    "zones": Collection("zones", "开发园区", "Development zones", "zones", "zone_code",
                        ("zone_code", "name", "zone_class", "jurisdiction", "area_m2"),
                        ("zone_code", "zone_class", "jurisdiction"), True),
    "parcels": Collection("parcels", "项目宗地", "Project parcels", "parcels", "parcel_code",
                          ("parcel_code", "project_code", "zone_code", "land_use", "area_m2", "recorded_area_m2", "area_mu",
                           "intensity_wan_per_mu", "threshold_wan_per_mu", "ratio", "status", "band", "shortfall_wan"),
                          ("project_code", "zone_code", "status", "band", "land_use"), False),
    "projects": Collection("projects", "项目", "Projects (a point on the land of their parcels)", "projects", "project_code",
                           ("project_code", "name", "enterprise", "industry", "project_type", "total_investment_wan",
                            "currency", "stage", "level"),
                           ("project_type", "stage", "industry", "level"), False),
}


def property_type(collection: Collection, name: str) -> str:
    """The JSON Schema type of a property."""
    column_type = Base.metadata.tables[collection.table].c[name].type
    return "integer" if isinstance(column_type, Integer) else "number" if isinstance(column_type, Numeric) else "string"


def _geometry(collection: Collection) -> sql.Composable:
    if collection.table == "projects":
        # A project has no geometry of its own: a point on the union of its parcels (none without parcels).
        return sql.SQL("(SELECT ST_PointOnSurface(ST_Union(p.geom)) FROM parcels p WHERE p.project_code = t.project_code)")
    return sql.SQL("t.geom")


def _in_bbox(collection: Collection) -> sql.Composable:
    envelope = "ST_MakeEnvelope(%(xmin)s, %(ymin)s, %(xmax)s, %(ymax)s, 4490)"
    if collection.table == "projects":
        return sql.SQL(" AND t.project_code IN (SELECT p.project_code FROM parcels p WHERE ST_Intersects(p.geom, " + envelope + "))")
    return sql.SQL(" AND ST_Intersects(t.geom, " + envelope + ")")


def _in_scope(collection: Collection, scoped: bool) -> list[sql.Composable]:
    if not scoped or collection.table == "zones":
        return []
    return [parcel_in_scope_sql("t") if collection.table == "parcels" else project_in_scope_sql("t")]


def _where(collection: Collection, with_bbox: bool, filters: tuple[str, ...], scoped: bool) -> sql.Composable:
    parts: list[sql.Composable] = [sql.SQL("WHERE true")]
    if with_bbox:
        parts.append(_in_bbox(collection))
    parts += [sql.SQL(" AND {} = {}").format(sql.Identifier("t", name), sql.Placeholder(f"q_{name}")) for name in filters]
    return sql.Composed(parts + _in_scope(collection, scoped))


@lru_cache(maxsize=128)
def items_sql(collection_id: str, with_bbox: bool, filters: tuple[str, ...], scoped: bool, by_key: bool = False) -> sql.Composed:
    """One GeoJSON Feature (text) per row, in a stable order, `limit` + 1 rows from `offset` (the extra one: is there a next page)."""
    collection = COLLECTIONS[collection_id]
    table = Base.metadata.tables[collection.table]
    pairs = sql.SQL(", ").join(
        sql.SQL("{}, {}").format(sql.Literal(name), sql.Identifier("t", name)) for name in collection.properties if name in table.c)
    where = (sql.Composed([sql.SQL("WHERE {} = %(key)s").format(sql.Identifier("t", collection.key)), *_in_scope(collection, scoped)])
             if by_key else _where(collection, with_bbox, filters, scoped))
    return sql.SQL(
        "SELECT json_build_object('type', 'Feature', 'id', {key}, 'geometry', ST_AsGeoJSON({geom}, {decimals}, 0)::json, "
        "'properties', json_build_object({pairs}))::text FROM {table} t {where} ORDER BY t.id LIMIT %(limit)s OFFSET %(offset)s"
    ).format(key=sql.Identifier("t", collection.key), geom=_geometry(collection), decimals=sql.Literal(GEOJSON_DECIMALS),
             pairs=pairs, table=sql.Identifier(collection.table), where=where)


@lru_cache(maxsize=128)
def count_sql(collection_id: str, with_bbox: bool, filters: tuple[str, ...], scoped: bool) -> sql.Composed:
    collection = COLLECTIONS[collection_id]
    return sql.SQL("SELECT count(*) FROM {} t {}").format(sql.Identifier(collection.table), _where(collection, with_bbox, filters, scoped))


@dataclass(frozen=True)
class ItemsPage:
    features: list[str]
    """Each feature as GeoJSON text."""
    has_next: bool
    number_matched: int | None


async def items(conn: AsyncConnection[Any], access: Access, collection: Collection, bbox: BBox | None, filters: dict[str, str],
                limit: int, offset: int) -> ItemsPage:
    names = tuple(sorted(filters))
    scoped = access.scoped
    params: dict[str, Any] = {"limit": limit + 1, "offset": offset, **{f"q_{name}": filters[name] for name in names},
                              **scope_params(access)}
    if bbox:
        params |= dict(zip(("xmin", "ymin", "xmax", "ymax"), bbox, strict=True))
    async with conn.cursor(row_factory=tuple_row) as cursor:
        await cursor.execute(items_sql(collection.id, bbox is not None, names, scoped), params, prepare=True)
        rows = [row[0] for row in await cursor.fetchall()]
        has_next = len(rows) > limit
        matched = None if has_next else offset + len(rows)
        if collection.count_always and (has_next or not rows):
            await cursor.execute(count_sql(collection.id, bbox is not None, names, scoped), params)
            counted = await cursor.fetchone()
            matched = int(counted[0]) if counted else None
    return ItemsPage(rows[:limit], has_next, matched)


async def item(conn: AsyncConnection[Any], access: Access, collection: Collection, feature_id: str) -> str | None:
    """One feature by its code; None when there is none, or it lies outside the caller's districts."""
    async with conn.cursor(row_factory=tuple_row) as cursor:
        await cursor.execute(items_sql(collection.id, False, (), access.scoped, by_key=True),
                             {"key": feature_id, "limit": 1, "offset": 0, **scope_params(access)})
        row = await cursor.fetchone()
    return str(row[0]) if row else None


async def extent(conn: AsyncConnection[Any], collection: Collection) -> list[float] | None:
    """The planner's estimate of the extent (no scan of a million rows); projects take their parcels'."""
    table = "parcels" if collection.table == "projects" else collection.table
    async with conn.cursor(row_factory=tuple_row) as cursor:
        await cursor.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                             "(SELECT coalesce(ST_EstimatedExtent(%s, 'geom'), (SELECT ST_Extent(geom) FROM zones)) AS e) x", [table])
        row = await cursor.fetchone()
    return [float(v) for v in row] if row and row[0] is not None else None
