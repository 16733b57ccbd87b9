"""PDFs and PNGs printed by the server with Debian's headless Chromium: the report, the siting sheet and the map, read back."""

from __future__ import annotations

import io
import json
import re
import struct
import urllib.parse
import urllib.request

import psycopg
import pypdf
import pytest
import shapely

from etl.load import libpq_conninfo
from tests.access import bearer
from tests.geodata import gk_rect

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def auth(sample_url: str) -> dict[str, str]:
    """An analyst's token: the PDFs are printed with the asker's own credentials."""
    return bearer(sample_url, "analyst")


def fetch(url: str, auth: dict[str, str], body: dict[str, object] | None = None) -> tuple[int, str, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={**auth, **({"Content-Type": "application/json"} if data else {})})
    try:
        with OPENER.open(request, timeout=120) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def print_passes(url: str) -> int:
    with psycopg.connect(libpq_conninfo(url)) as conn:
        row = conn.execute("SELECT count(*) FROM sessions WHERE printing").fetchone()
    return int(row[0]) if row else -1


def pdf_text(document: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_report_pdf_lists_what_the_filters_select_in_chinese_on_a4_landscape(server: str, auth: dict[str, str]) -> None:
    query = urllib.parse.urlencode({"zone": "CZ-WJ-02", "sort": "parcel_code"})
    _, _, listed = fetch(f"{server}/api/reports/violations?{query}", auth)
    codes = [record["parcel_code"] for record in json.loads(listed)["violations"]]
    assert codes, "the sample has violations in CZ-WJ-02"

    status, content_type, document = fetch(f"{server}/api/reports/violations?format=pdf&{query}", auth)
    assert (status, content_type) == (200, "application/pdf") and document.startswith(b"%PDF-")
    reader, text = pdf_text(document)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert "亩均投资强度未达标项目报告" in text and "园区编码：CZ-WJ-02" in text
    assert all(code in text for code in codes)


def test_a_misspelt_zone_is_refused_before_anything_is_printed(server: str, auth: dict[str, str]) -> None:
    status, content_type, body = fetch(f"{server}/api/reports/violations?format=pdf&zone=CZ-NOPE", auth)
    assert (status, content_type) == (422, "application/json")
    assert json.loads(body)["error"]["code"] == "invalid_filter"


def test_the_siting_sheet_pdf_carries_the_servers_own_review(server: str, auth: dict[str, str]) -> None:
    # 300 m × 200 m in the Gauss-Krüger plane: 60,000 m² = 90 亩; 27,000 万元 over 90 亩 = 300 万元/亩.
    site = shapely.geometry.mapping(gk_rect(0, 0, 300, 200))
    body = {"geometry": site, "total_investment_wan": 27000, "project_type": "industrial",
            "file": {"name": "选址.dxf", "read_as": "EPSG:4549"}}
    status, content_type, document = fetch(f"{server}/api/siting/sheet.pdf", auth, body)
    assert (status, content_type) == (200, "application/pdf")
    reader, text = pdf_text(document)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 portrait
    assert "建设项目选址审查单" in text and "选址.dxf" in text
    assert "60,000.00 m²（90.00 亩）" in text and "27,000.00 万元" in text


def test_a_site_that_is_not_a_polygon_gets_a_422_not_a_pdf(server: str, auth: dict[str, str]) -> None:
    body = {"geometry": {"type": "Point", "coordinates": [119.95, 31.7]}, "total_investment_wan": 1, "project_type": "industrial"}
    status, content_type, _ = fetch(f"{server}/api/siting/sheet.pdf", auth, body)
    assert (status, content_type) == (422, "application/json")


def test_the_printed_map_carries_title_legend_scale_bar_north_arrow_date_and_base_map(server: str, auth: dict[str, str]) -> None:
    body = {"bbox": [119.90, 31.74, 120.03, 31.83], "layers": ["zones", "parcels"], "filters": {"jurisdiction": "钟楼区"},
            "basemap": "local", "title": "钟楼区工业用地现状图", "format": "pdf", "paper": {"size": "A3", "orientation": "landscape"}}
    status, content_type, document = fetch(f"{server}/api/print", auth, body)
    assert (status, content_type) == (200, "application/pdf"), document[:300]
    reader, text = pdf_text(document)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height), len(reader.pages)) == (1191, 842, 1)  # A3 landscape, in points, one sheet
    assert "钟楼区工业用地现状图" in text and "筛选：辖区 钟楼区" in text
    for entry in ("图例", "开发园区", "省级以上开发区", "工业集中区", "项目宗地", "未达标", "严重未达标", "无数值（不考核、园区外）"):
        assert entry in text, entry
    assert re.search(r"\n\d+ k?m", text), "the scale bar's length"
    assert "北" in text and "数据日期：" in text and "示例底图：区界取自示例数据，水系与道路为虚构" in text


def test_the_printed_map_as_a_png_on_a4_portrait(server: str, auth: dict[str, str]) -> None:
    body = {"bbox": [119.90, 31.74, 120.03, 31.83], "basemap": "none", "title": "Map", "lang": "en", "format": "png",
            "paper": {"size": "A4", "orientation": "portrait"}}
    status, content_type, image = fetch(f"{server}/api/print", auth, body)
    assert (status, content_type) == (200, "image/png") and image.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", image[16:24])
    assert (width, height) == (2 * 794, 2 * 1123)  # 210 × 297 mm at 96 CSS px to the inch, two pixels to each


def test_a_print_of_an_unknown_layer_or_filter_is_refused(server: str, auth: dict[str, str]) -> None:
    for body in ({"bbox": [119.9, 31.7, 120.0, 31.8], "layers": ["roads"]},
                 {"bbox": [119.9, 31.7, 120.0, 31.8], "filters": {"colour": "red"}},
                 {"bbox": [120.0, 31.7, 119.9, 31.8]}):
        status, content_type, answer = fetch(f"{server}/api/print", auth, body)
        assert (status, content_type) == (422, "application/json"), body
        assert json.loads(answer)["error"]["code"] == "invalid_print"


def test_the_printable_report_draws_the_offline_base_map(server: str, auth: dict[str, str]) -> None:
    _, _, page = fetch(f"{server}/api/reports/violations?format=html&zone=CZ-WJ-02", auth)
    assert "/basemaps/local/{z}/{x}/{y}.png" in page.decode() and '"maxNativeZoom": 13' in page.decode()


def test_a_scoped_analyst_s_pdf_is_printed_with_their_districts_only(server: str, auth: dict[str, str], sample_url: str) -> None:
    # CZ-WJ-02 is 武进区's: an analyst of every district gets its violations printed, one of 钟楼区 none of them, since
    # the printing browser asks with a pass of the asker's own account. The passes are gone once the PDFs are made.
    query = urllib.parse.urlencode({"zone": "CZ-WJ-02", "sort": "parcel_code"})
    codes = [record["parcel_code"] for record in json.loads(fetch(f"{server}/api/reports/violations?{query}", auth)[2])["violations"]]
    _, _, everyone = fetch(f"{server}/api/reports/violations?format=pdf&{query}", auth)
    status, content_type, zhonglou = fetch(f"{server}/api/reports/violations?format=pdf&{query}", bearer(sample_url, "analyst", ("钟楼区",)))
    assert (status, content_type) == (200, "application/pdf")
    assert all(code in pdf_text(everyone)[1] for code in codes)
    text = pdf_text(zhonglou)[1]
    assert "没有符合筛选条件的宗地" in text and not any(code in text for code in codes)
    assert print_passes(sample_url) == 0
