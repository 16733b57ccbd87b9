"""Vector tiles (Mapbox Vector Tiles) built in PostGIS: `ST_TileEnvelope` → `ST_AsMVTGeom` → `ST_AsMVT`.

What a tile holds comes from the catalogue (`Layer.tiles`): the properties, the zoom range, the
simplification and the caps. Names in SQL come only from there, checked against the table's columns and
quoted; z/x/y, filter values and caps are bound parameters. Each statement is composed once per layer and
set of filters in use, then reused.

Geometries are stored in CGCS2000 (EPSG:4490). For the web map CGCS2000 is taken as WGS84 (the difference
is centimetres, DOMAIN.md), so they are relabelled 4326 and projected to Web Mercator (3857) without a
datum shift; the tile's envelope goes the other way to select rows with the GiST index.

Parcel tiles, and the zone summaries' counts, hold only the caller's districts (`mujun.scope`); zone outlines
are context and the same for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import tuple_row
from sqlalchemy import Numeric, Table

from layers.catalogue import Layer, TileSettings, load_catalogue
from layers.violations import ProjectFilters, bad_filter
from mujun.access import Access
from mujun.errors import MujunError, NotFound
from mujun.models import Base
from mujun.policy import ZONE_CLASSES
from mujun.rules import STAGES, Band, Status
from mujun.scope import parcel_in_scope_sql, scope_params

EXTENT = 4096
"""Tile units to a tile's side (the MVT default)."""
BUFFER = 64
"""Tile units kept beyond each edge, so outlines do not stop short at tile seams."""
WEB_MERCATOR_WORLD_M = 40075016.685578488
SUMMARY_BANDS = tuple(band.value for band in Band)


@dataclass(frozen=True)
class MapFilters(ProjectFilters):
    """The map's filters, named and meant as the violation report's: the project filters (its zone is the one it
    is held against, `assessed_zone_code`), then the parcel's band and status, any status by default."""

    band: tuple[str, ...] = ()
    status: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        allowed = {"zone_class": ZONE_CLASSES, "stage": STAGES, "band": SUMMARY_BANDS,
                   "status": tuple(status.value for status in Status)}
        for name, values in allowed.items():
            for value in getattr(self, name):
                if value not in values:
                    raise bad_filter(name, value, values)

    def in_use(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if getattr(self, f.name))

    def key(self) -> str:
        """A canonical text of the filters in use, for cache keys and ETags."""
        return "&".join(f"{name}={','.join(sorted(getattr(self, name)))}" for name in self.in_use())

    def params(self) -> dict[str, list[str]]:
        return {f"f_{name}": list(getattr(self, name)) for name in self.in_use()}


# Where each filter looks, on `parcels t` joined to its project `pr` and its held zone `hz`.
_FILTER_COLUMNS = {
    "jurisdiction": ("hz", "jurisdiction"), "zone": ("t", "assessed_zone_code"), "zone_class": ("hz", "zone_class"),
    "stage": ("pr", "stage"), "industry": ("pr", "industry"), "level": ("pr", "level"),
    "band": ("t", "band"), "status": ("t", "status"),
}
_JOINS = {
    "pr": sql.SQL(" LEFT JOIN projects pr ON pr.project_code = t.project_code"),
    "hz": sql.SQL(" LEFT JOIN zones hz ON hz.zone_code = t.assessed_zone_code"),
}


def filter_conditions(in_use: tuple[str, ...], scoped: bool = False) -> sql.Composed:
    """The `AND …` conditions for the filters in use and, when `scoped`, the caller's districts (`%(scope)s`), on
    `parcels t`, its project `pr` and the zone it is held against `hz` (the land lists, `layers.land`, join both
    themselves)."""
    return sql.Composed([
        *(sql.SQL(" AND {} = ANY({})").format(sql.Identifier(*_FILTER_COLUMNS[name]), sql.Placeholder(f"f_{name}"))
          for name in in_use),
        *([parcel_in_scope_sql("t")] if scoped else []),
    ])


