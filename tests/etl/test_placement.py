"""Parcels placed in zones from their boxes: each overlap as the geometries themselves give it.

The boxes decide most parcels (no edge of a zone near them: wholly in or wholly out); the rest are
intersected. Whichever way a parcel went, its overlap with each zone must be the area GEOS finds for the
two shapes intersected on the Gauss-Krüger plane, computed here pair by pair for every parcel and zone.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from etl.placement import ZoneSet, parcel_overlaps, zone_overlaps
from mujun import rules
from mujun.policy import load_policy

GK_120E = 4549
ORIGIN = (119.9, 31.7)  # near Changzhou, in zone 40 (120°E)


def _zones() -> ZoneSet:
    x, y = ORIGIN
    ring = shapely.Polygon([(x, y), (x + 0.02, y), (x + 0.02, y + 0.02), (x + 0.01, y + 0.005), (x, y + 0.02)])  # a notch
    holed = shapely.Polygon(shapely.box(x + 0.025, y, x + 0.045, y + 0.02).exterior.coords,
                            [shapely.box(x + 0.03, y + 0.005, x + 0.04, y + 0.015).exterior.coords])
    diagonal = shapely.Polygon([(x, y + 0.025), (x + 0.045, y + 0.03), (x + 0.02, y + 0.045)])
    two = shapely.MultiPolygon([shapely.box(x + 0.05, y, x + 0.06, y + 0.01), shapely.box(x + 0.05, y + 0.02, x + 0.06, y + 0.03)])
    over = shapely.box(x + 0.015, y + 0.01, x + 0.03, y + 0.028)  # over parts of the first three
    shapes = [ring, holed, diagonal, two, over]
    return ZoneSet.of([f"Z{i}" for i in range(len(shapes))], shapes, [1.0] * len(shapes), ["x"] * len(shapes),
                      ["y"] * len(shapes), load_policy("changzhou-2018"))


def _parcels(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x, y = ORIGIN
    corner = rng.uniform((x - 0.005, y - 0.005), (x + 0.065, y + 0.05), (count, 2))
    wide, high, tilt = rng.uniform(0.0003, 0.003, count), rng.uniform(0.0003, 0.003, count), rng.uniform(0, 0.0008, count)
    right, up = np.column_stack((wide, tilt)), np.column_stack((np.zeros(count), high))
    return shapely.polygons(np.stack([corner, corner + right, corner + right + up, corner + up], axis=1))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_overlap_is_the_intersection_of_the_two_shapes(seed: int) -> None:
    zones, parcels = _zones(), _parcels(400, seed)
    bounds, epsg = shapely.bounds(parcels), np.full(len(parcels), GK_120E)
    area = shapely.area(rules.to_gauss_kruger(parcels, GK_120E))
    asked: list[np.ndarray] = []

    def geometries_of(rows: np.ndarray) -> np.ndarray:
        asked.append(rows)
        return parcels[rows]

    parcel, zone, overlap = zone_overlaps(bounds, geometries_of, epsg, area, zones)
    found = {(int(p), int(z)): o for p, z, o in zip(parcel, zone, overlap, strict=True) if o > 0}
    planar_zones = rules.to_gauss_kruger(zones.lonlat, GK_120E)
    expected = {}
    for p in range(len(parcels)):
        for z in range(len(zones)):
            common = shapely.area(shapely.intersection(rules.to_gauss_kruger(parcels[p], GK_120E), planar_zones[z]))
            if common > 0:
                expected[(p, z)] = common
    assert found.keys() == expected.keys()
    assert all(found[k] == pytest.approx(expected[k], rel=1e-9, abs=1e-6) for k in expected)
    # most parcels were placed from their boxes alone: only those near an edge became geometries
    assert 0 < len(np.unique(np.concatenate(asked))) < len(parcels) // 2


def test_parcels_whose_boxes_meet_are_compared_and_only_overlaps_reported() -> None:
    x, y = ORIGIN
    parcels = np.array([shapely.box(x, y, x + 0.002, y + 0.002),
                        shapely.box(x + 0.001, y + 0.001, x + 0.003, y + 0.003),  # overlaps the first
                        shapely.Polygon([(x + 0.0021, y), (x + 0.004, y), (x + 0.004, y + 0.0019)]),  # box meets both; shape apart
                        shapely.box(x + 0.01, y + 0.01, x + 0.011, y + 0.011)])  # far from all
    first, second, overlap = parcel_overlaps(shapely.bounds(parcels), lambda rows: parcels[rows], np.full(4, GK_120E))
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1)]
    planar = rules.to_gauss_kruger(parcels, GK_120E)
    assert overlap[0] == pytest.approx(shapely.area(shapely.intersection(planar[0], planar[1])))
