"""The progress tab (进度) in headless Chromium on the Changzhou sample (its 2024 list, reports January–June): a month
picked reads back the API's rates and lists for that month, a list opens a project's card, the permalink keeps the
month, filters and card, and the map is coloured by the server's progress classes."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from tests.web.conftest import wait_until

JURISDICTION = "武进区"


def progress_ready(page: Page, month: str) -> None:
    expect(page.locator("#progress-filters select[name=as_of]")).to_have_value(month, timeout=20000)
    page.wait_for_selector("#progress-summary .rates-table", state="attached", timeout=20000)


def shown_percent(answer: dict[str, Any], name: str) -> str:
    """A rate as the page shows it: the server's fraction as a percentage to 0.01."""
    return f"{answer['rates'][name]['rate'] * 100:.2f}%"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_a_month_picked_reads_back_the_apis_rates_and_lists_and_a_list_opens_the_card(server: str, page: Page) -> None:
    june = page.request.get(f"{server}/api/progress").json()
    march = page.request.get(f"{server}/api/progress", params={"as_of": "2024-03"}).json()
    assert june["as_of"] == "2024-06"  # the latest month with reports is the default
    assert shown_percent(june, "investment_plan_completion") != shown_percent(march, "investment_plan_completion")

    page.goto(server + "/?tab=progress")
    progress_ready(page, "2024-06")
    rate = page.locator("#progress-summary tr[data-rate=investment_plan_completion] td.rate-value")
    expect(rate).to_have_text(shown_percent(june, "investment_plan_completion"))
    # A long list shows a hundred at a time, in the server's order (worst first).
    behind = [entry["project_code"] for entry in june["lists"]["behind_schedule"]]
    assert 100 < len(behind) < 200
    listed = page.locator("details[data-list=behind_schedule] [data-project]")
    page.locator("details[data-list=behind_schedule] summary").click()
    expect(listed).to_have_count(100)
    page.locator("details[data-list=behind_schedule] [data-more-list]").click()
    expect(listed).to_have_count(len(behind))
    assert [item.get_attribute("data-project") for item in listed.all()] == behind
    with page.expect_response(lambda r: "/api/progress?as_of=2024-03" in r.url):
        page.select_option("#progress-filters select[name=as_of]", "2024-03")
    expect(page.locator(".as-of-line")).to_contain_text("截至 2024年3月末（2024-03-31）")
    for name in ("investment_plan_completion", "new_start", "time_schedule", "signed_filed"):
        expect(page.locator(f"#progress-summary tr[data-rate={name}] td.rate-value")).to_have_text(shown_percent(march, name))
    # Wuxi's rates carry the API's note that the definition is this portal's.
    expect(page.locator("#progress-summary tr[data-rate=signed_filed] .note-mark")).to_have_attribute(
        "title", march["definitions"]["signed_filed"]["note"]["zh"])
    # 新建开工率 of 市重点 had to reach 80% by 30 June: in March it is still on its way.
    targets = [t for t in march["targets"] if t["rate"] == "new_start"]
    by_june = next(i for i, t in enumerate(targets) if t["by"] == "2024-06-30")
    assert targets[by_june]["met"] is None
    expect(page.locator(".target[data-rate=new_start]").nth(by_june)).to_contain_text("未到期")

    # The first 应开工未开工 project, its days overdue on 31 March, and the count of the list.
    first = march["lists"]["not_started"][0]
    section = page.locator("details[data-list=not_started]")
    expect(section.locator("summary")).to_have_text(f"应开工未开工（{len(march['lists']['not_started'])}）")
    row = section.locator("[data-project]").first
    expect(row).to_have_attribute("data-project", first["project_code"])
    expect(row).to_contain_text(f"计划开工 {first['planned_start_date']}，逾期 {first['days_overdue']} 天")
    late = march["lists"]["late_reports"]
    expect(page.locator("details[data-list=late_reports] summary")).to_have_text(f"月报逾期或未报（{len(late)}）")

    xlsx = query_of(page.locator(".progress-exports a[data-format=xlsx]").get_attribute("href") or "")
    assert xlsx == {"format": ["xlsx"], "as_of": ["2024-03"]}
    assert query_of(page.url)["tab"] == ["progress"] and query_of(page.url)["as_of"] == ["2024-03"]

    # The project's card, as of the month: its stage then, and the address names it.
    card = page.request.get(f"{server}/api/projects/{first['project_code']}", params={"as_of": "2024-03"}).json()
    with page.expect_response(lambda r: f"/api/projects/{first['project_code']}?as_of=2024-03" in r.url):
        row.click()
    box = page.locator("#project-card")
    expect(box).to_be_visible()
    expect(box.locator(".card-title")).to_contain_text(first["project_code"])
    expect(box.locator(".card-stage")).to_have_text(f"2024-03-31 所处阶段：{card['stage']}")
    expect(page.locator("#progress-main")).to_be_hidden()
    assert query_of(page.url)["project"] == [first["project_code"]]

    # The same address in a fresh page gives back the month, the rates and the card.
    other = page.context.new_page()
    other.goto(page.url)
    progress_ready(other, "2024-03")
    expect(other.locator("#project-card .card-title")).to_contain_text(first["project_code"])
    other.locator("#project-card [data-card-back]").click()
    expect(other.locator("#progress-main")).to_be_visible()
    expect(other.locator("#progress-summary tr[data-rate=investment_plan_completion] td.rate-value")).to_have_text(
        shown_percent(march, "investment_plan_completion"))
    assert "project" not in query_of(other.url) and query_of(other.url)["as_of"] == ["2024-03"]


