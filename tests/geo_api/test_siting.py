"""POST /api/siting/review on the real PostGIS: the small world of tests/world.py and three constraint areas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import mapping

from etl.load import LoadRequest, load
from geo_api.app import create_app
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.geodata import gk_lonlat, gk_rect, write_geojson
from tests.world import POLICY

CONSTRAINTS = [
    ({"约束编码": "NT-1", "约束类型": "永久基本农田"}, gk_rect(250, 200, 300, 400)),  # x 250–550, y 200–600
    ({"约束编码": "HX-1", "约束类型": "ecological_redline"}, gk_rect(280, 430, 100, 100)),  # x 280–380, y 430–530
    ({"约束编码": "KF-1", "约束类型": "城镇开发边界"}, gk_rect(-500, -500, 700, 3000)),  # x −500–200
    ({"约束编码": "NT-9", "约束类型": "永久基本农田"}, gk_rect(6000, 6000, 100, 100)),  # far from every site
]


@pytest.fixture
def client(empty_db: str, db_url: str, world: LoadRequest, tmp_path: Path) -> Iterator[TestClient]:
    constraints = write_geojson(tmp_path / "constraints.geojson", CONSTRAINTS)
    load(empty_db, replace(world, constraints=constraints), POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url)) as client:
        yield client


def ask(client: TestClient, geometry: Any, investment: float | str = 13500, project_type: str = "industrial") -> Any:
    return client.post("/api/siting/review", json={"geometry": geometry, "total_investment_wan": investment,
                                                   "project_type": project_type})


def site(x: float, y: float, width: float, height: float) -> dict[str, Any]:
    return dict(mapping(gk_rect(x, y, width, height)))


def test_a_site_below_the_threshold_on_farmland_half_outside_the_boundary(client: TestClient) -> None:
    # 200 m × 150 m at x 100–300, y 300–450: 30 000 m² = 45 亩 in WJ-DZ (400). 13 500 / 45 = 300 万元/亩, below;
    # 400 × 45 = 18 000 万元 needed; 13 500 / 400 = 33.75 亩 carried. Farmland NT-1 takes x 250–300 × 150 =
    # 7 500 m², the red line x 280–300 × y 430–450 = 400 m²; the boundary ends at x = 200: 15 000 m² outside.
    response = ask(client, site(100, 300, 200, 150))
    assert response.status_code == 200
    body = response.json()
    assert (body["area_m2"], body["area_mu"], body["zone_code"], body["zone_name"]) == (
        30000.0, 45.0, "WJ-DZ", "武进国家高新技术产业开发区")
    assert (body["threshold_wan_per_mu"], body["intensity_wan_per_mu"], body["status"]) == (400.0, 300.0, "below")
    assert (body["min_investment_wan"], body["max_area_mu"], body["shortfall_wan"]) == (18000.0, 33.75, 4500.0)
    assert body["parcel_overlaps"] == []
    assert body["constraint_overlaps"] == [
        {"constraint_type": "permanent_farmland", "code": "NT-1", "area_m2": 7500.0},
        {"constraint_type": "ecological_redline", "code": "HX-1", "area_m2": 400.0},
    ]
    assert body["outside_development_boundary_m2"] == 15000.0
    assert (body["gauss_kruger_epsg"], body["policy_code"], body["band"]) == (4549, "changzhou-2018", "far_below")


def test_a_site_over_a_stored_parcel_in_the_nested_cluster(client: TestClient) -> None:
    # x 1200–1400, y 1200–1350 lies in the 350 cluster and covers P3 (x 1100–1300, y 1100–1250) over
    # x 1200–1300 × y 1200–1250 = 5 000 m². 15 750 万元 / 45 亩 = 350 meets; 350 × 45 = 15 750; 45 亩 carried.
    body = ask(client, site(1200, 1200, 200, 150), "15750").json()
    assert (body["zone_code"], body["threshold_wan_per_mu"], body["status"]) == ("WJ-CL", 350.0, "meets")
    assert (body["min_investment_wan"], body["max_area_mu"]) == (15750.0, 45.0)
    assert body["parcel_overlaps"] == [{"parcel_code": "P3", "area_m2": 5000.0}]
    assert (body["constraint_overlaps"], body["outside_development_boundary_m2"]) == ([], 30000.0)


def test_a_service_project_and_a_site_in_no_zone_have_no_threshold(client: TestClient) -> None:
    service = ask(client, site(100, 300, 200, 150), project_type="service").json()
    assert (service["status"], service["zone_code"], service["threshold_wan_per_mu"]) == ("not_assessed", "WJ-DZ", None)
    assert (service["min_investment_wan"], service["max_area_mu"]) == (None, None)
    nowhere = ask(client, site(5000, 0, 100, 100)).json()
    assert (nowhere["status"], nowhere["zone_code"], nowhere["min_investment_wan"]) == ("outside_zone", None, None)
    assert (nowhere["area_m2"], nowhere["outside_development_boundary_m2"]) == (10000.0, 10000.0)


def test_a_bad_geometry_is_a_422_saying_what_is_wrong(client: TestClient) -> None:
    lon, lat = gk_lonlat(100, 100)
    point = ask(client, {"type": "Point", "coordinates": [lon, lat]})
    assert point.status_code == 422
    error = point.json()["error"]
    assert error["code"] == "invalid_geometry"
    assert error["message"] == {"zh": "选址 site, geometry：值 'Point'，应为面（Polygon/MultiPolygon）",
                                "en": "选址 site, geometry: value 'Point', expected a polygon (Polygon/MultiPolygon)"}
    corners = [gk_lonlat(0, 0), gk_lonlat(100, 100), gk_lonlat(100, 0), gk_lonlat(0, 100), gk_lonlat(0, 0)]
    bowtie = ask(client, {"type": "Polygon", "coordinates": [corners]})
    assert bowtie.status_code == 422 and "Self-intersection" in bowtie.json()["error"]["message"]["en"]
    assert "自相交" in bowtie.json()["error"]["message"]["zh"]
    swapped = shapely.transform(gk_rect(0, 0, 100, 100), lambda xy: xy[:, ::-1])
    outside = ask(client, dict(mapping(swapped)))
    assert outside.status_code == 422 and "坐标不在中国范围内" in outside.json()["error"]["message"]["zh"]
    empty = ask(client, {"type": "MultiPolygon", "coordinates": []})
    assert empty.status_code == 422 and empty.json()["error"]["message"]["en"].endswith("the geometry is empty")


@pytest.mark.parametrize(("investment", "project_type", "field"), [
    (-1, "industrial", "body.total_investment_wan"),
    ("很多", "industrial", "body.total_investment_wan"),
    (100, "工厂", "body.project_type"),
])
def test_bad_request_fields_are_a_422_naming_the_field(client: TestClient, investment: Any, project_type: str,
                                                       field: str) -> None:
    response = ask(client, site(100, 300, 200, 150), investment, project_type)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]
