"""The violation report on the real PostGIS, with the small world of tests/world.py: figures worked out by hand.

The world (Changzhou 2018: 武进区 development zone 400, its nested cluster 350, 溧阳市 development zone 350):
- P2 (B): 6 666.67 m² recorded = 10.000005 亩, 3 999 万元 → 399.90 < 400: shortfall 400 × 10.000005 − 3 999 = 1.00.
- P3 (C): 45 亩 in the 350 cluster, 9 000 万元 → 200.00: shortfall 350 × 45 − 9 000 = 6 750.00.
- P4 + P5 (D): 9 + 6 = 15 亩, 5 400 万元 → 360.00 < 400: shortfall 6 000 − 5 400 = 600.00, shown on both.
- P8 (G): 10 500 m² recorded = 15.75 亩 in 溧阳 (350), 5 000 万元 → 317.46: shortfall 5 512.50 − 5 000 = 512.50;
  its recorded area is 5% off the drawn 10 000 m²: area_mismatch.
- P1 (A) meets exactly (400.00); P6 (E) straddles (0.4 in the zone) and meets (12 000 万元 on 30 亩 = 400);
  P7 (F) lies in no zone: outside_zone; P9 (H) is a service project: not assessed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine

from etl.load import LoadRequest, load
from layers.violations import ViolationFilters, violation_report
from mujun.errors import MujunError
from mujun.settings import RuleSettings
from tests.access import SHELL, UNSCOPED
from tests.geodata import write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_projects

# Stage, industry and level varied so that the filters have something to tell apart.
STAGES = {"D": "竣工"}
INDUSTRIES = {"G": "生物医药"}
LEVELS = {"B": "市重点", "G": "省重大"}
DEFAULT_ORDER = ["P3", "P4", "P5", "P8", "P2"]  # shortfall 6 750, 600, 600, 512.50, 1.00


def report_world(world: LoadRequest, tmp_path: Path) -> LoadRequest:
    """tests/world.py's world with some projects moved to another stage, industry or level."""
    rows = []
    for row in world_projects():
        code = row[0]
        row[3] = INDUSTRIES.get(code, row[3])
        row[6] = STAGES.get(code, row[6])
        rows.append([*row, LEVELS.get(code)])
    projects = write_xlsx(tmp_path / "report-projects.xlsx", [*PROJECT_HEADER, "项目级别"], rows)
    return dataclasses.replace(world, projects=projects)


@pytest.fixture
def conn(empty_db: str, engine: Engine, world: LoadRequest, tmp_path: Path) -> Iterator[Connection]:
    load(empty_db, report_world(world, tmp_path), POLICY, RuleSettings(), actor=SHELL)
    with engine.connect() as conn:
        yield conn


def codes(records: list[dict[str, Any]]) -> list[str]:
    return [record["parcel_code"] for record in records]


def test_default_report_lists_below_projects_largest_shortfall_first(conn: Connection) -> None:
    report = violation_report(conn, UNSCOPED, ViolationFilters())
    assert codes(report.violations) == DEFAULT_ORDER
    shortfalls = {r["parcel_code"]: r["shortfall_wan"] for r in report.violations}
    # Project D's shortfall is shown on each of its parcels.
    assert shortfalls == {"P2": 1.00, "P3": 6750.00, "P4": 600.00, "P5": 600.00, "P8": 512.50}
    p4 = report.violations[1]
    assert (p4["area_mu"], p4["project_area_mu"], p4["parcel_count"], p4["intensity_wan_per_mu"]) == (9.0, 15.0, 2, 360.0)
    assert {"held_zone_code", "held_jurisdiction"}.isdisjoint(p4)  # the parcel record, nothing added
    assert all(r["status"] == "below" for r in report.violations)


def test_summary_counts_a_projects_shortfall_once(conn: Connection) -> None:
    summary = violation_report(conn, UNSCOPED, ViolationFilters()).summary.as_json()
    # 4 projects (B, C, D, G) on 5 parcels; land 10.000005 + 45 + 15 + 15.75 = 85.750005 亩;
    # investment 3 999 + 9 000 + 5 400 + 5 000 = 23 399; shortfall 1.00 + 6 750 + 600 (once) + 512.50 = 7 863.50.
    # Required 400 × 10.000005 + 350 × 45 + 400 × 15 + 350 × 15.75 = 31 262.502.
    # Intensity 23 399 ÷ 85.750005 = 272.8746 → 272.87; threshold 31 262.502 ÷ 85.750005 = 364.5773 → 364.58;
    # ratio 272.87 ÷ 364.58 = 0.74845 → 0.7484 (floored).
    assert summary["total"] == {
        "projects": 4, "parcels": 5, "area_mu": 85.75, "total_investment_wan": 23399.0,
        "required_investment_wan": 31262.50, "intensity_wan_per_mu": 272.87, "threshold_wan_per_mu": 364.58,
        "ratio": 0.7484, "shortfall_wan": 7863.50,
    }
    assert summary["policy"] == {"code": "changzhou-2018", "name": "常州市工业项目亩均投资强度标准（2018）",
                                 "city": "常州市", "year": 2018}