def test_filters_reach_the_rates_exports_and_permalink_and_a_cards_land_shows_on_the_map(server: str, page: Page) -> None:
    answer = page.request.get(f"{server}/api/progress", params={"jurisdiction": JURISDICTION, "category": "新建"}).json()
    page.goto(server + "/?tab=progress")
    progress_ready(page, "2024-06")
    assert JURISDICTION in page.locator("#progress-filters select[name=jurisdiction] option").all_inner_texts()
    page.select_option("#progress-filters select[name=jurisdiction]", JURISDICTION)
    with page.expect_response(lambda r: "/api/progress?" in r.url and "category=" in r.url):
        page.select_option("#progress-filters select[name=category]", "新建")
    expect(page.locator("#progress-summary tr[data-rate=new_start] td.rate-value")).to_have_text(shown_percent(answer, "new_start"))
    numerator, denominator = answer["rates"]["new_start"]["numerator"], answer["rates"]["new_start"]["denominator"]
    expect(page.locator("#progress-summary tr[data-rate=new_start] td.rate-basis")).to_have_text(f"{numerator} / {denominator} 个")
    csv_link = query_of(page.locator(".progress-exports a[data-format=csv]").get_attribute("href") or "")
    assert csv_link == {"format": ["csv"], "as_of": ["2024-06"], "jurisdiction": [JURISDICTION], "category": ["新建"]}
    link = query_of(page.url)
    # The latest month is the default, so the address leaves it out; the view's filters go behind `p.`.
    assert "as_of" not in link and link["p.jurisdiction"] == [JURISDICTION] and link["p.category"] == ["新建"]
    assert "jurisdiction" not in link  # the report's own filter is untouched

    # In English, the rate names are the API's.
    page.click("[data-lang=en]")
    expect(page.locator("#progress-summary tr[data-rate=new_start] th")).to_have_text(answer["definitions"]["new_start"]["en"])
    expect(page.locator(".as-of-line")).to_contain_text("As of the end of June 2024 (2024-06-30)")
    page.click("[data-lang=zh]")

    # A listed project with land: its card's button zooms the map to it and opens the parcel's record.
    for entry in answer["lists"]["behind_schedule"]:
        card = page.request.get(f"{server}/api/projects/{entry['project_code']}").json()
        if card["parcels"]:
            break
    else:
        raise AssertionError("no project behind schedule has land in the sample")
    page.locator("details[data-list=behind_schedule] summary").click()
    page.locator(f"details[data-list=behind_schedule] [data-project='{entry['project_code']}']").click()
    page.locator("#project-card [data-show-land]").click()
    expect(page.locator(".parcel-popup")).to_contain_text(card["parcels"][0]["parcel_code"])


def test_the_map_is_coloured_by_the_servers_progress_classes_with_their_legend(server: str, page: Page) -> None:
    classes = page.request.get(f"{server}/api/progress/map").json()["projects"]
    code = next(code for code, (_, cls) in sorted(classes.items()) if cls == "not_started_due"
                and page.request.get(f"{server}/api/projects/{code}").json()["parcels"])
    parcel = page.request.get(f"{server}/api/projects/{code}").json()["parcels"][0]
    west, south, east, north = parcel["bbox"]
    page.goto(f"{server}/?tab=progress&theme=progress&panel=0&map={(south + north) / 2:.5f},{(west + east) / 2:.5f},17")
    legend = page.locator(".legend")
    expect(legend).to_contain_text("项目进度（截至 2024年6月）", timeout=20000)
    expect(legend).to_contain_text("应开工未开工")
    wait_until(page, "JSON.parse(document.getElementById('map').dataset.parcelClasses || '{}').not_started_due > 0", timeout=20000)
    # Back to the catalogue's bands: the parcels are drawn by band again, and the legend says so.
    page.click("#panel-toggle")
    page.check("#progress-filters input[name=theme][value=band]")
    expect(legend).not_to_contain_text("应开工未开工")
    wait_until(page, "(() => { const c = JSON.parse(document.getElementById('map').dataset.parcelClasses || '{}');"
                     " return !('not_started_due' in c) && Object.keys(c).length > 0; })()", timeout=20000)
    assert "theme" not in query_of(page.url)
