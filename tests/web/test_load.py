"""The load tab in headless Chromium, for an editor: files uploaded with a progress bar, the server's check report
shown before anything is written, then the load; a viewer has no such tab."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.access import PASSWORD, add_account

SAMPLE = Path(__file__).resolve().parents[2] / "sample_geo"


def sign_in(page: Page, server: str, name: str) -> None:
    page.goto(server + "/?tab=load")
    page.fill("#signin-form input[name=username]", name)
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")


def test_an_editor_checks_then_loads_and_sees_what_changed(server: str, signed_out_page: Page, sample_url: str, tmp_path: Path) -> None:
    page = signed_out_page
    sign_in(page, server, add_account(sample_url, "editor"))
    expect(page.locator("#tab-load")).to_have_attribute("aria-selected", "true")
    # The sample's own zones and projects again: checked, loaded, nothing changed (the other tests keep their data).
    page.set_input_files("#load-form input[name=zones]", str(SAMPLE / "zones.geojson"))
    page.set_input_files("#load-form input[name=projects]", str(SAMPLE / "projects.xlsx"))
    with page.expect_response("**/api/loads/check") as checked:
        page.click("#load-form button[type=submit]")
    report = checked.value.json()
    expect(page.locator("#load-report .load-verdict")).to_have_text("检查通过，可以载入")
    rows = page.locator("#load-report table.load-table tbody tr")
    expect(rows).to_have_count(2)
    assert rows.nth(0).inner_text().split("\t")[:3] == ["园区", "zones.geojson", str(report["files"][0]["features"])]
    with page.expect_response(lambda r: "/api/loads/" in r.url and "/check" not in r.url) as loaded:
        page.click("#load-run")
    counts = loaded.value.json()["counts"]
    expect(page.locator("#load-report .load-verdict")).to_contain_text("已载入")
    assert counts["zones"]["unchanged"] == counts["zones"]["read"] > 0 and counts["projects"]["inserted"] == 0

    broken = tmp_path / "parcels.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": null}]}')
    page.set_input_files("#load-form input[name=parcels]", str(broken))
    page.click("#load-form button[type=submit]")
    expect(page.locator("#load-report .load-verdict")).to_have_text("有错误，不能载入")
    expect(page.locator("#load-report .load-problems li").first).to_contain_text("parcels.geojson")
    assert page.locator("#load-run").is_hidden()


def test_an_analyst_has_no_load_tab(server: str, signed_out_page: Page, sample_url: str) -> None:
    page = signed_out_page
    sign_in(page, server, add_account(sample_url, "analyst"))
    expect(page.locator("#account-name")).to_contain_text("分析")
    assert page.locator("#tab-load").is_hidden()
    expect(page.locator("#tab-report")).to_have_attribute("aria-selected", "true")
