"""The tools on the map in the real page: coordinates under the cursor and of a point gone to, copied; a measured area;
the map printed from its button."""

from __future__ import annotations

import io
import re
import time
from decimal import ROUND_HALF_UP, Decimal

import pypdf
from playwright.sync_api import Page, expect

from tests.fake_tiles import metres_per_pixel
from tests.geodata import X0, Y0, gk_lonlat

LON, LAT = gk_lonlat(0, 0)  # (495 000, 3 520 000) in EPSG:4549: on no zone and no parcel of the sample
ZOOM = 19


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_going_to_gauss_kruger_coordinates_shows_the_point_in_every_form_and_copies_it(server: str, page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{server}/?panel=0&map=31.7,119.9,13")
    box = page.locator(".coords-box")
    expect(box).to_contain_text("在地图上移动鼠标查看坐标")
    # The cursor over the map: its point, read back by the server in every form.
    page.mouse.move(300, 300, steps=4)
    expect(box.locator("[data-row=gk]")).to_contain_text("高斯 EPSG:4549", timeout=10000)
    expect(box.locator("[data-row=gk-zone]")).to_contain_text("带号 40（EPSG:4528）")
    # The readout answers the cursor's steps in turn (one request at a time): the last step's point comes last.
    deadline, hovered = time.monotonic() + 10, ""
    while time.monotonic() < deadline:
        hovered = box.locator("[data-row=lonlat] output").inner_text()
        lon, lat = (float(v) for v in hovered.split(","))
        if 119.8 < lon < 119.9 and 31.7 < lat < 31.75:  # left of and above the centre of the view (119.9, 31.7)
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"the readout never showed the cursor's point: {hovered}")
    # Typed coordinates, gone to (the cursor resting on the map while it moves there).
    page.fill(".coords-box input", f"{40_000_000 + X0:.0f},{Y0:.0f}")  # x with the zone number (40), then y
    page.press(".coords-box input", "Enter")
    expect(page.locator("#toast")).to_have_text("坐标读作 EPSG:4528 x/y")
    expect(box.locator("[data-row=gk] output")).to_have_text(re.compile(r"E 495,000\.00\s+N 3,520,000\.00"))
    expect(box.locator("[data-row=gk-zone] output")).to_have_text(re.compile(r"E 40,495,000\.00\s+N 3,520,000\.00"))
    expect(box.locator("[data-row=lonlat] output")).to_have_text(f"{LON:.6f}, {LAT:.6f}")
    expect(box.locator("[data-row=gk-zone]")).to_contain_text("带号 40（EPSG:4528）")
    assert page.locator("path.goto-point").count() == 1
    box.locator("[data-row=gk] [data-copy]").click()
    expect(page.locator("#toast")).to_have_text("已复制 495000.00,3520000.00")
    assert page.evaluate("navigator.clipboard.readText()") == "495000.00,3520000.00"



def test_an_area_drawn_on_the_map_is_measured_in_m2_mu_and_hectares(server: str, page: Page) -> None:
    page.goto(f"{server}/?panel=0&map={LAT},{LON},{ZOOM}")
    page.fill(".coords-box input", f"{LON},{LAT}")
    page.press(".coords-box input", "Enter")  # the map centred on the point, exactly
    page.locator("path.goto-point").wait_for()
    page.click("[data-tool=Polygon]")
    expect(page.locator("[data-tool=Polygon]")).to_have_attribute("aria-pressed", "true")
    frame = page.locator("#map").bounding_box()
    assert frame is not None
    cx, cy = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
    # About 100 m east and 60 m north of the centre, in screen pixels: a rectangle of about 6 000 m².
    dx, dy = 100 / metres_per_pixel(ZOOM, LAT), 60 / metres_per_pixel(ZOOM, LAT)
    for x, y in ((cx, cy), (cx + dx, cy), (cx + dx, cy - dy), (cx, cy - dy), (cx, cy)):
        page.mouse.click(x, y)
    result = page.locator(".measure-result")
    result.wait_for(timeout=10000)
    cells = [cell.strip() for cell in result.locator("td").all_inner_texts()]
    area_m2, area_mu, area_ha = (number(cells[i].split(" ")[0]) for i in range(3))
    assert cells[0].endswith("m²") and cells[1].endswith("亩") and cells[2].endswith("公顷") and cells[-1] == "EPSG:4549"
    assert abs(area_m2 - 6000) < 60, area_m2  # clicks land on whole pixels, and a Mercator pixel is not a Gauss-Krüger metre
    # The three figures agree as worked by hand: 亩 = m² × 15 / 10 000, 公顷 = m² / 10 000.
    assert area_mu == (area_m2 * 15 / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert area_ha == (area_m2 / 10000).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    assert page.locator(".parcel-popup").count() == 0  # drawing clicks are not parcel lookups
    page.click("[data-tool=clear]")
    expect(page.locator(".measure-result")).to_have_count(0)


def test_the_print_button_prints_the_map_on_screen(server: str, page: Page) -> None:
    page.goto(f"{server}/?panel=0&map=31.775,119.91,14")
    page.click("[data-tool=print]")
    dialog = page.locator("#print-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=title]").fill("钟楼经济开发区用地图")
    dialog.locator("select[name=paper]").select_option("A4")
    with page.expect_download(timeout=90000) as download:
        dialog.locator("button[type=submit]").click()
    path = download.value.path()
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    text = reader.pages[0].extract_text()
    assert "钟楼经济开发区用地图" in text and "图例" in text and "底图：离线底图" in text
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [842, 595]
    expect(dialog).to_be_hidden()
