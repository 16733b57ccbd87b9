"""Base maps served by the portal: an MBTiles file's rows flipped, Tianditu's key kept on the server, Gaode's GCJ-02
tiles redrawn under our WGS84 layers, and the sample's own offline base map."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import mapbox_vector_tile
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from pydantic import SecretStr

from geo_api.app import create_app
from mujun.errors import MujunError
from mujun.gcj02 import wgs84_to_gcj02
from mujun.settings import BasemapSettings, BasemapSource, DatabaseSettings, Settings
from tests.access import bearer
from tests.fake_tiles import (
    bd09_service,
    gcj02_service,
    metres_per_pixel,
    plain_png,
    red_centroid,
    tile_service,
    world_pixel,
    write_mbtiles,
)

SAMPLE_BASEMAP = Path(__file__).resolve().parent.parent.parent / "sample_geo" / "basemap.mbtiles"
KEY = "tk-5ec7e7-0123456789abcdef"


@contextmanager
def portal(db_url: str, **basemaps: object) -> Iterator[TestClient]:
    settings = Settings(database=DatabaseSettings(url=db_url), basemaps=BasemapSettings(**basemaps))  # type: ignore[arg-type]
    with TestClient(create_app(settings), raise_server_exceptions=False, headers=bearer(db_url, "viewer")) as client:
        yield client


def test_an_mbtiles_tile_stored_at_a_tms_row_comes_back_at_its_xyz_address(db_url: str, tmp_path: Path) -> None:
    # z3 has 8 rows: TMS row 1 (second from the south) is XYZ row 8 − 1 − 1 = 6 (seventh from the north).
    green, blue = plain_png((0, 160, 0)), plain_png((0, 0, 200))
    path = write_mbtiles(tmp_path / "base.mbtiles", "png", {(3, 5, 1): green, (3, 5, 6): blue},
                         name="测试底图", bounds="100,20,130,45", attribution="测绘院")
    with portal(db_url, basemap_mbtiles=path, basemap_max_age_s=3600) as client:
        listed = client.get("/api/basemaps").json()
        assert listed == [{"id": "local", "title": {"zh": "离线底图", "en": "测试底图"}, "url": "/basemaps/local/{z}/{x}/{y}.png",
                           "labels_url": None, "crs": "cgcs2000", "attribution": "测绘院", "offline": True, "format": "png",
                           "min_zoom": 3, "max_zoom": 3, "bounds": [100.0, 20.0, 130.0, 45.0], "default": True}]
        answer = client.get("/basemaps/local/3/5/6.png")
        assert (answer.status_code, answer.headers["content-type"], answer.content) == (200, "image/png", green)
        # Asked with credentials: a browser keeps it, a shared cache does not (it would hand it to anyone).
        assert (answer.headers["cache-control"], answer.headers["vary"]) == ("private, max-age=3600", "Authorization, Cookie")
        flipped = client.get("/basemaps/local/3/5/1.png")  # XYZ row 1 is TMS row 6: the other tile
        assert flipped.content == blue
        again = client.get("/basemaps/local/3/5/6.png", headers={"If-None-Match": answer.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
        assert flipped.headers["etag"] != answer.headers["etag"]
        for outside in ("/basemaps/local/3/4/6.png", "/basemaps/local/4/5/6.png", "/basemaps/local/3/8/0.png",
                        "/basemaps/local/3/5/6.jpg"):
            missing = client.get(outside)
            assert (missing.status_code, missing.json()["error"]["code"]) == (404, "tile_not_found"), outside
        unknown = client.get("/basemaps/gaode/3/5/6.png")
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "basemap_not_found")


def test_a_vector_mbtiles_is_served_as_mvt_with_its_gzip(db_url: str, tmp_path: Path) -> None:
    mvt = mapbox_vector_tile.encode([{"name": "water", "features": [
        {"geometry": "POLYGON ((0 0, 0 100, 100 100, 100 0, 0 0))", "properties": {"kind": "lake"}}]}])
    path = write_mbtiles(tmp_path / "vector.mbtiles", "pbf", {(10, 855, 1023 - 418): gzip.compress(mvt)})
    with portal(db_url, basemap_mbtiles=path) as client:
        answer = client.get("/basemaps/local/10/855/418.pbf")
        assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
        assert answer.headers["content-type"] == "application/vnd.mapbox-vector-tile"
        assert mapbox_vector_tile.decode(answer.content)["water"]["features"][0]["properties"] == {"kind": "lake"}


def test_a_pmtiles_file_is_served_at_its_own_xyz_addresses(db_url: str, tmp_path: Path) -> None:
    green = plain_png((0, 160, 0))
    path = tmp_path / "base.pmtiles"
    with path.open("wb") as file:  # PMTiles numbers tiles by XYZ already: nothing to flip
        writer = Writer(file)
        writer.write_tile(zxy_to_tileid(3, 5, 6), green)
        writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_zoom": 3, "max_zoom": 3,
                         "min_lon_e7": 100 * 10**7, "min_lat_e7": 20 * 10**7, "max_lon_e7": 130 * 10**7, "max_lat_e7": 45 * 10**7,
                         "center_zoom": 3, "center_lon_e7": 115 * 10**7, "center_lat_e7": 32 * 10**7},
                        {"name": "测试底图", "attribution": "测绘院"})
    with portal(db_url, basemap_mbtiles=path) as client:
        (local,) = client.get("/api/basemaps").json()
        assert (local["format"], local["bounds"], local["attribution"], local["min_zoom"]) == ("png", [100.0, 20.0, 130.0, 45.0], "测绘院", 3)
        answer = client.get("/basemaps/local/3/5/6.png")
        assert (answer.status_code, answer.content) == (200, green) and answer.headers["etag"]
        assert client.get("/basemaps/local/3/5/1.png").status_code == 404


def test_a_missing_mbtiles_file_stops_the_portal_with_its_name(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(MujunError) as caught:
        create_app(Settings(database=DatabaseSettings(url=db_url), basemaps=BasemapSettings(basemap_mbtiles=tmp_path / "nope.mbtiles")))
    assert "nope.mbtiles" in caught.value.zh and "does not exist" in caught.value.en


def test_the_samples_offline_base_map_covers_changzhou(db_url: str) -> None:
    with portal(db_url, basemap_mbtiles=SAMPLE_BASEMAP) as client:
        (local,) = client.get("/api/basemaps").json()
        assert (local["min_zoom"], local["max_zoom"], local["format"]) == (8, 13, "png")
        west, south, east, north = local["bounds"]
        assert west < 119.1 and east > 120.2 and south < 31.2 and north > 32.0  # the districts, and a margin
        # 常州 city centre (119.97°E, 31.79°N) at z13: x = ⌊(119.97 + 180) / 360 × 8192⌋ = ⌊6825.98⌋, y = ⌊(1 − ln(tan φ + sec φ)/π)/2 × 8192⌋ = ⌊3332.3⌋.
        tile = client.get("/basemaps/local/13/6825/3332.png")
        assert tile.status_code == 200
        with Image.open(io.BytesIO(tile.content)) as image:
            assert image.size == (256, 256) and len(np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0)) > 3  # drawn


def test_the_tianditu_key_stays_on_the_server(db_url: str) -> None:
    seen_keys: list[str] = []

    def tianditu(path: str, query: dict[str, list[str]]) -> bytes | None:
        seen_keys.extend(query.get("tk", []))
        return plain_png((240, 240, 230)) if path in ("/vec_w/wmts", "/cva_w/wmts", "/img_w/wmts") else None

    with tile_service(tianditu) as (base, recorder), \
            portal(db_url, tianditu_key=SecretStr(KEY), tianditu_url=base, basemap_default="tianditu-vec") as client:
        listed = client.get("/api/basemaps")
        assert KEY not in listed.text
        ids = [(b["id"], b["labels_url"], b["crs"], b["default"]) for b in listed.json()]
        assert ids == [("tianditu-vec", "/basemaps/tianditu-vec/labels/{z}/{x}/{y}.png", "cgcs2000", True),
                       ("tianditu-img", "/basemaps/tianditu-img/labels/{z}/{x}/{y}.png", "cgcs2000", False)]
        answers = [client.get("/basemaps/tianditu-vec/10/855/418.png"), client.get("/basemaps/tianditu-vec/labels/10/855/418.png")]
        assert [a.status_code for a in answers] == [200, 200]
        asked = [dict(q.split("=", 1) for q in r.split("?", 1)[1].split("&")) for r in recorder.requests]
        assert [(a["LAYER"], a["TILEMATRIX"], a["TILEROW"], a["TILECOL"]) for a in asked] == [("vec", "10", "418", "855"),
                                                                                          ("cva", "10", "418", "855")]
        assert seen_keys == [KEY, KEY]
        recorder.fail = True
        broken = client.get("/basemaps/tianditu-img/10/855/419.jpg")
        assert broken.status_code == 502 and broken.json()["error"]["code"] == "basemap_unavailable"
        for answer in [listed, *answers, broken]:
            assert KEY not in answer.text and KEY not in json.dumps(dict(answer.headers)), answer.url


def mosaic(client: TestClient, z: int, tx: int, ty: int, basemap: str = "gaode") -> np.ndarray:
    """The portal's tiles of a base map around (tx, ty), 3 × 3, as one RGB image."""
    rows = []
    for y in (ty - 1, ty, ty + 1):
        row = []
        for x in (tx - 1, tx, tx + 1):
            answer = client.get(f"/basemaps/{basemap}/{z}/{x}/{y}.png")
            assert answer.status_code == 200
            with Image.open(io.BytesIO(answer.content)) as image:
                row.append(np.asarray(image.convert("RGB")))
        rows.append(np.hstack(row))
    return np.vstack(rows)


