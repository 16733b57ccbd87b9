"""The map at scale: parcels drawn on canvas from vector tiles, a click on one opens its record, and the
report's filters reach the tiles without reloading the page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import psycopg
from playwright.sync_api import Page, expect

from etl.load import libpq_conninfo
from tests.web.conftest import wait_until

MAP_CENTRE = (640, 46 + (800 - 46) // 2)  # the map fills the page below the 46 px header


def test_clicking_a_parcel_drawn_from_tiles_opens_its_record(server: str, page: Page, sample_url: str) -> None:
    with psycopg.connect(libpq_conninfo(sample_url)) as conn:
        row = conn.execute(
            "SELECT parcel_code, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)), intensity_wan_per_mu "
            "FROM parcels WHERE status = 'below' AND parcel_count = 1 ORDER BY area_m2 DESC, parcel_code LIMIT 1").fetchone()
    assert row is not None
    code, lon, lat, intensity = row
    lookups: list[str] = []
    page.on("request", lambda request: lookups.append(request.url) if "/api/lookup" in request.url else None)
    with page.expect_response(lambda r: "/tiles/parcels/18/" in r.url, timeout=20000):
        page.goto(f"{server}/?panel=0&map={lat:.6f},{lon:.6f},18")
    wait_until(page, "Number(document.getElementById('map').dataset.parcels) > 0", timeout=20000)
    page.wait_for_load_state("networkidle")  # every tile in view drawn, the one under the centre among them
    assert page.locator("path.parcel").count() == 0  # canvas, not one SVG path per parcel
    assert page.locator("#map canvas").count() > 0
    page.mouse.click(*MAP_CENTRE)
    popup = page.locator(".parcel-popup")
    popup.wait_for(timeout=10000)
    text = popup.inner_text()
    assert code in text and f"{intensity:,.2f}" in text and "未达标" in text
    assert lookups == []  # the tile feature's record, not a lookup of the point


def test_the_reports_filters_reach_the_tiles_without_reloading_the_page(server: str, page: Page) -> None:
    with page.expect_response(lambda r: "/tiles/parcels/" in r.url and "band=far_below" in r.url, timeout=20000):
        page.goto(f"{server}/?band=far_below&map=31.78,119.95,14")
    page.evaluate("window.stillTheSamePage = true")
    expect(page.locator("#report-filters select[name=band] option")).not_to_have_count(1)
    with page.expect_response(lambda r: "/tiles/parcels/14/" in r.url and "band" not in parse_qs(urlparse(r.url).query),
                              timeout=20000):
        page.select_option("#report-filters select[name=band]", "")
    assert page.evaluate("window.stillTheSamePage") is True
    z13 = page.request.get(f"{server}/tiles/parcels/13/6823/3318.mvt?band=far_below")
    assert z13.status == 200 and z13.headers["content-type"] == "application/vnd.mapbox-vector-tile"
