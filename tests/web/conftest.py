"""Fixtures of the browser tests: the app serving the Changzhou sample, Debian's headless Chromium, and a page
that fails its test on a script error, a console error of the page's own, or any request off this machine."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from geo_api.app import create_app
from tests.conftest import serving, settings_for

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def server(sample_url: str) -> Iterator[str]:
    with serving(create_app(settings_for(sample_url))) as base:
        yield base


@pytest.fixture(scope="session")
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
