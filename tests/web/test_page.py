"""The real page in headless Chromium against the real API and PostGIS, with the Changzhou sample."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from etl.load import libpq_conninfo
from geo_api.app import create_app
from tests.conftest import settings_for

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(sample_url: str) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings_for(sample_url)), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: errors.append(f"external request {request.url}")
            if not request.url.startswith(("http://127.0.0.1", "data:")) else None)
    yield page
    context.close()
    assert errors == []


def parcels_in(sample_url: str, bbox: list[float]) -> int:
    with psycopg.connect(libpq_conninfo(sample_url)) as conn:
        row = conn.execute("SELECT count(*) FROM parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4490))",
                           bbox).fetchone()
    assert row is not None
    return int(row[0])


def test_the_map_draws_every_parcel_in_view_and_a_click_opens_its_record(server: str, page: Page, sample_url: str) -> None:
    with page.expect_response(lambda r: "/api/layers/parcels/features" in r.url, timeout=20000) as answer:
        page.goto(server + "/")
    bbox = [float(v) for v in parse_qs(urlparse(answer.value.url).query)["bbox"][0].split(",")]
    expected = parcels_in(sample_url, bbox)
    assert expected > 1000  # the city view shows the sample's parcels
    page.wait_for_function(f"document.querySelectorAll('path.parcel').length === {expected}", timeout=20000)
    assert page.locator("#loading").is_hidden()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "图例" in page.locator(".leaflet-bottom.leaflet-right").inner_text()
    assert page.locator(".leaflet-control-scale").count() == 1

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
