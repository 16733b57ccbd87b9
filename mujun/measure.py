"""Measuring on the map as a cadastre measures: lengths and areas in the CGCS2000 Gauss-Krüger plane of the zone
holding the shape's centroid (`mujun.rules`), areas in m², 亩 and 公顷.

1 亩 = 10000/15 m² exactly, 1 公顷 = 10 000 m² = 15 亩 (DOMAIN.md). Lengths and areas are kept to 0.01 (m, m²), as
cadastral areas are; 亩 to 0.01 and 公顷 to 0.0001, rounded half up from the exact figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import shapely
from shapely.errors import GeometryTypeError, ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from mujun import rules
from mujun.errors import MujunError

M2_PER_HA = Decimal(10000)
MU_STEP, HA_STEP = Decimal("0.01"), Decimal("0.0001")
LINES, POLYGONS = ("LineString", "MultiLineString"), ("Polygon", "MultiPolygon")


class MeasureError(MujunError):
    status_code = 422
    code = "invalid_geometry"


@dataclass(frozen=True)
class Measurement:
    """A line's length, or a polygon's area and perimeter, in the Gauss-Krüger plane `gauss_kruger_epsg`."""

    kind: str
    """`length` (a line) or `area` (a polygon)."""
    gauss_kruger_epsg: int
    length_m: Decimal
    """The line's length, or the polygon's perimeter."""
    area_m2: Decimal | None
    area_mu: Decimal | None
    area_ha: Decimal | None


def parse_measured(geojson: dict[str, Any]) -> BaseGeometry:
    """A GeoJSON line or polygon (CRS84) inside China, or a `MeasureError` saying what is wrong."""
    try:
        geometry = shapely.force_2d(shape(geojson))
    except (GeometryTypeError, ShapelyError, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise MeasureError("不是有效的 GeoJSON 几何（需 type 与 coordinates）",
                           f"not a GeoJSON geometry with type and coordinates ({exc})") from exc
    if geometry.geom_type not in LINES + POLYGONS or geometry.is_empty:
        raise MeasureError(f"只能量算线或面（得到 {geometry.geom_type}）",
                           f"only a line or a polygon can be measured (got {geometry.geom_type})")
    minx, miny, maxx, maxy = rules.CHINA_BOUNDS
    bx0, by0, bx1, by1 = geometry.bounds
    if not (minx <= bx0 and bx1 <= maxx and miny <= by0 and by1 <= maxy):
        raise MeasureError("坐标不在中国范围内：应为经纬度（CRS84，经度在前）",
                           "coordinates fall outside China: expected lon/lat (CRS84, longitude first)")
    if geometry.geom_type in POLYGONS and not geometry.is_valid:
        raise MeasureError("面无效（如边自相交），请重新绘制", "the polygon is invalid (e.g. its edges cross): draw it again")
    return geometry


def _step(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def measure(geometry: BaseGeometry) -> Measurement:
    """Length (m) of a line; area (m², 亩, 公顷) and perimeter of a polygon."""
    try:
        epsg = rules.gk_epsg(geometry.centroid.x)
    except ValueError as exc:
        raise MeasureError("不在中国的高斯-克吕格 3 度带内（75°E–135°E）",
                           "outside China's Gauss-Krüger 3-degree zones (75°E–135°E)") from exc
    planar = rules.to_gauss_kruger(geometry, epsg)
    length = rules.planar_m2(shapely.length(planar))  # the same 0.01 rounding, of metres here
    if geometry.geom_type in LINES:
        return Measurement("length", epsg, length, None, None, None)
    area = rules.planar_m2(shapely.area(planar))
    return Measurement("area", epsg, length, area, _step(rules.mu_from_m2(area), MU_STEP), _step(area / M2_PER_HA, HA_STEP))
