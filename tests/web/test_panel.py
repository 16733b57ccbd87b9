"""The side panel in headless Chromium: the report's filters and exports, the permalink, and search."""

from __future__ import annotations

import csv
import io
import math
from urllib.parse import parse_qs, quote, urlparse

from playwright.sync_api import Page, Route, expect

from tests.web.conftest import wait_until

JURISDICTION = "武进区"


def report_ready(page: Page) -> None:
    page.wait_for_selector("#report-body .summary-table", timeout=20000)


def test_a_filtered_report_exports_exactly_the_parcels_it_lists(server: str, page: Page) -> None:
    page.goto(server + "/")
    report_ready(page)
    jurisdictions = page.locator("#report-filters select[name=jurisdiction] option").all_inner_texts()
    assert JURISDICTION in jurisdictions and jurisdictions[0] == "全部"  # choices from the loaded zones
    with page.expect_response(lambda r: "/api/reports/violations?" in r.url and "jurisdiction=" in r.url):
        page.select_option("#report-filters select[name=jurisdiction]", JURISDICTION)
    expected = page.request.get(f"{server}/api/reports/violations", params={"jurisdiction": JURISDICTION}).json()
    codes = [row["parcel_code"] for row in expected["violations"]]
    assert 0 < len(codes) < 383  # a real subset of the city's report
    listed = page.locator("#report-body .record-list").first.locator("[data-parcel]")
    expect(listed).to_have_count(len(codes))
    assert [item.get_attribute("data-parcel") for item in listed.all()] == codes
    total = page.locator("#report-body .summary-table tfoot").first.inner_text()
    assert f"{expected['summary']['total']['projects']} / {len(codes)}" in total
    assert f"{expected['summary']['total']['shortfall_wan']:,.2f}" in total  # to the cent, as in the exports

    with page.expect_download() as downloaded:
        page.click(".exports a[data-format=csv]")
    download = downloaded.value
    query = parse_qs(urlparse(download.url).query)
    assert query == {"format": ["csv"], "jurisdiction": [JURISDICTION]}
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert [row["宗地编号"] for row in rows] == codes

    html_link = page.locator(".exports a[data-format=html]")
    assert html_link.get_attribute("target") == "_blank"
    assert parse_qs(urlparse(html_link.get_attribute("href") or "").query)["jurisdiction"] == [JURISDICTION]
    pdf_query = parse_qs(urlparse(page.locator(".exports a[data-format=pdf]").get_attribute("href") or "").query)
    assert (pdf_query["format"], pdf_query["jurisdiction"]) == (["pdf"], [JURISDICTION])

    # Clicking a listed parcel zooms to it and opens its record; the address now names it.
    page.locator(f"#report-body [data-parcel='{codes[0]}']").first.click()
    expect(page.locator(".parcel-popup")).to_contain_text(codes[0])
    assert parse_qs(urlparse(page.url).query)["parcel"] == [codes[0]]


def test_a_long_list_comes_a_page_at_a_time_and_show_more_appends_the_next_in_order(server: str, page: Page) -> None:
    # The page asks for 500 entries at a time; pages of 100 here, so the sample city's violations take three.
    def smaller_pages(route: Route) -> None:
        route.continue_(url=route.request.url.replace("limit=500", "limit=100"))

    page.route("**/api/reports/violations?*", smaller_pages)
    page.goto(server + "/")
    report_ready(page)
    codes = [row["parcel_code"] for row in page.request.get(f"{server}/api/reports/violations").json()["violations"]]
    assert 200 < len(codes) < 300
    violations = page.locator("#report-body details.list-section").first
    listed = violations.locator("[data-parcel]")
    for shown in (100, 200):
        expect(listed).to_have_count(shown)
        more = violations.locator("button.list-more")
        expect(more).to_have_text(f"已显示 {shown} / {len(codes)}，再显示更多")
        with page.expect_response(lambda r, shown=shown: f"offset={shown}" in r.url and "limit=100" in r.url):
            more.click()
    expect(listed).to_have_count(len(codes))
    expect(violations.locator("button.list-more")).to_have_count(0)
    assert [item.get_attribute("data-parcel") for item in listed.all()] == codes


