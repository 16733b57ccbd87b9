"""Vector tiles on the real PostGIS with the small world of tests/world.py, decoded with mapbox_vector_tile."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import psycopg
import pytest
from fastapi.testclient import TestClient

from etl.load import LoadRequest, load
from geo_api.app import create_app
from layers.catalogue import load_catalogue
from layers.tiles import MapFilters, render_tile, tile_query
from mujun.settings import RuleSettings
from tests.access import SHELL, UNSCOPED, bearer
from tests.conftest import settings_for
from tests.geodata import gk_lonlat, write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_projects

# Each world parcel as (x, y, width, height) in metres east/north of the origin in EPSG:4549 (tests/world.py).
RECTS = {"P1": (100, 100, 100, 66.6667), "P2": (300, 100, 100, 66.6667), "P3": (1100, 1100, 200, 150),
         "P4": (500, 500, 60, 100), "P5": (560, 500, 40, 100), "P6": (1920, 0, 200, 100), "P7": (5000, 0, 100, 100),
         "P8": (3100, 100, 100, 100), "P9": (700, 100, 100, 100)}
HALF_WORLD_M = 20037508.342789244


def mercator(lon: float, lat: float) -> tuple[float, float]:
    return HALF_WORLD_M * lon / 180, HALF_WORLD_M * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi


def tile_at(x_m: float, y_m: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding the point x_m, y_m metres from the world's origin (EPSG:4549 offsets, as RECTS)."""
    mx, my = mercator(*gk_lonlat(x_m, y_m))
    size = 2 * HALF_WORLD_M / 2**z
    return int((mx + HALF_WORLD_M) // size), int((HALF_WORLD_M - my) // size)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * HALF_WORLD_M / 2**z
    return -HALF_WORLD_M + x * size, HALF_WORLD_M - (y + 1) * size, -HALF_WORLD_M + (x + 1) * size, HALF_WORLD_M - y * size


def corners(code: str) -> list[tuple[float, float]]:
    x, y, w, h = RECTS[code]
    return [mercator(*gk_lonlat(cx, cy)) for cx, cy in ((x, y), (x + w, y), (x + w, y + h), (x, y + h))]


def in_tile(code: str, z: int, x: int, y: int) -> bool:
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    points = corners(code)
    return (min(p[0] for p in points) < maxx and max(p[0] for p in points) > minx
            and min(p[1] for p in points) < maxy and max(p[1] for p in points) > miny)


@pytest.fixture
def client(empty_db: str, db_url: str, world: LoadRequest) -> Iterator[TestClient]:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url)) as client:
        yield client


def decode(content: bytes) -> dict[str, Any]:
    return mapbox_vector_tile.decode(content) if content else {}


