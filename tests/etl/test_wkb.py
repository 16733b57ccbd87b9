"""Rings read from WKB bytes with numpy, and their Gauss-Krüger areas, against areas worked out by hand."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import shapely
from pyproj import Transformer

from etl.wkb import plain_polygons, planar_areas, rings

GK_120E = 4549  # CGCS2000 / 3-degree Gauss-Kruger CM 120E (no zone prefix)
TO_LONLAT = Transformer.from_crs(GK_120E, 4490, always_xy=True)


def lonlat(geometry: shapely.Geometry) -> shapely.Geometry:
    """A shape drawn in metres on the 120°E Gauss-Krüger plane, as lon/lat."""
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_LONLAT.transform(xy[:, 0], xy[:, 1])))


def wkb_of(*geometries: shapely.Geometry, byte_order: int = 1) -> pa.Array:
    return pa.array(list(shapely.to_wkb(np.array(geometries, dtype=object), byte_order=byte_order)), type=pa.binary())


def test_areas_are_those_of_the_shapes_drawn_on_the_plane() -> None:
    x, y = 480_000.0, 3_510_000.0  # near Changzhou
    site = shapely.box(x, y, x + 300, y + 200)  # 300 m × 200 m = 60,000 m²
    with_hole = shapely.Polygon(site.exterior.coords, [shapely.box(x + 100, y + 50, x + 200, y + 100).exterior.coords])  # − 100 × 50
    two = shapely.MultiPolygon([shapely.box(x, y, x + 10, y + 10), shapely.box(x + 20, y, x + 50, y + 10)])  # 100 + 300
    triangle = shapely.Polygon([(x, y), (x + 40, y), (x, y + 30)])  # ½ × 40 × 30
    values = wkb_of(*(lonlat(g) for g in (site, with_hole, two, triangle)))
    areas = planar_areas(values, np.full(4, GK_120E))
    assert areas == pytest.approx([60_000.0, 55_000.0, 400.0, 600.0], abs=1e-4)


def test_rings_keep_shells_holes_and_vertices_in_order() -> None:
    shell, hole = [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)], [(1, 1), (1, 2), (2, 2), (1, 1)]
    found = rings(wkb_of(shapely.Polygon(shell, [hole]), shapely.MultiPolygon([shapely.box(10, 10, 11, 11)])))
    assert found.feature.tolist() == [0, 0, 1]
    assert found.shell.tolist() == [True, False, True]
    assert found.starts.tolist() == [0, 5, 9, 14]
    assert list(zip(found.x[:9], found.y[:9], strict=True)) == [*shell, *hole]


def test_only_little_endian_flat_polygons_are_read_from_bytes() -> None:
    square = shapely.box(0, 0, 1, 1)
    values = wkb_of(square, square, shapely.Point(0, 0))
    big_endian = wkb_of(square, byte_order=0)
    with_z = pa.array([shapely.to_wkb(shapely.force_3d(square))], type=pa.binary())
    assert plain_polygons(values).tolist() == [True, True, False]
    assert plain_polygons(big_endian).tolist() == [False]
    assert plain_polygons(with_z).tolist() == [False]
