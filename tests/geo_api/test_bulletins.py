"""The monthly bulletin (通报) on the real PostGIS, read back from Word, PDF and Excel, against tests/major_projects.py
worked by hand; issued bulletins opened again byte for byte after a correcting load; a district's bulletin."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl.load import LoadRequest, load
from geo_api.app import create_app
from geo_api.bulletin import bulletin_month
from geo_api.cli import app as cli
from mujun.errors import MujunError
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import settings_for
from tests.major_projects import LOAD_DAY, write_files, write_land, write_late_may
from tests.world import POLICY

TITLE = "常州市重大项目推进情况通报（2018年6月）"
# As of June 2018 (D = 06-30): six projects on the list (A, B, C, D, E, H; F is 2017's). Σ 本年累计 of those with a plan:
# A 2 000 + B 0 + C 4 999 + D 6 000 + H 0 = 12 999 万元 = 1.2999 亿元 → 1.30; Σ plans 4 000 + 3 000 + 10 000 + 12 000 +
# 1 000 = 30 000 万元 = 3.00 亿元; 12 999 ÷ 30 000 = 0.43330 → 43.33%; the time schedule 6/12 = 50.00%, 6.67 points above.
HEADLINE = ("1—6月，全市纳入2018年度计划的6个重大项目累计完成投资1.30亿元，占年度计划投资3.00亿元的43.33%，"
            "低于时序进度（50.00%）6.67个百分点。")
# 溧阳 2 000 + … : C 4 999 + D 6 000 = 10 999 of 10 000 + 12 000 = 22 000: 0.49995 → 50.00%, the time schedule's own.
LIYANG_HEADLINE = ("1—6月，溧阳市纳入2018年度计划的2个重大项目累计完成投资1.10亿元，占年度计划投资2.20亿元的50.00%，"
                   "与时序进度（50.00%）持平。")
# Districts ranked: 投资计划完成率 溧阳 10 999 ÷ 22 000 = 50.00% first, 武进 2 000 ÷ 8 000 = 25.00% last; 续建项目竣工率
# 武进 1 of 1 (H) = 100.00% first, 溧阳 1 of 2 (C of C, D) = 50.00% last; 新建项目开工率: only 武进 has 新建 projects.
RED_AND_BLACK = ("投资计划完成率：红榜溧阳市（50.00%），黑榜武进区（25.00%）。", "新建项目开工率：仅武进区（50.00%）参加排名。",
                 "续建项目竣工率：红榜武进区（100.00%），黑榜溧阳市（50.00%）。")
# 六: B (武进, 30 亩, short 4 000) and D (溧阳, 150 亩, short 2 500): 2 projects, 180 亩, 6 500 万元 = 0.65 亿元.
INTENSITY = ("全市亩均投资强度低于所在园区门槛的工业项目2个，用地180.00亩，按门槛计投资缺口合计0.65亿元。"
             "其中，武进区1个、30.00亩、缺口0.40亿元；溧阳市1个、150.00亩、缺口0.25亿元。")
WUJIN_PROJECTS = ("项目A", "项目B", "项目E", "项目H")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    projects, monthly, correction = write_files(tmp_path)
    zones, parcels = write_land(tmp_path)
    return {"projects": projects, "monthly": monthly, "correction": correction, "zones": zones, "parcels": parcels,
            "late_may": write_late_may(tmp_path)}


@pytest.fixture
def client(empty_db: str, db_url: str, files: dict[str, Path]) -> Iterator[TestClient]:
    load(empty_db, LoadRequest(zones=files["zones"], parcels=files["parcels"], projects=files["projects"], monthly=files["monthly"],
                               today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    with TestClient(create_app(settings_for(db_url)), raise_server_exceptions=False, headers=bearer(db_url, "analyst")) as client:
        yield client


def made(client: TestClient, output: str, **params: Any) -> bytes:
    response = client.get("/api/bulletins", params={"month": "2018-06", "format": output, **params})
    assert response.status_code == 200, response.text
    return response.content


def docx_text(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The paragraphs and the tables (rows of cell texts) of a Word document."""
    document = docx.Document(io.BytesIO(content))
    return ([p.text for p in document.paragraphs],
            [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables])


def table_after(paragraphs: list[str], tables: list[list[list[str]]], caption: str) -> list[list[str]]:
    """The table a caption names (captions are paragraphs, the tables follow in order)."""
    captions = [p for p in paragraphs if p.startswith(("主要指标", "各月累计", "各地区指标", "目标完成", "（一）", "（二）", "（三）", "逾期报送",
                                                     "亩均投资强度未达标", "溧阳市各项指标"))]
    return tables[captions.index(caption)]


