"""Sample constraint layers (三区三线) for Changzhou, made up around the sample zones: writes constraints.geojson.

Deterministic (random.Random(2022), no network), the same bytes on every run. From the project root:
`python -m sample_geo.constraints`. It reads `zones.geojson` and draws, on the Gauss-Krüger plane of
CM 120°E:
- 生态保护红线: three lake areas, rough ellipses where 滆湖, 长荡湖 and 天目湖 lie, clear of every zone;
- 永久基本农田: patches around each outer zone, most of them 150–600 m outside it, one in five over its edge;
- 城镇开发边界: the zones and 600 m around them, and the old city, less the farmland and the red line
  (the three lines of 三区三线 do not overlap), one feature per connected part.
Fields `约束编码`, `约束类型` (in Chinese), and `名称`, `所属辖区` kept as attributes. Not official data.
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

if __package__ in (None, ""):  # run as a file: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sample_geo.catalogue import REGION
from sample_geo.drawing import to_gk, to_ll

OUT = Path(__file__).resolve().parent
FARMLAND, REDLINE, BOUNDARY = "永久基本农田", "生态保护红线", "城镇开发边界"
# (code, name, jurisdiction, lon, lat, semi-axis east km, semi-axis north km): rough, where the lakes lie.
RED_LINES = (
    ("STHX-320412-01", "滆湖重要湿地生态保护红线", "武进区", 119.812, 31.590, 3.4, 7.5),
    ("STHX-320413-01", "长荡湖重要湿地生态保护红线", "金坛区", 119.565, 31.615, 3.0, 5.0),
    ("STHX-320481-01", "天目湖饮用水水源保护区生态保护红线", "溧阳市", 119.440, 31.305, 1.8, 2.8),
)
OLD_CITY = (119.965, 31.785, 4.0, 3.2)  # the old city of Changzhou: lon, lat, semi-axes east and north (km)
BOUNDARY_MARGIN_M = 600.0
PATCHES_PER_ZONE = 3
OVER_THE_EDGE_EVERY = 5  # one farmland patch in five lies over its zone's edge
MIN_PART_M2 = 10_000.0


def outline(rng: random.Random, centre: Point, east_m: float, north_m: float) -> Polygon:
    """An irregular oval of about the given semi-axes (metres), turned a little."""
    turn, n = rng.uniform(-0.4, 0.4), 24
    points = []
    for i in range(n):
        a = 2 * math.pi * i / n
        r = 1 + 0.12 * math.sin(3 * a + turn * 5) + rng.uniform(-0.04, 0.04)
        x, y = east_m * r * math.cos(a), north_m * r * math.sin(a)
        points.append((centre.x + x * math.cos(turn) - y * math.sin(turn),
                       centre.y + x * math.sin(turn) + y * math.cos(turn)))
    return Polygon(points)


def read_zones() -> list[tuple[dict[str, Any], BaseGeometry]]:
    data = json.loads((OUT / "zones.geojson").read_text(encoding="utf-8"))
    return [(f["properties"], to_gk(shape(f["geometry"]))) for f in data["features"]]


def red_lines(rng: random.Random) -> list[tuple[str, str, str, BaseGeometry]]:
    return [(code, name, jurisdiction, outline(rng, to_gk(Point(lon, lat)), east * 1000, north * 1000))
            for code, name, jurisdiction, lon, lat, east, north in RED_LINES]


def farmland(rng: random.Random, zones: list[tuple[dict[str, Any], BaseGeometry]], taken: BaseGeometry
             ) -> list[tuple[str, str, str, BaseGeometry]]:
    """Patches around the outer zones; `taken` (red line, old city, earlier patches) is cut out of each."""
    patches: list[tuple[str, str, str, BaseGeometry]] = []
    outer = [(props, zone) for props, zone in zones
             if not any(other is not zone and zone.within(other) for _, other in zones)]
    serial: dict[str, int] = {}
    for props, zone in outer:
        centre = zone.centroid
        for k in range(PATCHES_PER_ZONE):
            angle = 2 * math.pi * (k + rng.uniform(0.1, 0.9)) / PATCHES_PER_ZONE
            ray = shapely.LineString([(centre.x, centre.y), (centre.x + 20_000 * math.cos(angle),
                                                             centre.y + 20_000 * math.sin(angle))])
            edge = ray.intersection(zone.boundary)
            edge_point = min(shapely.get_parts(edge), key=lambda p: p.distance(centre))  # nearest crossing
            size = rng.uniform(500, 1100)
            over_the_edge = (len(patches) + 1) % OVER_THE_EDGE_EVERY == 0
            out = size * 0.7 if over_the_edge else size * 1.25 + rng.uniform(150, 600)
            middle = Point(edge_point.x + out * math.cos(angle), edge_point.y + out * math.sin(angle))
            patch = outline(rng, middle, size, size * rng.uniform(0.6, 1.0)).difference(taken)
            if not over_the_edge:
                patch = patch.difference(shapely.union_all([z for _, z in zones]).buffer(150))
            if patch.area < MIN_PART_M2:
                continue
            region = REGION[props["所属辖区"]]
            serial[region] = serial.get(region, 0) + 1
            name = f"{props['园区名称']}周边永久基本农田保护片块{serial[region]}"
            patches.append((f"JBNT-{region}-{serial[region]:03d}", name, props["所属辖区"], patch))
            taken = taken.union(patch)
    return patches


def boundaries(zones: list[tuple[dict[str, Any], BaseGeometry]], old_city: BaseGeometry, taken: BaseGeometry
               ) -> list[tuple[str, str, str, BaseGeometry]]:
    """城镇开发边界: zones and their margin, and the old city, less farmland and red line; one per part."""
    area = shapely.union_all([z.buffer(BOUNDARY_MARGIN_M) for _, z in zones] + [old_city]).difference(taken)
    parts = sorted((p for p in shapely.get_parts(area) if p.area >= MIN_PART_M2),
                   key=lambda p: (-round(p.centroid.y), round(p.centroid.x)))
    out = []
    for i, part in enumerate(parts, start=1):
        holder = max(zones, key=lambda z: z[1].intersection(part).area)[0]
        out.append((f"CZKFBJ-{i:02d}", f"城镇开发边界（{holder['园区名称']}片区）", holder["所属辖区"], part))
    return out


def feature(code: str, kind: str, name: str, jurisdiction: str, geometry_gk: BaseGeometry) -> dict[str, Any]:
    geometry = shapely.set_precision(to_ll(geometry_gk), 1e-7)  # as zones.geojson: 1e-7° ≈ 1 cm
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    assert geometry.is_valid and not geometry.is_empty, code
    return {"type": "Feature",
            "properties": {"约束编码": code, "约束类型": kind, "名称": name, "所属辖区": jurisdiction},
            "geometry": mapping(geometry)}


def main() -> None:
    rng = random.Random(2022)
    zones = read_zones()
    all_zones = shapely.union_all([z for _, z in zones])
    lines = red_lines(rng)
    lon, lat, east_km, north_km = OLD_CITY
    old_city = outline(rng, to_gk(Point(lon, lat)), east_km * 1000, north_km * 1000)
    red = shapely.union_all([g for *_, g in lines])
    assert not red.intersects(all_zones), "a red line overlaps a zone"
    patches = farmland(rng, zones, red.union(old_city))
    taken = red.union(shapely.union_all([g for *_, g in patches]))
    over_the_edge = sum(1 for *_, g in patches if g.intersects(all_zones))
    edges = boundaries(zones, old_city, taken)
    features = ([feature(c, REDLINE, n, j, g) for c, n, j, g in lines]
                + [feature(c, FARMLAND, n, j, g) for c, n, j, g in patches]
                + [feature(c, BOUNDARY, n, j, g) for c, n, j, g in edges])
    collection = {"type": "FeatureCollection", "name": "constraints", "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    (OUT / "constraints.geojson").write_text(text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n",
                                             encoding="utf-8")
    print(f"constraints.geojson: {len(lines)} {REDLINE}, {len(patches)} {FARMLAND} ({over_the_edge} over a zone edge), "
          f"{len(edges)} {BOUNDARY}")


if __name__ == "__main__":
    main()
