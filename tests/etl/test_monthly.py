"""Monthly reports and the major-project fields of a projects file: loaded on the real PostGIS, or refused with every
problem named and nothing changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from etl.load import LoadRequest, load
from mujun.errors import InputError
from mujun.settings import RuleSettings
from tests.access import SHELL
from tests.geodata import write_xlsx
from tests.major_projects import HEADER, LOAD_DAY, MONTHLY_HEADER, project_rows, write_files
from tests.world import POLICY


@pytest.fixture
def listed(empty_db: str, tmp_path: Path) -> str:
    projects, monthly, _ = write_files(tmp_path)
    load(empty_db, LoadRequest(projects=projects, monthly=monthly, today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    return empty_db


def snapshot(conninfo: str) -> list[Any]:
    with psycopg.connect(conninfo) as conn:
        return [conn.execute(sql.SQL("SELECT * FROM {} ORDER BY 1, 2").format(sql.Identifier(table))).fetchall()
                for table in ("monthly_reports", "project_plans", "project_changes", "loads")]


def refused(conninfo: str, path: Path, **request: Any) -> list[str]:
    before = snapshot(conninfo)
    with pytest.raises(InputError) as caught:
        load(conninfo, LoadRequest(monthly=path, today=LOAD_DAY, **request), POLICY, RuleSettings(), actor=SHELL)
    assert snapshot(conninfo) == before
    return [problem.message("en") for problem in caught.value.problems]


def test_every_bad_report_is_refused_by_row_and_field(listed: str, tmp_path: Path) -> None:
    rows = [
        ["X", "2018-06", 100, None, None, None],                 # row 2: no such project
        ["A", "2018-08", 100, None, None, None],                 # row 3: August has not come on 2018-07-20
        ["A", "2018-05", -5, None, None, None],                  # row 4: negative
        ["B", "2018-05", None, None, "未开工", None],              # row 5: neither amount
        ["C", "2018-07", 10, None, None, None],                  # row 6
        ["C", "2018年7月", 20, None, None, None],                  # row 7: C's July again
        ["D", "2018-07", 500, 7000, None, None],                 # row 8: 6 000 + 500 ≠ 7 000
        ["D", "July", 1, None, None, None],                      # row 9: not a month
        ["E", "2018-06", 1, None, None, dt.date(2018, 7, 21)],   # row 10: reported after the load's day
        ["E", "2018-05", 1, None, None, dt.date(2018, 4, 30)],   # row 11: reported before its month
    ]
    messages = refused(listed, write_xlsx(tmp_path / "bad.xlsx", MONTHLY_HEADER, rows))
    assert messages == [
        "bad.xlsx, 行 row 3, field 月份: value '2018-08', the month 2018-08 has not come yet (the load's day is 2018-07-20)",
        "bad.xlsx, 行 row 4, field 本月完成投资(万元): value '-5', must not be negative (10,000 CNY)",
        "bad.xlsx, 行 row 5, field 本月完成投资(万元): give 本月完成投资 (completed this month) or 本年累计完成投资 (completed this year), or both",
        "bad.xlsx, 行 row 7, field 月份: value '2018-07', the same project and month twice in the file (as 行 row 6)",
        "bad.xlsx, 行 row 9, field 月份: value 'July', expected a month such as 2018-06, 2018年6月 or 201806",
        "bad.xlsx, 行 row 10, field 填报日期: value '2018-07-21', the report date is after the load's day (2018-07-20)",
        "bad.xlsx, 行 row 11, field 填报日期: value '2018-04-30', the report date is before the month it reports (2018-05)",
    ]
    # The file's own problems come first; the unknown project and the disagreeing amounts are found against the database.
    messages = refused(listed, write_xlsx(tmp_path / "bad2.xlsx", MONTHLY_HEADER, [rows[0], rows[6]]))
    assert messages == [
        "bad2.xlsx, 行 row 2, field project_code: value 'X', no such project in the projects file or the database",
    ]
    messages = refused(listed, write_xlsx(tmp_path / "bad3.xlsx", MONTHLY_HEADER, [rows[6]]))
    assert messages == ["bad3.xlsx, 行 row 2, field completed_ytd: value '7000.00', disagrees with 本月完成投资: the previous "
                        "reported month's 本年累计 6000.00 + this month's 500.00 ≠ 本年累计 7000.00"]


def test_a_correction_that_breaks_a_stored_month_is_refused_naming_it(listed: str, tmp_path: Path) -> None:
    # D gave both amounts for no month, so correct D's May 本年累计 and give June both: June 500 + … must agree.
    write_xlsx(tmp_path / "both.xlsx", MONTHLY_HEADER, [["D", "2018-07", 1000, 7000, None, None]])
    load(listed, LoadRequest(monthly=tmp_path / "both.xlsx", today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    # Correcting June to 6 500 leaves July's given pair (1 000, 7 000) disagreeing: 6 500 + 1 000 ≠ 7 000.
    messages = refused(listed, write_xlsx(tmp_path / "fix.xlsx", MONTHLY_HEADER, [["D", "2018-06", None, 6500, None, None]]))
    assert len(messages) == 1 and messages[0].startswith("fix.xlsx, 文件 file, field completed_ytd: value '7000.00', after this file's "
                                                         "corrections, the stored report of project D for 2018-07 (load #")
    assert messages[0].endswith("no longer agrees: 6500.00 + 1000.00 ≠ 7000.00; correct that month in the same file")


def figures(conninfo: str, code: str) -> list[tuple[str, float, float, bool]]:
    with psycopg.connect(conninfo) as conn:
        return [(f"{m:%Y-%m}", float(month), float(ytd), superseded) for m, month, ytd, superseded in conn.execute(
            "SELECT month, completed_month_wan, completed_ytd_wan, superseded_by IS NOT NULL FROM monthly_reports "
            "WHERE project_code = %s ORDER BY month, id", [code])]


def test_reports_load_as_versions_and_derived_figures_follow_a_correction(listed: str, tmp_path: Path) -> None:
    # C gave 本月 only: 800 a month, 999 in June.
    assert figures(listed, "C")[-2:] == [("2018-05", 800.0, 4000.0, False), ("2018-06", 999.0, 4999.0, False)]
    write_xlsx(tmp_path / "fix.xlsx", MONTHLY_HEADER, [["C", "2018-02", 1000, None, "更正", dt.date(2018, 7, 1)]])
    result = load(listed, LoadRequest(monthly=tmp_path / "fix.xlsx", today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    assert result.counts["monthly"] == {"read": 1, "inserted": 0, "updated": 1, "unchanged": 0, "rederived": 4}
    # Every 本年累计 from February on is 200 higher; the first February report is kept, superseded.
    assert figures(listed, "C") == [("2018-01", 800.0, 800.0, False), ("2018-02", 800.0, 1600.0, True), ("2018-02", 1000.0, 1800.0, False),
                                    ("2018-03", 800.0, 2600.0, False), ("2018-04", 800.0, 3400.0, False),
                                    ("2018-05", 800.0, 4200.0, False), ("2018-06", 999.0, 5199.0, False)]
    again = load(listed, LoadRequest(monthly=tmp_path / "fix.xlsx", today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    assert again.counts["monthly"] == {"read": 1, "inserted": 0, "updated": 0, "unchanged": 1, "rederived": 0}


def test_a_years_list_keeps_the_plans_of_other_years_and_every_change_is_kept(listed: str, tmp_path: Path) -> None:
    rows = [[*row[:7], 2019, "续建", "市级重大项目", 5000, *row[11:]] for row in project_rows() if row[0] == "A"]
    rows[0][16] = dt.date(2019, 3, 1)  # 实际竣工日期 given: A completes
    write_xlsx(tmp_path / "2019.xlsx", HEADER, rows)
    load(listed, LoadRequest(projects=tmp_path / "2019.xlsx", today=dt.date(2019, 3, 2)), POLICY, RuleSettings(), actor=SHELL)
    with psycopg.connect(listed) as conn:
        plans = conn.execute("SELECT year, category, annual_planned_investment_wan FROM project_plans WHERE project_code = 'A' "
                             "ORDER BY year").fetchall()
        changes = conn.execute("SELECT field, old_value, new_value FROM project_changes WHERE project_code = 'A' "
                               "AND load_id = (SELECT max(id) FROM loads) ORDER BY id").fetchall()
        stage = conn.execute("SELECT stage FROM projects WHERE project_code = 'A'").fetchone()
    assert [(year, category, float(plan)) for year, category, plan in plans] == [(2018, "新建", 4000.0), (2019, "续建", 5000.0)]
    assert changes == [("stage", "开工", "竣工"), ("actual_completion_date", None, "2019-03-01"),
                       ("plan.2019.category", None, "续建"), ("plan.2019.level", None, "市级重大项目"),
                       ("plan.2019.annual_planned_investment_wan", None, "5000.00")]
    assert stage == ("竣工",)


def test_a_stage_is_held_against_the_dates(empty_db: str, tmp_path: Path) -> None:
    header = ["项目编号", "项目类型", "项目阶段", "签约日期", "实际开工日期", "实际竣工日期", "所属地区"]
    rows = [
        ["S1", "工业", "签约", dt.date(2018, 1, 1), dt.date(2018, 3, 1), None, "武进区"],     # the dates say 开工 on 2018-07-20
        ["S2", "工业", "开工", dt.date(2018, 1, 1), dt.date(2018, 9, 1), None, "武进区"],     # 开工 on a date still to come
        ["S3", "工业", "开工", dt.date(2018, 1, 1), None, None, "常州市"],                  # not a district of the policy
    ]
    with pytest.raises(InputError) as caught:
        load(empty_db, LoadRequest(projects=write_xlsx(tmp_path / "p.xlsx", header, rows), today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    # The districts are checked with the year's plan, before the stages.
    assert [p.message("en") for p in caught.value.problems] == [
        "p.xlsx, 行 row 4, field 所属地区: value '常州市', not a jurisdiction of policy changzhou-2018: 天宁区, 常州经济开发区, 新北区, "
        "武进区, 溧阳市, 金坛区, 钟楼区",
        "p.xlsx, 行 row 2, field 项目阶段: value '签约', contradicts 实际开工日期 actual_start_date (2018-03-01): by the dates the "
        "project is at 开工 on 2018-07-20",
        "p.xlsx, 行 row 3, field 项目阶段: value '开工', contradicts 实际开工日期 actual_start_date (2018-09-01): by the dates the "
        "project is at 签约 on 2018-07-20",
    ]
    # 开工 with its date blank is kept as reported on the load's day, and a later load reporting it again keeps that day.
    good = write_xlsx(tmp_path / "ok.xlsx", header, [["S3", "工业", "开工", dt.date(2018, 1, 1), None, None, "武进区"]])
    result = load(empty_db, LoadRequest(projects=good, today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    assert any("kept as reported on 2018-07-20" in line for line in result.inferences)
    load(empty_db, LoadRequest(projects=good, today=dt.date(2018, 8, 1)), POLICY, RuleSettings(), actor=SHELL)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT stage, reported_stage, reported_stage_on FROM projects").fetchone() == ("开工", "开工", LOAD_DAY)


def test_a_month_after_a_gap_builds_on_the_last_month_reported(listed: str, tmp_path: Path) -> None:
    # A reported June (本年累计 2 000) and not July: August's 本月 300 makes 2 300 (D: July's report stands before August).
    write_xlsx(tmp_path / "aug.xlsx", MONTHLY_HEADER, [["A", "2018-08", 300, None, None, dt.date(2018, 9, 10)],
                                                       ["D", "2018-07", 500, None, None, dt.date(2018, 8, 10)]])
    load(listed, LoadRequest(monthly=tmp_path / "aug.xlsx", today=dt.date(2018, 9, 15)), POLICY, RuleSettings(), actor=SHELL)
    assert figures(listed, "A")[-1] == ("2018-08", 300.0, 2300.0, False)
    assert figures(listed, "D")[-1] == ("2018-07", 500.0, 6500.0, False)
