"""Fixtures of the browser tests: the app serving the Changzhou sample, Debian's headless Chromium, and a page
that fails its test on a script error, a console error of the page's own, or any request off this machine.

`page` is signed in as an admin of every district (its session cookie set by the sign-in route, as the form
would); `signed_out_page` has no session."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from geo_api.app import create_app
from mujun.settings import BasemapSettings, DatabaseSettings, Settings
from tests.access import PASSWORD, add_account
from tests.conftest import SAMPLE, serving

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def sample_settings(sample_url: str, **basemaps: object) -> Settings:
    """The sample's database and base maps: its own offline one unless others are given (as `mujun demo` serves it)."""
    chosen = basemaps or {"basemap_mbtiles": SAMPLE / "basemap.mbtiles"}
    return Settings(database=DatabaseSettings(url=sample_url), basemaps=BasemapSettings(**chosen))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def server(sample_url: str) -> Iterator[str]:
    with serving(create_app(sample_settings(sample_url))) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def web_admin(sample_url: str) -> str:
    return add_account(sample_url, "admin")


def _watched_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    errors: list[str] = []
    # On the context, so that pages the page opens (the printable sheet) are watched too.
    context.on("weberror", lambda error: errors.append(str(error.error)))
    # The browser's own line for a 4xx answer is expected where a test asks for one; anything else is the page's.
    context.on("console", lambda message: errors.append(f"console {message.type}: {message.text}")
               if message.type in ("error", "warning") and not message.text.startswith("Failed to load resource") else None)
    context.on("request", lambda request: errors.append(f"external request {request.url}")
               if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page = context.new_page()
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def page(browser: Browser, server: str, web_admin: str) -> Iterator[Page]:
    for watched in _watched_page(browser):
        signed = watched.context.request.post(f"{server}/api/auth/login", data={"username": web_admin, "password": PASSWORD})
        assert signed.ok, signed.text()
        yield watched


@pytest.fixture
def signed_out_page(browser: Browser) -> Iterator[Page]:
    yield from _watched_page(browser)


def wait_until(page: Page, expression: str, timeout: int = 20000) -> None:
    """Poll a JavaScript expression from here until it is true: Playwright's `wait_for_function` compiles it with
    `new Function` inside the page, which the page's Content-Security-Policy (no eval) rightly refuses."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def csrf(page: Page, server: str) -> dict[str, str]:
    """The X-CSRF-Token header of the page's session, for a test's own POST beside the page's."""
    return {"X-CSRF-Token": page.request.get(f"{server}/api/auth/me").json()["csrf_token"]}
