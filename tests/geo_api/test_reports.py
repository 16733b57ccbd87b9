"""GET /api/reports/violations in every format, read back: the same parcels, the hand-worked figures.

The world and its figures are described in tests/layers/test_violations.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
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
from tests.layers.test_violations import DEFAULT_ORDER, report_world
from tests.world import POLICY

URL = "/api/reports/violations"
FILTER_CASES: list[dict[str, Any]] = [
    {},
    {"band": "far_below"},
    {"jurisdiction": "武进区", "sort": "parcel_code"},
    {"stage": ["开工", "竣工"], "level": ["市重点", "省重大"]},
    {"status": ["below", "meets"], "zone": "WJ-DZ"},
    {"stage": "评估"},
]


@pytest.fixture
def client(empty_db: str, db_url: str, world: LoadRequest, tmp_path: Path) -> Iterator[TestClient]:
    load(empty_db, report_world(world, tmp_path), POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url)) as client:
        yield client


def get(client: TestClient, output: str, params: dict[str, Any] | None = None) -> Any:
    response = client.get(URL, params={**(params or {}), "format": output})
    assert response.status_code == 200, response.text
    return response


def html_codes(page: str, heading: str) -> list[str]:
    """Parcel codes in the first column of the table under one heading of the HTML report."""
    section = page.split(f"<h2>{heading}", 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td class=\"code\">([^<]+)</td>", section)


def test_json_has_filters_summary_violations_and_data_quality(client: TestClient) -> None:
    body = get(client, "json").json()
    assert set(body) == {"filters", "summary", "violations", "data_quality"}
    assert body["filters"] == {"jurisdiction": [], "zone": [], "zone_class": [], "stage": [], "industry": [], "level": [],
                               "status": ["below"], "band": [], "sort": "-shortfall_wan"}
    assert [r["parcel_code"] for r in body["violations"]] == DEFAULT_ORDER
    assert [r["shortfall_wan"] for r in body["violations"]] == [6750.0, 600.0, 600.0, 512.5, 1.0]
    total = body["summary"]["total"]
    assert (total["projects"], total["parcels"], total["shortfall_wan"], total["area_mu"]) == (4, 5, 7863.5, 85.75)
    assert {e["parcel_code"]: e["issues"] for e in body["data_quality"]} == {
        "P6": ["straddles_zones"], "P7": ["outside_zone"], "P8": ["area_mismatch"]}


def test_xlsx_sheets_headers_formats_and_figures(client: TestClient) -> None:
    response = get(client, "xlsx")
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="mujun-violations-\d{8}\.xlsx"', response.headers["content-disposition"])
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["未达标宗地", "汇总", "数据质量"]
    for sheet in book.worksheets:
        caption = sheet["A1"].value
        assert "状态：未达标" in caption and "辖区：全部" in caption and "排序：项目投资缺口(万元)降序" in caption
        assert "常州市工业项目亩均投资强度标准（2018）" in caption and "只计一次" in caption
        assert sheet.freeze_panes == "A3"

    violations = book["未达标宗地"]
    headers = [cell.value for cell in violations[2]]
    for header in ("宗地编号", "宗地面积(亩)", "项目总投资(万元)", "亩均投资强度(万元/亩)", "投资强度门槛(万元/亩)", "项目投资缺口(万元)"):
        assert header in headers
    rows = {row[0]: dict(zip(headers, row, strict=True)) for row in violations.iter_rows(min_row=3, values_only=True)}
    assert list(rows) == DEFAULT_ORDER
    assert (rows["P4"]["项目投资缺口(万元)"], rows["P5"]["项目投资缺口(万元)"], rows["P2"]["项目投资缺口(万元)"]) == (600, 600, 1)
    assert (rows["P3"]["宗地面积(亩)"], rows["P3"]["亩均投资强度(万元/亩)"], rows["P3"]["投资强度门槛(万元/亩)"]) == (45, 200, 350)
    assert (rows["P8"]["状态"], rows["P8"]["标记"], rows["P3"]["园区类别"]) == ("未达标", "面积不符", "工业集中区")
    shortfall = violations.cell(3, headers.index("项目投资缺口(万元)") + 1)
    assert shortfall.number_format == "#,##0.00" and shortfall.value == 6750
    assert violations.cell(3, headers.index("强度÷门槛") + 1).number_format == "0.0000"

    summary = book["汇总"]
    summary_headers = [cell.value for cell in summary[2]]
    lines = [dict(zip(summary_headers, row, strict=True)) for row in summary.iter_rows(min_row=3, values_only=True)]
    total = lines[0]
    assert (total["汇总范围"], total["项目数"], total["宗地数"], total["用地面积(亩)"], total["总投资(万元)"],
            total["平均亩均投资强度(万元/亩)"], total["投资缺口合计(万元)"]) == ("合计", 4, 5, 85.75, 23399, 272.87, 7863.5)
    assert [(line["汇总范围"], line["辖区"], line["园区编码"], line["投资缺口合计(万元)"]) for line in lines[1:]] == [
        ("辖区", "武进区", None, 7351), ("辖区", "溧阳市", None, 512.5),
        ("园区", "武进区", "WJ-CL", 6750), ("园区", "武进区", "WJ-DZ", 601), ("园区", "溧阳市", "LY-DZ", 512.5)]

    quality = book["数据质量"]
    quality_headers = [cell.value for cell in quality[2]]
    issues = {row[0]: row[quality_headers.index("问题")] for row in quality.iter_rows(min_row=3, values_only=True)}
    assert issues == {"P6": "跨园区（所在园区不足宗地面积一半）", "P7": "不在任何园区内（无门槛，不作违规）",
                      "P8": "出让面积与图形面积相差超过1%"}


def test_csv_has_a_bom_chinese_headers_and_the_violation_rows_only(client: TestClient) -> None:
    response = get(client, "csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="mujun-violations-\d{8}\.csv"', response.headers["content-disposition"])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "宗地编号" and "亩均投资强度(万元/亩)" in header
    assert [row[0] for row in body] == DEFAULT_ORDER
    shortfall = header.index("项目投资缺口(万元)")
    assert [row[shortfall] for row in body] == ["6750.00", "600.00", "600.00", "512.50", "1.00"]
    assert body[-1][header.index("亩均投资强度(万元/亩)")] == "399.90"
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert (by_code["P8"]["状态"], by_code["P8"]["标记"], by_code["P3"]["园区类别"]) == ("未达标", "面积不符", "工业集中区")
    assert (by_code["P3"]["宗地面积(亩)"], by_code["P3"]["投资强度门槛(万元/亩)"], by_code["P4"]["标记"]) == ("45.00", "350.00", "")


def test_geojson_features_carry_the_parcel_records(client: TestClient) -> None:
    response = get(client, "geojson")
    assert response.headers["content-type"] == "application/geo+json"
    assert re.fullmatch(r'attachment; filename="mujun-violations-\d{8}\.geojson"', response.headers["content-disposition"])
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["filters"]["status"] == ["below"]
    assert [f["id"] for f in body["features"]] == DEFAULT_ORDER
    p8 = body["features"][3]
    assert p8["geometry"]["type"] == "MultiPolygon"
    lon, lat = p8["geometry"]["coordinates"][0][0][0]
    assert 119.9 < lon < 120.1 and 31.7 < lat < 31.9  # lon/lat order (RFC 7946), in Changzhou
    assert (p8["properties"]["shortfall_wan"], p8["properties"]["flags"]) == (512.5, ["area_mismatch"])


def test_html_report_is_printable_and_loads_nothing_from_outside(client: TestClient) -> None:
    response = get(client, "html")
    assert response.headers["content-type"].startswith("text/html")
    assert "attachment" not in response.headers.get("content-disposition", "")
    page = response.text
    assert "http://" not in page and "https://" not in page
    assert '<script src="/vendor/leaflet/leaflet.js"></script>' in page
    assert '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css"/>' in page
    assert "L.geoJson" in page and "@media print" in page and "folium-map" in page
    assert html_codes(page, "未达标宗地") == DEFAULT_ORDER
    assert html_codes(page, "数据质量") == ["P6", "P7", "P8"]
    assert "7,863.50" in page and "常州市工业项目亩均投资强度标准（2018）" in page
    assert client.get("/vendor/leaflet/leaflet.css").status_code == 200


def map_layers(page: str) -> list[dict[str, Any]]:
    """The GeoJSON collections folium adds to the report's map, in the order they are drawn."""
    return [json.loads(data) for data in re.findall(r"geo_json_[0-9a-f]+_add\((\{.*\})\);", page)]


