"""The land-use fields of parcels, approval batches and firms' figures, loaded on the real PostGIS or refused with every
problem named and nothing changed; and `mujun check` telling the two new kinds of file from their fields."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from etl.evaluation import credit_code_problem
from etl.load import LoadRequest, load
from geo_api.cli import app
from mujun.errors import InputError
from mujun.settings import RuleSettings
from tests.access import SHELL
from tests.geodata import gk_rect, write_geojson, write_xlsx
from tests.land_world import LOAD_DAY, land_batches, land_parcel, land_parcels, write_land
from tests.world import POLICY, world_zones

D = dt.date
TABLES = ("parcels", "approval_batches", "batch_cover", "firm_figures", "loads")
EVALUATION_HEADER = ["企业名称", "统一社会信用代码", "年度", "所属地区", "用地面积(亩)", "税收(万元)", "销售收入(万元)", "工业增加值(万元)",
                     "综合能耗(吨标准煤)", "主要污染物排放量(吨)", "年平均职工人数", "研发经费(万元)", "投产日期"]


def valid_code(body: str) -> str:
    """`body` (17 characters) with its GB 32100-2015 check character."""
    for last in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if credit_code_problem(body + last) is None:
            return body + last
    raise AssertionError(body)


def snapshot(conninfo: str) -> list[Any]:
    with psycopg.connect(conninfo) as conn:
        return [conn.execute(sql.SQL("SELECT * FROM {} ORDER BY 1, 2").format(sql.Identifier(table))).fetchall() for table in TABLES]


def refused(conninfo: str, request: LoadRequest) -> list[str]:
    before = snapshot(conninfo)
    with pytest.raises(InputError) as caught:
        load(conninfo, request, POLICY, RuleSettings(), actor=SHELL)
    assert snapshot(conninfo) == before
    return [problem.message("en") for problem in caught.value.problems]


@pytest.fixture
def landed(empty_db: str, tmp_path: Path) -> str:
    load(empty_db, write_land(tmp_path), POLICY, RuleSettings(), actor=SHELL)
    return empty_db


def stored(conninfo: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(query).fetchall()  # type: ignore[arg-type]


def test_the_land_use_fields_are_stored_first_load_and_reload(landed: str, tmp_path: Path) -> None:
    query = ("SELECT parcel_code, land_price_wan::text, start_date, developed_area_m2::text, stopped_date, government_delay FROM parcels "
             "WHERE parcel_code IN ('L1', 'L3', 'L4', 'L6') ORDER BY 1")
    first = stored(landed, query)
    assert first == [("L1", "1234.56", None, None, None, None), ("L3", "800.00", None, None, None, True),
                     ("L4", None, D(2021, 5, 1), "1500.00", D(2023, 6, 30), False), ("L6", None, None, None, None, None)]
    # A reload (upserted) in 元 and 亩, with the other spellings of the headers, stores the same values.
    header = {"出让价款(万元)": "出让价款(元)", "已开发面积(平方米)": "已开发面积(亩)", "动工日期": "实际动工日期"}
    features = []
    for props, geometry in land_parcels():
        renamed = {header.get(k, k): v for k, v in props.items()}
        if renamed["出让价款(元)"] is not None:
            renamed["出让价款(元)"] = round(renamed["出让价款(元)"] * 10000)
        if renamed["已开发面积(亩)"] is not None:
            renamed["已开发面积(亩)"] = renamed["已开发面积(亩)"] * 15 / 10000  # 1 500 m² = 2.25 亩
        features.append((renamed, geometry))
    load(landed, LoadRequest(parcels=write_geojson(tmp_path / "again.geojson", features), today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    assert stored(landed, query) == first


def test_a_file_without_the_fields_leaves_them_null(empty_db: str, world: LoadRequest) -> None:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)  # into an empty table: streamed, the columns left out of the COPY
    assert stored(empty_db, "SELECT count(*) FROM parcels WHERE land_price_wan IS NULL AND start_date IS NULL AND "
                            "developed_area_m2 IS NULL AND stopped_date IS NULL AND government_delay IS NULL") == [(9,)]
    load(empty_db, LoadRequest(parcels=world.parcels), POLICY, RuleSettings(), actor=SHELL)  # upserted: still NULL
    assert stored(empty_db, "SELECT count(*) FROM parcels WHERE land_price_wan IS NULL AND government_delay IS NULL") == [(9,)]


def test_bad_land_use_fields_are_refused(landed: str, tmp_path: Path) -> None:
    bad = [
        land_parcel("X1", "LA", gk_rect(100, 1800, 50, 50), D(2022, 1, 1), D(2023, 1, 1), **{"出让价款(万元)": -5}),
        land_parcel("X2", "LA", gk_rect(200, 1800, 50, 50), D(2022, 1, 1), D(2023, 1, 1), **{"出让价款(万元)": "很贵"}),
        land_parcel("X3", "LA", gk_rect(300, 1800, 50, 50), D(2022, 1, 1), D(2023, 1, 1), **{"动工日期": "去年"}),
        land_parcel("X4", "LA", gk_rect(400, 1800, 50, 50), D(2022, 1, 1), D(2023, 1, 1),
                    **{"动工日期": D(2023, 5, 1), "停工日期": D(2023, 4, 1)}),
        land_parcel("X5", "LA", gk_rect(500, 1800, 50, 50), D(2022, 1, 1), D(2023, 1, 1), **{"政府原因": "也许"}),
        land_parcel("X6", "LA", gk_rect(600, 1800, 50, 50), D(2022, 1, 1), D(2023, 1, 1), **{"已开发面积(平方米)": -1}),
    ]
    messages = refused(landed, LoadRequest(parcels=write_geojson(tmp_path / "bad.geojson", bad), today=LOAD_DAY))
    assert messages == [
        "bad.geojson, 要素 feature 1, field 出让价款(万元): value '-5', must not be negative (10,000 CNY)",
        "bad.geojson, 要素 feature 2, field 出让价款(万元): value '很贵', expected a number (10,000 CNY)",
        "bad.geojson, 要素 feature 6, field 已开发面积(平方米): value '-1.0', must not be negative (m²)",
        "bad.geojson, 要素 feature 3, field 动工日期: value '去年', expected a date such as 2023-05-01, 2023/5/1 or 2023年5月1日",
        "bad.geojson, 要素 feature 4, field 停工日期: value '2023-04-01', before the start date 2023-05-01",
        "bad.geojson, 要素 feature 5, field 政府原因: value '也许', expected 是 (yes) or 否 (no)",
    ]


def test_batches_are_upserted_and_refused_when_bad(landed: str, tmp_path: Path) -> None:
    assert stored(landed, "SELECT batch_code, approved_date, approval_no FROM approval_batches ORDER BY 1") == [
        ("B1", D(2019, 6, 1), "苏政地〔2019〕12号"), ("B2", D(2019, 6, 1), "苏政地〔2019〕13号")]
    moved = [({"批次编号": "B2", "批准日期": "2019-06-01", "批准文号": "苏政地〔2019〕13号"}, gk_rect(1600, 200, 50, 100))]
    load(landed, LoadRequest(batches=write_geojson(tmp_path / "b2.geojson", moved), replace=frozenset({"batches"})), POLICY, RuleSettings(), actor=SHELL)
    assert stored(landed, "SELECT batch_code, round(area_m2) FROM approval_batches ORDER BY 1") == [("B2", 5000)]
    # B2, now half as large, is still wholly Q5's: 5 000 m² covered.
    assert stored(landed, "SELECT batch_code, parcel_code, round(covered_m2) FROM batch_cover ORDER BY 1, 2") == [("B2", "Q5", 5000)]
    bad = [({"批次编号": "B9", "批准日期": "去年"}, gk_rect(0, 0, 10, 10)), ({"批次编号": "B9"}, gk_rect(20, 0, 10, 10)),
           ({"批准文号": "x"}, gk_rect(40, 0, 10, 10))]
    messages = refused(landed, LoadRequest(batches=write_geojson(tmp_path / "bad.geojson", bad)))
    assert messages == [
        "bad.geojson, 要素 feature 1, field 批准日期: value '去年', expected a date such as 2023-05-01, 2023/5/1 or 2023年5月1日",
        "bad.geojson, 要素 feature 3, field 批次编号: must not be empty",
        "bad.geojson, 要素 feature 2, field batch_code: value 'B9', duplicate code (same as 要素 feature 1)",
    ]


def test_the_cover_follows_a_reload_of_parcels(landed: str, tmp_path: Path) -> None:
    # Q2 supplied a year later: the cover keeps its date, and the increments their order.
    features = [(dict(props, 供地日期="2023-01-01") if props["宗地编号"] == "Q2" else props, geometry) for props, geometry in land_parcels()]
    load(landed, LoadRequest(parcels=write_geojson(tmp_path / "later.geojson", features), today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    assert stored(landed, "SELECT parcel_code, supply_date FROM batch_cover WHERE parcel_code = 'Q2'") == [("Q2", D(2023, 1, 1))]


def evaluation_row(name: str, code: str | None = None, **changes: Any) -> list[Any]:
    row = dict(zip(EVALUATION_HEADER, [name, code, 2023, "武进区", 10, 600, 10000, 2000, 1000, 10, 100, 500, None], strict=True))
    row.update(changes)
    return list(row.values())


def test_firms_figures_are_loaded_and_updated(empty_db: str, tmp_path: Path) -> None:
    code = valid_code("91320412MA1MABCD1")
    path = write_xlsx(tmp_path / "firms.xlsx", EVALUATION_HEADER, [evaluation_row("企业A", code), evaluation_row("企业B")])
    load(empty_db, LoadRequest(evaluation=path), POLICY, RuleSettings(), actor=SHELL)
    assert stored(empty_db, "SELECT year, firm_key, enterprise, credit_code, round(tax_wan), production_date FROM firm_figures ORDER BY 2") == [
        (2023, code, "企业A", code, 600, None), (2023, "企业B", "企业B", None, 600, None)]
    again = write_xlsx(tmp_path / "again.xlsx", EVALUATION_HEADER,
                       [evaluation_row("企业A（更名）", code.lower(), **{"税收(万元)": 700}), evaluation_row("企业B")])
    result = load(empty_db, LoadRequest(evaluation=again), POLICY, RuleSettings(), actor=SHELL)
    assert result.counts["evaluation"] == {"read": 2, "inserted": 0, "updated": 1, "unchanged": 1}
    assert stored(empty_db, "SELECT enterprise, round(tax_wan) FROM firm_figures ORDER BY firm_key") == [("企业A（更名）", 700), ("企业B", 600)]


def test_bad_firms_figures_are_refused(empty_db: str, tmp_path: Path) -> None:
    code = valid_code("91320412MA1MABCD1")
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    rows = [
        evaluation_row(None),                                            # row 2: no enterprise
        evaluation_row("企业C", **{"年度": "明年"}),                        # row 3
        evaluation_row("企业D", **{"所属地区": "玄武区"}),                   # row 4: not a district of the policy
        evaluation_row("企业E", "12345"),                                # row 5: too short
        evaluation_row("企业F", wrong_check),                            # row 6: the check character
        evaluation_row("企业G", **{"税收(万元)": -1}),                       # row 7
        evaluation_row("企业H", **{"综合能耗(吨标准煤)": "不详"}),             # row 8
        evaluation_row("企业I", **{"投产日期": "今年"}),                      # row 9
        evaluation_row("企业J", code),                                   # row 10
        evaluation_row("企业J2", code),                                  # row 11: the same firm (credit code) and year again
    ]
    messages = refused(empty_db, LoadRequest(evaluation=write_xlsx(tmp_path / "bad.xlsx", EVALUATION_HEADER, rows)))
    check = credit_code_problem(wrong_check)
    assert check is not None
    districts = "天宁区, 常州经济开发区, 新北区, 武进区, 溧阳市, 金坛区, 钟楼区"
    assert messages == [
        "bad.xlsx, 行 row 2, field 企业名称: must not be empty",
        "bad.xlsx, 行 row 3, field 年度: value '明年', expected a year (1990–2100), such as 2023",
        f"bad.xlsx, 行 row 4, field 所属地区: value '玄武区', not a jurisdiction of policy changzhou-2018: {districts}",
        "bad.xlsx, 行 row 5, field 统一社会信用代码: value '12345', expected an 18-character unified social credit code "
        "(digits and capitals, no I, O, S, V or Z)",
        f"bad.xlsx, 行 row 6, field 统一社会信用代码: value '{wrong_check}', {check[1]}",
        "bad.xlsx, 行 row 7, field 税收(万元): value '-1', must not be negative (10,000 CNY)",
        "bad.xlsx, 行 row 8, field 综合能耗(吨标准煤): value '不详', expected a number (tonnes of coal equivalent)",
        "bad.xlsx, 行 row 9, field 投产日期: value '今年', expected a date such as 2023-05-01, 2023/5/1 or 2023年5月1日",
        f"bad.xlsx, 行 row 11, field 统一社会信用代码: value '{code}', the same firm and year twice in the file (as 行 row 10)",
    ]


def test_the_credit_codes_check_character() -> None:
    # GB 32100-2015's own example: 91350100M000100Y43.
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100M000100Y44") == ("校验位不符（按前 17 位应为 3）", "the check character does not match (the first 17 give 3)")
    assert credit_code_problem("91350100M000100YI3") is not None  # I is not among the characters


def test_check_tells_batches_and_firms_figures_from_their_fields(empty_db: str, db_url: str, tmp_path: Path) -> None:
    batches = write_geojson(tmp_path / "batches.geojson", land_batches())
    firms = write_xlsx(tmp_path / "firms.xlsx", EVALUATION_HEADER, [evaluation_row("企业A")])
    zones = write_geojson(tmp_path / "zones.geojson", world_zones())
    result = CliRunner().invoke(app, ["check", str(zones), str(batches), str(firms), "--json"], env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted((f["kind"], f["file"], f["features"]) for f in report["files"]) == [
        ("batches", "batches.geojson", 2), ("evaluation", "firms.xlsx", 1), ("zones", "zones.geojson", 3)]
