"""Major projects by district: an account of 武进区 sees its projects' progress, cards and bulletins only, worked out by
hand on tests/major_projects.py (A, B, E, H of 武进区; C, D of 溧阳市; F on 2017's list).

Two more projects show whose a project is: X has no 所属地区 and its land (PX) lies in 溧阳市's zone, so it is 溧阳市's;
Y says 所属地区 武进区 while its land (PY) lies in 溧阳市's zone, so Y is 武进区's and PY is 溧阳市's.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from etl.load import LoadRequest, load
from geo_api.app import create_app
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.geodata import gk_rect, write_geojson, write_xlsx
from tests.major_projects import HEADER, LOAD_DAY, write_files, write_land
from tests.world import POLICY

D = dt.date
WUJIN, LIYANG = ("武进区",), ("溧阳市",)


def x_and_y(folder: Path) -> LoadRequest:
    def row(code: str, district: str | None) -> list[Any]:
        return [code, f"项目{code}", f"企业{code}", "新材料", "工业", 1000, district, 2018, "新建", "市级重大项目", 100, D(2018, 1, 1), None,
                D(2018, 12, 1), None, None, None, None]

    def parcel(code: str, project: str, y: float) -> tuple[dict[str, Any], Any]:
        return ({"parcel_code": code, "project_code": project, "land_use": "工业用地", "recorded_area_m2": 10000},
                gk_rect(3600, y, 100, 100))

    return LoadRequest(projects=write_xlsx(folder / "xy.xlsx", HEADER, [row("X", None), row("Y", "武进区")]),
                       parcels=write_geojson(folder / "xy.geojson", [parcel("PX", "X", 100), parcel("PY", "Y", 700)]), today=LOAD_DAY)


@pytest.fixture
def clients(empty_db: str, db_url: str, tmp_path: Path) -> Iterator[dict[str, TestClient]]:
    """Analysts of every district, of 武进区, of 溧阳市 and of both."""
    projects, monthly, _ = write_files(tmp_path)
    zones, parcels = write_land(tmp_path)
    load(empty_db, LoadRequest(zones=zones, parcels=parcels, projects=projects, monthly=monthly, today=LOAD_DAY), POLICY, RuleSettings(),
         actor=SHELL)
    with (TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "analyst")) as everyone,
          TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "analyst", WUJIN)) as wujin,
          TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "analyst", LIYANG)) as liyang,
          TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False,
                     headers=bearer(db_url, "analyst", ("武进区", "溧阳市"))) as both):
        yield {"everyone": everyone, "wujin": wujin, "liyang": liyang, "both": both}


def progress(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/progress", params={"as_of": "2018-06", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_progress_of_one_district_is_its_projects_alone(clients: dict[str, TestClient]) -> None:
    wujin, everyone = progress(clients["wujin"]), progress(clients["everyone"])
    assert sum(wujin["stages"].values()) == 4 and sum(everyone["stages"].values()) == 6  # A, B, E, H of A, B, C, D, E, H
    # 武进: Σ 本年累计 A 2 000 + B 0 + H 0 = 2 000 of Σ plans 4 000 + 3 000 + 1 000 = 8 000: 0.25 (the city's is 0.4333).
    assert wujin["rates"]["investment_plan_completion"] == {"completed_wan": 2000.0, "planned_wan": 8000.0, "rate": 0.25}
    assert wujin["rates"]["continuing_completion"] == {"numerator": 1, "denominator": 1, "rate": 1.0}  # H (C and D are 溧阳's)
    assert [line["jurisdiction"] for line in wujin["by_jurisdiction"]] == ["武进区"]
    assert wujin["by_jurisdiction"][0]["ranks"]["investment_plan_completion"] == 1  # among the districts it sees
    assert [entry["project_code"] for entry in everyone["lists"]["not_completed"]] == ["D"] and wujin["lists"]["not_completed"] == []
    # The filter a client sends narrows the account's districts, never widens them.
    assert sum(progress(clients["wujin"], jurisdiction="溧阳市")["stages"].values()) == 0
    map_answer = clients["wujin"].get("/api/progress/map", params={"as_of": "2018-06"}).json()
    assert sorted(map_answer["projects"]) == ["A", "B", "E", "H"]
    choices = clients["wujin"].get("/api/progress/choices").json()
    assert choices["jurisdiction"] == ["武进区"] and [z["zone_code"] for z in choices["zone"]] == ["WJ-CL", "WJ-DZ"]
    assert "溧阳市" not in clients["wujin"].get("/api/progress", params={"as_of": "2018-06", "format": "csv"}).text


def test_a_project_card_of_another_district_is_not_found(clients: dict[str, TestClient]) -> None:
    missing = clients["wujin"].get("/api/projects/C")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "project_not_found"
    card = clients["wujin"].get("/api/projects/A", params={"as_of": "2018-06"}).json()
    assert [p["parcel_code"] for p in card["parcels"]] == ["PA"]
    assert clients["everyone"].get("/api/projects/C").status_code == 200


def test_a_project_is_of_its_own_district_else_of_its_land_s(empty_db: str, clients: dict[str, TestClient], tmp_path: Path) -> None:
    load(empty_db, x_and_y(tmp_path), POLICY, RuleSettings(), actor=SHELL)
    wujin, liyang = clients["wujin"], clients["liyang"]
    assert wujin.get("/api/projects/X").status_code == 404  # no 所属地区: its land's zone is 溧阳市's
    assert [p["parcel_code"] for p in liyang.get("/api/projects/X").json()["parcels"]] == ["PX"]
    assert liyang.get("/api/projects/Y").status_code == 404  # 所属地区 武进区, whatever its land
    assert wujin.get("/api/projects/Y").json()["parcels"] == []  # PY lies in 溧阳市's zone: 溧阳市's parcel
    assert wujin.get("/api/parcels/PY").status_code == 404 and liyang.get("/api/parcels/PY").status_code == 200
    # 新建 on 2018's list: 武进 A (started), B, Y; 溧阳 X alone, not started.
    assert progress(wujin)["rates"]["new_start"] == {"numerator": 1, "denominator": 3, "rate": 0.3333}
    assert progress(liyang)["rates"]["new_start"] == {"numerator": 0, "denominator": 1, "rate": 0.0}


def title_of(response: Any) -> str:
    return urllib.parse.unquote(response.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])


def test_bulletins_of_one_district(clients: dict[str, TestClient], db_url: str) -> None:
    wujin, everyone = clients["wujin"], clients["everyone"]
    own = wujin.get("/api/bulletins", params={"month": "2018-06", "format": "xlsx"})  # no district named: its own
    assert own.status_code == 200 and title_of(own) == "常州市武进区重大项目推进情况通报（2018年6月）.xlsx"
    other = wujin.get("/api/bulletins", params={"month": "2018-06", "format": "xlsx", "jurisdiction": "溧阳市"}).json()["error"]
    assert other["code"] == "unknown_jurisdiction" and "those that do: 武进区)" in other["message"]["en"]
    several = clients["both"].get("/api/bulletins", params={"month": "2018-06", "format": "xlsx"}).json()["error"]
    assert several["code"] == "jurisdiction_required"

    conninfo = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        before = conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()

    def issue(client: TestClient, **given: str) -> dict[str, Any]:
        answer = client.post("/api/bulletins", json={"month": "2018-06", "format": "xlsx", **given})
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    city, liyang, mine, theirs = issue(everyone), issue(everyone, jurisdiction="溧阳市"), issue(wujin), issue(everyone, jurisdiction="武进区")
    assert mine["jurisdiction"] == "武进区"
    assert [entry["id"] for entry in wujin.get("/api/bulletins/issued").json()["bulletins"]] == [theirs["id"], mine["id"]]
    assert len(everyone.get("/api/bulletins/issued").json()["bulletins"]) == 4
    for hidden in (city, liyang):
        assert wujin.get(f"/api/bulletins/{hidden['id']}").status_code == 404
        assert wujin.get(f"/api/bulletins/{hidden['id']}/changes").status_code == 404
    assert wujin.get(f"/api/bulletins/{mine['id']}").content == wujin.get(f"/api/bulletins/{mine['id']}").content
    with psycopg.connect(conninfo) as conn:
        figures = conn.execute("SELECT id, figures FROM bulletins WHERE id IN (%s, %s) ORDER BY id", [mine["id"], theirs["id"]]).fetchall()
        issued = conn.execute("SELECT username, detail->>'jurisdiction' FROM audit WHERE action = 'bulletin_issued' AND id > %s ORDER BY id",
                              [before[0] if before else 0]).fetchall()
    assert figures[0][1] == figures[1][1]  # the same document whoever made it
    assert [district for _, district in issued] == [None, "溧阳市", "武进区", "武进区"]
