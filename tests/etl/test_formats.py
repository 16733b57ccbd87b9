"""Reading on its own: encodings, CRS decisions, GCJ-02, units, zips, against values worked out by hand or published."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pytest
import shapely
from openpyxl import Workbook
from pyproj import CRS, Transformer

from etl.check import Checked, check_parcels, parse_date
from etl.check import check_projects as check_projects_on
from etl.crs_detect import UnknownDatumShift, decide_crs, to_cgcs2000
from etl.encoding import shapefile_encoding
from etl.fields import PROJECT_FIELDS, match_columns
from etl.file_limits import UPLOAD_LIMITS, FileLimits, check_zip
from etl.read import ReadOptions, TableSource, read_source, read_table
from etl.units import parse_amount
from mujun.errors import InputError
from mujun.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from tests.geodata import gk_rect, write_geojson
from tests.world import POLICY


def check_projects(table: TableSource, rate: D | None, rate_date: dt.date | None) -> Checked:
    return check_projects_on(table, rate, rate_date, POLICY, dt.date(2026, 12, 4))


def dbf(ldid: int, names: list[bytes], record: bytes) -> bytes:
    header_length = 32 + 32 * len(names) + 1
    head = bytearray(32)
    head[4:8] = (1).to_bytes(4, "little")
    head[8:10] = header_length.to_bytes(2, "little")
    head[10:12] = (len(record) + 1).to_bytes(2, "little")
    head[29] = ldid
    fields = b"".join(name.ljust(11, b"\0") + b"C" + bytes(20) for name in names)
    return bytes(head) + fields + b"\r" + b" " + record


def test_shapefile_encoding_order_cpg_then_code_page_then_bytes() -> None:
    gbk = dbf(0, ["宗地编号".encode("gbk")], "工业用地".encode("gbk"))
    assert shapefile_encoding("p.shp", gbk, "936", None)[0] == "GB18030"
    assert shapefile_encoding("p.shp", gbk, "65001", None)[0] == "UTF-8"
    assert shapefile_encoding("p.shp", dbf(0x4D, [b"CODE"], b"A"), None, None) == (
        "GB18030", "p.shp: encoding GB18030 from the DBF code-page byte 0x4D (no .cpg) / 编码取自 DBF 代码页字节 0x4D（无 .cpg）")
    # 0x57 ("ANSI", the writing machine's code page) says nothing: the bytes decide.
    assert shapefile_encoding("p.shp", dbf(0x57, ["宗地编号".encode("gbk")], b"A"), None, None)[0] == "GB18030"
    assert shapefile_encoding("p.shp", dbf(0, ["宗地编号".encode()[:9]], "工业".encode()), None, None)[0] == "UTF-8"
    assert shapefile_encoding("p.shp", gbk, None, "BIG5")[0] == "BIG5"


def test_crs_decisions_from_the_numbers() -> None:
    # Changzhou: lon 119.95, lat 31.78; Gauss-Krüger zone 40 (CM 120°E) x ≈ 495 km, y ≈ 3 520 km.
    assert decide_crs("f", (119.9, 31.7, 120.0, 31.8), None, None, None).crs == "EPSG:4490"
    swapped = decide_crs("f", (31.7, 119.9, 31.8, 120.0), "EPSG:4326", None, None)
    assert (swapped.crs, swapped.swap_axes) == ("EPSG:4326", True)
    assert decide_crs("f", (40_495_000, 3_520_000, 40_496_000, 3_521_000), None, None, None).crs == "EPSG:4528"
    assert decide_crs("f", (39_495_000, 3_520_000, 39_496_000, 3_521_000), None, None, None).crs == "EPSG:4527"  # zone 39, CM 117°E
    northing_first = decide_crs("f", (3_520_000, 40_495_000, 3_521_000, 40_496_000), None, None, None)
    assert (northing_first.crs, northing_first.swap_axes) == ("EPSG:4528", True)
    assert decide_crs("f", (495_000, 3_520_000, 496_000, 3_521_000), None, None, 120).crs == "EPSG:4549"
    assert decide_crs("f", (495_000, 3_520_000, 496_000, 3_521_000), None, None, 117).crs == "EPSG:4548"
    assert decide_crs("f", (495_000, 3_520_000, 496_000, 3_521_000), "EPSG:4549", None, None).inferences == []
    given = decide_crs("f", (495_000, 3_520_000, 496_000, 3_521_000), None, "EPSG:4549", None)
    assert given.inferences == ["f: CRS CGCS2000 / 3-degree Gauss-Kruger CM 120E as given (--crs EPSG:4549) / 坐标系按指定的 EPSG:4549 读取"]
    with pytest.raises(InputError) as caught:
        decide_crs("f", (40_495_000, 3_520_000, 41_496_000, 3_521_000), None, None, None)
    assert "more than one zone number" in caught.value.problems[0].expected_en
    with pytest.raises(InputError) as caught:
        decide_crs("f", (495_000, 3_520_000, 496_000, 3_521_000), None, "gcj02", None)
    assert caught.value.problems[0].expected_en == "declared GCJ-02 but the coordinates are not lon/lat inside China"


def test_gcj02_against_published_pairs() -> None:
    # eviltransform's Shanghai case: WGS84 (121.5272106, 31.1774276) ↔ GCJ-02 (121.531541859215, 31.17530398364597).
    lon, lat = wgs84_to_gcj02(np.array([121.5272106]), np.array([31.1774276]))
    assert (lon[0], lat[0]) == (pytest.approx(121.531541859215, abs=1e-9), pytest.approx(31.17530398364597, abs=1e-9))
    lon, lat = gcj02_to_wgs84(np.array([121.531541859215]), np.array([31.17530398364597]))
    assert (lon[0], lat[0]) == (pytest.approx(121.5272106, abs=1e-7), pytest.approx(31.1774276, abs=1e-7))


def test_units_in_values_and_headers() -> None:
    assert parse_amount("1.2亿元", "万元", None) == D(12000)
    assert parse_amount("３５亩", "平方米", None).quantize(D("0.01")) == D("23333.33")  # 35 × 10000 / 15, full-width digits
    assert parse_amount("2.1公顷", "亩", None) == D("31.5")  # 2.1 × 15
    assert parse_amount("12,000", "万元", "元") == D("1.2")
    assert parse_amount(0.5, "万元", "亿元") == D(5000)
    for bad in ("35亩", "很多", "nan"):
        with pytest.raises(ValueError):
            parse_amount(bad, "万元", None)
    match = match_columns(["项目编号", "总投资（元）"], PROJECT_FIELDS)
    assert match.fields["total_investment"][1].header_unit == "元" and match.fields["total_investment"][1].scale == D("0.0001")


def test_zip_limits(tmp_path: Path) -> None:
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as out:
        for i in range(51):
            out.writestr(f"f{i}.txt", b"x")
    with pytest.raises(InputError) as caught:
        check_zip(many, "many.zip", UPLOAD_LIMITS)
    assert caught.value.problems[0].message("en") == "many.zip, 文件 file: value '51', too many files in the archive (over 50)"
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as out:
        info = zipfile.ZipInfo("parcels.shp")
        info.external_attr = 0o120777 << 16  # a symbolic link
        out.writestr(info, "/etc/passwd")
    with pytest.raises(InputError) as caught:
        check_zip(link, "link.zip", UPLOAD_LIMITS)
    assert "unsafe path" in caught.value.problems[0].expected_en
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("a.dbf", b"\0" * 3_000_000)
    with pytest.raises(InputError) as caught:
        check_zip(big, "big.zip", FileLimits(max_bytes=10**6, max_unzipped_bytes=2 * 1024 * 1024, max_members=5, max_ratio=1000))
    assert "the archive unzips too large" in caught.value.problems[0].expected_en
    with pytest.raises(InputError) as caught:
        check_zip(big, "big.zip", FileLimits(max_bytes=100, max_unzipped_bytes=10**9, max_members=5, max_ratio=1000))
    assert caught.value.problems[0].expected_en.startswith("the file is too large (")


def test_investment_in_us_dollars_from_its_value_or_header_at_the_configured_rate(tmp_path: Path) -> None:
    rate, rate_date = D("7.1"), dt.date(2024, 1, 2)
    text = ("项目编号,项目类型,总投资（万元）,币种\n"
            "P1,工业,3亿美元,\n"       # 3 亿美元 = 30 000 万美元 × 7.1 = 213 000 万元
            "P2,工业,30亿元,\n"        # 30 亿元 = 300 000 万元, CNY
            "P3,工业,500,USD\n"        # the 币种 column: 500 万美元 × 7.1 = 3 550 万元
            "P4,工业,3亿美元,人民币\n")  # dollars under 币种 人民币: which is meant cannot be known
    (tmp_path / "projects.csv").write_text(text, encoding="utf-8")
    checked = check_projects(read_table(tmp_path / "projects.csv"), rate, rate_date)
    c = checked.columns
    assert list(c["currency"][:3]) == ["USD", "CNY", "USD"]
    assert c["investment_amount"][:3] == [D(30000), D(300000), D(500)]
    assert c["total_investment_wan"][:3] == [D("213000.00"), D("300000.00"), D("3550.00")]
    assert c["exchange_rate"][:3] == [rate, None, rate] and c["exchange_rate_date"][:3] == [rate_date, None, rate_date]
    assert [p.message("en") for p in checked.errors] == [
        "projects.csv, 行 row 5, field 总投资（万元）: value '3亿美元', the amount is in US dollars but the currency (币种) says "
        "CNY: correct one of them"]

    # A header in 万美元 makes every bare amount in its column dollars; without a configured rate each is refused.
    (tmp_path / "usd.csv").write_text("项目编号,项目类型,总投资（万美元）\nP5,工业,500\n", encoding="utf-8")
    usd = check_projects(read_table(tmp_path / "usd.csv"), rate, rate_date)
    assert (usd.errors, list(usd.columns["currency"]), usd.columns["total_investment_wan"]) == ([], ["USD"], [D("3550.00")])
    refused = check_projects(read_table(tmp_path / "usd.csv"), None, None)
    assert [p.expected_en for p in refused.errors] == [
        "a USD investment needs a configured rate and its date (MUJUN_USD_CNY_RATE, MUJUN_USD_CNY_RATE_DATE)"]


def test_table_rows_keep_their_spreadsheet_numbers_past_blank_rows_and_multi_line_cells(tmp_path: Path) -> None:
    # As Excel saves a CSV (GBK): a blank line 3, a quoted name over two lines in row 4, a form feed inside a cell in row 5.
    text = '项目编号,项目名称,总投资（万元）\r\nP1,甲,100\r\n,,\r\nP2,"常州\r\n乙",-5\r\nP3,丙\x0c丁,7\r\n'
    path = tmp_path / "projects.csv"
    path.write_bytes(text.encode("gb18030"))
    table = read_table(path)
    assert table.row_numbers == [2, 4, 5]
    assert table.columns["项目名称"] == ["甲", "常州\r\n乙", "丙\x0c丁"]
    checked = check_projects(table, None, None)
    negative = [p for p in checked.errors if p.field == "总投资（万元）"]
    assert [(p.location, p.value) for p in negative] == [("行 row 4", "-5")]

    # A sheet whose header is in row 3 (rows 1–2 empty), with blank rows between the projects.
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["B3"], sheet["C3"] = "项目编号", "总投资（万元）"
    sheet["B5"], sheet["C5"] = "P1", 100
    sheet["B7"], sheet["C7"] = "P2", "很多"
    workbook.save(tmp_path / "projects.xlsx")
    table = read_table(tmp_path / "projects.xlsx")
    assert table.row_numbers == [5, 7] and table.columns["项目编号"] == ["P1", "P2"]
    assert table.warnings == []
    bad = [p for p in check_projects(table, None, None).errors if p.field == "总投资（万元）"]
    assert [(p.location, p.value) for p in bad] == [("行 row 7", "很多")]


def test_features_from_a_table_are_named_by_their_spreadsheet_rows(tmp_path: Path) -> None:
    square = "POLYGON((119.95 31.67, 119.951 31.67, 119.951 31.671, 119.95 31.671, 119.95 31.67))"
    path = tmp_path / "parcels.csv"
    path.write_text(f'parcel_code,WKT\nA1,"{square}"\n\nA1,"{square}"\nA2,"POINT(119.95 31.67)"\n', encoding="utf-8")
    checked = check_parcels(read_source("parcels", path, ReadOptions()))
    assert sorted((p.location, p.field) for p in checked.errors) == [("行 row 4", "parcel_code"), ("行 row 5", "geometry")]
    duplicate = next(p for p in checked.errors if p.field == "parcel_code")
    assert "行 row 2" in duplicate.expected_en


def test_values_in_a_column_without_a_header_are_reported_not_dropped_quietly(tmp_path: Path) -> None:
    path = tmp_path / "projects.csv"
    path.write_text("项目编号,,总投资（万元）\nP1,,100\nP2,备注甲,200\nP3,备注乙,300,多出一格\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.columns) == ["项目编号", "总投资（万元）"]
    assert [(p.location, p.field, p.value, p.expected_en, p.severity, p.code) for p in table.warnings] == [
        ("行 row 3", "第 2 列 column 2", "备注甲", "a column without a header holds 2 values: not read", "warning", "headless_column"),
        ("行 row 4", "第 4 列 column 4", "多出一格", "a column without a header holds 1 value: not read", "warning", "headless_column"),
    ]
    assert all(p in check_projects(table, None, None).warnings for p in table.warnings)


def test_title_rows_above_a_sheets_header_are_named_and_a_unit_in_a_title_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "附件1"
    sheet["A2"] = "常州市2024年工业项目汇总表"  # a merged title keeps its text in the first cell
    sheet.append(["项目编号", "总投资（万元）"])
    sheet.append(["P1", 100])
    workbook.save(tmp_path / "projects.xlsx")
    table = read_table(tmp_path / "projects.xlsx")
    assert table.columns == {"项目编号": ["P1"], "总投资（万元）": [100]} and table.row_numbers == [4]
    assert [n for n in table.inferences if "title" in n] == [
        "projects.xlsx: row 1 read as a title above the header: 附件1 / 第 1 行视为标题",
        "projects.xlsx: row 2 read as a title above the header: 常州市2024年工业项目汇总表 / 第 2 行视为标题",
    ]

    sheet["A2"] = "填报单位：常州市自然资源和规划局"  # an office, not a unit of measure
    workbook.save(tmp_path / "projects.xlsx")
    assert read_table(tmp_path / "projects.xlsx").columns["总投资（万元）"] == [100]

    # A form's line of several cells, each a label and its value (one of them still empty), is not the header.
    sheet["C2"], sheet["E2"] = "填报日期: 2024年3月1日", "填报人："
    workbook.save(tmp_path / "projects.xlsx")
    table = read_table(tmp_path / "projects.xlsx")
    assert table.columns == {"项目编号": ["P1"], "总投资（万元）": [100]} and table.row_numbers == [4]
    assert "projects.xlsx: row 2 read as a title above the header: 填报单位：常州市自然资源和规划局；填报日期: 2024年3月1日；" \
           "填报人： / 第 2 行视为标题" in table.inferences
    # The same line with each label's colon ending its own cell and the value in the next one.
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"] = "填报单位：", "常州市自然资源和规划局", "填报日期：", "2024年3月1日", None
    workbook.save(tmp_path / "projects.xlsx")
    table = read_table(tmp_path / "projects.xlsx")
    assert table.columns == {"项目编号": ["P1"], "总投资（万元）": [100]}
    assert "projects.xlsx: row 2 read as a title above the header: 填报单位：常州市自然资源和规划局；填报日期：2024年3月1日 / " \
           "第 2 行视为标题" in table.inferences
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = "填报单位：常州市自然资源和规划局", None, None, None

    for title in ("单位：亿元", "金额单位: 万元", "面积单位 公顷"):  # would scale every amount or area
        sheet["A2"] = title
        workbook.save(tmp_path / "projects.xlsx")
        with pytest.raises(InputError) as refused:
            read_table(tmp_path / "projects.xlsx")
        [problem] = refused.value.problems
        assert (problem.location, problem.value) == ("行 row 2", title) and "总投资（亿元）" in problem.expected_en
    sheet["A2"], sheet["C2"] = "填报单位：常州市自然资源和规划局", "金额单位：万元"  # a unit on a form's line
    workbook.save(tmp_path / "projects.xlsx")
    with pytest.raises(InputError) as refused:
        read_table(tmp_path / "projects.xlsx")
    assert refused.value.problems[0].value == "填报单位：常州市自然资源和规划局；金额单位：万元"

    # A one-column table has no title: its first row is its header.
    (tmp_path / "codes.csv").write_text("项目编号\nP1\nP2\n", encoding="utf-8")
    assert read_table(tmp_path / "codes.csv").columns == {"项目编号": ["P1", "P2"]}


def test_a_header_merged_over_two_rows_is_read_as_one(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["项目编号", "项目名称", "项目类型", "投资情况", None, "项目阶段"])
    sheet.append([None, None, None, "总投资（万元）", "其中：设备投资", None])
    for cells in ("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2"):
        sheet.merge_cells(cells)
    sheet.append(["P1", "甲", "工业", 4000, 1000, "开工"])
    workbook.save(tmp_path / "projects.xlsx")
    table = read_table(tmp_path / "projects.xlsx")
    assert table.columns == {"项目编号": ["P1"], "项目名称": ["甲"], "项目类型": ["工业"], "总投资（万元）": [4000],
                             "其中：设备投资": [1000], "项目阶段": ["开工"]} and table.row_numbers == [3]
    assert "projects.xlsx: rows 1–2 read as one header (cells merged over two rows); a column is named by its lower cell " \
           "where it has one / 第 1–2 行为两行表头，列名取下一行（若有）" in table.inferences
    assert check_projects(table, None, None).columns["total_investment_wan"] == [D("4000.00")]

    # A first project with a note in a column that has no header is a project, not a header's second row: it has its code.
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["项目编号", "项目名称", "项目类型"])
    sheet.append(["P1", "甲", "工业", "备注：待核实"])
    workbook.save(tmp_path / "noted.xlsx")
    noted = read_table(tmp_path / "noted.xlsx")
    assert noted.columns == {"项目编号": ["P1"], "项目名称": ["甲"], "项目类型": ["工业"]} and noted.row_numbers == [2]
    assert [(p.location, p.value) for p in noted.warnings] == [("行 row 2", "备注：待核实")]


def test_a_totals_row_is_not_read_as_data_and_is_said_so(tmp_path: Path) -> None:
    text = ("序号,项目编号,项目名称,总投资（万元）\n"
            "1,P1,合计科技有限公司厂房,100\n"  # a name that starts with 合计 is data
            "小计,,,100\n"
            "2,P2,乙,250\n"
            "合　计,,,350\n")  # 合计 with a full-width space, as officials centre it
    (tmp_path / "projects.csv").write_text(text, encoding="utf-8")
    table = read_table(tmp_path / "projects.csv")
    assert table.columns["项目编号"] == ["P1", "P2"] and table.row_numbers == [2, 4]
    assert [i for i in table.inferences if "totals" in i] == [
        "projects.csv: row 3 is a totals row (小计), not data: not read / 第 3 行为小计行，未读取",
        "projects.csv: row 5 is a totals row (合计), not data: not read / 第 5 行为合计行，未读取"]


def test_excels_text_exports_tab_separated_in_utf16_or_gbk(tmp_path: Path) -> None:
    rows = "项目编号\t项目名称\t总投资（万元）\r\nP1\t常州甲, 乙\t1,200\r\n"  # commas inside cells stay in them
    for name, data, how in (("unicode.txt", b"\xff\xfe" + rows.encode("utf-16-le"), "UTF-16"),
                            ("ansi.txt", rows.encode("gb18030"), "GBK/GB18030")):
        (tmp_path / name).write_bytes(data)
        table = read_table(tmp_path / name)
        assert table.columns == {"项目编号": ["P1"], "项目名称": ["常州甲, 乙"], "总投资（万元）": ["1,200"]}
        assert any(how in n for n in table.inferences)
        assert f"{name}: columns separated by tab / 列以制表符分隔" in table.inferences
    (tmp_path / "plain.csv").write_text("项目编号,项目名称\nP1,甲\n", encoding="utf-8")
    assert read_table(tmp_path / "plain.csv").inferences == []


def test_heights_are_dropped_and_said_so_and_the_area_is_the_planar_one(tmp_path: Path) -> None:
    # 100 m × 100 m in the Gauss-Krüger plane = 10 000.00 m², whatever height the drawing gives its corners.
    flat = gk_rect(0, 0, 100, 100)
    path = write_geojson(tmp_path / "parcels.geojson", [({"parcel_code": "Z1"}, shapely.force_3d(flat, 12.5)),
                                                         ({"parcel_code": "Z2"}, gk_rect(200, 0, 100, 100))])
    checked = check_parcels(read_source("parcels", path, ReadOptions()))
    assert not checked.errors
    assert "parcels.geojson: heights (Z) dropped from 1 feature; areas are planar / " \
           "1 个要素的高程（Z）已去除，面积按平面计算" in checked.inferences
    assert checked.geometry is not None and list(checked.geometry.area_cents) == [1_000_000, 1_000_000]


def test_dates_in_the_forms_offices_write_them() -> None:
    may_day = dt.date(2023, 5, 1)
    for text in ("2023-05-01", "2023/5/1", "2023.5.1", "2023年5月1日", " 2023 年 5 月 1 日 ", "2023-05-01 00:00:00",
                 "2023/5/1 8:30", "2023-05-01T00:00:00.000", "20230501", " 20230501 "):
        assert parse_date(text) == may_day, text
    assert parse_date(45047) == may_day  # Excel's serial: 45 047 days after 1899-12-30
    assert parse_date(20230501) == may_day  # the compact form stored as a whole number (a DBF N(8,0) field)
    for bad in ("2023-13-01", "2023-02-30", "20231301", "20230230", "2023051", "202305011", "5/1/2023", "2023-05-01 下午",
                20230501.5):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_a_header_repeated_in_two_columns_is_refused_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "projects.csv"
    path.write_text("项目编号,总投资（万元）,备注,总投资（万元）\nP1,100,,1\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_table(path)
    [problem] = refused.value.problems
    assert (problem.location, problem.field, problem.value) == ("行 row 1", "总投资（万元）", "2、4")
    assert problem.expected_en == "the header is repeated in columns 2, 4: rename them and load again"


def test_dates_a_vector_file_types_as_numbers(tmp_path: Path) -> None:
    # GeoJSON numbers and DBF N(8,0) fields come as integer columns: an Excel serial, or 20230501 written compactly.
    path = write_geojson(tmp_path / "parcels.geojson", [({"parcel_code": "D1", "supply_date": 45047}, gk_rect(0, 0, 100, 100)),
                                                        ({"parcel_code": "D2", "supply_date": 20230501}, gk_rect(200, 0, 100, 100)),
                                                        ({"parcel_code": "D3", "supply_date": 20231301}, gk_rect(400, 0, 100, 100))])
    checked = check_parcels(read_source("parcels", path, ReadOptions()))
    [problem] = checked.errors
    assert (problem.location, problem.field, problem.value) == ("要素 feature 3", "supply_date", "20231301")
    assert checked.columns["supply_date"][:2].tolist() == [dt.date(2023, 5, 1)] * 2


def test_seven_parameters_move_the_coordinates_as_worked_out_by_hand() -> None:
    # +towgs84=100,0,0 moves the geocentric X axis 100 m. At 120°E, 31.6°N the local east axis is (−sin 120°, cos 120°, 0)
    # and north (−sin 31.6° cos 120°, −sin 31.6° sin 120°, cos 31.6°): the point moves east −0.866025 × 100 = −86.60 m and
    # north −0.524080 × (−0.5) × 100 = +26.20 m. On the central meridian of EPSG:4549 those are its x and y, at scale 1.
    transformer, how = to_cgcs2000(CRS.from_user_input("+proj=longlat +ellps=GRS80 +towgs84=100,0,0 +no_defs"))
    assert transformer is not None and how is not None and "seven-parameter datum shift (+towgs84)" in how
    to_gk = Transformer.from_crs(4490, 4549, always_xy=True)
    (x0, y0), (x1, y1) = to_gk.transform(120.0, 31.6), to_gk.transform(*transformer.transform(120.0, 31.6))
    assert (x1 - x0, y1 - y0) == (pytest.approx(-86.60, abs=0.01), pytest.approx(26.20, abs=0.01))


def test_only_datums_within_centimetres_of_cgcs2000_are_read_without_their_parameters() -> None:
    assert to_cgcs2000(CRS.from_user_input("EPSG:4490")) == (None, None)
    assert to_cgcs2000(CRS.from_user_input("EPSG:4326")) == (None, None)
    transformer, how = to_cgcs2000(CRS.from_user_input("EPSG:4549"))
    assert transformer is not None and how == "reprojected from CGCS2000 / 3-degree Gauss-Kruger CM 120E to CGCS2000 (EPSG:4490)"
    for code, datum in (("EPSG:4214", "Beijing 1954"), ("EPSG:2437", "Beijing 1954"), ("EPSG:2385", "Xian 1980")):
        with pytest.raises(UnknownDatumShift) as refused:
            to_cgcs2000(CRS.from_user_input(code))
        assert refused.value.en.startswith(f"the CRS is on the {datum} datum") and datum in refused.value.zh


def _prj(datum: str, ellipsoid: str, a: float, rf: float) -> CRS:
    return CRS.from_wkt(f'PROJCS["P",GEOGCS["G",DATUM["{datum}",SPHEROID["{ellipsoid}",{a},{rf}]],PRIMEM["Greenwich",0.0],'
                        'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],'
                        'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],'
                        'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')


def test_a_prj_names_cgcs2000_as_chinese_software_spells_it() -> None:
    # The names .prj files give the datum, which PROJ does not all know: read as CGCS2000, the same numbers as EPSG:4549.
    expected = Transformer.from_crs(4549, 4490, always_xy=True).transform(500_100.0, 3_520_000.0)
    for datum in ("D_China_2000", "D_CGCS2000", "CGCS2000", "CGCS_2000", "China_Geodetic_Coordinate_System_2000", "D_WGS_1984", "WGS84"):
        transformer, how = to_cgcs2000(_prj(datum, "CGCS2000", 6378137.0, 298.257222101))
        assert transformer is not None and how == "reprojected from P to CGCS2000 (EPSG:4490)", datum
        assert transformer.transform(500_100.0, 3_520_000.0) == pytest.approx(expected, abs=1e-9), datum
    transformer, how = to_cgcs2000(_prj("D_unknown", "GRS80", 6378137.0, 298.257222101))
    assert transformer is not None and how is not None and "the datum is not named and the ellipsoid is GRS80" in how
    with pytest.raises(UnknownDatumShift):  # unnamed, on Krassowsky's ellipsoid: Beijing 1954 or a city's own, not CGCS2000
        to_cgcs2000(_prj("D_unknown", "Krasovsky_1940", 6378245.0, 298.3))
