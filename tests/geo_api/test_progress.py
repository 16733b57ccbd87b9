"""`/api/progress` and the project card on the real PostGIS, against the list of tests/major_projects.py worked by hand."""

from __future__ import annotations

import csv
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
from tests.major_projects import LOAD_DAY, write_files
from tests.world import POLICY


@pytest.fixture
def client(empty_db: str, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    projects, monthly, correction = write_files(tmp_path)
    load(empty_db, LoadRequest(projects=projects, monthly=monthly, today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    load(empty_db, LoadRequest(monthly=correction, today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "analyst")) as client:
        yield client


def progress(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/progress", params={"as_of": "2018-06", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_rates_as_of_june_worked_by_hand(client: TestClient) -> None:
    answer = progress(client)
    assert (answer["as_of"], answer["year"]) == ("2018-06", 2018)
    rates = answer["rates"]
    # Σ 本年累计 of the planned projects (A 2 000, B 0, C 4 999, D 6 000, H 0) ÷ Σ plans (30 000) = 0.4333.
    assert rates["investment_plan_completion"] == {"completed_wan": 12999.0, "planned_wan": 30000.0, "rate": 0.4333}
    assert rates["new_start"] == {"numerator": 1, "denominator": 2, "rate": 0.5}  # A of A, B
    assert rates["continuing_completion"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}  # C, H of C, D, H
    # C's 4 999 ÷ 20 000 = 0.24995 rounds to 0.2500 and meets; Σ 12 999 ÷ Σ 94 000 = 0.1383.
    assert rates["annual_investment_share"] == {"numerator": 1, "denominator": 5, "rate": 0.2, "completed_wan": 12999.0,
                                                "total_wan": 94000.0, "aggregate_rate": 0.1383}
    # A (2 000 of 2 000) and D (6 000 of 6 000) on schedule; B, C (4 999 of 5 000), H behind.
    assert rates["time_schedule"] == {"expected_share": 0.5, "completed_share": 0.4333, "ahead": 2, "behind": 3, "rate": 0.4}
    assert rates["signed_filed"] == {"numerator": 5, "denominator": 6, "rate": 0.8333}  # B signed, not filed
    assert rates["filed_started"] == {"numerator": 4, "denominator": 5, "rate": 0.8}  # E filed, not started
    # Started and planned: A, C, D, H: 12 999 ÷ 27 000 = 0.48144…
    assert rates["started_investment"] == {"completed_wan": 12999.0, "planned_wan": 27000.0, "rate": 0.4814}
    assert rates["completed_production"] == {"numerator": 1, "denominator": 2, "rate": 0.5}  # H of C, H
    assert rates["production_capacity"] == {"numerator": 0, "denominator": 1, "rate": 0.0}
    assert answer["definitions"]["signed_filed"]["note"]["en"].startswith("this portal's definition")


def test_targets_are_judged_once_their_deadline_has_come(client: TestClient) -> None:
    targets = {(t["rate"], t["level"], t["by"]): (t["target"], t["value"], t["met"]) for t in progress(client)["targets"]}
    # 市重点 (A, B, C, H): 新建 A and B, A started: 50% against 80% by 30 June: missed.
    assert targets[("new_start", "市重点", "2018-06-30")] == (0.8, 0.5, False)
    assert targets[("new_start", "市重点", "2018-12-31")] == (1.0, 0.5, None)  # on its way
    assert targets[("new_start", "省重大", "2018-12-31")] == (1.0, None, None)  # D is 续建: no 新建 省重大
    # 6 999 ÷ 18 000 = 0.38883…; D alone 6 000 ÷ 12 000.
    assert targets[("investment_plan_completion", "市重点", "2018-12-31")] == (1.0, 0.3888, None)
    assert targets[("investment_plan_completion", "省重大", "2018-12-31")] == (1.0, 0.5, None)
    assert targets[("continuing_completion", "市重点", "2018-12-31")] == (0.6, 1.0, None)


def test_districts_are_ranked_on_each_rate(client: TestClient) -> None:
    lines = {line["jurisdiction"]: line for line in progress(client)["by_jurisdiction"]}
    assert set(lines) == {"武进区", "溧阳市"}
    wujin, liyang = lines["武进区"], lines["溧阳市"]
    # 武进 2 000 ÷ 8 000 = 0.25; 溧阳 10 999 ÷ 22 000 = 0.49995, half-up 0.5000.
    assert (wujin["rates"]["investment_plan_completion"]["rate"], liyang["rates"]["investment_plan_completion"]["rate"]) == (0.25, 0.5)
    assert (wujin["ranks"]["investment_plan_completion"], liyang["ranks"]["investment_plan_completion"]) == (2, 1)
    assert (wujin["ranks"]["new_start"], liyang["ranks"]["new_start"]) == (1, None)  # 溧阳 has no 新建 project: unranked
    assert (wujin["rates"]["continuing_completion"]["rate"], liyang["rates"]["continuing_completion"]["rate"]) == (1.0, 0.5)
    assert (wujin["projects"], liyang["projects"]) == (4, 2)


def test_the_lists_officials_act_on(client: TestClient) -> None:
    lists = progress(client)["lists"]
    assert [(e["project_code"], e["planned_start_date"], e["days_overdue"]) for e in lists["not_started"]] == [("B", "2018-06-30", 0)]
    assert [(e["project_code"], e["planned_completion_date"], e["days_overdue"]) for e in lists["not_completed"]] == [("D", "2018-03-31", 91)]
    assert [(e["project_code"], e["annual_planned_wan"], e["completed_ytd_wan"], e["expected_wan"], e["gap_wan"])
            for e in lists["behind_schedule"]] == [("B", 3000.0, 0.0, 1500.0, 1500.0), ("H", 1000.0, 0.0, 500.0, 500.0),
                                                   ("C", 10000.0, 4999.0, 5000.0, 1.0)]
    # Never came first, then late; A's April stays late by its first version's date, though corrected on 06-02.
    assert [(e["project_code"], e["month"], e["due"], e["reported_on"], e["days_late"]) for e in lists["late_reports"]] == [
        ("A", "2018-05", "2018-06-20", None, None), ("A", "2018-04", "2018-05-20", "2018-05-25", 5)]


def test_filters_select_the_projects_counted(client: TestClient) -> None:
    answer = progress(client, jurisdiction="溧阳市")
    assert answer["filters"]["jurisdiction"] == ["溧阳市"]
    assert answer["rates"]["investment_plan_completion"] == {"completed_wan": 10999.0, "planned_wan": 22000.0, "rate": 0.5}
    assert progress(client, category="新建")["rates"]["new_start"]["denominator"] == 2
    bad = client.get("/api/progress", params={"as_of": "2018-06", "category": "扩建"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_filter"
    assert client.get("/api/progress", params={"as_of": "June"}).json()["error"]["code"] == "invalid_month"


def test_the_default_month_is_the_latest_reported(client: TestClient) -> None:
    assert client.get("/api/progress").json()["as_of"] == "2018-06"


def test_an_earlier_month_is_recalled_from_the_reports_of_then(client: TestClient) -> None:
    rates = progress(client, as_of="2018-03")["rates"]
    # March: A 500, C 2 400, D 3 000; B, H 0. Expected a quarter of each plan.
    assert rates["investment_plan_completion"]["completed_wan"] == 5900.0
    assert rates["new_start"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    assert rates["continuing_completion"] == {"numerator": 1, "denominator": 3, "rate": 0.3333}  # C not completed yet


def test_the_project_card_shows_stage_history_plans_and_every_version(client: TestClient) -> None:
    card = client.get("/api/projects/A", params={"as_of": "2018-06"}).json()
    assert (card["stage"], card["jurisdiction"], card["as_of"]) == ("开工", "武进区", "2018-06-30")
    assert [(h["stage"], h["date"]) for h in card["stage_history"]] == [("签约", "2017-11-01"), ("预备", "2017-12-01"), ("开工", "2018-03-15")]
    assert client.get("/api/projects/A", params={"as_of": "2018-03-14"}).json()["stage"] == "预备"
    assert [(p["year"], p["category"], p["annual_planned_investment_wan"]) for p in card["plans"]] == [(2018, "新建", 4000.0)]
    months = {m["month"]: m for m in card["monthly"]}
    assert (months["2018-04"]["completed_month_wan"], months["2018-04"]["completed_ytd_wan"], months["2018-04"]["late"]) == (800.0, 1300.0, True)
    assert [(s["completed_month_wan"], s["reported_on"]) for s in months["2018-04"]["superseded"]] == [(500.0, "2018-05-25")]
    # June's 本年累计 2 000 stands as given; its 本月 is derived anew from the corrected April: 2 000 − 1 300.
    assert (months["2018-06"]["completed_month_wan"], months["2018-06"]["completed_ytd_wan"], months["2018-06"]["late"]) == (700.0, 2000.0, False)
    assert {c["field"] for c in card["changes"]} >= {"actual_start_date", "plan.2018.category"}
    missing = client.get("/api/projects/NOPE")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "project_not_found"


def test_the_export_holds_every_sheet_with_the_month_and_filters(client: TestClient) -> None:
    response = client.get("/api/progress", params={"as_of": "2018-06", "jurisdiction": "武进区", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["指标", "目标", "排名", "应开工未开工", "应竣工未竣工", "进度滞后", "报送情况"]
    for sheet in book.worksheets:
        assert "截至 2018年6月末（2018-06-30）" in sheet["A1"].value and "所属地区：武进区" in sheet["A1"].value
    rates = {row[0]: row for row in book["指标"].iter_rows(min_row=3, values_only=True)}
    assert rates["投资计划完成率"][3:6] == (2000, 8000, 0.25)  # 武进: A 2 000 of A, B, H's 8 000
    assert [row[0] for row in book["应开工未开工"].iter_rows(min_row=3, values_only=True)] == ["B"]
    assert [row[:2] for row in book["进度滞后"].iter_rows(min_row=3, values_only=True)] == [("B", "项目B"), ("H", "项目H")]
    late = list(book["报送情况"].iter_rows(min_row=3, values_only=True))
    assert [(row[0], row[4], row[8]) for row in late] == [("A", "2018-05", "未报送"), ("A", "2018-04", "逾期报送")]
    text = client.get("/api/progress", params={"as_of": "2018-06", "format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("截至 2018年6月末") and ["应开工未开工"] in rows
    assert ["B", "项目B", "武进区", "市级重大项目", "2018-06-30", "0"] in rows


def test_the_funnel_and_the_months_against_the_plan(client: TestClient) -> None:
    answer = progress(client)
    # On 2018-06-30: B 签约; E 预备; A, D 开工; C, H 竣工.
    assert answer["stages"] == {"意向": 0, "签约": 1, "预备": 1, "开工": 2, "竣工": 2, "评估": 0}
    series = {entry["month"]: entry for entry in answer["series"]}
    assert list(series) == [f"2018-{m:02d}" for m in range(1, 7)]
    # March: A 500 + C 2 400 + D 3 000; the plans (30 000) × 3/12 = 7 500. June: 12 999 against 15 000.
    assert (series["2018-03"]["completed_wan"], series["2018-03"]["expected_wan"]) == (5900.0, 7500.0)
    assert (series["2018-06"]["completed_wan"], series["2018-06"]["expected_wan"], series["2018-06"]["planned_wan"]) == (12999.0, 15000.0, 30000.0)
    # April: A's corrected 1 300, C 3 200, D 4 000.
    assert series["2018-04"]["completed_wan"] == 8500.0


def test_the_map_draws_each_project_by_stage_and_progress(client: TestClient) -> None:
    answer = client.get("/api/progress/map", params={"as_of": "2018-06"}).json()
    assert answer["projects"] == {"A": ["开工", "ahead"], "B": ["签约", "not_started_due"], "C": ["竣工", "behind"],
                                  "D": ["开工", "ahead"], "E": ["预备", "none"], "H": ["竣工", "behind"]}


def test_the_lists_are_paged_and_counted_whole(client: TestClient) -> None:
    answer = progress(client, limit=1, offset=1)
    assert answer["list_totals"] == {"not_started": 1, "not_completed": 1, "behind_schedule": 3, "late_reports": 2}
    assert [e["project_code"] for e in answer["lists"]["behind_schedule"]] == ["H"]  # the second of B, H, C
    assert answer["lists"]["not_started"] == []


def test_the_views_choices_are_the_months_reported_and_the_values_on_the_lists(client: TestClient) -> None:
    choices = client.get("/api/progress/choices").json()
    # C and D reported every month from January to June; A's corrected April is one month, not two.
    assert choices["months"] == ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06"]
    # F (on 2017's list only) is in 武进区 too; no project has land here, so no zone.
    assert choices["jurisdiction"] == ["武进区", "溧阳市"]
    assert choices["level"] == ["区级重点项目", "市级重大项目", "省级重大项目"]
    assert (choices["industry"], choices["category"], choices["zone"]) == (["新材料"], ["新建", "续建", "预备"], [])


def test_the_choices_of_an_empty_database_are_empty(empty_db: str, db_url: str) -> None:
    with TestClient(create_app(settings_for(db_url)), headers=bearer(db_url, "viewer")) as client:
        assert client.get("/api/progress/choices").json() == {"months": [], "jurisdiction": [], "zone": [], "industry": [],
                                                             "level": [], "category": []}
