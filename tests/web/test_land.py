"""The land-use overlays in headless Chromium: idle land drawn over the parcel tiles by the classes the API gives, a
click opens the parcel's land card saying why, the firms' classes open a firm's card with its chart, and the words
follow the language."""

from __future__ import annotations

import psycopg
from playwright.sync_api import Page, expect

from etl.load import libpq_conninfo
from tests.web.conftest import wait_until

MAP_CENTRE = (640, 46 + (800 - 46) // 2)


def centre_of(sample_url: str, code: str) -> tuple[float, float]:
    with psycopg.connect(libpq_conninfo(sample_url)) as conn:
        row = conn.execute("SELECT ST_Y(ST_PointOnSurface(geom)), ST_X(ST_PointOnSurface(geom)) FROM parcels WHERE parcel_code = %s",
                           [code]).fetchone()
    assert row is not None
    return float(row[0]), float(row[1])


def test_idle_land_is_drawn_and_its_card_says_why(server: str, page: Page, sample_url: str) -> None:
    idle = page.request.get(f"{server}/api/land/idle", params={"as_of": "2024-06-30"}).json()
    first = next(row for row in idle["parcels"] if row["category"] == "idle_2y")
    lat, lon = centre_of(sample_url, first["parcel_code"])
    page.goto(f"{server}/?panel=0&map={lat:.6f},{lon:.6f},18&land_as_of=2024-06-30&land=idle_land")
    control = page.locator(".land-control")
    expect(control).to_contain_text("闲置土地")
    wait_until(page, "Number(document.querySelector('.land-control')?.dataset.drawnIdleLand) > 0", timeout=20000)
    expect(control.locator(".land-summary")).to_contain_text(f"闲置 {idle['summary']['idle']} 宗")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#loading")).to_be_hidden()
    page.mouse.click(*MAP_CENTRE)
    card = page.locator(f".land-card[data-parcel='{first['parcel_code']}']")
    expect(card).to_contain_text("闲置满两年（可无偿收回）")
    expect(card).to_contain_text(f"约定 {first['agreed_start_date']} 开工")
    expect(card).to_contain_text("可无偿收回")
    page.click(".lang-switch button[data-lang=en]")
    expect(control).to_contain_text("Land use")
    expect(card).to_contain_text("not started by 2024-06-30")


def test_the_firms_classes_open_a_firms_card_with_its_chart(server: str, page: Page, sample_url: str) -> None:
    classes = page.request.get(f"{server}/api/evaluation/map", params={"year": 2023}).json()
    code, (grade, firm) = next((code, pair) for code, pair in sorted(classes["parcels"].items()) if pair[0] == "A")
    lat, lon = centre_of(sample_url, code)
    page.goto(f"{server}/?panel=0&map={lat:.6f},{lon:.6f},18&land=firm_classes")
    wait_until(page, "Number(document.querySelector('.land-control')?.dataset.drawnFirmClasses) > 0", timeout=20000)
    expect(page.locator(".land-control input[name=year]")).to_have_value("2023")
    page.wait_for_load_state("networkidle")
    page.mouse.click(*MAP_CENTRE)
    card = page.locator(f".firm-card[data-firm='{firm}']")
    expect(card.locator(".firm-class")).to_have_text(grade)
    expect(card.locator("svg.firm-chart rect")).to_have_count(6)
    expect(card).to_contain_text("权重取自征求意见稿，未经核实")


def test_the_unsupplied_part_of_a_batch_is_drawn(server: str, page: Page, sample_url: str) -> None:
    with psycopg.connect(libpq_conninfo(sample_url)) as conn:
        row = conn.execute("SELECT ST_Y(ST_Centroid(geom)), ST_X(ST_Centroid(geom)) FROM approval_batches ORDER BY area_m2 DESC LIMIT 1").fetchone()
    assert row is not None
    page.goto(f"{server}/?panel=0&map={row[0]:.6f},{row[1]:.6f},15&land_as_of=2024-06-30&land=approved_unsupplied")
    wait_until(page, "Number(document.querySelector('.land-control')?.dataset.drawnApprovedUnsupplied) > 0", timeout=20000)
    expect(page.locator(".land-control .land-summary")).to_contain_text("批而未供")
