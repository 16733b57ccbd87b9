"""The siting tab in headless Chromium: a site drawn with Geoman or uploaded, the verdict the server gives for
that very geometry, the server's message for a file it refuses, and the printable sheet."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.web.conftest import csrf, wait_until

# Inside 武进国家高新技术产业开发区 (CZ-WJ-01), clear of other zones: the view the drawing starts from.
SITE_VIEW = "31.67070,119.95100,16"
SQUARE = {"type": "Polygon", "coordinates": [[[119.95, 31.67], [119.952, 31.67], [119.952, 31.6715],
                                               [119.95, 31.6715], [119.95, 31.67]]]}


def open_siting(page: Page, server: str) -> None:
    page.goto(f"{server}/?tab=siting&map={SITE_VIEW}")
    wait_until(page, "Number(document.getElementById('map').dataset.parcels) > 0", timeout=20000)
    expect(page.locator("#pane-siting")).to_be_visible()


def band_label(page: Page, server: str, band: str) -> str:
    layers = page.request.get(f"{server}/api/layers").json()["layers"]
    classes = next(layer["style"]["classes"] for layer in layers if layer["style"]["property"] == "band")
    return str(next(cls["label"]["zh"] for cls in classes if cls["value"] == band))


def review_and_check(page: Page, server: str, investment: str) -> dict[str, Any]:
    """Submit the site; the table must show what the API answers for the geometry the page sent."""
    page.fill("#siting-form input[name=total_investment_wan]", investment)
    page.select_option("#siting-form select[name=project_type]", "industrial")
    with page.expect_response("**/api/siting/review") as answered:
        page.click("#siting-form button[type=submit]")
    sent = answered.value.request.post_data_json
    assert sent["total_investment_wan"] == float(investment) and sent["project_type"] == "industrial"
    expected = page.request.post(f"{server}/api/siting/review", data=sent, headers=csrf(page, server)).json()
    verdict = page.locator("table.siting-verdict")
    expect(verdict).to_be_visible()
    assert verdict.get_attribute("data-status") == expected["status"]
    area = verdict.locator("tr[data-field=area] td").inner_text()
    assert f"{expected['area_m2']:,.2f} m²" in area and f"{expected['area_mu']:,.2f} 亩" in area
    status = verdict.locator("tr[data-field=status] td").inner_text()
    assert band_label(page, server, expected["band"]) in status
    assert expected["zone_code"] in verdict.locator("tr[data-field=zone] td").inner_text()
    assert f"{expected['min_investment_wan']:,.2f} 万元" in verdict.locator("tr[data-field=min_investment] td").inner_text()
    assert f"{expected['max_area_mu']:,.2f} 亩" in verdict.locator("tr[data-field=max_area] td").inner_text()
    return {"sent": sent, "expected": expected}


def test_a_site_drawn_with_geoman_gets_the_apis_verdict_and_prints_on_request(server: str, page: Page) -> None:
    open_siting(page, server)
    page.click("#siting-draw")
    expect(page.locator("#siting-site-status")).to_contain_text("点击第一个点")
    box = page.locator("#map").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 80, cy - 60), (cx + 80, cy - 70), (cx + 90, cy + 60), (cx - 70, cy + 70)]
    for x, y in corners:
        page.mouse.click(x, y)
    page.mouse.click(*corners[0])  # the first corner again closes the ring
    expect(page.locator("#siting-site-status")).to_contain_text("已在地图上绘制选址范围")
    assert page.locator("path.siting-site").count() == 1
    assert page.locator(".parcel-popup").count() == 0  # clicks while drawing look nothing up

    checked = review_and_check(page, server, "13500")
    ring = checked["sent"]["geometry"]["coordinates"][0]
    assert checked["sent"]["geometry"]["type"] == "Polygon" and len(ring) == 5 and ring[0] == ring[-1]
    assert all(abs(lon - 119.951) < 0.005 and abs(lat - 31.6707) < 0.005 for lon, lat in ring)
    expected = checked["expected"]
    assert expected["status"] == "below" and expected["zone_code"] == "CZ-WJ-01"  # 13,500 万元 on ~129 亩 is short

    # The sheet opens in a new tab with the same verdict and a map of the site; it prints only when asked.
    page.context.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    with page.expect_popup() as opened:
        page.click("#siting-print")
    sheet = opened.value
    sheet.wait_for_selector("table.siting-verdict", timeout=10000)
    wait_until(sheet, "document.querySelectorAll('#sheet-map path.siting-site').length === 1")
    assert sheet.locator("table.siting-verdict").get_attribute("data-status") == expected["status"]
    assert f"{expected['area_m2']:,.2f} m²" in sheet.locator("tr[data-field=area] td").inner_text()
    assert sheet.locator("h1").inner_text() == "建设项目选址审查单"
    assert sheet.evaluate("window.printed ?? 0") == 0
    sheet.click("#sheet-print")
    assert sheet.evaluate("window.printed") == 1

    # The PDF comes from the server, which reviews the site again and prints the same sheet.
    with sheet.expect_download(timeout=120000) as downloading:
        sheet.click("#sheet-pdf")
    download = downloading.value
    path = download.path()
    assert download.suggested_filename == "建设项目选址审查单.pdf" and path is not None
    assert path.read_bytes().startswith(b"%PDF-")


def test_drawing_starts_while_the_citys_report_is_still_on_its_way(server: str, page: Page) -> None:
    held: list[Route] = []
    page.route("**/api/reports/violations?*", lambda route: held.append(route))  # the report is answered only at the end
    open_siting(page, server)
    assert held, "the page asked for the report"
    page.click("#siting-draw")
    expect(page.locator("#siting-site-status")).to_contain_text("点击第一个点")
    expect(page.locator("#report-body")).to_be_empty()
    for route in held:
        route.continue_()
    expect(page.locator("#report-body")).not_to_be_empty()


def test_an_uploaded_site_is_reviewed_and_a_refused_file_shows_the_servers_message(server: str, page: Page) -> None:
    open_siting(page, server)
    collection = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": SQUARE}]}
    page.set_input_files("#siting-file", files=[{"name": "site.geojson", "mimeType": "application/geo+json",
                                                 "buffer": json.dumps(collection).encode()}])
    expect(page.locator("#siting-site-status")).to_contain_text("已读取 site.geojson")
    checked = review_and_check(page, server, "20000")
    assert checked["sent"]["geometry"] == SQUARE

    point = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [119.95, 31.67]}}
    body = json.dumps(point).encode()
    refusal = page.request.post(f"{server}/api/siting/upload", headers=csrf(page, server),
                                multipart={"file": {"name": "point.geojson", "mimeType": "application/geo+json", "buffer": body}})
    assert refusal.status == 422
    page.set_input_files("#siting-file", files=[{"name": "point.geojson", "mimeType": "application/geo+json", "buffer": body}])
    expect(page.locator("#siting-site-status .siting-error")).to_have_text(refusal.json()["error"]["message"]["zh"])
    # The site read before stays, with its verdict.
    expect(page.locator("table.siting-verdict")).to_be_visible()