def test_gaode_tiles_are_redrawn_so_a_gcj02_point_lands_on_its_wgs84_place(db_url: str) -> None:
    # Published pair (eviltransform): WGS84 (121.5272106, 31.1774276) is GCJ-02 (121.531541859215, 31.17530398364597).
    glon, glat = wgs84_to_gcj02(np.array([121.5272106]), np.array([31.1774276]))
    assert (glon[0], glat[0]) == (pytest.approx(121.531541859215, abs=1e-9), pytest.approx(31.17530398364597, abs=1e-9))
    points = [(119.9731, 31.8102), (119.5702, 31.7466), (119.4861, 31.4183), (120.1205, 31.5671)]
    source = BasemapSource(id="gaode", title="高德地图", url="", crs="gcj02", attribution="© 高德")
    with tile_service(gcj02_service(points)) as (base, _):
        source = source.model_copy(update={"url": base + "/gaode/{z}/{x}/{y}.png"})
        with portal(db_url, basemaps=[source]) as client:
            for z in (12, 17):
                for lon, lat in points:
                    px, py = world_pixel(z, lon, lat)
                    tx, ty = int(px // 256), int(py // 256)
                    found = red_centroid(mosaic(client, z, tx, ty))  # the tile and its eight neighbours
                    assert found is not None, (z, lon, lat)
                    error_px = np.hypot(found[0] - (px - (tx - 1) * 256), found[1] - (py - (ty - 1) * 256))
                    assert error_px * metres_per_pixel(z, lat) < 1.0, (z, lon, lat, error_px)
            # Drawn naively, the same point would sit a GCJ-02 offset away: about 500 m here, 2.8 px at z12.
            lon, lat = points[0]
            glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
            naive = np.hypot(*np.subtract(world_pixel(17, float(glon[0]), float(glat[0])), world_pixel(17, lon, lat)))
            assert naive * metres_per_pixel(17, lat) > 300


def test_baidu_tiles_are_redrawn_from_their_own_grid_so_a_bd09_point_lands_on_its_wgs84_place(db_url: str) -> None:
    points = [(119.9731, 31.8102), (119.5702, 31.7466), (119.4861, 31.4183), (120.1205, 31.5671)]
    source = BasemapSource(id="baidu", title="百度地图", url="", crs="bd09", attribution="© 百度")
    with tile_service(bd09_service(points)) as (base, recorder):
        source = source.model_copy(update={"url": base + "/tile/?qt=tile&x={x}&y={y}&z={z}&styles=pl"})
        with portal(db_url, basemaps=[source]) as client:
            assert client.get("/api/basemaps").json()[0]["crs"] == "bd09"
            # Baidu's level 13 is 1.19 times finer than Web Mercator's z12, so the dot is resampled off its own pixel
            # grid: a few hundredths of a pixel of noise, which at z12 (32 m a pixel) is up to a metre. Held there to
            # a twentieth of a pixel, and to a metre from z15 (4 m a pixel) on.
            for z, within_px, within_m in ((12, 0.05, 2.0), (15, 0.05, 1.0), (17, 0.05, 1.0)):
                for lon, lat in points:
                    px, py = world_pixel(z, lon, lat)
                    tx, ty = int(px // 256), int(py // 256)
                    found = red_centroid(mosaic(client, z, tx, ty, "baidu"))
                    assert found is not None, (z, lon, lat)
                    error_px = np.hypot(found[0] - (px - (tx - 1) * 256), found[1] - (py - (ty - 1) * 256))
                    assert error_px < within_px and error_px * metres_per_pixel(z, lat) < within_m, (z, lon, lat, error_px)
        # Baidu's numbering, not Web Mercator's (6,8xx, 3,3xx at z13): level 13 has 2^5 BD-09MC units a pixel, tiles
        # counted from BD-09MC (0, 0); Changzhou's x ≈ 119.5°–120.1° × 111,320.7 ≈ 13.30–13.37 million → tile x
        # 1,62x–1,63x; its y (Mercator-like, ≈ 3.67–3.72 million at 31.4°–31.8°N) → tile y 44x–45x, counted northward.
        asked = [parse_qs(urlsplit(r).query) for r in recorder.requests]
        level13 = {(int(a["x"][0]), int(a["y"][0])) for a in asked if a["z"] == ["13"]}
        assert level13 and all(1620 <= x <= 1640 and 440 <= y <= 460 for x, y in level13), level13
