"""A load by an account of one district (武进区): refused, naming the rows, when it would touch another district (its zones,
parcels, projects, their plans and monthly reports, firms' figures), or a layer of the whole city (constraints, batches)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest

from etl.load import LoadRequest, load
from mujun.access import Access, Role, Via
from mujun.audit import Actor
from mujun.errors import InputError, MujunError
from mujun.settings import RuleSettings
from tests.access import SHELL
from tests.etl.test_land_use import EVALUATION_HEADER
from tests.geodata import gk_rect, write_geojson, write_xlsx
from tests.major_projects import LOAD_DAY, MONTHLY_HEADER, write_files
from tests.world import POLICY, PROJECT_HEADER, world_parcels, world_projects, world_zones

WUJIN_EDITOR = Actor(Access("wj-editor", Role.EDITOR, ("武进区",), Via.CLI), "cli@tests")


def count(conninfo: str, table: str) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def locations(refusal: InputError) -> set[str]:
    return {problem.location for problem in refusal.problems}


def test_a_load_reaching_into_another_district_is_refused_and_leaves_nothing(empty_db: str, world: LoadRequest) -> None:
    with pytest.raises(InputError) as refused:
        load(empty_db, world, POLICY, RuleSettings(), actor=WUJIN_EDITOR)
    # LY-DZ is 溧阳市's zone, P8 lies in it (and so does its project G); P7 lies in no zone: of no district.
    assert locations(refused.value) == {"园区 LY-DZ / zone LY-DZ", "宗地 P8 / parcel P8", "项目 G / project G", "宗地 P7 / parcel P7"}
    p8 = next(p for p in refused.value.problems if p.location.endswith("parcel P8"))
    assert (p8.file, p8.value) == ("parcels.geojson", "溧阳市") and "wj-editor" in p8.expected_en and "武进区" in p8.expected_zh
    assert count(empty_db, "zones") == count(empty_db, "parcels") == count(empty_db, "loads") == 0
    with psycopg.connect(empty_db) as conn:
        last = conn.execute("SELECT username, via, action, detail->>'problems' FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert last == ("wj-editor", "cli", "load_refused", "4")


def test_its_own_district_loads_and_another_s_row_changed_by_it_is_refused(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    projects = tmp_path / "projects.xlsx"
    write_xlsx(projects, PROJECT_HEADER, [row for row in world_projects(B=4000) if row[0] == "B"])
    result = load(empty_db, LoadRequest(projects=projects), POLICY, RuleSettings(), actor=WUJIN_EDITOR)
    assert result.counts["projects"]["updated"] == 1 and result.counts["assessed"]["changed"] == 1  # P2 now meets
    write_xlsx(projects, PROJECT_HEADER, [row for row in world_projects(G=6000) if row[0] == "G"])
    with pytest.raises(InputError) as refused:
        load(empty_db, LoadRequest(projects=projects), POLICY, RuleSettings(), actor=WUJIN_EDITOR)
    assert locations(refused.value) == {"项目 G / project G", "宗地 P8 / parcel P8"}  # P8's results would change too
    with psycopg.connect(empty_db) as conn:
        row = conn.execute("SELECT total_investment_wan FROM projects WHERE project_code = 'G'").fetchone()
        loads = conn.execute("SELECT username FROM loads ORDER BY id").fetchall()
    assert row is not None and row[0] == 5000 and loads == [("tests",), ("wj-editor",)]


def test_replacing_a_layer_replaces_only_the_account_s_district(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    wujin_parcels = [p for p in world_parcels() if p[0]["parcel_code"] not in ("P1", "P7", "P8")]
    fewer = write_geojson(tmp_path / "parcels.geojson", wujin_parcels)
    result = load(empty_db, LoadRequest(parcels=fewer, replace=frozenset({"parcels"})), POLICY, RuleSettings(), actor=WUJIN_EDITOR)
    assert result.counts["parcels"]["deleted"] == 1  # P1; P7 (no district) and P8 (溧阳市) are not this account's
    with psycopg.connect(empty_db) as conn:
        kept = sorted(row[0] for row in conn.execute("SELECT parcel_code FROM parcels"))
    assert kept == ["P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"]


def test_constraint_areas_and_a_viewer_s_load_are_refused_before_reading(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    constraints = write_geojson(tmp_path / "constraints.geojson", [({"约束编码": "NT-1", "约束类型": "永久基本农田"}, world_zones()[0][1])])
    with pytest.raises(InputError, match="whole city"):
        load(empty_db, LoadRequest(constraints=constraints), POLICY, RuleSettings(), actor=WUJIN_EDITOR)
    viewer = Actor(Access("viewer-1", Role.VIEWER, None, Via.CLI), "cli@tests")
    with pytest.raises(MujunError, match="editor role") as refused:
        load(empty_db, world, POLICY, RuleSettings(), actor=viewer)
    assert refused.value.status_code == 403 and count(empty_db, "zones") == 0


def test_monthly_reports_and_firms_figures_of_another_district_are_refused(empty_db: str, tmp_path: Path) -> None:
    projects, monthly, _ = write_files(tmp_path)
    load(empty_db, LoadRequest(projects=projects, monthly=monthly, today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    # A is 武进区's: its late May report loads. C is 溧阳市's: a correction of its May is refused, naming the new report,
    # the one it supersedes and June's, whose 本年累计 it would change.
    mine = write_xlsx(tmp_path / "a-may.xlsx", MONTHLY_HEADER, [["A", "2018-05", None, 1800, "主体结构", dt.date(2018, 7, 20)]])
    assert load(empty_db, LoadRequest(monthly=mine, today=LOAD_DAY), POLICY, RuleSettings(), actor=WUJIN_EDITOR).counts["monthly"]["inserted"] == 1
    theirs = write_xlsx(tmp_path / "c-may.xlsx", MONTHLY_HEADER, [["C", "2018-05", 900, None, "设备安装", dt.date(2018, 7, 20)]])
    with pytest.raises(InputError) as refused:
        load(empty_db, LoadRequest(monthly=theirs, today=LOAD_DAY), POLICY, RuleSettings(), actor=WUJIN_EDITOR)
    named = sorted(problem.location.split(" / ")[0].rsplit(" #", 1)[0] for problem in refused.value.problems)
    assert named == ["月报 C 2018-05", "月报 C 2018-05", "月报 C 2018-06"]
    assert {problem.file for problem in refused.value.problems} == {"c-may.xlsx"} and {p.value for p in refused.value.problems} == {"溧阳市"}
    assert count(empty_db, "monthly_reports") == 16  # A's 3, C's 6 and D's 6 of the first file, and A's May


def test_firms_of_another_district_and_approval_batches_are_refused(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)

    def firm(name: str, district: str) -> list[object]:
        return [name, None, 2023, district, 10, 300, 5000, 1000, 500, 5, 50, 250, None]

    firms = write_xlsx(tmp_path / "firms.xlsx", EVALUATION_HEADER, [firm("企业B", "武进区"), firm("企业G", "溧阳市")])
    with pytest.raises(InputError) as refused:
        load(empty_db, LoadRequest(evaluation=firms), POLICY, RuleSettings(), actor=WUJIN_EDITOR)
    assert locations(refused.value) == {"企业亩均数据 企业G 2023 / firm's figures 企业G 2023"}
    assert refused.value.problems[0].file == "firms.xlsx" and count(empty_db, "firm_figures") == 0
    write_xlsx(firms, EVALUATION_HEADER, [firm("企业B", "武进区")])
    assert load(empty_db, LoadRequest(evaluation=firms), POLICY, RuleSettings(), actor=WUJIN_EDITOR).counts["evaluation"]["inserted"] == 1
    batches = write_geojson(tmp_path / "batches.geojson", [({"批次编号": "B1", "批准日期": "2021-01-01"}, gk_rect(100, 100, 200, 200))])
    with pytest.raises(InputError, match="approval batches cover the whole city"):
        load(empty_db, LoadRequest(batches=batches), POLICY, RuleSettings(), actor=WUJIN_EDITOR)