def _parcel_filters(in_use: tuple[str, ...], scoped: bool) -> tuple[sql.Composable, sql.Composable]:
    """The joins and the `AND …` conditions for the filters in use and the caller's districts, on `parcels t`."""
    aliases = sorted({_FILTER_COLUMNS[name][0] for name in in_use} - {"t"})
    joins = sql.Composed([_JOINS[alias] for alias in aliases])
    return joins, filter_conditions(in_use, scoped)


def _table(layer: Layer) -> Table:
    table = Base.metadata.tables.get(layer.table)
    if table is None:
        raise ValueError(f"catalogue layer {layer.id}: no table {layer.table}")
    return table


def _columns(layer: Layer, settings: TileSettings) -> sql.Composable:
    """The tile's properties: catalogue names checked against the table, quoted; numbers as float8 (MVT doubles)."""
    table = _table(layer)
    selected = []
    for name in settings.properties:
        if name not in table.c:
            raise ValueError(f"catalogue layer {layer.id}: {layer.table} has no column {name}")
        column = sql.Identifier("t", name)
        cast = sql.SQL("::float8") if isinstance(table.c[name].type, Numeric) else sql.SQL("")
        selected.append(sql.SQL("{}{} AS {}").format(column, cast, sql.Identifier(name)))
    return sql.SQL(", ").join(selected)


_BOUNDS = sql.SQL(
    "WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile, "
    "ST_SetSRID(ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326), 4490) AS area)"
)
_MVT_GEOM = "ST_AsMVTGeom(ST_Simplify(ST_Transform(ST_SetSRID({}, 4326), 3857), %(tolerance)s, true), bounds.tile, %(extent)s, %(buffer)s, true)"


@lru_cache(maxsize=256)
def feature_tile_sql(layer_id: str, in_use: tuple[str, ...], scoped: bool) -> sql.Composed:
    """One layer's features in one tile, the largest first, at most `cap`; returns (mvt, rows before the cap)."""
    layer = load_catalogue().get(layer_id)
    assert layer is not None and layer.tiles is not None
    joins, conditions = _parcel_filters(in_use, scoped) if layer.table == "parcels" else (sql.SQL(""), sql.SQL(""))
    return sql.SQL(
        "{bounds}, rows AS ("
        "SELECT " + _MVT_GEOM + " AS geom, {columns} "
        "FROM {table} t{joins}, bounds "
        "WHERE t.geom && bounds.area{conditions} "
        "ORDER BY t.area_m2 DESC, t.id LIMIT %(cap)s + 1) "
        "SELECT (SELECT ST_AsMVT(r, %(layer)s, %(extent)s, 'geom') FROM "
        "(SELECT * FROM rows WHERE geom IS NOT NULL LIMIT %(cap)s) r) AS mvt, (SELECT count(*) FROM rows) AS candidates"
    ).format(sql.Identifier("t", "geom"), bounds=_BOUNDS, columns=_columns(layer, layer.tiles),
             table=sql.Identifier(layer.table), joins=joins, conditions=conditions)


@lru_cache(maxsize=64)
def summary_tile_sql(in_use: tuple[str, ...], scoped: bool) -> sql.Composed:
    """One point per zone in the tile (on its surface), with its parcels counted by band under the filters (a zone with
    none of the caller's parcels has no point)."""
    joins, conditions = _parcel_filters(in_use, scoped)
    counts = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE t.band = {}) AS {}").format(sql.Literal(band), sql.Identifier(band))
        for band in SUMMARY_BANDS)
    return sql.SQL(
        "{bounds}, zs AS (SELECT z.zone_code, z.name, z.zone_class, z.jurisdiction, ST_PointOnSurface(z.geom) AS point "
        "FROM zones z, bounds WHERE z.geom && bounds.area), "
        "counts AS (SELECT t.zone_code, count(*) AS parcels, {counts} FROM parcels t{joins} "
        "WHERE t.zone_code IN (SELECT zone_code FROM zs){conditions} GROUP BY t.zone_code), "
        "rows AS (SELECT " + _MVT_GEOM + " AS geom, zs.zone_code, zs.name, zs.zone_class, zs.jurisdiction, "
        "c.parcels, {bands} FROM zs JOIN counts c USING (zone_code), bounds "
        "ORDER BY c.parcels DESC, zs.zone_code LIMIT %(cap)s + 1) "
        "SELECT (SELECT ST_AsMVT(r, %(layer)s, %(extent)s, 'geom') FROM "
        "(SELECT * FROM rows WHERE geom IS NOT NULL LIMIT %(cap)s) r) AS mvt, (SELECT count(*) FROM rows) AS candidates"
    ).format(sql.Identifier("zs", "point"), bounds=_BOUNDS, counts=counts, joins=joins, conditions=conditions,
             bands=sql.SQL(", ").join(sql.Identifier("c", band) for band in SUMMARY_BANDS))