def test_the_html_reports_map_draws_the_zones_the_parcels_lie_in_or_are_held_against_under_them(client: TestClient) -> None:
    # By hand (tests/layers/test_violations.py): P3 lies in and is held against the 武进 cluster, P2, P4 and P5 the
    # 武进 zone, P8 the 溧阳 zone; filtered to 溧阳市, only P8 and its zone.
    for params, zones, parcels in (({}, ["LY-DZ", "WJ-CL", "WJ-DZ"], DEFAULT_ORDER), ({"jurisdiction": "溧阳市"}, ["LY-DZ"], ["P8"])):
        page = get(client, "html", params).text
        zone_layer, parcel_layer = map_layers(page)
        assert [f["properties"]["zone_code"] for f in zone_layer["features"]] == zones
        assert sorted(f["properties"]["parcel_code"] for f in parcel_layer["features"]) == sorted(parcels)
        assert "工业集中区" in page.split("分布图")[1].split("folium-map")[0]  # the legend names the zone classes
    cluster = next(f for f in map_layers(get(client, "html").text)[0]["features"] if f["properties"]["zone_code"] == "WJ-CL")
    assert cluster["properties"] == {"zone_code": "WJ-CL", "name": "雪堰工业集中区", "zone_class": "industrial_cluster"}