def test_a_permalink_restores_the_tab_filters_view_and_parcel_and_copy_link_gives_it_back(server: str, page: Page) -> None:
    report = page.request.get(f"{server}/api/reports/violations",
                              params={"jurisdiction": JURISDICTION, "sort": "ratio"}).json()
    record = report["violations"][0]
    lon = (record["bbox"][0] + record["bbox"][2]) / 2
    lat = (record["bbox"][1] + record["bbox"][3]) / 2
    link = (f"{server}/?jurisdiction={quote(JURISDICTION)}&sort=ratio&dim=1&parcel={record['parcel_code']}"
            f"&map={lat:.5f},{lon:.5f},16")
    # The map asks for the parcel tiles of the link's view: z16, the tile under the link's centre among them.
    n = 2**16
    x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    with page.expect_response(lambda r: f"/tiles/parcels/16/{x}/{y}.mvt" in r.url, timeout=20000):
        page.goto(link)
    report_ready(page)
    expect(page.locator("#tab-report")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#report-filters select[name=jurisdiction]")).to_have_value(JURISDICTION)
    expect(page.locator("#report-filters select[name=sort]")).to_have_value("ratio")
    expect(page.locator("#report-filters input[name=dim]")).to_be_checked()
    listed = page.locator("#report-body .record-list").first.locator("[data-parcel]")
    expect(listed).to_have_count(len(report["violations"]))
    assert listed.first.get_attribute("data-parcel") == record["parcel_code"]  # sorted by ratio, lowest first
    popup = page.locator(".parcel-popup")
    expect(popup).to_contain_text(record["parcel_code"])
    # Parcels outside the report are dimmed on the map, those in it are not.
    wait_until(page, "Number(document.getElementById('map').dataset.parcelsDimmed) > 0", timeout=20000)
    drawn = page.evaluate("[Number(document.getElementById('map').dataset.parcels), Number(document.getElementById('map').dataset.parcelsDimmed)]")
    assert drawn[0] > drawn[1]

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy-link")
    expect(page.locator("#toast")).to_contain_text("链接已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert parse_qs(urlparse(copied).query) == parse_qs(urlparse(link).query)

    # The same link in a fresh page, with the search tab chosen this time.
    other = page.context.new_page()
    other.goto(copied.replace("?", "?tab=search&", 1))
    expect(other.locator("#tab-search")).to_have_attribute("aria-selected", "true")
    expect(other.locator("#pane-search")).to_be_visible()
    expect(other.locator(".parcel-popup")).to_contain_text(record["parcel_code"])
    expect(other.locator("#search-context h2")).to_contain_text(record["parcel_code"])


def test_search_by_pinyin_initials_lists_the_parcel_and_its_context(server: str, page: Page) -> None:
    page.goto(f"{server}/?tab=search")
    wait_until(page, "document.getElementById('map').dataset.tilesLoaded === 'true'", timeout=20000)
    answer = page.request.get(f"{server}/api/search", params={"q": "jsyf"}).json()
    assert len(answer["results"]) >= 1
    page.fill("#panel-search-input", "jsyf")
    page.press("#panel-search-input", "Enter")
    results = page.locator("#search-body [data-parcel]")
    expect(results).to_have_count(len(answer["results"]))
    code = answer["results"][0]["parcel_code"]
    results.first.click()
    expect(page.locator(".parcel-popup")).to_contain_text(code)
    context = page.request.get(f"{server}/api/parcels/{code}/context").json()
    sections = page.locator("#search-context details")
    expect(sections.nth(0).locator("summary")).to_contain_text(f"同项目其他宗地（{len(context['project_parcels'])}）")
    expect(sections.nth(1).locator("summary")).to_contain_text(f"（50 米内，{len(context['neighbours'])}）")
    assert parse_qs(urlparse(page.url).query)["q"] == ["jsyf"]

    # The header box feeds the same tab: typed coordinates are no parcel code, so they are searched.
    page.fill("#search-input", "119.95,31.67")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-body")).to_contain_text("经度 119.950000，纬度 31.670000")
