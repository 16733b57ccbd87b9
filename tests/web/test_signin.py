"""Signing in on the real page: the form before anything else, the server's refusal, the account in the header,
only the tabs the account may use, and signing out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.access import PASSWORD, add_account


def test_the_page_asks_to_sign_in_then_shows_what_a_viewer_of_one_district_may_use(server: str, signed_out_page: Page,
                                                                                    sample_url: str) -> None:
    page = signed_out_page
    viewer = add_account(sample_url, "viewer", ("武进区",))
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url.removeprefix(server)) if "/api/" in request.url or "/tiles/" in request.url else None)
    page.goto(server + "/")
    form = page.locator("#signin-form")
    expect(form).to_be_visible()
    expect(page.locator("#signin-title")).to_have_text("登录")
    assert page.locator("#panel").is_hidden()
    assert asked == ["/api/auth/me"]  # nothing of the data before someone signs in

    page.click("button[data-lang=en]")
    expect(page.locator("#signin-title")).to_have_text("Sign in")
    page.click("button[data-lang=zh]")

    page.fill("#signin-form input[name=username]", viewer)
    page.fill("#signin-form input[name=password]", "not the password")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin-error")).to_have_text("用户名或密码错误")

    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")
    expect(form).to_be_hidden()
    expect(page.locator("#account-name")).to_have_text(f"{viewer}（查看，武进区）")
    expect(page.locator("#tab-report")).to_be_hidden()  # a viewer has no report, no bulletins, no exports, no printing
    expect(page.locator("#tab-bulletins")).to_be_hidden()
    expect(page.locator("#tab-search")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".map-tools [data-tool=Line]")).to_be_visible()
    expect(page.locator(".map-tools [data-tool=print]")).to_have_count(0)
    page.click("#tab-progress")
    expect(page.locator("#progress-filters select[name=as_of] option").first).to_be_attached(timeout=20000)
    expect(page.locator(".progress-exports")).to_have_count(0)
    expect(page.locator(".land-control .land-exports")).to_have_count(0)
    assert not any(url.startswith(("/api/reports/", "/api/bulletins")) for url in asked)

    page.fill("#search-input", "CZ")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-body")).to_be_visible()

    page.click("#sign-out")
    expect(form).to_be_visible()
    assert page.request.get(f"{server}/api/auth/me").status == 401


def test_an_analyst_has_the_report_tab(server: str, signed_out_page: Page, sample_url: str) -> None:
    page = signed_out_page
    analyst = add_account(sample_url, "analyst")
    page.goto(server + "/?lang=en")
    page.fill("#signin-form input[name=username]", analyst)
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.press("#signin-form input[name=password]", "Enter")
    expect(page.locator("#account-name")).to_have_text(f"{analyst} (analyst, every district)")
    expect(page.locator("#tab-report")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#report-body .summary, #report-body table").first).to_be_visible(timeout=20000)
    expect(page.locator("#tab-bulletins")).to_be_visible()
    expect(page.locator(".map-tools [data-tool=print]")).to_be_visible()