def test_a_parcel_tile_holds_the_parcels_it_covers_with_their_results_and_outlines(client: TestClient) -> None:
    z, (x, y) = 14, tile_at(1200, 1175, 14)  # the middle of P3
    response = client.get(f"/tiles/parcels/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert response.headers["etag"] and "max-age=" in response.headers["cache-control"]
    features = decode(response.content)["parcels"]["features"]
    expected = {code for code in RECTS if in_tile(code, z, x, y)}
    assert {f["properties"]["parcel_code"] for f in features} == expected and "P3" in expected
    assert response.headers["x-tile-features"] == str(len(expected))
    p3 = next(f for f in features if f["properties"]["parcel_code"] == "P3")
    # P3: 9 000 万元 on 45 亩 = 200 万元/亩 against the cluster's 350: ratio 0.5714, far below.
    assert p3["properties"] == {"parcel_code": "P3", "project_code": "C", "zone_code": "WJ-CL", "status": "below",
                                "band": "far_below", "ratio": pytest.approx(0.5714)}
    # Its outline in tile units (4096 to the side, y up as decoded): the corners worked out with Web Mercator here.
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    want = sorted((round((mx - minx) / (maxx - minx) * 4096), round((my - miny) / (maxy - miny) * 4096)) for mx, my in corners("P3"))
    ring = p3["geometry"]["coordinates"][0] if p3["geometry"]["type"] == "Polygon" else p3["geometry"]["coordinates"][0][0]
    got = sorted(set(map(tuple, ring)))
    assert len(got) == 4 and all(abs(a - c) <= 1 and abs(b - d) <= 1 for (a, b), (c, d) in zip(got, want, strict=True))
    for feature in features:  # nothing outside the tile and its 64-unit buffer
        rings = feature["geometry"]["coordinates"]
        flat = [pt for poly in (rings if feature["geometry"]["type"] == "MultiPolygon" else [rings]) for r in poly for pt in r]
        assert all(-64 <= px <= 4160 and -64 <= py <= 4160 for px, py in flat)


def test_low_zooms_carry_one_point_per_zone_with_parcels_counted_by_band(client: TestClient) -> None:
    def summaries(query: str = "") -> dict[str, dict[str, Any]]:
        tiles = {tile_at(x, y, 10) for x, y in ((0, 0), (5100, 0), (0, 2000), (5100, 2000))}
        found: dict[str, dict[str, Any]] = {}
        for x, y in tiles:
            response = client.get(f"/tiles/parcels/10/{x}/{y}.mvt{query}")
            assert response.status_code == 200
            layers = decode(response.content)
            assert "parcels" not in layers
            for feature in layers.get("zone_summary", {"features": []})["features"]:
                assert feature["geometry"]["type"] == "Point"
                found[feature["properties"]["zone_code"]] = feature["properties"]
        return found

    # WJ-DZ holds P1 (400: meets), P2 (399.9: below), P4+P5 (project D, 360: below), P6 (400 on 30 亩: meets) and
    # P9 (service: none); the nested cluster WJ-CL holds P3 (far below); LY-DZ holds P8 (317.46 of 350: below).
    everything = summaries()
    assert {code: (s["parcels"], s["meets"], s["below"], s["far_below"], s["none"]) for code, s in everything.items()} == {
        "WJ-DZ": (6, 2, 3, 0, 1), "WJ-CL": (1, 0, 0, 1, 0), "LY-DZ": (1, 0, 1, 0, 0)}
    assert everything["LY-DZ"]["name"] == "江苏溧阳经济开发区" and everything["LY-DZ"]["jurisdiction"] == "溧阳市"
    below = summaries("?band=below")
    assert {code: s["parcels"] for code, s in below.items()} == {"WJ-DZ": 3, "LY-DZ": 1}
    assert {code: s["parcels"] for code, s in summaries("?jurisdiction=溧阳市").items()} == {"LY-DZ": 1}


@pytest.mark.parametrize(("query", "expected"), [
    ("?band=far_below", {"P3"}),
    ("?jurisdiction=溧阳市", {"P8"}),
    ("?zone=WJ-CL", {"P3"}),
    ("?status=not_assessed&status=outside_zone", {"P7", "P9"}),
    ("?zone_class=development_zone&band=below", {"P2", "P4", "P5", "P8"}),
    ("?stage=开工&band=meets", {"P1", "P6"}),
    ("?stage=竣工", set()),
])
def test_tiles_take_the_maps_filters(client: TestClient, query: str, expected: set[str]) -> None:
    z = 12  # parcels start at 13: use the four z13 tiles under the world
    codes: set[str] = set()
    for x, y in {tile_at(cx, cy, z + 1) for cx in (0, 5100) for cy in (0, 2000)}:
        response = client.get(f"/tiles/parcels/{z + 1}/{x}/{y}.mvt{query}")
        assert response.status_code == 200
        codes |= {f["properties"]["parcel_code"] for f in decode(response.content).get("parcels", {"features": []})["features"]}
    assert codes == expected


def test_caps_keep_the_largest_parcels_and_say_which_cap_cut(client: TestClient, empty_db: str) -> None:
    layer = load_catalogue().get("parcels")
    assert layer is not None
    z, (x, y) = 13, tile_at(1000, 500, 13)
    inside = [code for code in RECTS if in_tile(code, z, x, y)]
    assert {"P3", "P1", "P2"} <= set(inside)
    base = tile_query(layer, z, x, y, MapFilters(), UNSCOPED)

    async def render(**caps: int) -> Any:
        async with await psycopg.AsyncConnection.connect(empty_db) as conn:
            return await render_tile(conn, dataclasses.replace(base, **caps))

    whole = asyncio.run(render())
    assert (whole.features, whole.capped) == (len(inside), None)
    two = asyncio.run(render(max_features=2))
    codes = [f["properties"]["parcel_code"] for f in decode(two.data)["parcels"]["features"]]
    # The two largest drawn areas in the tile: P3 (30 000 m²) and P6 (20 000 m²) when it is in the tile, else P4 (6 000 m²).
    assert set(codes) == {"P3", "P6" if "P6" in inside else "P4"} and (two.features, two.capped) == (2, "features")
    one_feature_bytes = len(asyncio.run(render(max_features=1)).data)
    cut = asyncio.run(render(max_bytes=one_feature_bytes))
    assert cut.capped == "bytes" and cut.features == 1 and len(cut.data) <= one_feature_bytes


def test_etag_answers_304_and_changes_after_a_load_that_changes_a_parcel(client: TestClient, empty_db: str, tmp_path: Path) -> None:
    z, (x, y) = 14, tile_at(350, 133, 14)  # the middle of P2 (project B: 3 999 万元 on 10 亩, below)
    url = f"/tiles/parcels/{z}/{x}/{y}.mvt"
    first = client.get(url)
    etag = first.headers["etag"]
    p2 = next(f for f in decode(first.content)["parcels"]["features"] if f["properties"]["parcel_code"] == "P2")
    assert p2["properties"]["band"] == "below"
    repeat = client.get(url, headers={"If-None-Match": etag})
    assert (repeat.status_code, repeat.content, repeat.headers["etag"]) == (304, b"", etag)
    assert client.get(url).headers["x-cache"] == "hit"

    # B now invests 4 000 万元 on its 10 亩: exactly 400, it meets.
    projects = write_xlsx(tmp_path / "projects-b.xlsx", PROJECT_HEADER, world_projects(B=4000))
    load(empty_db, LoadRequest(projects=projects), POLICY, RuleSettings(), actor=SHELL)
    deadline = time.monotonic() + 5  # the new version arrives by NOTIFY, within milliseconds of the commit
    while (after := client.get(url, headers={"If-None-Match": etag})).status_code == 304:
        assert time.monotonic() < deadline, "the tile kept its ETag after the load"
        time.sleep(0.02)
    assert after.status_code == 200 and after.headers["etag"] != etag and after.headers["x-cache"] == "miss"
    p2 = next(f for f in decode(after.content)["parcels"]["features"] if f["properties"]["parcel_code"] == "P2")
    assert p2["properties"]["band"] == "meets"
    assert client.get(url, headers={"If-None-Match": after.headers["etag"]}).status_code == 304


def test_tiles_outside_a_layers_zooms_or_catalogue_are_clear_errors(client: TestClient) -> None:
    assert client.get("/tiles/parcels/23/0/0.mvt").status_code == 404
    assert client.get("/tiles/parcels/3/8/0.mvt").status_code == 404  # x beyond the 8 columns of z3
    missing = client.get("/tiles/rivers/10/0/0.mvt")
    assert missing.status_code == 404 and missing.json()["error"]["message"]["zh"] == "没有图层 rivers 的矢量瓦片"
    bad = client.get("/tiles/parcels/14/0/0.mvt?stage=建设中")
    assert bad.status_code == 422 and bad.json()["error"]["details"] == [{"field": "stage", "value": "建设中"}]
    assert client.get("/tiles/zones/14/0/0.mvt?band=below").status_code == 422


def test_zone_tiles_and_tilejson(client: TestClient) -> None:
    z, (x, y) = 12, tile_at(1000, 1000, 12)
    zones = decode(client.get(f"/tiles/zones/{z}/{x}/{y}.mvt").content)["zones"]["features"]
    assert {f["properties"]["zone_code"] for f in zones} >= {"WJ-DZ", "WJ-CL"}
    assert next(f for f in zones if f["properties"]["zone_code"] == "WJ-CL")["properties"] == {
        "zone_code": "WJ-CL", "name": "雪堰工业集中区", "zone_class": "industrial_cluster", "jurisdiction": "武进区"}
    tilejson = client.get("/tiles/parcels.json?band=below").json()
    assert tilejson["tilejson"] == "3.0.0"
    assert tilejson["tiles"] == ["http://testserver/tiles/parcels/{z}/{x}/{y}.mvt?band=below"]
    layers = {layer["id"]: layer for layer in tilejson["vector_layers"]}
    assert (layers["parcels"]["minzoom"], layers["zone_summary"]["maxzoom"]) == (13, 12)
    assert layers["parcels"]["fields"]["ratio"] == "Number" and layers["parcels"]["fields"]["band"] == "String"
