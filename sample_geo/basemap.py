"""The sample's offline base map: `basemap.mbtiles`, raster PNG tiles drawn from the sample's own district outlines,
with water and roads invented here (rough, no external data), as a bureau's surveying institute would hand one over.

Water and roads are drawn in metres on the Gauss-Krüger plane and stop 60 m short of the zones and of parcels outside
them, so that no road runs under a parcel. Tiles are XYZ in Web Mercator, stored in MBTiles' TMS rows, z8–z13 (a z13 pixel is about 16 m here:
enough to find one's way; the page enlarges z13 beyond it), each drawn at twice its size and reduced, then kept as a
palette PNG. Deterministic: the same bytes on every run with the same Pillow and SQLite.
"""

from __future__ import annotations

import io
import math
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import shapely
from PIL import Image, ImageDraw
from shapely import affinity
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from layers.shifted_tiles import TILE, world_pixels
from layers.tile_archives import xyz_to_tms_row
from sample_geo.drawing import to_gk, to_ll

MIN_ZOOM, MAX_ZOOM = 8, 13
SCALE = 2  # drawn at twice the size, then reduced: smooth edges
PALETTE_COLOURS = 48
BACKGROUND = (228, 226, 218)  # land beyond the city's districts
LAND = (246, 244, 238)
URBAN = (234, 225, 211)
DISTRICT_EDGE = (160, 152, 140)
WATER = (170, 203, 233)
EXPRESSWAY, EXPRESSWAY_CASING = (247, 190, 110), (204, 140, 62)
ROAD, ROAD_CASING = (255, 255, 255), (200, 194, 184)
ZONE_CLEARANCE_M = 60.0

# (lon, lat) ellipse centres with half-axes in km: 太湖, 滆湖, 长荡湖, 天目湖 (rough places, invented shapes).
LAKES = ((120.26, 31.22, 36.0, 33.0), (119.80, 31.60, 3.5, 7.0), (119.56, 31.615, 4.5, 5.5), (119.44, 31.29, 1.6, 2.4))
# 长江 along the north, 京杭大运河 through the city, and two lesser rivers: (width m, [(lon, lat), …]).
RIVERS = (
    (1800.0, ((119.50, 32.17), (119.80, 32.085), (119.93, 32.095), (120.03, 32.04), (120.14, 31.965), (120.32, 31.95))),
    (80.0, ((119.55, 31.97), (119.70, 31.89), (119.80, 31.838), (119.93, 31.806), (119.975, 31.79), (120.06, 31.775),
            (120.16, 31.722), (120.30, 31.66))),
    (50.0, ((119.56, 31.675), (119.70, 31.735), (119.86, 31.76), (119.93, 31.79))),
    (40.0, ((119.46, 31.40), (119.38, 31.50), (119.30, 31.62))),
)
EXPRESSWAYS = (
    ((119.30, 31.99), (119.62, 31.925), (119.86, 31.862), (120.04, 31.86), (120.30, 31.83)),
    ((119.62, 32.06), (119.61, 31.86), (119.53, 31.62), (119.41, 31.46), (119.25, 31.22)),
    ((119.895, 32.08), (119.935, 31.84), (119.93, 31.62), (120.01, 31.45)),
    ((120.30, 31.58), (119.98, 31.525), (119.66, 31.49), (119.30, 31.36)),
)
ROADS = (
    ((119.48, 31.43), (119.52, 31.60), (119.575, 31.73), (119.53, 31.90)),
    ((119.575, 31.73), (119.75, 31.765), (119.96, 31.785), (120.12, 31.80), (120.21, 31.79)),
    ((119.96, 31.785), (119.975, 31.90), (119.96, 32.02)),
    ((119.96, 31.785), (119.98, 31.62), (120.05, 31.53)),
    ((119.32, 31.36), (119.48, 31.43), (119.68, 31.46), (119.88, 31.52)),
    ((119.84, 31.66), (119.985, 31.69), (120.15, 31.66)),
    ((119.80, 31.94), (119.96, 31.96), (120.10, 31.90)),
)
URBAN_AREAS = ((119.975, 31.79, 4.5, 3.5), (119.575, 31.74, 2.2, 1.8), (119.48, 31.42, 2.2, 1.8))