def test_the_word_bulletin_reads_back_with_the_figures_worked_by_hand(client: TestClient) -> None:
    content = made(client, "docx")
    paragraphs, tables = docx_text(content)
    assert paragraphs[0] == TITLE
    headings = [p for p in paragraphs if re.match(r"^[一二三四五六]、", p)]
    assert headings == ["一、总体情况", "二、各地区排名", "三、目标完成情况", "四、问题清单", "五、报送情况", "六、亩均投资强度"]
    assert HEADLINE in paragraphs
    # 新建 A, B (A started); 续建 C, D, H (C, H completed); 预备 E.
    assert "其中，新建项目2个，已开工1个，开工率50.00%；续建项目3个，已竣工2个，竣工率66.67%；预备项目1个。" in paragraphs
    assert all(sentence in paragraphs for sentence in RED_AND_BLACK)
    # 市重点 新建开工率 by 30 June: A, B of 市级重大项目, A started: 50.00% against 80.00%, 30 points short.
    assert "市重点项目新建项目开工率：目标为2018年6月30日前达到80.00%，实际50.00%，未完成，差30.00个百分点。" in paragraphs
    assert INTENSITY in paragraphs
    # The lists: B due to start on the as-of day; D due to complete on 31 March, 91 days; behind: B 1 500, H 500, C 1.
    assert [row[:2] for row in table_after(paragraphs, tables, "（一）应开工未开工")[1:]] == [["B", "项目B"]]
    assert [row[0] for row in table_after(paragraphs, tables, "（二）应竣工未竣工")[1:]] == ["D"]
    assert table_after(paragraphs, tables, "（二）应竣工未竣工")[1][4:] == ["2018-03-31", "91"]
    behind = table_after(paragraphs, tables, "（三）进度滞后")
    assert [(row[0], row[-1]) for row in behind[1:]] == [("B", "1,500.00"), ("H", "500.00"), ("C", "1.00")]
    ranks = table_after(paragraphs, tables, "各地区指标及名次（括号内为名次）")
    assert ranks[0] == ["指标", "武进区", "溧阳市"] and ["投资计划完成率", "25.00%（2）", "50.00%（1）"] in ranks
    late = table_after(paragraphs, tables, "逾期报送和未报送的月报")
    assert [(row[0], row[4], row[-1]) for row in late[1:]] == [("A", "2018-05", "未报送"), ("A", "2018-04", "逾期报送")]
    # Three charts: investment by month, rates by district, the lagging projects' land.
    assert len(docx.Document(io.BytesIO(content)).inline_shapes) == 3


def test_the_pdf_bulletin_is_a4_portrait_and_reads_back(client: TestClient) -> None:
    content = made(client, "pdf")
    assert content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(content))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert text.startswith(TITLE)
    assert HEADLINE in text and INTENSITY in text
    assert all(sentence in text for sentence in RED_AND_BLACK)
    assert text.index("项目B") < text.index("项目D") and "项目H" in text


def test_the_excel_bulletin_has_a_sheet_per_section_with_numbers_as_numbers(client: TestClient) -> None:
    book = load_workbook(io.BytesIO(made(client, "xlsx")))
    assert book.sheetnames == ["一、总体情况", "二、各地区排名", "三、目标完成情况", "四、问题清单", "五、报送情况", "六、亩均投资强度"]
    first = book["一、总体情况"]
    assert first["A1"].value.startswith(TITLE + "\n一、总体情况\n" + HEADLINE)
    rates = {row[0].value: row for row in first.iter_rows(min_row=3)}
    plan = rates["投资计划完成率"]
    assert (plan[3].value, plan[4].value, plan[5].value) == (12999, 30000, 0.4333) and plan[5].number_format == "0.00%"
    ranking = book["二、各地区排名"]
    header = [cell.value for cell in ranking[2]]
    lines = {row[0]: dict(zip(header, row, strict=True)) for row in ranking.iter_rows(min_row=3, values_only=True)}
    assert (lines["武进区"]["投资计划完成率排名"], lines["溧阳市"]["投资计划完成率排名"]) == (2, 1)
    assert "红榜溧阳市（50.00%），黑榜武进区（25.00%）" in ranking["A1"].value
    listed = [(row[0], row[1]) for row in book["四、问题清单"].iter_rows(min_row=3, values_only=True)]
    assert listed == [("应开工未开工", "B"), ("应竣工未竣工", "D"), ("进度滞后", "B"), ("进度滞后", "H"), ("进度滞后", "C")]
    intensity = [row[:2] + row[3:4] + row[-1:] for row in book["六、亩均投资强度"].iter_rows(min_row=3, values_only=True)]
    assert intensity == [("武进区", 1, 30, 4000), ("溧阳市", 1, 150, 2500), ("合计", 2, 180, 6500)]


