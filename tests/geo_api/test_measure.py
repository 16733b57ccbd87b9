"""Measuring and coordinates on the map, from the core's rules: figures worked out by hand in the Gauss-Krüger plane."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import LineString, Polygon

from geo_api.app import create_app
from tests.access import bearer
from tests.conftest import settings_for
from tests.geodata import X0, Y0, gk_lonlat, gk_rect


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "viewer")) as client:
        yield client


def measured(client: TestClient, geometry: object) -> dict[str, object]:
    answer = client.post("/api/measure", json={"geometry": shapely.geometry.mapping(geometry)})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_rectangle_measured_in_the_gauss_kruger_plane(client: TestClient) -> None:
    # 300 m × 200 m = 60 000 m² = 60 000 × 15 / 10 000 = 90 亩 = 6 公顷; perimeter 2 × (300 + 200) = 1 000 m.
    assert measured(client, gk_rect(0, 0, 300, 200)) == {
        "kind": "area", "gauss_kruger_epsg": 4549, "length_m": 1000.0, "area_m2": 60000.0, "area_mu": 90.0, "area_ha": 6.0}
    # 100 m × 66.67 m = 6 667 m² = 10.0005 亩 → 10.00; 0.6667 公顷.
    square = measured(client, gk_rect(500, 500, 100, 66.67))
    assert (square["area_m2"], square["area_mu"], square["area_ha"]) == (6667.0, 10.0, 0.6667)


def test_a_line_is_measured_along_its_vertices(client: TestClient) -> None:
    # 300 m east, then 400 m north: 700 m along the line; the straight way is the 3-4-5 triangle's 500 m.
    corner = LineString([gk_lonlat(0, 0), gk_lonlat(300, 0), gk_lonlat(300, 400)])
    assert measured(client, corner) == {"kind": "length", "gauss_kruger_epsg": 4549, "length_m": 700.0,
                                        "area_m2": None, "area_mu": None, "area_ha": None}
    assert measured(client, LineString([gk_lonlat(0, 0), gk_lonlat(300, 400)]))["length_m"] == 500.0


@pytest.mark.parametrize(("geometry", "expected"), [
    ({"type": "Point", "coordinates": [119.95, 31.78]}, "only a line or a polygon can be measured (got Point)"),
    ({"type": "LineString", "coordinates": [[2.35, 48.85], [2.36, 48.86]]}, "coordinates fall outside China: expected lon/lat (CRS84, longitude first)"),
    (shapely.geometry.mapping(Polygon([gk_lonlat(0, 0), gk_lonlat(100, 100), gk_lonlat(100, 0), gk_lonlat(0, 100)])),
     "the polygon is invalid (e.g. its edges cross): draw it again"),
    ({"type": "Polygon"}, "not a GeoJSON geometry with type and coordinates"),
])
def test_what_cannot_be_measured_is_refused_in_both_languages(client: TestClient, geometry: dict[str, object], expected: str) -> None:
    answer = client.post("/api/measure", json={"geometry": geometry})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_geometry" and error["message"]["en"].startswith(expected) and error["message"]["zh"]


def test_a_point_in_lon_lat_and_in_its_zone_with_and_without_the_zone_number(client: TestClient) -> None:
    lon, lat = gk_lonlat(0, 0)  # (495 000, 3 520 000) in EPSG:4549, CM 120°E: zone 40, EPSG:4528 with its number
    body = client.get("/api/coords", params={"lon": lon, "lat": lat}).json()
    assert body["read_as"] == "lon/lat"
    assert body["gauss_kruger"] == {"zone": 40, "central_meridian": 120, "epsg": 4549, "epsg_prefixed": 4528,
                                    "easting": X0, "easting_prefixed": 40_000_000 + X0, "northing": Y0}
    typed = client.get("/api/coords", params={"q": f"{40_000_000 + X0 + 10},{Y0 + 20}"}).json()
    assert typed["read_as"] == "EPSG:4528 x/y"
    assert (typed["lon"], typed["lat"]) == (pytest.approx(gk_lonlat(10, 20)[0], abs=1e-9), pytest.approx(gk_lonlat(10, 20)[1], abs=1e-9))
    assert (typed["gauss_kruger"]["easting"], typed["gauss_kruger"]["northing"]) == (X0 + 10, Y0 + 20)


def test_a_point_needs_coordinates_in_china(client: TestClient) -> None:
    for params in ({}, {"lon": 119.9}, {"lon": 2.35, "lat": 48.85}):
        answer = client.get("/api/coords", params=params)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_coordinates"), params
    typo = client.get("/api/coords", params={"q": "119.9;31.7x"}).json()["error"]
    assert typo["message"]["en"] == "coordinates are two numbers, e.g. 119.95,31.78 or 495000,3520000"
