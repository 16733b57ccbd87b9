"""A small world for land use, drawn in the Gauss-Krüger plane inside tests/world.py's zones, with answers worked by hand.

Parcels (Chinese headers), as of 2024-06-30:
- L1 企业LA, agreed to start 2023-06-30, not started: idle a year exactly; 出让价款 1 234.56 万元 → fee 246.91; 10 亩.
- L2 agreed 2022-06-30: two full years, reclaimable; 2 000 万元 → fee 400.00.
- L3 agreed 2022-01-01, 政府原因 是: the government's delay.
- L4 started 2021-05-01 (its own 动工日期), stopped 2023-06-30, 1 500 of its 6 000 m² developed: stalled.
- L5 project SF started 2021-03-01 (the project's 实际开工日期), stopped 2022-06-01, no developed area given; 总投资 6 400;
  reports: 2022-12 本年累计 1 000, 2023-05 500, 2023-08 800. Spent by 2023-08-30 (reports through July): 1 000 + 500 = 1 500,
  23.4%: stalled; from 2023-08-31: 1 000 + 800 = 1 800, 28.1%: not.
- L6 supplied 2020-01-01, no agreed start: 供而未用 with a note.
- L7 started 2020-06-01, no stop: nothing to say.

Batches: B1, 300 × 200 m = 60 000 m² (90 亩), approved 2019-06-01, met by Q1 (100 × 200, supplied 2020-01-01), Q4 (100 × 50,
overlapping Q1 and Q2 by 50 × 50 each, 2021-01-01), Q3 (crossing B1's edge, 50 × 50 inside, 2021-06-01) and Q2 (100 × 200,
2022-01-01). Unsupplied: 60 000 by 2019-12-31; 60 000 − 20 000 − 2 500 − 2 500 = 35 000 (52.5 亩) by 2021-12-31;
35 000 − (20 000 − 2 500) = 17 500 (26.25 亩) from 2022-01-01. B2, 100 × 100 m, is Q5 exactly (supplied 2020-01-01).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from etl.load import LoadRequest
from tests.geodata import gk_rect, write_geojson, write_xlsx
from tests.world import world_zones

D = dt.date
AS_OF = D(2024, 6, 30)
LOAD_DAY = D(2024, 7, 1)
PROJECT_HEADER = ["项目编号", "项目名称", "企业名称", "所属行业", "项目类型", "总投资(万元)", "所属地区", "实际开工日期"]
MONTHLY_HEADER = ["项目编号", "月份", "本月完成投资(万元)", "本年累计完成投资(万元)", "形象进度", "填报日期"]


def land_parcel(code: str, project: str, geometry: Any, supply: dt.date, agreed: dt.date | None, **given: Any) -> tuple[dict[str, Any], Any]:
    props = {"宗地编号": code, "项目编号": project, "用地性质": "工业用地", "供地日期": supply.isoformat(),
             "约定开工日期": agreed.isoformat() if agreed else None, "出让价款(万元)": None, "动工日期": None,
             "已开发面积(平方米)": None, "停工日期": None, "政府原因": None}
    for key, value in given.items():
        props[key] = value.isoformat() if isinstance(value, dt.date) else value
    return props, geometry


def land_parcels() -> list[tuple[dict[str, Any], Any]]:
    y = 1600
    return [
        land_parcel("L1", "LA", gk_rect(100, y, 100, 66.6667), D(2022, 1, 1), D(2023, 6, 30), **{"出让价款(万元)": 1234.56}),
        land_parcel("L2", "LB", gk_rect(300, y, 100, 60), D(2021, 1, 1), D(2022, 6, 30), **{"出让价款(万元)": 2000}),
        land_parcel("L3", "LC", gk_rect(500, y, 100, 60), D(2021, 1, 1), D(2022, 1, 1), **{"出让价款(万元)": 800, "政府原因": "是"}),
        land_parcel("L4", "LD", gk_rect(700, y, 100, 60), D(2020, 6, 1), D(2021, 3, 1),
                    **{"动工日期": D(2021, 5, 1), "停工日期": D(2023, 6, 30), "已开发面积(平方米)": 1500, "政府原因": "否"}),
        land_parcel("L5", "SF", gk_rect(900, y, 100, 60), D(2020, 6, 1), D(2021, 3, 1), **{"停工日期": D(2022, 6, 1)}),
        land_parcel("L6", "LE", gk_rect(1100, y, 100, 60), D(2020, 1, 1), None),
        land_parcel("L7", "LF", gk_rect(1300, y, 100, 60), D(2019, 6, 1), D(2020, 6, 1), **{"动工日期": D(2020, 6, 1)}),
        land_parcel("Q1", "QA", gk_rect(1200, 200, 100, 200), D(2020, 1, 1), D(2020, 6, 1), **{"动工日期": D(2020, 6, 1)}),
        land_parcel("Q2", "QB", gk_rect(1300, 200, 100, 200), D(2022, 1, 1), D(2022, 6, 1), **{"动工日期": D(2022, 6, 1)}),
        land_parcel("Q3", "QC", gk_rect(1450, 350, 100, 100), D(2021, 6, 1), D(2021, 9, 1), **{"动工日期": D(2021, 9, 1)}),
        land_parcel("Q4", "QD", gk_rect(1250, 250, 100, 50), D(2021, 1, 1), D(2021, 6, 1), **{"动工日期": D(2021, 6, 1)}),
        land_parcel("Q5", "QE", gk_rect(1600, 200, 100, 100), D(2020, 1, 1), D(2020, 6, 1), **{"动工日期": D(2020, 6, 1)}),
    ]


def land_projects() -> list[list[Any]]:
    def project(code: str, total: int, started: dt.date | None = None) -> list[Any]:
        return [code, f"项目{code}", f"企业{code}", "新材料", "工业", total, "武进区", started]

    return [project("LA", 4000), project("LB", 5000), project("LC", 5000), project("LD", 9000, D(2021, 5, 1)),
            project("SF", 6400, D(2021, 3, 1)), project("LE", 3000), project("LF", 3000, D(2020, 6, 1)),
            *(project(code, 3000, D(2020, 6, 1)) for code in ("QA", "QB", "QC", "QD", "QE"))]


def land_reports() -> list[list[Any]]:
    return [["SF", "2022-12", None, 1000, "主体施工", D(2023, 1, 10)], ["SF", "2023-05", None, 500, "停工", D(2023, 6, 10)],
            ["SF", "2023-08", None, 800, "停工", D(2023, 9, 10)]]


def land_batches() -> list[tuple[dict[str, Any], Any]]:
    return [({"批次编号": "B1", "批准日期": "2019-06-01", "批准文号": "苏政地〔2019〕12号"}, gk_rect(1200, 200, 300, 200)),
            ({"批次编号": "B2", "批准日期": "2019-06-01", "批准文号": "苏政地〔2019〕13号"}, gk_rect(1600, 200, 100, 100))]


def write_land(folder: Path) -> LoadRequest:
    """The files of the land world, as one load."""
    return LoadRequest(
        zones=write_geojson(folder / "zones.geojson", world_zones()),
        parcels=write_geojson(folder / "land.geojson", land_parcels()),
        projects=write_xlsx(folder / "land-projects.xlsx", PROJECT_HEADER, land_projects()),
        monthly=write_xlsx(folder / "land-monthly.xlsx", MONTHLY_HEADER, land_reports()),
        batches=write_geojson(folder / "batches.geojson", land_batches()),
        today=LOAD_DAY,
    )