def test_an_issued_bulletin_opens_byte_for_byte_after_a_correcting_load(client: TestClient, empty_db: str,
                                                                          files: dict[str, Path]) -> None:
    issued = client.post("/api/bulletins", json={"month": "2018-06", "format": "docx"})
    assert issued.status_code == 201, issued.text
    entry = issued.json()
    assert (entry["month"], entry["jurisdiction"], entry["format"], entry["title"]) == ("2018-06", None, "docx", TITLE)
    first = client.get(entry["url"])
    assert first.headers["ETag"] == f'"{entry["sha256"]}"'
    # A's April corrected (本月 500 → 800) and its May report, never sent, arrives late.
    load(empty_db, LoadRequest(monthly=files["correction"], today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    load(empty_db, LoadRequest(monthly=files["late_may"], today=LOAD_DAY), POLICY, RuleSettings(), actor=SHELL)
    again = client.get(entry["url"])
    assert again.status_code == 200 and again.content == first.content
    assert [e["id"] for e in client.get("/api/bulletins/issued", params={"month": "2018-06"}).json()["bulletins"]] == [entry["id"]]
    answer = client.get(f"{entry['url']}/changes").json()
    assert answer["data_version"] > entry["data_version"]
    changed = {change["item"]: (change["issued"], change["now"]) for change in answer["changes"]}
    # April: A 1 000 → 1 300 (+ C 3 200, D 4 000); May: A 1 000 (April's, carried) → 1 800 (+ C 4 000, D 5 000).
    assert changed["各月累计完成投资 · 2018-04 · 累计完成投资(万元)"] == ("8,200.00", "8,500.00")
    assert changed["各月累计完成投资 · 2018-05 · 累计完成投资(万元)"] == ("10,000.00", "10,800.00")
    # May's report came on 07-20, 30 days after its 20 June deadline.
    assert changed["逾期报送和未报送的月报 · A 项目A 2018-05 · 报送情况"] == ("未报送", "逾期报送")
    assert changed["逾期报送和未报送的月报 · A 项目A 2018-05 · 逾期天数(天)"] == ("", "30")
    # June's 本年累计 were given: the headline's figures stand.
    assert not any(item.startswith("主要指标 · 投资计划完成率") for item in changed)
    made_now = made(client, "docx")
    assert made_now != first.content


def test_a_district_bulletin_names_no_other_districts_projects(client: TestClient) -> None:
    paragraphs, tables = docx_text(made(client, "docx", jurisdiction="溧阳市"))
    text = "\n".join(paragraphs + [cell for table in tables for row in table for cell in row])
    assert paragraphs[0] == "常州市溧阳市重大项目推进情况通报（2018年6月）"
    assert LIYANG_HEADLINE in paragraphs
    assert "项目C" in text and "项目D" in text
    assert not any(name in text for name in WUJIN_PROJECTS) and "武进区" not in text
    # Its places among the city's two districts (as ranked above), naming no other.
    assert paragraphs[paragraphs.index("二、各地区排名") + 1].startswith(
        "溧阳市各项指标在全市2个地区中的排名：投资计划完成率50.00%，居第1位；新建项目开工率无可计数的项目；续建项目竣工率50.00%，居第2位；")
    # 六: D alone, 150 亩, short by 2 500 万元.
    assert "溧阳市亩均投资强度低于所在园区门槛的工业项目1个，用地150.00亩，按门槛计投资缺口合计0.25亿元。" in paragraphs
    book = load_workbook(io.BytesIO(made(client, "xlsx", jurisdiction="溧阳市")))
    cells = " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    assert "项目D" in cells and not any(name in cells for name in WUJIN_PROJECTS) and "武进区" not in cells


def test_what_a_bulletin_refuses(client: TestClient) -> None:
    def code(**params: Any) -> tuple[int, str]:
        response = client.get("/api/bulletins", params={"month": "2018-06", **params})
        return response.status_code, response.json()["error"]["code"]

    assert code(month="June") == (422, "invalid_month")
    assert code(month="2999-01") == (422, "invalid_month")
    assert code(format="odt") == (422, "invalid_format")
    assert code(jurisdiction="金坛区") == (422, "unknown_jurisdiction")
    assert code(month="2016-06") == (422, "no_list")
    missing = client.get("/api/bulletins/999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "bulletin_not_found"


def test_previous_is_the_month_before_today() -> None:
    assert bulletin_month("previous", dt.date(2018, 7, 20)) == (2018, 6)
    assert bulletin_month("previous", dt.date(2019, 1, 1)) == (2018, 12)
    assert bulletin_month("2018年6月", dt.date(2018, 7, 20)) == (2018, 6)
    with pytest.raises(MujunError):
        bulletin_month("2018-08", dt.date(2018, 7, 20))


def test_the_command_writes_the_bulletin_its_out_names(client: TestClient, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "通报.xlsx"
    result = CliRunner().invoke(cli, ["bulletin", "--month", "2018-06", "--out", str(out)], env={"DATABASE_URL": db_url, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert TITLE in result.output
    assert load_workbook(out)["一、总体情况"]["A1"].value.startswith(TITLE)
    refused = CliRunner().invoke(cli, ["bulletin", "--month", "2018-06", "--out", str(tmp_path / "x.odt")], env={"DATABASE_URL": db_url})
    assert refused.exit_code == 1 and ".docx" in refused.output
