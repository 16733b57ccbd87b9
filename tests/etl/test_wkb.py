"""Rings read from WKB bytes (the compiled walk), and their Gauss-Krüger areas, against areas worked out by hand."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import shapely
from pyproj import Transformer

from etl.geometry_check import GeometryChecker
from etl.wkb import Outline, outline, part_of, plain_polygons, planar_areas, rings, star_shaped

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


def test_values_read_in_chunks_are_taken_a_chunk_at_a_time_without_a_copy() -> None:
    square, point = shapely.box(0, 0, 1, 1), shapely.Point(0, 0)
    chunked = pa.chunked_array([wkb_of(square, point), wkb_of(square, square), wkb_of(point)])
    assert plain_polygons(chunked).tolist() == [True, False, True, True, False]
    second = part_of(chunked, slice(2, 4))
    assert isinstance(second, pa.Array) and second.buffers()[2].address == chunked.chunk(1).buffers()[2].address
    across = part_of(chunked, slice(1, 3))  # two chunks' values: copied into one array
    assert isinstance(across, pa.Array) and across.to_pylist() == [point.wkb, square.wkb]


def _pentagram() -> shapely.Polygon:
    """Five points of a circle taken every 144°: each turn is to the left, but the ring winds round its
    middle twice and crosses itself."""
    angles = np.radians(90 + 144 * np.arange(5))
    return shapely.Polygon(np.column_stack((np.cos(angles), np.sin(angles))))


def test_star_shaped_proves_only_rings_that_are_fans_around_their_middle() -> None:
    square = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)])
    shapes = {
        "square": (square, True),
        "square drawn clockwise": (square.reverse(), True),
        "triangle": (shapely.Polygon([(0, 0), (3, 0), (0, 2)]), True),
        "a MultiPolygon of one square": (shapely.MultiPolygon([square]), True),
        # Its vertices' mean (5/3, 5/3) lies outside the L: no proof, though it is valid.
        "L": (shapely.Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)]), False),
        "bow-tie": (shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)]), False),
        "pentagram": (_pentagram(), False),
        "a vertex given twice": (shapely.Polygon([(0, 0), (4, 0), (4, 0), (4, 4), (0, 4)]), False),
        # Seen from (2, 1.6), the vertex (2, 0) on the bottom edge is one more turn to the left: still a fan.
        "a vertex on a straight edge": (shapely.Polygon([(0, 0), (2, 0), (4, 0), (4, 4), (0, 4)]), True),
        "a square with a hole": (shapely.Polygon(square.exterior.coords, [[(1, 1), (1, 2), (2, 2)]]), False),
        "two squares": (shapely.MultiPolygon([square, shapely.box(10, 10, 11, 11)]), False),
    }
    proven = star_shaped(wkb_of(*(shape for shape, _ in shapes.values())))
    assert dict(zip(shapes, proven.tolist(), strict=True)) == {name: expected for name, (_, expected) in shapes.items()}
    assert not shapely.is_valid(shapes["bow-tie"][0]) and not shapely.is_valid(shapes["pentagram"][0])


def test_star_shaped_never_proves_an_invalid_polygon() -> None:
    """Rings of 3–12 random points near Changzhou, in random order (most cross themselves) or sorted by angle
    around a random point (simple, but their middle may not see every vertex), some with a vertex pulled a
    hair's breadth from its neighbour: every ring proven is one GEOS finds valid."""
    rng = np.random.default_rng(7)
    polygons = []
    for i in range(6000):
        points = rng.uniform(-1e-3, 1e-3, size=(int(rng.integers(3, 13)), 2))
        if i % 3:
            around = points - rng.uniform(-5e-4, 5e-4, size=2)
            points = points[np.argsort(np.arctan2(around[:, 1], around[:, 0]))]
        if i % 3 == 2:
            points = np.insert(points, 1, points[0] * (1 + 1e-15), axis=0)
        polygons.append(shapely.Polygon(points + np.array([119.95, 31.78])))
    shapes = np.array(polygons, dtype=object)
    proven, valid = star_shaped(wkb_of(*shapes)), shapely.is_valid(shapes)
    assert proven.sum() > 1000 and (~valid).sum() > 1000  # both kinds are well represented
    assert not (proven & ~valid).any()


def test_the_check_proves_or_asks_geos_feature_by_feature() -> None:
    """A line (refused), a square (proven), a bow-tie (GEOS: invalid, repaired into its two triangles) and an L
    (not proven, GEOS: valid), as a lon/lat file gives them: each result lands on its own feature."""
    x, y = 480_000.0, 3_510_000.0
    shapes = [shapely.LineString([(x, y), (x + 50, y)]),
              shapely.box(x, y, x + 100, y + 100),  # 10 000 m²
              shapely.Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)]),  # two triangles of 2 500 m²
              shapely.Polygon([(x, y), (x + 40, y), (x + 40, y + 10), (x + 10, y + 10), (x + 10, y + 40), (x, y + 40)])]  # 400 + 300
    geometries = np.array([lonlat(g) for g in shapes], dtype=object)
    found = GeometryChecker("parcels.geojson", "EPSG:4490", geometries, wkb_of(*geometries)).all()
    assert [p.location for p in found.errors] == ["要素 feature 1"]
    assert [(p.location, p.code) for p in found.warnings] == [("要素 feature 3", "geometry_repaired")] and found.repaired.tolist() == [False, False, True, False]
    assert found.area_m2[1:] == pytest.approx([10_000.0, 5_000.0, 700.0], abs=0.01)


def test_an_outline_is_proper_only_when_every_ring_is_closed_long_enough_and_made_of_numbers() -> None:
    square = shapely.box(0, 0, 1, 1)
    assert outline_of(wkb_of(square, shapely.MultiPolygon([square, shapely.box(2, 2, 3, 3)]))).proper
    assert outline_of(wkb_of(square)).bounds.tolist() == [[0.0, 0.0, 1.0, 1.0]]
    with_nan = pa.array([shapely.to_wkb(shapely.Polygon([(0, 0), (1, float("nan")), (1, 1), (0, 0)]), byte_order=1)],
                        type=pa.binary())
    triangle_of_three = wkb_of(shapely.from_wkt("POLYGON ((0 0, 1 0, 0 0))"))
    assert not outline_of(with_nan).proper and not outline_of(triangle_of_three).proper
    empty = outline_of(wkb_of(shapely.from_wkt("POLYGON EMPTY")))
    assert empty.proper and np.isnan(empty.bounds).all()


def outline_of(wkb: pa.Array) -> Outline:
    return outline(rings(wkb), len(wkb))


def test_a_value_whose_counts_run_past_its_bytes_is_walked_no_further_and_refused() -> None:
    square = bytes(shapely.to_wkb(lonlat(shapely.box(480_000, 3_510_000, 480_100, 3_510_100)), byte_order=1))
    cut = square[:-16]  # its ring says five points; four are there
    values = pa.array([square, cut, square], type=pa.binary())
    found = rings(values)
    assert not found.whole and found.feature.tolist() == [0, 2] and len(found.x) == 10
    assert not outline(found, 3).proper
    checked = GeometryChecker("parcels.gpkg", "EPSG:4490", None, values).all()
    assert [(p.location, p.message("en").split(": ", 1)[1]) for p in checked.errors] == [
        ("要素 feature 2", "the geometry cannot be read: its bytes are incomplete, or a ring is not closed (its last point must "
                           "repeat its first) or has fewer than 4 points")]
    assert checked.area_m2[[0, 2]] == pytest.approx([10_000.0, 10_000.0], abs=1e-4)
