"""A small year's list of major projects (2018), its monthly reports and a correction, with answers worked out by hand.

As of June 2018 (D = 2018-06-30):
- A 新建 市级重大项目 武进区: total 10 000, plan 4 000; started 2018-03-15. Reports: March 本年累计 500 (04-10), April
  本月 500 (05-25: five days after the 20 May deadline), May never, June 本年累计 2 000 (07-18). A second load corrects
  April to 本月 800 (06-02): April's 本年累计 becomes 1 300, June's derived 本月 2 000 − 1 300 = 700; April stays late
  (the first version's date decides).
- B 新建 市级重大项目 武进区: total 8 000, plan 3 000; signed 2018-01-15, due to start 2018-06-30 (the as-of day), not
  started: not_started with 0 days; no reports owed; 本年累计 0, expected 1 500: behind by 1 500.
- C 续建 市级重大项目 溧阳市: total 20 000, plan 10 000; started 2017-05-01, completed 2018-06-20 (planned 05-31).
  本月 800 for January to May, 999 in June: 本年累计 4 999 = 24.995% of the total, 25.00% after rounding: meets 当年投资完成率;
  expected 5 000: behind by 1.
- D 续建 省级重大项目 溧阳市: total 50 000, plan 12 000; started 2017-01-01, due to complete 2018-03-31, not completed:
  91 days overdue. 本年累计 1 000 … 6 000 by month: on schedule.
- E 预备 区级重点项目 武进区: total 5 000, no plan amount; signed 2018-02-01, filed 2018-04-01.
- H 续建 市级重大项目 武进区: total 6 000, plan 1 000; completed 2017-12-20, in production 2018-02-01: owes no report in
  2018; 本年累计 0, expected 500: behind by 500.
- F is on 2017's list only: not counted.

Their land (`parcels`), in the zones of tests/world.py (武进 development zone 400 万元/亩 holding a cluster at 350;
溧阳's development zone at 350), each with its recorded area so that the areas are exact:
- A 15 亩 (10 000 m²) in 武进's zone: 10 000 ÷ 15 = 666.67, meets 400.
- B 30 亩 (20 000 m²) in 武进's zone: 8 000 ÷ 30 = 266.67 < 400: short by 400 × 30 − 8 000 = 4 000 万元.
- C 30 亩 in 溧阳's zone: 20 000 ÷ 30 = 666.67, meets 350.
- D 150 亩 (100 000 m²) in 溧阳's zone: 50 000 ÷ 150 = 333.33 < 350: short by 350 × 150 − 50 000 = 2 500 万元.
- H 15 亩 in 武进's cluster: 6 000 ÷ 15 = 400.00, meets 350. E (预备) has no land yet.
A late report (`LATE_MAY`): A's May, 本年累计 1 800, sent on 2018-07-20, 30 days after its 20 June deadline.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.geodata import gk_rect, write_geojson, write_xlsx
from tests.world import world_zones

D = dt.date
HEADER = ["项目编号", "项目名称", "企业名称", "所属行业", "项目类型", "总投资(万元)", "所属地区", "年度", "项目类别", "项目级别",
          "年度计划投资(万元)", "签约日期", "备案日期", "计划开工日期", "实际开工日期", "计划竣工日期", "实际竣工日期", "投产日期"]


def project_rows() -> list[list[Any]]:
    def row(code: str, total: int, district: str, year: int, category: str, level: str, plan: int | None, *dates: D | None) -> list[Any]:
        return [code, f"项目{code}", f"企业{code}", "新材料", "工业", total, district, year, category, level, plan, *dates]

    return [
        row("A", 10000, "武进区", 2018, "新建", "市级重大项目", 4000, D(2017, 11, 1), D(2017, 12, 1), D(2018, 3, 1), D(2018, 3, 15),
            D(2019, 12, 31), None, None),
        row("B", 8000, "武进区", 2018, "新建", "市级重大项目", 3000, D(2018, 1, 15), None, D(2018, 6, 30), None, D(2019, 6, 30), None, None),
        row("C", 20000, "溧阳市", 2018, "续建", "市级重大项目", 10000, D(2016, 10, 1), D(2017, 1, 5), D(2017, 5, 1), D(2017, 5, 1),
            D(2018, 5, 31), D(2018, 6, 20), None),
        row("D", 50000, "溧阳市", 2018, "续建", "省级重大项目", 12000, D(2016, 6, 1), D(2016, 9, 1), D(2017, 1, 1), D(2017, 1, 1),
            D(2018, 3, 31), None, None),
        row("E", 5000, "武进区", 2018, "预备", "区级重点项目", None, D(2018, 2, 1), D(2018, 4, 1), None, None, None, None, None),
        row("H", 6000, "武进区", 2018, "续建", "市级重大项目", 1000, D(2016, 1, 1), D(2016, 3, 1), D(2016, 6, 1), D(2016, 6, 1),
            D(2017, 12, 31), D(2017, 12, 20), D(2018, 2, 1)),
        row("F", 3000, "武进区", 2017, "新建", "市级重大项目", 2000, D(2017, 1, 1), D(2017, 2, 1), D(2017, 3, 1), D(2017, 3, 1),
            D(2018, 12, 31), None, None),
    ]


MONTHLY_HEADER = ["项目编号", "月份", "本月完成投资(万元)", "本年累计完成投资(万元)", "形象进度", "填报日期"]


def monthly_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["A", "2018-03", None, 500, "桩基施工", D(2018, 4, 10)],
        ["A", "2018年4月", 500, None, "主体结构", D(2018, 5, 25)],
        ["A", "201806", None, 2000, "主体封顶", D(2018, 7, 18)],
    ]
    rows += [["C", f"2018-{k:02d}", 800 if k < 6 else 999, None, "设备安装", D(2018, k + 1, 10)] for k in range(1, 7)]
    rows += [["D", f"2018-{k:02d}", None, 1000 * k, "厂房建设", D(2018, k + 1, 15)] for k in range(1, 7)]
    return rows


CORRECTION = [["A", "2018-04", 800, None, "主体结构（更正）", D(2018, 6, 2)]]
LATE_MAY = [["A", "2018-05", None, 1800, "主体结构", D(2018, 7, 20)]]
LOAD_DAY = D(2018, 7, 20)


def write_files(folder: Path) -> tuple[Path, Path, Path]:
    """The projects workbook, the first monthly reports and the correction."""
    return (write_xlsx(folder / "projects.xlsx", HEADER, project_rows()),
            write_xlsx(folder / "monthly-2018-06.xlsx", MONTHLY_HEADER, monthly_rows()),
            write_xlsx(folder / "monthly-correction.xlsx", MONTHLY_HEADER, CORRECTION))


def parcels() -> list[tuple[dict[str, Any], Any]]:
    def parcel(code: str, project: str, x: float, y: float, width: float, height: float) -> tuple[dict[str, Any], Any]:
        return ({"parcel_code": code, "project_code": project, "land_use": "工业用地", "recorded_area_m2": width * height},
                gk_rect(x, y, width, height))

    return [parcel("PA", "A", 100, 100, 100, 100), parcel("PB", "B", 300, 100, 200, 100), parcel("PC", "C", 3100, 100, 200, 100),
            parcel("PD", "D", 3100, 400, 500, 200), parcel("PH", "H", 1100, 1100, 100, 100)]


def write_land(folder: Path) -> tuple[Path, Path]:
    """The zones of tests/world.py and the projects' parcels."""
    return write_geojson(folder / "zones.geojson", world_zones()), write_geojson(folder / "parcels.geojson", parcels())


def write_late_may(folder: Path) -> Path:
    return write_xlsx(folder / "monthly-late-may.xlsx", MONTHLY_HEADER, LATE_MAY)