@pytest.mark.parametrize("params", FILTER_CASES)
def test_the_filters_give_the_same_parcels_in_every_format(client: TestClient, params: dict[str, Any]) -> None:
    expected = [r["parcel_code"] for r in get(client, "json", params).json()["violations"]]
    from_csv = [row[0] for row in csv.reader(io.StringIO(get(client, "csv", params).content.decode("utf-8-sig")))][1:]
    sheet = load_workbook(io.BytesIO(get(client, "xlsx", params).content))["未达标宗地"]
    from_xlsx = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    from_geojson = [f["id"] for f in get(client, "geojson", params).json()["features"]]
    from_html = html_codes(get(client, "html", params).text, "未达标宗地")
    assert from_csv == from_xlsx == from_geojson == from_html == expected


def test_filter_values_reach_the_report(client: TestClient) -> None:
    body = get(client, "json", {"stage": ["开工", "竣工"], "band": "below", "sort": "parcel_code"}).json()
    assert body["filters"]["stage"] == ["开工", "竣工"] and body["filters"]["band"] == ["below"]
    assert [r["parcel_code"] for r in body["violations"]] == ["P2", "P4", "P5", "P8"]
    caption = load_workbook(io.BytesIO(get(client, "xlsx", {"stage": ["开工", "竣工"], "band": "below",
                                                             "sort": "parcel_code"}).content))["汇总"]["A1"].value
    assert "项目阶段：开工、竣工" in caption and "色带：未达标（0.8–1.0）" in caption and "排序：宗地编号升序" in caption
    empty = get(client, "html", {"stage": "评估"}).text
    assert "没有符合筛选条件的宗地" in empty and "http" not in empty


@pytest.mark.parametrize(("params", "code"), [
    ({"status": "outside_zone"}, "invalid_filter"),
    ({"band": "grey"}, "invalid_filter"),
    ({"zone_class": "开发区"}, "invalid_filter"),
    ({"sort": "geom"}, "invalid_filter"),
    ({"zone": "NOPE"}, "invalid_filter"),
    ({"jurisdiction": "武进"}, "invalid_filter"),
    ({"format": "docx"}, "invalid_format"),
])
def test_a_bad_filter_is_a_422_in_both_languages(client: TestClient, params: dict[str, str], code: str) -> None:
    response = client.get(URL, params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code and error["message"]["zh"] and error["message"]["en"]
    assert "Traceback" not in response.text


def test_json_pages_through_the_lists_while_the_summary_covers_everything(client: TestClient) -> None:
    page = get(client, "json", {"limit": 2, "offset": 1}).json()
    assert [r["parcel_code"] for r in page["violations"]] == DEFAULT_ORDER[1:3]
    total = page["summary"]["total"]
    assert (total["projects"], total["parcels"], total["shortfall_wan"]) == (4, 5, 7863.5)
    assert [e["parcel_code"] for e in page["data_quality"]] == ["P7", "P8"]  # by code, one skipped
    assert page["summary"]["data_quality_parcels"] == 3
    refused = client.get(URL, params={"format": "csv", "limit": 2})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_filter"


def test_filter_choices_are_those_of_below_threshold_projects(client: TestClient) -> None:
    choices = client.get("/api/reports/violations/choices").json()
    bands = {r["band"] for r in get(client, "json").json()["violations"]}
    # Below: B (P2, 新材料, 市重点), C (P3), D (P4, P5) and G (P8, 生物医药, 省重大); sorted by code point.
    assert choices == {"industry": ["新材料", "生物医药"], "level": ["市重点", "省重大"], "band": ["below", "far_below"]}
    assert bands == {"below", "far_below"}


def test_every_download_is_in_the_audit_trail_with_its_format_filters_and_rows(client: TestClient, db_url: str) -> None:
    rows = len(list(csv.reader(io.StringIO(get(client, "csv", {"jurisdiction": "武进区"}).content.decode("utf-8-sig"))))) - 1
    get(client, "xlsx")
    get(client, "json")  # the panel's view: not a download
    entries = client.get("/api/audit", params={"action": "export", "limit": 2}).json()["entries"]
    assert [e["detail"]["format"] for e in entries] == ["xlsx", "csv"]
    assert entries[1]["detail"]["rows"] == rows > 0 and entries[1]["detail"]["filters"]["jurisdiction"] == ["武进区"]
    assert entries[1]["role"] == "admin" and entries[1]["via"] == "token" and entries[1]["address"] == "testclient"