def test_summary_per_jurisdiction_and_per_zone(conn: Connection) -> None:
    summary = violation_report(conn, UNSCOPED, ViolationFilters()).summary.as_json()
    # 武进区: B, C, D on 4 parcels, 70.000005 亩, 18 399 万元 → 262.84; required 25 750.002 → 367.86 weighted;
    # 262.84 ÷ 367.86 = 0.71451 → 0.7145; shortfall 1 + 6 750 + 600 = 7 351.
    wujin, liyang = summary["by_jurisdiction"]
    assert wujin == {"jurisdiction": "武进区", "projects": 3, "parcels": 4, "area_mu": 70.0, "total_investment_wan": 18399.0,
                     "required_investment_wan": 25750.0, "intensity_wan_per_mu": 262.84, "threshold_wan_per_mu": 367.86,
                     "ratio": 0.7145, "shortfall_wan": 7351.0}
    # 溧阳市: G alone, 5 000 ÷ 15.75 = 317.46; 317.46 ÷ 350 = 0.90703 → 0.9070.
    assert liyang == {"jurisdiction": "溧阳市", "projects": 1, "parcels": 1, "area_mu": 15.75, "total_investment_wan": 5000.0,
                      "required_investment_wan": 5512.5, "intensity_wan_per_mu": 317.46, "threshold_wan_per_mu": 350.0,
                      "ratio": 0.9070, "shortfall_wan": 512.5}
    by_zone = {line["zone_code"]: line for line in summary["by_zone"]}
    assert [line["zone_code"] for line in summary["by_zone"]] == ["WJ-CL", "WJ-DZ", "LY-DZ"]  # by shortfall
    # WJ-DZ: B and D on 3 parcels, 25.000005 亩, 9 399 万元 → 375.96; 375.96 ÷ 400 = 0.9399; 1 + 600 = 601.
    assert {k: by_zone["WJ-DZ"][k] for k in ("projects", "parcels", "area_mu", "total_investment_wan",
                                             "intensity_wan_per_mu", "threshold_wan_per_mu", "ratio", "shortfall_wan")} == {
        "projects": 2, "parcels": 3, "area_mu": 25.0, "total_investment_wan": 9399.0, "intensity_wan_per_mu": 375.96,
        "threshold_wan_per_mu": 400.0, "ratio": 0.9399, "shortfall_wan": 601.0}
    assert (by_zone["WJ-CL"]["zone_name"], by_zone["WJ-CL"]["zone_class"], by_zone["WJ-CL"]["jurisdiction"]) == (
        "雪堰工业集中区", "industrial_cluster", "武进区")
    assert (by_zone["WJ-CL"]["intensity_wan_per_mu"], by_zone["WJ-CL"]["ratio"], by_zone["WJ-CL"]["shortfall_wan"]) == (
        200.0, 0.5714, 6750.0)
    assert by_zone["LY-DZ"]["shortfall_wan"] == 512.5


def test_data_quality_lists_outside_straddling_and_mismatched_parcels(conn: Connection) -> None:
    report = violation_report(conn, UNSCOPED, ViolationFilters())
    issues = {entry["parcel_code"]: entry["issues"] for entry in report.data_quality}
    assert issues == {"P6": ["straddles_zones"], "P7": ["outside_zone"], "P8": ["area_mismatch"]}
    # P7 (no threshold) and P6 (meets) are never violations; P8 is below and stays among them.
    assert {"P6", "P7"}.isdisjoint(codes(report.violations)) and "P8" in codes(report.violations)
    p8 = next(entry for entry in report.data_quality if entry["parcel_code"] == "P8")
    assert (p8["area_m2"], p8["recorded_area_m2"]) == (pytest.approx(10000.0, abs=0.01), 10500.0)