def _ellipse(lon: float, lat: float, half_x_km: float, half_y_km: float) -> BaseGeometry:
    """An ellipse with a wavy shore (two harmonics phased by its place, so each lake has its own shape)."""
    centre = to_gk(Point(lon, lat))
    turn = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    phase = (lon * 7 + lat * 13) % (2 * np.pi)
    radius = 1000.0 * (1 + 0.09 * np.sin(3 * turn + phase) + 0.05 * np.sin(7 * turn + 2 * phase))
    shore = shapely.Polygon(np.column_stack([radius * np.cos(turn) * half_x_km, radius * np.sin(turn) * half_y_km]))
    return affinity.translate(shore, centre.x, centre.y)


def _line(points: Iterable[tuple[float, float]]) -> BaseGeometry:
    return to_gk(LineString(list(points)))


class Layout:
    """What the base map shows, in Gauss-Krüger metres (lines kept as lines, widened when drawn)."""

    def __init__(self, districts_ll: dict[str, BaseGeometry], zones_ll: dict[str, BaseGeometry], parcels_gk: list[BaseGeometry]) -> None:
        keep_clear = shapely.union_all([*(to_gk(z) for z in zones_ll.values()), *parcels_gk]).buffer(ZONE_CLEARANCE_M)
        self.districts = [to_gk(d) for d in districts_ll.values()]
        self.urban = shapely.union_all([_ellipse(*u) for u in URBAN_AREAS])
        self.water = shapely.union_all([_ellipse(*lake) for lake in LAKES]).difference(keep_clear)
        self.rivers = [(width, _line(points).difference(keep_clear)) for width, points in RIVERS]
        """Rivers as lines with their width in metres, drawn at least a pixel and a bit wide."""
        self.expressways = [_line(p).difference(keep_clear) for p in EXPRESSWAYS]
        self.roads = [_line(p).difference(keep_clear) for p in ROADS]
        self.extent = shapely.union_all(self.districts).buffer(3000).bounds


def _pixel_rings(geometry: BaseGeometry, z: int, x: int, y: int) -> Iterator[tuple[list[tuple[float, float]], bool]]:
    """Each ring (exterior True, hole False) or line of a lon/lat geometry, in the tile's drawing pixels."""
    parts = getattr(geometry, "geoms", [geometry])
    for part in parts:
        if part.is_empty:
            continue
        rings = [(part.exterior, True), *((r, False) for r in part.interiors)] if part.geom_type == "Polygon" else [(part, True)]
        for ring, outer in rings:
            xy = np.asarray(ring.coords)
            px, py = world_pixels(z, xy[:, 0], xy[:, 1])
            yield list(zip(((px - x * TILE) * SCALE).tolist(), ((py - y * TILE) * SCALE).tolist(), strict=True)), outer


def _metres_per_pixel(z: int, lat: float) -> float:
    return 40075016.686 * math.cos(math.radians(lat)) / (TILE << z)


def _fill(draw: ImageDraw.ImageDraw, geometry: BaseGeometry, z: int, x: int, y: int, colour: tuple[int, int, int],
          background: tuple[int, int, int]) -> None:
    for ring, outer in _pixel_rings(geometry, z, x, y):
        if len(ring) >= 3:
            draw.polygon(ring, fill=colour if outer else background)


def _stroke(draw: ImageDraw.ImageDraw, geometry: BaseGeometry, z: int, x: int, y: int, colour: tuple[int, int, int],
            width: float) -> None:
    for ring, _ in _pixel_rings(geometry, z, x, y):
        if len(ring) >= 2:
            draw.line(ring, fill=colour, width=max(1, round(width * SCALE)), joint="curve")


