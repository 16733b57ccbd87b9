"""`/api/evaluation` on the real PostGIS: the firms of tests/mujun/test_evaluation.py worked by hand, one of them without
用地面积 (its land is the parcel of its project, matched by name: L1, 10 亩), the map's classes, a firm's card and the XLSX."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from etl.load import LoadRequest, load
from geo_api.app import create_app
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.etl.test_land_use import EVALUATION_HEADER, valid_code
from tests.geodata import write_xlsx
from tests.land_world import write_land
from tests.world import POLICY

CODE_A = valid_code("91320412MA1MAAAA1")


def firms() -> list[list[Any]]:
    def row(name: str, code: str | None, district: str, land: float | None, *figures: float | None, production: str | None = None) -> list[Any]:
        return [name, code, 2023, district, land, *figures, production]

    return [
        row("企业LA", CODE_A, "武进区", None, 600, 10000, 2000, 1000, 10, 100, 500),  # land: L1's 10 亩
        row("B", None, "武进区", 10, 300, 5000, 1000, 500, 5, 50, 250),
        row("C", None, "武进区", 20, 300, 5000, 1000, None, 0, 50, 250),
        row("D", None, "武进区", 10, 100, 2000, 400, 200, 2, 20, 100),
        row("E", None, "武进区", 10, 100, 2000, 400, 200, 2, 20, 100),
        row("T", None, "武进区", 5, 5000, 50000, 9000, 100, 1, 100, 5000, production="2023-03-01"),
        row("G1", None, "溧阳市", 10, 200, 4000, 800, 400, 4, 40, 120),
        row("G2", None, "溧阳市", 10, 200, 4000, 800, 400, 4, 40, 120),
    ]


@pytest.fixture
def client(empty_db: str, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    load(empty_db, write_land(tmp_path), POLICY, RuleSettings(), actor=SHELL)
    load(empty_db, LoadRequest(evaluation=write_xlsx(tmp_path / "firms-2023.xlsx", EVALUATION_HEADER, firms())), POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "analyst")) as client:
        yield client


def test_the_years_evaluation_worked_by_hand(client: TestClient) -> None:
    answer = client.get("/api/evaluation", params={"year": 2023}).json()
    assert answer["year"] == 2023 and answer["graded"] == {"武进区": 5, "溧阳市": 2}
    assert answer["benchmarks"]["武进区"] == {"tax_per_mu": 23.33, "sales_per_mu": 400.0, "tax_per_energy": 0.58, "tax_per_emission": 57.89,
                                           "labour_productivity": 20.0, "rnd_share": 0.05}
    rows = {row["enterprise"]: row for row in answer["firms"]}
    assert {name: (row["score"], row["rank"], row["class"]) for name, row in rows.items()} == {
        "企业LA": (130.71, 1, "A"), "B": (117.15, 2, "B"), "D": (64.4, 3, "B"), "E": (64.4, 3, "B"), "C": (58.22, 5, "D"),
        "T": (None, None, "T"), "G1": (100.0, 1, "B"), "G2": (100.0, 1, "B")}
    assert rows["企业LA"]["credit_code"] == CODE_A
    assert [note["code"] for note in rows["企业LA"]["notes"]] == ["land_from_parcels"]
    assert answer["definitions"]["unverified"] == ["weights"] and answer["definitions"]["cap"] == 1.5


def test_a_county_is_asked_for_alone(client: TestClient) -> None:
    answer = client.get("/api/evaluation", params={"year": 2023, "jurisdiction": "溧阳市"}).json()
    assert [row["enterprise"] for row in answer["firms"]] == ["G1", "G2"] and list(answer["benchmarks"]) == ["溧阳市"]
    assert client.get("/api/evaluation").json()["year"] == 2023  # the latest year by default


def test_the_map_colours_each_firms_parcels_by_class(client: TestClient) -> None:
    answer = client.get("/api/evaluation/map", params={"year": 2023}).json()
    assert answer["parcels"] == {"L1": ["A", CODE_A]}  # only 企业LA has projects with land
    assert answer["classes"] == ["A", "B", "C", "D", "T"]


def test_the_firms_card(client: TestClient) -> None:
    card = client.get(f"/api/evaluation/firms/{CODE_A}").json()
    assert (card["enterprise"], card["parcels"]) == ("企业LA", ["L1"])
    (year,) = card["years"]
    assert (year["year"], year["score"], year["class"], year["graded"]) == (2023, 130.71, "A", 5)
    assert year["benchmarks"]["tax_per_mu"] == 23.33 and year["indicators"]["tax_per_mu"] == 60.0
    assert client.get("/api/evaluation/firms/企业LA").json()["credit_code"] == CODE_A  # by name too
    missing = client.get("/api/evaluation/firms/nobody")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "firm_not_found"


def test_the_export(client: TestClient) -> None:
    response = client.get("/api/evaluation", params={"year": 2023, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["企业评价"]
    caption = str(sheet.cell(1, 1).value)
    assert "2023 年度" in caption and "权重未经核实" in caption and "A ≤ 20%" in caption
    headers = [cell.value for cell in sheet[2]]
    assert headers[:4] == ["所属地区", "企业名称", "统一社会信用代码", "亩均税收(万元/亩)"] and "综合得分" in headers
    first = {header: sheet.cell(3, k + 1).value for k, header in enumerate(headers)}
    assert (first["企业名称"], first["综合得分"], first["名次"], first["分类"]) == ("企业LA", 130.71, 1, "A")
    assert book["基准值"].cell(3, 1).value == "武进区"
    bad = client.get("/api/evaluation", params={"year": 1800})
    assert bad.status_code == 422