@pytest.mark.parametrize(("filters", "expected"), [
    ({"band": ("far_below",)}, ["P3"]),
    ({"band": ("below",)}, ["P4", "P5", "P8", "P2"]),
    ({"jurisdiction": ("溧阳市",)}, ["P8"]),
    ({"zone": ("WJ-DZ",)}, ["P4", "P5", "P2"]),
    ({"zone_class": ("industrial_cluster",)}, ["P3"]),
    ({"stage": ("竣工",)}, ["P4", "P5"]),
    ({"stage": ("开工", "竣工")}, DEFAULT_ORDER),
    ({"industry": ("生物医药",)}, ["P8"]),
    ({"level": ("市重点", "省重大")}, ["P8", "P2"]),
    ({"status": ("meets",)}, ["P1", "P6"]),
    ({"status": ("below", "meets"), "zone": ("WJ-DZ",)}, ["P4", "P5", "P2", "P1", "P6"]),
    ({"stage": ("评估",)}, []),
])
def test_filters_select_whole_projects(conn: Connection, filters: dict[str, Any], expected: list[str]) -> None:
    assert codes(violation_report(conn, UNSCOPED, ViolationFilters(**filters)).violations) == expected


def test_filters_apply_to_the_summary_and_data_quality(conn: Connection) -> None:
    report = violation_report(conn, UNSCOPED, ViolationFilters(jurisdiction=("溧阳市",)))
    total = report.summary.as_json()["total"]
    assert (total["projects"], total["parcels"], total["shortfall_wan"]) == (1, 1, 512.5)
    # P6 (武进区) and P7 (in no zone, so in no jurisdiction) are not selected.
    assert [entry["parcel_code"] for entry in report.data_quality] == ["P8"]


def test_an_empty_selection_has_zero_totals_and_no_averages(conn: Connection) -> None:
    total = violation_report(conn, UNSCOPED, ViolationFilters(stage=("评估",))).summary.as_json()["total"]
    assert total == {"projects": 0, "parcels": 0, "area_mu": 0.0, "total_investment_wan": 0.0,
                     "required_investment_wan": 0.0, "intensity_wan_per_mu": None, "threshold_wan_per_mu": None,
                     "ratio": None, "shortfall_wan": 0.0}


@pytest.mark.parametrize(("sort", "expected"), [
    ("parcel_code", ["P2", "P3", "P4", "P5", "P8"]),
    ("-parcel_code", ["P8", "P5", "P4", "P3", "P2"]),
    ("ratio", ["P3", "P4", "P5", "P8", "P2"]),  # 0.5714, 0.9000, 0.9000, 0.9070, 0.9997
    ("-intensity_wan_per_mu", ["P2", "P4", "P5", "P8", "P3"]),  # 399.90, 360, 360, 317.46, 200
    ("area_mu", ["P5", "P4", "P2", "P8", "P3"]),  # 6, 9, 10.000005, 15.75, 45
    ("-project_code", ["P8", "P4", "P5", "P3", "P2"]),  # G, D, C, B; a project's parcels by code
])
def test_sorting_by_a_record_field(conn: Connection, sort: str, expected: list[str]) -> None:
    assert codes(violation_report(conn, UNSCOPED, ViolationFilters(sort=sort)).violations) == expected


@pytest.mark.parametrize(("filters", "field"), [
    ({"status": ("outside_zone",)}, "status"),
    ({"status": ("not_assessed",)}, "status"),
    ({"band": ("none",)}, "band"),
    ({"zone_class": ("开发区",)}, "zone_class"),
    ({"stage": ("开工了",)}, "stage"),
    ({"sort": "geom"}, "sort"),
    ({"sort": "-xmin"}, "sort"),
])
def test_a_bad_filter_value_is_refused_in_both_languages(filters: dict[str, Any], field: str) -> None:
    with pytest.raises(MujunError) as raised:
        ViolationFilters(**filters)
    assert raised.value.status_code == 422 and raised.value.details[0]["field"] == field
    assert raised.value.zh and raised.value.en


def test_an_unknown_zone_or_jurisdiction_is_refused(conn: Connection) -> None:
    for filters, field in ((ViolationFilters(zone=("WJ-DZ", "NOPE")), "zone"),
                           (ViolationFilters(jurisdiction=("武进",)), "jurisdiction")):
        with pytest.raises(MujunError) as raised:
            violation_report(conn, UNSCOPED, filters)
        assert raised.value.status_code == 422 and raised.value.details[0]["field"] == field


def test_geometries_come_with_the_parcels_when_asked(conn: Connection) -> None:
    report = violation_report(conn, UNSCOPED, ViolationFilters(), with_geometry=True)
    assert sorted(report.geometries) == sorted(DEFAULT_ORDER)
    assert all(geometry["type"] == "MultiPolygon" for geometry in report.geometries.values())
    assert violation_report(conn, UNSCOPED, ViolationFilters()).geometries == {}
