"""OGC API - Features on the Changzhou sample, read by a real client: GDAL's OAPIF driver (through pyogrio)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pyogrio.raw
import pytest
import shapely
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from geo_api.app import create_app
from tests.access import bearer
from tests.conftest import settings_for

SAMPLE = Path(__file__).resolve().parents[2] / "sample_geo"
ZONE_CODE, PARCEL_CODE = "园区编码", "parcel_code"  # as the sample files name them


def read(source: str | Path, **options: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    """A layer read with GDAL: its columns by name, and its geometries as shapely objects."""
    meta, _, geometry, values = pyogrio.raw.read(source, **options)
    return {name: list(column) for name, column in zip(meta["fields"], values, strict=True)}, list(shapely.from_wkb(geometry))


@pytest.fixture(scope="module")
def server(sample_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mujun serve` in its own process: GDAL holds the interpreter while it reads, so no server thread here."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([str(Path(sys.executable).parent / "mujun"), "serve", "--port", str(port), "--workers", "1"],
                               env={**os.environ, "DATABASE_URL": sample_url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
    # GDAL sends a token as any script would (Authorization: Bearer): from a header file, as GDAL 3.6 reads them.
    headers = tmp_path_factory.mktemp("gdal") / "headers.txt"
    headers.write_text(f"Authorization: {bearer(sample_url)['Authorization']}\n")
    pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": str(headers)})
    yield f"http://127.0.0.1:{port}"
    pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": None})
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def client(sample_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(sample_url)), raise_server_exceptions=False, headers=bearer(sample_url)) as client:
        yield client


def test_gdal_reads_every_collection_with_the_sample_files_counts_and_attributes(server: str) -> None:
    source = f"OAPIF:{server}/ogc"
    assert {name for name, _ in pyogrio.list_layers(source)} == {"zones", "parcels", "projects"}

    zones_file, _ = read(SAMPLE / "zones.geojson")
    parcels_file, _ = read(SAMPLE / "parcels.gpkg")
    sheet = load_workbook(SAMPLE / "projects.xlsx", read_only=True).active
    assert sheet is not None
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    projects_file = {row[header.index("项目编号")]: row for row in rows if row[0] is not None}

    zones, _ = read(source, layer="zones")
    assert sorted(zones["zone_code"]) == sorted(zones_file[ZONE_CODE])
    parcels, outlines = read(source, layer="parcels", PAGE_SIZE=1000)
    assert sorted(parcels["parcel_code"]) == sorted(parcels_file[PARCEL_CODE])
    assert {"status", "band", "ratio", "intensity_wan_per_mu", "area_mu"} <= set(parcels)
    assert set(parcels["status"]) == {"meets", "below", "not_assessed", "outside_zone"}
    projects, _ = read(source, layer="projects", PAGE_SIZE=1000)
    assert sorted(projects["project_code"]) == sorted(projects_file)
    first = sorted(projects_file)[0]
    assert projects["name"][projects["project_code"].index(first)] == projects_file[first][header.index("项目名称")]
    # Geometry in CRS84 lon/lat around Changzhou (about 119.2–120.2 E, 31.3–32.1 N).
    minx, miny, maxx, maxy = shapely.total_bounds(outlines)
    assert 119 < minx < maxx < 121 and 31 < miny < maxy < 32.5


def test_gdal_bbox_and_attribute_filters_reach_the_server(server: str, client: TestClient) -> None:
    source = f"OAPIF:{server}/ogc"
    bbox = (119.9, 31.7, 120.0, 31.8)
    inside, _ = read(source, layer="parcels", bbox=bbox, PAGE_SIZE=1000)
    every = client.get(f"/ogc/collections/parcels/items?bbox={','.join(map(str, bbox))}&limit=10000").json()
    assert sorted(inside["parcel_code"]) == sorted(f["id"] for f in every["features"]) and 0 < len(inside["parcel_code"]) < 1556
    below, _ = read(source, layer="parcels", where="status = 'below'", PAGE_SIZE=1000)
    assert len(below["status"]) > 0 and set(below["status"]) == {"below"}


def test_paging_has_next_links_until_the_last_page_which_counts(client: TestClient) -> None:
    first = client.get("/ogc/collections/parcels/items?limit=1000").json()
    assert first["numberReturned"] == 1000 and "numberMatched" not in first  # a count of a million rows is not cheap
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert nxt.endswith("/ogc/collections/parcels/items?limit=1000&offset=1000")
    second = client.get(nxt.removeprefix("http://testserver")).json()
    assert not any(link["rel"] == "next" for link in second["links"])
    assert second["numberMatched"] == 1000 + second["numberReturned"]  # the last page knows the total for free
    assert {f["id"] for f in first["features"]}.isdisjoint(f["id"] for f in second["features"])
    zones = client.get("/ogc/collections/zones/items?limit=5").json()
    assert zones["numberReturned"] == 5 and zones["numberMatched"] == 17  # a small table is always counted


def test_one_feature_the_documents_and_clear_errors(client: TestClient) -> None:
    zone = client.get("/ogc/collections/zones/items/CZ-XB-01")
    assert zone.headers["content-type"] == "application/geo+json"
    assert zone.json()["properties"]["name"] == "常州国家高新技术产业开发区"
    assert client.get("/ogc/collections/zones/items/NOPE").status_code == 404
    assert client.get("/ogc/collections/rivers/items").status_code == 404
    unknown = client.get("/ogc/collections/parcels/items?colour=red")
    assert unknown.status_code == 400 and unknown.json()["error"]["details"] == [{"field": "colour"}]
    assert client.get("/ogc/collections/parcels/items?limit=0").status_code == 400
    assert client.get("/ogc/collections/parcels/items?bbox=1,2,3").status_code == 400
    landing = client.get("/ogc").json()
    assert {link["rel"] for link in landing["links"]} >= {"self", "service-desc", "conformance", "data"}
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in client.get("/ogc/conformance").json()["conformsTo"]
    api = client.get("/ogc/api")
    assert api.json()["openapi"].startswith("3.0") and "/collections/parcels/items" in api.json()["paths"]
    collections = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in collections] == ["zones", "parcels", "projects"]
