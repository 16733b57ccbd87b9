"""`/api/land/…` on the real PostGIS, against tests/land_world.py worked by hand: idle land, 供而未用, 批而未供 measured in
the Gauss-Krüger plane, the map's classes, the unsupplied geometry and a parcel's card; XLSX and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from etl.load import load
from geo_api.app import create_app
from mujun import rules
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.land_world import write_land
from tests.world import POLICY


@pytest.fixture
def client(empty_db: str, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    load(empty_db, write_land(tmp_path), POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "analyst")) as client:
        yield client


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_idle_land_as_of_the_day(client: TestClient) -> None:
    answer = get(client, "/api/land/idle", as_of="2024-06-30")
    assert answer["as_of"] == "2024-06-30"
    # L1 and L2 idle (fees 246.91 and 400.00), L2 reclaimable; L3 the government's; L4 (under a third developed, stopped a
    # full year exactly) stalled, not counted as idle by default; L5 has spent 1 800 of 6 400 (28.1%): not stalled.
    assert answer["summary"] == {"idle": 2, "idle_fee_wan": 646.91, "reclaimable": 1, "government_delay": 1, "stalled": 1,
                                 "stalled_counts_as_idle": False}
    rows = {row["parcel_code"]: row for row in answer["parcels"]}
    assert [(code, row["category"]) for code, row in rows.items()] == [
        ("L2", "idle_2y"), ("L1", "idle_1y"), ("L4", "stalled"), ("L3", "government_delay")]
    assert {key: rows["L1"][key] for key in ("agreed_start_date", "overdue_days", "land_price_wan", "idle_fee_wan", "reclaimable")} == {
        "agreed_start_date": "2023-06-30", "overdue_days": 366, "land_price_wan": 1234.56, "idle_fee_wan": 246.91, "reclaimable": False}
    assert (rows["L2"]["idle_fee_wan"], rows["L2"]["reclaimable"], rows["L3"]["idle_fee_wan"]) == (400.0, True, None)
    # A day earlier neither L1's year nor L4's stop is full.
    assert [row["parcel_code"] for row in get(client, "/api/land/idle", as_of="2024-06-29")["parcels"]] == ["L2", "L3"]


def test_the_investment_spent_counts_each_years_latest_report_to_the_day(client: TestClient) -> None:
    def l5(day: str) -> str | None:
        rows = {row["parcel_code"]: row["category"] for row in get(client, "/api/land/idle", as_of=day)["parcels"]}
        return rows.get("L5")

    # By 2023-08-30 August has not ended: 2022's 1 000 + 2023's May 500 = 1 500 of 6 400 (23.4%); by 2023-08-31, 1 800 (28.1%).
    assert (l5("2023-08-30"), l5("2023-08-31")) == ("stalled", None)
    card = get(client, "/api/land/parcels/L5", as_of="2023-08-30")
    assert card["dates"]["start_basis"] == "project" and "under 25% of the total investment spent" in [r["en"] for r in card["reasons"]]


def test_filters_select_the_parcels(client: TestClient) -> None:
    assert get(client, "/api/land/idle", as_of="2024-06-30", jurisdiction="溧阳市")["parcels"] == []
    assert len(get(client, "/api/land/idle", as_of="2024-06-30", jurisdiction="武进区")["parcels"]) == 4
    bad = client.get("/api/land/idle", params={"as_of": "2024-06-30", "zone_class": "city"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_filter"
    bad = client.get("/api/land/idle", params={"as_of": "30/06/2024"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_date"
    assert client.get("/api/land/idle", params={"format": "pdf"}).json()["error"]["code"] == "invalid_format"


def test_supplied_unused_and_approved_unsupplied(client: TestClient) -> None:
    answer = get(client, "/api/land/supply", as_of="2021-12-31")
    unused = {row["parcel_code"]: row for row in answer["supplied_unused"]}
    assert set(unused) == {"L2", "L3", "L6"}  # L1 and Q2 are supplied on 2022-01-01; L5's project started on 2021-03-01
    assert unused["L6"]["note"] == {"zh": "无约定开工日期，无法判定是否闲置", "en": "no agreed start date: whether it is idle cannot be judged"}
    assert answer["approved_unsupplied"] == [
        {"batch_code": "B1", "approved_date": "2019-06-01", "area_m2": pytest.approx(60000, abs=0.02),
         "unsupplied_m2": pytest.approx(35000, abs=0.05), "unsupplied_mu": 52.5}]
    later = get(client, "/api/land/supply", as_of="2022-01-01")["approved_unsupplied"]
    assert [(b["batch_code"], b["unsupplied_m2"], b["unsupplied_mu"]) for b in later] == [("B1", pytest.approx(17500, abs=0.05), 26.25)]
    before = get(client, "/api/land/supply", as_of="2019-12-31")["approved_unsupplied"]
    assert [(b["batch_code"], b["unsupplied_mu"]) for b in before] == [("B1", 90.0), ("B2", 15.0)]


def test_the_batches_areas_are_gauss_krueger_planar(client: TestClient, empty_db: str) -> None:
    import psycopg

    with psycopg.connect(empty_db) as conn:
        row = conn.execute("SELECT area_m2, ST_AsBinary(geom) FROM approval_batches WHERE batch_code = 'B1'").fetchone()
    assert row is not None
    assert float(row[0]) == pytest.approx(60000, abs=0.02)
    assert float(rules.gk_area_m2(shapely.from_wkb(row[1]))) == pytest.approx(float(row[0]), abs=0.01)


def test_the_map_classes_and_the_unsupplied_geometry(client: TestClient) -> None:
    classes = get(client, "/api/land/map", as_of="2024-06-30")
    assert classes["parcels"] == {"L1": "idle_1y", "L2": "idle_2y", "L3": "government_delay", "L4": "stalled"}
    assert classes["supplied_unused"] == ["L1", "L2", "L3", "L6"]
    assert classes["classes"] == ["idle_2y", "idle_1y", "stalled", "government_delay"]
    collection = get(client, "/api/land/unsupplied", as_of="2021-12-31", bbox="119,31,121,33")
    (feature,) = collection["features"]
    assert feature["properties"]["batch_code"] == "B1" and feature["properties"]["unsupplied_mu"] == 52.5
    drawn = rules.gk_area_m2(shapely.geometry.shape(feature["geometry"]))
    # The drawn part is cut in lon/lat for the map, where the straight edges of neighbouring outlines part from those of the
    # plane by under a millimetre: it measures what the list says, to a square metre or two of hairlines.
    assert float(drawn) == pytest.approx(35000, abs=2)


def test_the_parcel_card(client: TestClient) -> None:
    card = get(client, "/api/land/parcels/L1", as_of="2024-06-30")
    assert (card["category"], card["idle"], card["idle_fee_wan"], card["dates"]["idle_on"]) == ("idle_1y", True, 246.91, "2024-06-30")
    assert card["reasons"][0]["zh"] == "约定 2023-06-30 开工，至 2024-06-30 尚未动工（逾期 366 天）"
    assert get(client, "/api/land/parcels/Q1", as_of="2024-06-30")["batches"] == ["B1"]
    missing = client.get("/api/land/parcels/NOPE")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "parcel_not_found"


def test_exports_carry_the_date_filters_and_units(client: TestClient) -> None:
    response = client.get("/api/land/idle", params={"as_of": "2024-06-30", "format": "xlsx", "jurisdiction": "武进区"})
    assert response.status_code == 200 and "mujun-idle-land-2024-06-30.xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["闲置土地"]
    caption = str(sheet.cell(1, 1).value)
    assert "截至 2024-06-30" in caption and "辖区：武进区" in caption and "第53号" in caption
    headers = [cell.value for cell in sheet[2]]
    assert headers[:3] == ["宗地编号", "项目编号", "类别"] and "土地闲置费(万元)" in headers
    assert [sheet.cell(r, 1).value for r in range(3, 7)] == ["L2", "L1", "L4", "L3"]
    assert sheet.cell(4, headers.index("土地闲置费(万元)") + 1).value == 246.91
    supply = client.get("/api/land/supply", params={"as_of": "2021-12-31", "format": "csv"})
    text = supply.content.decode("utf-8-sig")
    assert text.startswith("供而未用与批而未供 截至 2021-12-31")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[-3:-1] == [["批而未供"], ["批次编号", "批准日期", "批次面积(平方米)", "批而未供面积(平方米)", "批而未供面积(亩)"]]
    assert (rows[-1][:2], rows[-1][4]) == (["B1", "2019-06-01"], "52.50")
