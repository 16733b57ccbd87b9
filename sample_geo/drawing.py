"""Drawing in metres: outlines, street blocks and parcels on the Gauss-Krüger plane, and the way to lon/lat.

All of Changzhou (119.1°E–120.2°E) lies in the CGCS2000 3-degree zone of CM 120°E (EPSG:4549), so one
plane serves every shape; `mujun.rules` gives the zone and the projection.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from mujun import rules

EPSG_GK = rules.gk_epsg(119.9)  # CM 120°E (EPSG:4549) holds all of Changzhou, 119.1°E–120.2°E
TO_LL = Transformer.from_crs(EPSG_GK, rules.GEOGRAPHIC_SRID, always_xy=True)
M2_PER_MU = float(rules.M2_PER_MU_NUMERATOR / rules.M2_PER_MU_DENOMINATOR)  # for drawing; areas that count use rules
Pt = tuple[float, float]  # Gauss-Krüger easting, northing (m)


def to_ll(geometry: Any) -> Any:
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_LL.transform(xy[:, 0], xy[:, 1])))


def to_gk(geometry: Any) -> Any:
    return rules.to_gauss_kruger(geometry, EPSG_GK)


def blob(rng: random.Random, lon: float, lat: float, radius_km: float) -> Polygon:
    """An irregular star-shaped outline of about `radius_km`, in Gauss-Krüger metres."""
    centre = to_gk(Point(lon, lat))
    n = rng.randint(9, 13)
    angles = [2 * math.pi * (i + rng.uniform(-0.3, 0.3)) / n for i in range(n)]
    radii = [radius_km * 1000 * rng.uniform(0.75, 1.15) for _ in angles]
    points = [(centre.x + r * math.cos(a), centre.y + r * math.sin(a)) for a, r in zip(angles, radii, strict=True)]
    return Polygon(points)


def lerp(a: Pt, b: Pt, t: float) -> Pt:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def subdivide(rng: random.Random, quad: list[Pt], out: list[list[Pt]]) -> None:
    """Cut a block into parcels of 5–200 亩 across its longer side, with slightly slanted cuts."""
    area_mu = Polygon(quad).area / M2_PER_MU
    if area_mu <= 200 and (area_mu < 20 or rng.random() > min(0.85, area_mu / 80)):
        out.append(quad)
        return
    p0, p1, p2, p3 = quad if math.dist(quad[0], quad[1]) >= math.dist(quad[1], quad[2]) else quad[1:] + quad[:1]
    t, slant = rng.uniform(0.35, 0.65), rng.uniform(-0.05, 0.05)
    a, b = lerp(p0, p1, t + slant), lerp(p3, p2, t - slant)
    subdivide(rng, [p0, a, b, p3], out)
    subdivide(rng, [a, p1, p2, b], out)


def node(quads: Sequence[list[Pt]]) -> list[Polygon]:
    """Insert each neighbour's corner lying on an edge into that edge, so that shared borders have the same
    vertices: a T-junction would turn into a sliver overlap once projected to lon/lat."""
    corners = {p for q in quads for p in q}
    polygons = []
    for quad in quads:
        ring: list[Pt] = []
        for a, b in zip(quad, quad[1:] + quad[:1], strict=True):
            dx, dy, length = b[0] - a[0], b[1] - a[1], math.dist(a, b)
            ring.append(a)
            ring.extend(sorted((p for p in corners if 0 < (p[0] - a[0]) * dx + (p[1] - a[1]) * dy < length**2 - 1e-6
                                and abs(dx * (p[1] - a[1]) - dy * (p[0] - a[0])) < 1e-6 * length),
                               key=lambda p: math.dist(a, p)))
        polygons.append(Polygon(ring))
    return polygons


def rectangle(rng: random.Random, centre: Pt, width: float, depth: float, angle: float) -> Polygon:
    """A rotated rectangle with corners moved by up to 4 m: a slightly irregular quadrilateral."""
    c, s = math.cos(angle), math.sin(angle)
    corners = [(-width / 2, -depth / 2), (width / 2, -depth / 2), (width / 2, depth / 2), (-width / 2, depth / 2)]
    return Polygon([(centre[0] + u * c - v * s + rng.uniform(-4, 4), centre[1] + u * s + v * c + rng.uniform(-4, 4))
                    for u, v in corners])


def block_grid(rng: random.Random, zone: BaseGeometry, small: bool) -> list[list[Pt]]:
    """Blocks (bw × bh m, 24 m roads between) on a street grid turned by a random angle over the zone."""
    bw, bh = (rng.uniform(200, 260), rng.uniform(150, 200)) if small else (rng.uniform(280, 420), rng.uniform(200, 300))
    angle = rng.uniform(-math.pi / 6, math.pi / 6)
    c, s, cx, cy = math.cos(angle), math.sin(angle), zone.centroid.x, zone.centroid.y
    reach = math.dist(zone.bounds[:2], zone.bounds[2:])
    blocks = []
    for i in range(-int(reach / (bw + 24)), int(reach / (bw + 24))):
        for j in range(-int(reach / (bh + 24)), int(reach / (bh + 24))):
            u, v = i * (bw + 24), j * (bh + 24)
            local = [(u, v), (u + bw, v), (u + bw, v + bh), (u, v + bh)]
            blocks.append([(cx + x * c - y * s, cy + x * s + y * c) for x, y in local])
    return blocks

