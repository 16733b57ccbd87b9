"""Fixtures of the browser tests: the app serving the Changzhou sample, Debian's headless Chromium, and a page
that fails its test on a script error, a console error of the page's own, or any request off this machine."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from geo_api.app import create_app
from mujun.settings import BasemapSettings, DatabaseSettings, Settings
from tests.conftest import SAMPLE

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app with these settings, served by uvicorn on a free 127.0.0.1 port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
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


def sample_settings(sample_url: str, **basemaps: object) -> Settings:
    """The sample's database and base maps: its own offline one unless others are given (as `mujun demo` serves it)."""
    chosen = basemaps or {"basemap_mbtiles": SAMPLE / "basemap.mbtiles"}
    return Settings(database=DatabaseSettings(url=sample_url), basemaps=BasemapSettings(**chosen))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def server(sample_url: str) -> Iterator[str]:
    with serving(sample_settings(sample_url)) as url:
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
