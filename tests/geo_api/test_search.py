"""Search by code, name, enterprise, pinyin initials and typed coordinates; a parcel's context."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from etl.load import LoadRequest, load
from geo_api.app import create_app
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.geodata import X0, Y0, write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_projects


@pytest.fixture
def client(empty_db: str, db_url: str, world: LoadRequest) -> Iterator[TestClient]:
    projects = world_projects()
    projects[0][1:3] = ["常州源丰新材料年产5万吨隔膜项目", "江苏源丰科技有限公司"]  # project A, parcel P1
    assert world.projects is not None
    load(empty_db, LoadRequest(zones=world.zones, parcels=world.parcels,
                               projects=write_xlsx(world.projects.with_name("named.xlsx"), PROJECT_HEADER, projects)),
         POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url)) as client:
        yield client


def codes(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200, response.text
    return [r["parcel_code"] for r in response.json()["results"]]


def test_by_code_exact_and_prefix(client: TestClient) -> None:
    assert codes(client, "P3") == ["P3"]
    assert codes(client, "P")[:9] == ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"]


def test_by_project_and_enterprise_name_and_initials(client: TestClient) -> None:
    assert codes(client, "隔膜") == ["P1"]
    assert codes(client, "源丰科技") == ["P1"]
    assert codes(client, "jsyf") == ["P1"]  # 江苏源丰 → j s y f
    assert codes(client, "czyfxcl") == ["P1"]  # 常州源丰新材料
    assert codes(client, "项目D") == ["P4", "P5"]
    assert codes(client, "%") == []  # a LIKE wildcard typed is a character, not "everything"


def test_by_coordinates_lon_lat_and_gauss_kruger(client: TestClient) -> None:
    # The middle of P3 is (1 200, 1 175) m from the world's origin in EPSG:4549.
    x, y = X0 + 1200, Y0 + 1175
    body = client.get("/api/search", params={"q": f"{x:.2f},{y:.2f}"}).json()
    assert body["point"]["read_as"] == "EPSG:4549 x/y"  # the meridian of the loaded data (120°E)
    assert [r["parcel_code"] for r in body["results"]] == ["P3"]
    assert codes(client, f"40{x:.2f} {y:.2f}") == ["P3"]  # with the zone number in front
    lon, lat = body["point"]["lon"], body["point"]["lat"]
    assert codes(client, f"{lat:.7f},{lon:.7f}") == ["P3"]  # lat/lon swapped


def test_context_lists_the_project_s_other_parcels_and_neighbours(client: TestClient) -> None:
    response = client.get("/api/parcels/P4/context")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["parcel"]["parcel_code"] == "P4"
    assert [p["parcel_code"] for p in body["project_parcels"]] == ["P5"]
    # P5 shares P4's east edge; nothing else lies within 50 m of P4 (x 500–560, y 500–600).
    assert [p["parcel_code"] for p in body["neighbours"]] == ["P5"]
    assert client.get("/api/parcels/NOPE/context").status_code == 404

