"""The real page in headless Chromium against the real API and PostGIS, with the Changzhou sample."""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
from playwright.sync_api import Page, expect

from etl.load import libpq_conninfo
from tests.web.conftest import wait_until


def parcels_in(sample_url: str, bbox: list[float]) -> int:
    with psycopg.connect(libpq_conninfo(sample_url)) as conn:
        row = conn.execute("SELECT count(*) FROM parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4490))",
                           bbox).fetchone()
    assert row is not None
    return int(row[0])


def test_the_city_view_shows_zone_summaries_and_a_click_on_a_tile_parcel_opens_its_record(server: str, page: Page, sample_url: str) -> None:
    # The whole city is far below z13: its parcel tiles carry one point per zone, and the page says to zoom in.
    with page.expect_response(lambda r: "/tiles/parcels/" in r.url, timeout=20000) as answer:
        page.goto(server + "/")
    assert int(urlparse(answer.value.url).path.split("/")[3]) < 13
    expect(page.locator("#notice")).to_contain_text("放大以显示宗地")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "图例" in page.locator(".leaflet-bottom.leaflet-right").inner_text()
    assert page.locator(".leaflet-control-scale").count() == 1
    wait_until(page, "document.querySelectorAll('#loading[hidden]').length === 1", timeout=20000)

    # Zoom to one parcel that falls short, then click its middle: the popup is its record in officials' words.
    with psycopg.connect(libpq_conninfo(sample_url)) as conn:
        row = conn.execute(
            "SELECT p.parcel_code, p.intensity_wan_per_mu, p.threshold_wan_per_mu, p.shortfall_wan "
            "FROM parcels p WHERE p.status = 'below' AND p.parcel_count = 1 AND 'straddles_zones' <> ALL(p.flags) "
            "ORDER BY p.parcel_code LIMIT 1").fetchone()
    assert row is not None
    code, intensity, threshold, shortfall = row
    page.fill("#search-input", code)
    page.press("#search-input", "Enter")
    popup = page.locator(".parcel-popup")
    popup.wait_for(timeout=10000)
    page.keyboard.press("Escape")
    page.mouse.click(640, 400 + 23)  # the map's centre (below the 46 px header), where the search centred the parcel
    popup.wait_for(timeout=10000)
    text = popup.inner_text()
    assert code in text
    assert f"{intensity:,.2f}" in text and f"{threshold:,.2f}" in text and f"{shortfall:,.2f}" in text
    assert "未达标" in text and "万元/亩" in text

    page.click("button[data-lang=en]")
    assert "Status\tbelow" in page.locator(".parcel-popup").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"


def test_an_unknown_parcel_code_shows_the_server_message(server: str, page: Page) -> None:
    page.goto(server + "/?lang=en")
    page.fill("#search-input", "NO-SUCH-PARCEL")
    page.press("#search-input", "Enter")
    toast = page.locator("#toast")
    toast.wait_for(state="visible", timeout=10000)
    assert toast.inner_text() == "no parcel with code NO-SUCH-PARCEL"
