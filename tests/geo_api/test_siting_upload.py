"""A site uploaded as a file: GeoJSON, zipped Shapefile with its .prj, CAD drawing without a CRS, bad files."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from etl.load import LoadRequest, load
from geo_api.app import create_app
from mujun import rules
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.geodata import X0, Y0, gk_rect
from tests.world import POLICY


@pytest.fixture
def client(empty_db: str, db_url: str, world: LoadRequest) -> Iterator[TestClient]:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url)) as client:
        yield client


def upload(client: TestClient, path: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    with path.open("rb") as handle:
        response = client.post("/api/siting/upload", files={"file": (path.name, handle)})
    return response.status_code, response.json()


def test_geojson_site_comes_back_as_drawn(client: TestClient, tmp_path: Path) -> None:
    site = gk_rect(100, 300, 200, 150)
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(site)}]}))
    status, body = upload(client, path)
    assert status == 200
    assert rules.gk_area_m2(shape(body["geometry"])) == rules.gk_area_m2(site)  # 200 × 150 = 30 000 m²
    assert rules.gk_area_m2(shape(body["geometry"])) == 30000


def test_zipped_shapefile_in_gauss_kruger_is_reprojected(client: TestClient, tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    rect = shapely.box(X0 + 100, Y0 + 300, X0 + 300, Y0 + 450)
    pyogrio.raw.write(folder / "site.shp", shapely.to_wkb(np.array([rect])), [np.array(["S1"])], fields=["code"],
                      crs="EPSG:4549", driver="ESRI Shapefile", geometry_type="Polygon")
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for member in folder.iterdir():
            out.write(member, member.name)
    status, body = upload(client, archive)
    assert status == 200, body
    assert "declared" in body["read_as"]
    assert rules.gk_area_m2(shape(body["geometry"])) == 30000
    assert shape(body["geometry"]).normalize().equals_exact(gk_rect(100, 300, 200, 150).normalize(), tolerance=1e-7)


def test_a_site_on_an_older_datum_is_refused_not_moved_tens_of_metres(client: TestClient, tmp_path: Path) -> None:
    # Xi'an 1980 geographic (EPSG:4610): PROJ knows no shift from it to CGCS2000 and would keep the numbers as they are.
    site = gk_rect(100, 300, 200, 150)
    pyogrio.raw.write(tmp_path / "site.gpkg", shapely.to_wkb(np.array([site])), [], fields=[], crs="EPSG:4610",
                      driver="GPKG", geometry_type="Polygon")
    status, body = upload(client, tmp_path / "site.gpkg")
    assert status == 422
    assert body["error"]["message"]["en"].startswith("site.gpkg: the CRS is on the Xian 1980 datum, and no transformation")
    assert "+towgs84" in body["error"]["message"]["zh"] and "Traceback" not in json.dumps(body)


def test_cad_drawing_without_crs_is_read_from_its_zone_number(client: TestClient, tmp_path: Path) -> None:
    # A closed polyline 200 m × 150 m in zone 40 (the zone number in front of the easting): EPSG:4528.
    x, y = 40_000_000 + X0 + 100, Y0 + 300
    ring = shapely.LineString([(x, y), (x + 200, y), (x + 200, y + 150), (x, y + 150), (x, y)])
    path = tmp_path / "site.dxf"
    with pytest.warns(UserWarning, match="crs"):
        pyogrio.raw.write(path, shapely.to_wkb(np.array([ring])), [], fields=[], driver="DXF", geometry_type="LineString")
    status, body = upload(client, path)
    assert status == 200, body
    assert body["read_as"].startswith("EPSG:4528")
    assert rules.gk_area_m2(shape(body["geometry"])) == 30000


def test_unsafe_or_unreadable_files_are_refused_with_a_reason(client: TestClient, tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as out:
        out.writestr("../site.shp", b"x")
    status, body = upload(client, evil)
    assert status == 422 and "unsafe path" in body["error"]["message"]["en"]
    word = tmp_path / "site.docx"
    word.write_bytes(b"PK")
    status, body = upload(client, word)
    assert status == 422 and "unsupported file type" in body["error"]["message"]["en"]
    broken = tmp_path / "site.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    status, body = upload(client, broken)
    assert status == 422 and body["error"]["message"]["zh"].startswith("site.geojson：无法读取")
    line = tmp_path / "line.geojson"
    line.write_text(json.dumps({"type": "LineString", "coordinates": [[119.9, 31.8], [119.91, 31.81]]}))
    status, body = upload(client, line)
    assert status == 422 and "no polygon or closed line" in body["error"]["message"]["en"]