def render_tile(layout: Layout, ll: dict[str, BaseGeometry], z: int, x: int, y: int) -> bytes:
    image = Image.new("RGB", (TILE * SCALE, TILE * SCALE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    lat = float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * (y + 0.5) / (1 << z))))))
    metre = 1 / _metres_per_pixel(z, lat)
    for district in ll["districts"].geoms:
        _fill(draw, district, z, x, y, LAND, BACKGROUND)
    _fill(draw, ll["urban"], z, x, y, URBAN, LAND)
    _fill(draw, ll["water"], z, x, y, WATER, LAND)
    for width, line in ll["rivers"]:
        _stroke(draw, line, z, x, y, WATER, max(1.2, width * metre))
    for district in ll["districts"].geoms:
        _stroke(draw, district.boundary, z, x, y, DISTRICT_EDGE, 1.0 if z < 11 else 1.5)
    if z >= 12:  # roads as streets, white with a casing
        road = min(5.0, 18 * metre)
        for line in ll["roads"].geoms:
            _stroke(draw, line, z, x, y, ROAD_CASING, road + 1.2)
        for line in ll["roads"].geoms:
            _stroke(draw, line, z, x, y, ROAD, road)
    elif z >= 9:  # too narrow for white: a thin line
        for line in ll["roads"].geoms:
            _stroke(draw, line, z, x, y, ROAD_CASING, 1.0)
    expressway = max(1.2, min(7.0, 30 * metre))
    for line in ll["expressways"].geoms:
        _stroke(draw, line, z, x, y, EXPRESSWAY_CASING, expressway + 1.4)
    for line in ll["expressways"].geoms:
        _stroke(draw, line, z, x, y, EXPRESSWAY, expressway)
    reduced = image.resize((TILE, TILE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    reduced.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def tiles_covering(bounds: tuple[float, float, float, float], z: int) -> Iterator[tuple[int, int]]:
    west, south, east, north = bounds
    (x0, x1), (y1, y0) = (np.floor(v / TILE).astype(int) for v in world_pixels(z, np.array([west, east]), np.array([south, north])))
    for x in range(int(x0), int(x1) + 1):
        for y in range(int(y0), int(y1) + 1):
            yield x, y


def write_mbtiles(path: Path, districts_ll: dict[str, BaseGeometry], zones_ll: dict[str, BaseGeometry],
                  parcels_gk: list[BaseGeometry]) -> int:
    """Draw the base map and write it as MBTiles at `path`; the number of tiles."""
    layout = Layout(districts_ll, zones_ll, parcels_gk)
    ll = {"districts": shapely.GeometryCollection([to_ll(d) for d in layout.districts]),
          "urban": to_ll(layout.urban), "water": to_ll(layout.water), "rivers": [(w, to_ll(r)) for w, r in layout.rivers],
          "roads": shapely.GeometryCollection([to_ll(r) for r in layout.roads]),
          "expressways": shapely.GeometryCollection([to_ll(r) for r in layout.expressways])}
    bounds = tuple(to_ll(shapely.box(*layout.extent)).bounds)
    path.unlink(missing_ok=True)
    count = 0
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        west, south, east, north = bounds
        metadata = {
            "name": "Changzhou sample base map", "format": "png", "type": "baselayer", "version": "1",
            "minzoom": str(MIN_ZOOM), "maxzoom": str(MAX_ZOOM), "bounds": f"{west:.4f},{south:.4f},{east:.4f},{north:.4f}",
            "center": f"{(west + east) / 2:.4f},{(south + north) / 2:.4f},10",
            "attribution": "示例底图：区界取自示例数据，水系与道路为虚构",
            "description": "Made by sample_geo/generate.py from the sample's district outlines; water and roads invented.",
        }
        db.executemany("INSERT INTO metadata VALUES (?, ?)", sorted(metadata.items()))
        for z in range(MIN_ZOOM, MAX_ZOOM + 1):
            rows = [(z, x, xyz_to_tms_row(z, y), render_tile(layout, ll, z, x, y)) for x, y in tiles_covering(bounds, z)]
            db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
            count += len(rows)
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")
    return count
