"""Base maps in the real page: the sample's offline one by default and the switcher; Gaode's GCJ-02 tiles and Baidu's
BD-09 tiles measured on screen against where the page puts our WGS84 points; Tianditu's key absent from everything the browser receives."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, Response, expect
from pydantic import SecretStr

from geo_api.app import create_app
from mujun.settings import BasemapSource
from tests.conftest import serving
from tests.fake_tiles import bd09_service, gcj02_service, metres_per_pixel, plain_png, red_centroid, tile_service
from tests.web.conftest import sample_settings, wait_until

KEY = "tk-5ec7e7-0123456789abcdef"
# WGS84 points across the sample (the city, 金坛, 溧阳, 武进 by 太湖): the GCJ-02 offset differs by tens of metres.
POINTS = [(119.9731, 31.8102), (119.5702, 31.7466), (119.4861, 31.4183), (120.1205, 31.5671)]
ZOOM = 18
HIDE_OVERLAYS = """.leaflet-layer-zones-pane, .leaflet-layer-parcels-pane, .leaflet-control-container, .goto-point,
                   #loading, #notice, #toast { visibility: hidden !important; }"""
TILES_DRAWN = """() => { const tiles = [...document.querySelectorAll('.leaflet-tile-pane img.leaflet-tile')];
                         return tiles.length > 0 && tiles.every((tile) => tile.classList.contains('leaflet-tile-loaded')); }"""


def test_the_demo_opens_on_its_offline_base_map_and_the_switcher_turns_it_off(server: str, page: Page) -> None:
    with page.expect_response(lambda r: "/basemaps/local/" in r.url and r.status == 200, timeout=20000):
        page.goto(server + "/")
    switcher = page.locator(".leaflet-control-layers-base")
    expect(switcher).to_contain_text("无底图")
    expect(switcher.get_by_label("离线底图")).to_be_checked()
    assert "示例底图" in page.locator(".leaflet-control-attribution").inner_text()
    wait_until(page, TILES_DRAWN, timeout=20000)
    wait_until(page, "document.querySelectorAll('#loading[hidden]').length === 1", timeout=20000)
    switcher.get_by_label("无底图").check()
    expect(page.locator(".leaflet-tile-pane img")).to_have_count(0)
    wait_until(page, "new URL(location.href).searchParams.get('basemap') === 'none'", timeout=5000)
    page.reload()  # the link keeps the choice
    expect(page.locator(".leaflet-control-layers-base").get_by_label("无底图")).to_be_checked()


SHIFTED = {  # a fake service for each offset datum, in the form its real one takes
    "gcj02": (gcj02_service, "/gaode/{z}/{x}/{y}.png", "高德地图", "© 高德软件"),
    "bd09": (bd09_service, "/tile/?qt=tile&x={x}&y={y}&z={z}&styles=pl", "百度地图", "© 百度"),
}


@pytest.fixture(scope="module", params=sorted(SHIFTED))
def shifted_server(sample_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    service, path, title, attribution = SHIFTED[request.param]
    with tile_service(service(POINTS)) as (base, _):
        source = BasemapSource(id=request.param, title=title, url=base + path, crs=request.param, attribution=attribution)
        with serving(create_app(sample_settings(sample_url, basemaps=[source]))) as url:
            yield url


def test_gaode_and_baidu_tiles_sit_within_a_metre_of_where_the_page_puts_each_wgs84_point(shifted_server: str,
                                                                                          page: Page) -> None:
    errors = []
    for lon, lat in POINTS:
        page.goto(f"{shifted_server}/?panel=0&map={lat},{lon},{ZOOM}")
        # Our WGS84 point, placed by the page itself: the point gone to is marked where the map puts it.
        page.fill(".coords-box input", f"{lon},{lat}")
        page.press(".coords-box input", "Enter")
        marker = page.locator("path.goto-point")
        marker.wait_for(timeout=10000)
        wait_until(page, TILES_DRAWN, timeout=20000)
        box = marker.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.add_style_tag(content=HIDE_OVERLAYS)
        # The base map's own mark of the point: a red dot the fake service drew at its GCJ-02 (or BD-09MC) coordinates.
        shot = page.screenshot(clip={"x": x - 80, "y": y - 80, "width": 160, "height": 160})
        found = red_centroid(np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")))
        assert found is not None, (lon, lat)
        errors.append(float(np.hypot(found[0] - 80, found[1] - 80)) * metres_per_pixel(ZOOM, lat))
    assert max(errors) < 1.0, errors


def test_the_tianditu_key_never_reaches_the_browser(sample_url: str, page: Page) -> None:
    keys_seen: list[str] = []

    def tianditu(path: str, query: dict[str, list[str]]) -> bytes | None:
        keys_seen.extend(query.get("tk", []))
        return plain_png((230, 236, 240))

    received: list[Response] = []
    page.on("response", lambda response: received.append(response))
    with tile_service(tianditu) as (base, _), \
            serving(create_app(sample_settings(sample_url, tianditu_key=SecretStr(KEY), tianditu_url=base))) as url:
        page.goto(url + "/?map=31.78,119.95,14")
        wait_until(page, TILES_DRAWN, timeout=20000)
        page.locator(".leaflet-control-layers-base").get_by_label("天地图影像").check()
        wait_until(page, TILES_DRAWN, timeout=20000)
        wait_until(page, "document.querySelectorAll('#loading[hidden]').length === 1", timeout=20000)
        assert keys_seen and set(keys_seen) == {KEY}  # the portal fetched with the key …
        assert any("/basemaps/tianditu-img/labels/" in r.url for r in received)
        for response in received:  # … and nothing the browser received holds it
            assert KEY not in response.url and KEY not in str(response.all_headers()), response.url
            assert KEY.encode() not in response.body(), response.url
