"""An account of one district (武进区) sees only its parcels, projects, idle land, batches and firms, worked out by hand on
tests/world.py (and the access matrix's additions to it).

Violations of the world: P2 (B: 3 999 on 10 亩, 399.9 of 400), P3 (C: 9 000 on 45 亩, 200 of 350), P4+P5 (D: 5 400 on
15 亩, 360 of 400), all in 武进区, and P8 (G: 5 000 on 15.75 亩 recorded, 317.46 of 350) in 溧阳市. P7 lies in no zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import mapping

from etl.load import LoadRequest, load
from geo_api.app import create_app
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.geo_api.test_access_matrix import everything
from tests.geo_api.test_tiles import tile_at
from tests.geodata import gk_rect
from tests.world import POLICY

WUJIN = ("武进区",)


@pytest.fixture
def clients(empty_db: str, db_url: str, world: LoadRequest) -> Iterator[tuple[TestClient, TestClient]]:
    """An analyst of every district and one of 武进区."""
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with (TestClient(create_app(settings_for(db_url)), headers=bearer(db_url, "analyst")) as everyone,
          TestClient(create_app(settings_for(db_url)), headers=bearer(db_url, "analyst", WUJIN)) as wujin):
        yield everyone, wujin


def codes(records: list[dict[str, Any]]) -> list[str]:
    return sorted(r["parcel_code"] for r in records)


def test_the_report_summary_and_data_quality_of_one_district(clients: tuple[TestClient, TestClient]) -> None:
    everyone, wujin = (c.get("/api/reports/violations").json() for c in clients)
    assert codes(everyone["violations"]) == ["P2", "P3", "P4", "P5", "P8"]
    assert codes(wujin["violations"]) == ["P2", "P3", "P4", "P5"]
    # Shortfalls: B 400 × 10 − 3 999 = 1; C 350 × 45 − 9 000 = 6 750; D 400 × 15 − 5 400 = 600; G 350 × 15.75 − 5 000 = 512.5.
    total = wujin["summary"]["total"]
    assert (total["projects"], total["parcels"], total["area_mu"], total["shortfall_wan"]) == (3, 4, 70.0, 7351.0)
    assert everyone["summary"]["total"]["shortfall_wan"] == 7863.5
    assert [line["jurisdiction"] for line in wujin["summary"]["by_jurisdiction"]] == ["武进区"]
    # Data quality: P6 straddles (武进区); P7 is in no zone and P8's recorded area is off: not 武进区's.
    assert codes(everyone["data_quality"]) == ["P6", "P7", "P8"] and codes(wujin["data_quality"]) == ["P6"]
    assert "P8" not in clients[1].get("/api/reports/violations", params={"format": "csv"}).text
    assert clients[1].get("/api/reports/violations", params={"jurisdiction": "溧阳市"}).json()["violations"] == []


def test_records_search_and_lookup_of_another_district_are_not_found(clients: tuple[TestClient, TestClient]) -> None:
    everyone, wujin = clients
    assert everyone.get("/api/parcels/P8").status_code == 200
    missing = wujin.get("/api/parcels/P8")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "parcel_not_found"
    assert wujin.get("/api/parcels/P7").status_code == 404  # in no zone: of no district
    assert codes(wujin.get("/api/search", params={"q": "P"}).json()["results"]) == ["P1", "P2", "P3", "P4", "P5", "P6", "P9"]
    context = wujin.get("/api/parcels/P4/context").json()
    assert codes(context["project_parcels"]) == ["P5"]


def test_tiles_and_their_zone_summaries_of_one_district(clients: tuple[TestClient, TestClient]) -> None:
    everyone, wujin = clients
    tiles = {tile_at(x, y, 10) for x, y in ((0, 0), (5100, 0), (0, 2000), (5100, 2000))}

    def summary(client: TestClient) -> dict[str, int]:
        found = {}
        for x, y in tiles:
            layers = mapbox_vector_tile.decode(client.get(f"/tiles/parcels/10/{x}/{y}.mvt").content)
            found |= {f["properties"]["zone_code"]: f["properties"]["parcels"] for f in layers.get("zone_summary", {"features": []})["features"]}
        return found

    assert summary(everyone) == {"WJ-DZ": 6, "WJ-CL": 1, "LY-DZ": 1}
    assert summary(wujin) == {"WJ-DZ": 6, "WJ-CL": 1}
    x, y = tile_at(3150, 150, 14)
    outlines = mapbox_vector_tile.decode(wujin.get(f"/tiles/zones/14/{x}/{y}.mvt").content)
    assert [f["properties"]["zone_code"] for f in outlines["zones"]["features"]] == ["LY-DZ"]  # zones: context for all
    assert "parcels" not in mapbox_vector_tile.decode(wujin.get(f"/tiles/parcels/14/{x}/{y}.mvt").content)
    etags = {c.get(f"/tiles/parcels/14/{x}/{y}.mvt").headers["etag"] for c in clients}
    assert len(etags) == 2  # one cached tile per district set, never handed to the other
    assert wujin.get(f"/tiles/parcels/14/{x}/{y}.mvt").headers["cache-control"].startswith("private")


def test_ogc_items_of_one_district(clients: tuple[TestClient, TestClient]) -> None:
    everyone, wujin = clients

    def ids(client: TestClient, collection: str) -> list[str]:
        return sorted(f["id"] for f in client.get(f"/ogc/collections/{collection}/items?limit=100").json()["features"])

    assert ids(everyone, "projects") == ["A", "B", "C", "D", "E", "F", "G", "H"]
    assert ids(wujin, "projects") == ["A", "B", "C", "D", "E", "H"]
    assert ids(wujin, "parcels") == ["P1", "P2", "P3", "P4", "P5", "P6", "P9"]
    assert len(ids(wujin, "zones")) == 3
    assert wujin.get("/ogc/collections/parcels/items/P8").status_code == 404
    assert wujin.get("/ogc/collections/parcels/items/P3").status_code == 200


def test_a_site_on_another_district_s_parcel_shows_the_overlap_without_its_code(clients: tuple[TestClient, TestClient]) -> None:
    body = {"geometry": dict(mapping(gk_rect(3120, 120, 40, 40))), "total_investment_wan": 100, "project_type": "industrial"}
    everyone, wujin = (c.post("/api/siting/review", json=body).json() for c in clients)
    assert everyone["parcel_overlaps"] == [{"parcel_code": "P8", "area_m2": 1600.0}]
    assert wujin["parcel_overlaps"] == [{"parcel_code": None, "area_m2": 1600.0}]  # 40 m × 40 m, all on P8


@pytest.fixture
def land_clients(empty_db: str, db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    """The access matrix's world: P8 (溧阳市) and P2 (武进区) idle since 2022, batches BLY and BWJ over them, 2023's
    figures of 企业G (溧阳市) and 企业B (武进区); an analyst of every district and one of 武进区."""
    load(empty_db, everything(tmp_path), POLICY, RuleSettings(), actor=SHELL)
    with (TestClient(create_app(settings_for(db_url)), headers=bearer(db_url, "analyst")) as everyone,
          TestClient(create_app(settings_for(db_url)), headers=bearer(db_url, "analyst", WUJIN)) as wujin):
        yield everyone, wujin


def test_idle_land_and_supply_of_one_district(land_clients: tuple[TestClient, TestClient]) -> None:
    everyone, wujin = (c.get("/api/land/idle", params={"as_of": "2024-06-30"}).json() for c in land_clients)
    # Agreed to start 2022-06-30, never started: two full years on 2024-06-30; the fee 20% of 1 000 万元 each.
    assert codes(everyone["parcels"]) == ["P2", "P8"] and codes(wujin["parcels"]) == ["P2"]
    assert [p["idle_fee_wan"] for p in wujin["parcels"]] == [200.0] and wujin["summary"]["idle_fee_wan"] == 200.0
    assert everyone["summary"]["idle_fee_wan"] == 400.0
    supply = [c.get("/api/land/supply", params={"as_of": "2024-06-30"}).json() for c in land_clients]
    assert [b["batch_code"] for b in supply[0]["approved_unsupplied"]] == ["BLY", "BWJ"]  # the larger first
    assert [b["batch_code"] for b in supply[1]["approved_unsupplied"]] == ["BWJ"]  # BLY meets only 溧阳市's zone
    assert codes(supply[1]["supplied_unused"]) == ["P2"]
    assert land_clients[1].get("/api/land/parcels/P8").status_code == 404
    assert sorted(land_clients[1].get("/api/land/map", params={"as_of": "2024-06-30"}).json()["parcels"]) == ["P2"]


def test_the_evaluation_of_one_district_s_firms(land_clients: tuple[TestClient, TestClient]) -> None:
    everyone, wujin = (c.get("/api/evaluation", params={"year": 2023}).json() for c in land_clients)
    assert everyone["graded"] == {"武进区": 1, "溧阳市": 1} and wujin["graded"] == {"武进区": 1}
    # Alone in its county, 企业B meets every benchmark: each term is its weight, the score 100, whoever asks.
    assert [(f["enterprise"], f["score"]) for f in wujin["firms"]] == [("企业B", 100.0)]
    assert [f["score"] for f in everyone["firms"] if f["enterprise"] == "企业B"] == [100.0]
    assert land_clients[1].get("/api/evaluation/firms/企业G").status_code == 404
    assert sorted(land_clients[1].get("/api/evaluation/map", params={"year": 2023}).json()["parcels"]) == ["P2"]
