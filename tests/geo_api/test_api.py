"""The HTTP API on the real PostGIS, with the small world of tests/world.py loaded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from etl.load import LoadRequest, load
from geo_api.app import create_app
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.geodata import gk_lonlat as lonlat
from tests.world import POLICY


@pytest.fixture
def client(empty_db: str, db_url: str, world: LoadRequest) -> Iterator[TestClient]:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url)) as client:
        yield client


def test_parcel_record_has_the_contract_fields_and_hand_worked_values(client: TestClient) -> None:
    response = client.get("/api/parcels/P3")
    assert response.status_code == 200
    record = response.json()
    for name in ("parcel_code", "project_code", "zone_code", "zone_name", "area_m2", "recorded_area_m2", "area_mu",
                 "total_investment_wan", "intensity_wan_per_mu", "threshold_wan_per_mu", "ratio", "status",
                 "shortfall_wan", "flags"):
        assert name in record
    # 200 m × 150 m = 30 000 m² = 45 亩 in the 350 cluster; 9 000 万元 → 200 万元/亩; 350 × 45 − 9 000 = 6 750.
    assert record["area_m2"] == pytest.approx(30000.0, abs=0.01)
    assert (record["area_mu"], record["threshold_wan_per_mu"], record["intensity_wan_per_mu"]) == (45.0, 350.0, 200.0)
    assert (record["status"], record["shortfall_wan"], record["zone_name"]) == ("below", 6750.0, "雪堰工业集中区")


def test_unknown_parcel_is_a_clear_404_in_both_languages(client: TestClient) -> None:
    response = client.get("/api/parcels/NOPE-1")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "parcel_not_found",
                                         "message": {"zh": "未找到宗地编号 NOPE-1", "en": "no parcel with code NOPE-1"}}}


def test_lookup_finds_the_parcel_under_a_point_and_nothing_beside_it(client: TestClient) -> None:
    lon, lat = lonlat(1200, 1175)  # the middle of P3
    found = client.get("/api/lookup", params={"lon": lon, "lat": lat}).json()
    assert [p["parcel_code"] for p in found["parcels"]] == ["P3"]
    lon, lat = lonlat(1700, 1700)  # inside the zone, on no parcel
    assert client.get("/api/lookup", params={"lon": lon, "lat": lat}).json()["parcels"] == []


def test_layers_list_styles_and_legend_from_the_catalogue(client: TestClient) -> None:
    body = client.get("/api/layers").json()
    ids = [layer["id"] for layer in body["layers"]]
    assert ids == ["zones", "parcels"]
    parcels = body["layers"][1]
    assert parcels["style"]["property"] == "band"
    assert [c["value"] for c in parcels["style"]["classes"]] == ["meets", "below", "far_below", "none"]
    assert parcels["title"] == {"zh": "项目宗地", "en": "Project parcels"}
    west, south, east, north = body["initial_bbox"]
    assert west < lonlat(0, 0)[0] < lonlat(4000, 0)[0] <= east + 1e-9 and south <= lonlat(0, 0)[1] < north


def test_features_by_bbox(client: TestClient) -> None:
    # A box around the south-west corner of the big zone holds P1, P2 (x 100–400) and P9 (x 700–800), not P3.
    w, s = lonlat(50, 50)
    e, n = lonlat(850, 250)
    body = client.get("/api/layers/parcels/features", params={"bbox": f"{w},{s},{e},{n}"}).json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    assert sorted(f["id"] for f in body["features"]) == ["P1", "P2", "P9"]
    p1 = next(f for f in body["features"] if f["id"] == "P1")
    assert p1["geometry"]["type"] == "MultiPolygon" and p1["properties"]["band"] == "meets"
    zones = client.get("/api/layers/zones/features", params={"bbox": f"{w},{s},{e},{n}"}).json()
    assert [f["id"] for f in zones["features"]] == ["WJ-DZ"]
    limited = client.get("/api/layers/parcels/features", params={"bbox": f"{w},{s},{e},{n}", "limit": 2}).json()
    assert len(limited["features"]) == 2 and limited["truncated"] is True


def test_bad_requests_get_json_errors_without_a_stack_trace(client: TestClient) -> None:
    for url in ("/api/layers/parcels/features?bbox=1,2,3", "/api/lookup?lon=east&lat=1", "/api/layers/roads/features?bbox=0,0,1,1",
                "/no/such/page"):
        response = client.get(url)
        assert response.status_code in (404, 422)
        error = response.json()["error"]
        assert error["message"]["zh"] and error["message"]["en"]
        assert "Traceback" not in response.text


def test_health_readiness_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "database": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/parcels/{parcel_code}", "/api/lookup", "/api/layers", "/api/layers/{layer_id}/features",
                 "/healthz", "/readyz"):
        assert path in paths


def test_page_and_leaflet_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "/vendor/leaflet/leaflet.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    assert client.get("/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/node_modules/leaflet/package.json").status_code == 404