@dataclass(frozen=True)
class TileQuery:
    """One tile of one layer: the statement, its parameters and the MVT layer name it writes."""

    statement: sql.Composed
    params: dict[str, Any]
    mvt_layer: str
    max_features: int
    max_bytes: int


def tile_query(layer: Layer, z: int, x: int, y: int, filters: MapFilters, access: Access) -> TileQuery:
    """The query for a tile, for the caller's districts; 404 outside the layer's zooms or the tile grid."""
    settings = layer.tiles
    if settings is None:
        raise NotFound(f"图层 {layer.id} 没有矢量瓦片", f"layer {layer.id} has no vector tiles", code="no_tiles")
    lowest = 0 if settings.summary_layer else settings.min_zoom
    if not (lowest <= z <= settings.max_zoom and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(f"图层 {layer.id} 没有瓦片 {z}/{x}/{y}（层级 {lowest}–{settings.max_zoom}）",
                       f"layer {layer.id} has no tile {z}/{x}/{y} (zooms {lowest}–{settings.max_zoom})", code="no_tile")
    summary = settings.summary_layer is not None and z < settings.min_zoom
    tile_width_m = WEB_MERCATOR_WORLD_M / 2**z
    params: dict[str, Any] = {
        "z": z, "x": x, "y": y, "margin": BUFFER / EXTENT, "extent": EXTENT, "buffer": BUFFER,
        "tolerance": settings.simplify * tile_width_m / EXTENT, "cap": settings.max_features,
        **filters.params(),
    }
    scoped = access.scoped and layer.table == "parcels"
    if scoped:
        params |= scope_params(access)
    if filters.in_use() and layer.table != "parcels":
        raise MujunError(f"图层 {layer.id} 不支持筛选", f"layer {layer.id} takes no filters", code="invalid_filter", status_code=422)
    if summary:
        assert settings.summary_layer is not None
        return TileQuery(summary_tile_sql(filters.in_use(), scoped), {**params, "layer": settings.summary_layer},
                         settings.summary_layer, settings.max_features, settings.max_bytes)
    return TileQuery(feature_tile_sql(layer.id, filters.in_use(), scoped), {**params, "layer": layer.id}, layer.id,
                     settings.max_features, settings.max_bytes)


@dataclass(frozen=True)
class Tile:
    """A rendered tile: its bytes, how many features it holds, and which cap cut it (`features`, `bytes`)."""

    data: bytes
    features: int
    capped: str | None


async def render_tile(conn: AsyncConnection[Any], query: TileQuery) -> Tile:
    """Run the tile's query; a tile over its byte cap is cut again with half the features (largest kept) until it fits."""
    cap = query.max_features
    capped = None
    while True:
        async with conn.cursor(row_factory=tuple_row) as cursor:
            await cursor.execute(query.statement, {**query.params, "cap": cap}, prepare=True)
            row = await cursor.fetchone()
        assert row is not None
        data, rows = bytes(row[0] or b""), int(row[1])
        if rows > cap:
            capped = capped or "features"
        if len(data) <= query.max_bytes or cap == 1:
            return Tile(data, min(rows, cap), capped)
        cap //= 2
        capped = "bytes"
