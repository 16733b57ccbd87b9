"""The bulletins tab in headless Chromium on the Changzhou sample: make one, issue one, find it in the archive."""

from __future__ import annotations

import io

import docx
from openpyxl import load_workbook
from playwright.sync_api import Page, expect


def test_a_bulletin_is_made_issued_and_listed_with_a_progress_indicator(server: str, page: Page) -> None:
    page.goto(server + "/?tab=bulletins")
    form = page.locator("#bulletin-form")
    # The month defaults to the latest with reports: the sample's June 2024, with its 248 projects.
    expect(form.locator("input[name=month]")).to_have_value("2024-06")
    expect(page.locator("#bulletin-status")).to_contain_text("纳入 2024 年度计划的项目 248 个")
    districts = form.locator("select[name=jurisdiction] option").all_inner_texts()
    assert districts[0] == "全市" and "武进区" in districts and len(districts) == 8

    with page.expect_download() as downloaded:
        form.locator("button[name=make]").click()
        # Word draws three charts: a second or more, while the tab says what it is doing and its buttons wait.
        expect(page.locator("#bulletin-status .spinner")).to_be_visible()
        expect(form.locator("button[name=issue]")).to_be_disabled()
    path = downloaded.value.path()
    assert path is not None
    assert docx.Document(io.BytesIO(path.read_bytes())).paragraphs[0].text == "常州市重大项目推进情况通报（2024年6月）"
    expect(page.locator("#bulletin-status")).to_contain_text("已下载 mujun-bulletin-2024-06.docx")

    form.locator("select[name=jurisdiction]").select_option("武进区")
    form.locator("select[name=format]").select_option("xlsx")
    with page.expect_response(lambda r: r.url.endswith("/api/bulletins") and r.request.method == "POST") as answered:
        form.locator("button[name=issue]").click()
    entry = answered.value.json()
    assert (entry["month"], entry["jurisdiction"], entry["format"]) == ("2024-06", "武进区", "xlsx")
    expect(page.locator("#bulletin-status")).to_contain_text(f"已签发 #{entry['id']}（2024-06，武进区，Excel）")
    expect(page.locator("#bulletin-before")).to_contain_text("签发以来，通报中的数字均未变化。")
    row = page.locator("#bulletin-archive tbody tr", has_text=f"#{entry['id']}")
    expect(row).to_contain_text("武进区")
    issued = page.request.get(server + (row.locator("a[download]").get_attribute("href") or ""))
    assert issued.body() and load_workbook(io.BytesIO(issued.body())).sheetnames[0] == "一、总体情况"

    page.click("button[data-lang=en]")
    expect(page.locator("#tab-bulletins")).to_have_text("Bulletins")
    expect(page.locator("#bulletin-form button[name=issue]")).to_have_text("Issue and archive")
    expect(page.locator("#bulletin-before")).to_contain_text("2024-06 (武进区) was issued on")
