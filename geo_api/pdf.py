"""PDFs of the printable pages, printed by Debian's headless Chromium from the app's own pages.

The report and the siting sheet are HTML the app serves (maps with the locally served Leaflet); Chromium
opens them from this very server, waits until they are drawn, and prints them. The bulletin is HTML made whole
in memory (its charts inline), printed without any server, so that the command line prints it too. Chinese needs a CJK font
(`fonts-wqy-microhei`, installed by `make setup`): without Chromium or such a font the PDF is refused
with what to install, and the HTML stays available to print from a browser. The printing browser may
only talk to this server: any other request is aborted, so nothing leaves the machine. It asks with a pass of the
account it prints for (`print_pass`: that account's role and districts, GET only, gone when the print is done), so the
printed page holds what that account may see.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Route, sync_playwright

from geo_api.access import SESSION_COOKIE
from mujun import accounts
from mujun.access import Access
from mujun.errors import MujunError

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000
TIMEZONE = "Asia/Shanghai"
"""Dates on the sheets are printed in China's time, whatever the server's clock zone."""


class PdfUnavailable(MujunError):
    status_code = 503
    code = "pdf_unavailable"


def chromium(configured: str | None) -> str:
    executable = configured or shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise PdfUnavailable("无法生成 PDF：本机未安装 Chromium（apt install chromium），请用 HTML 版本打印",
                             "cannot make a PDF: Chromium is not installed (apt install chromium); print the HTML version")
    if not has_cjk_font():
        raise PdfUnavailable("无法生成 PDF：本机没有中文字体（apt install fonts-wqy-microhei），请用 HTML 版本打印",
                             "cannot make a PDF: no Chinese font is installed (apt install fonts-wqy-microhei); "
                             "print the HTML version")
    return executable


@functools.cache
def has_cjk_font() -> bool:
    """Whether fontconfig knows a font covering Chinese (the PDF would otherwise show empty boxes)."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(found.stdout.strip())


def own_origin(request: Request) -> str:
    """This server as the machine itself reaches it: the socket it listens on, not the Host a proxy sent."""
    server = request.scope.get("server")
    if not server or server[1] is None:
        return str(request.base_url).rstrip("/")
    host, port = server
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


PAPER_MM = {"A4": (210, 297), "A3": (297, 420)}
CSS_PX_PER_MM = 96 / 25.4
PNG_SCALE = 2
"""A printed PNG has two pixels for each CSS pixel: about 190 dpi, sharp when printed on its paper."""


def paper_px(paper: str, landscape: bool) -> tuple[int, int]:
    """The paper's width and height in CSS pixels (96 to the inch), as the page is laid out on it."""
    short, long = PAPER_MM[paper]
    width, height = (long, short) if landscape else (short, long)
    return round(width * CSS_PX_PER_MM), round(height * CSS_PX_PER_MM)


@dataclass(frozen=True)
class PrintAs:
    """What the printing browser sends: the cookie of a print pass (`print_pass`), or nothing for a request made
    without credentials (`MUJUN_ANONYMOUS_ROLE`), which it then asks as."""

    session: str | None


@contextmanager
def print_pass(request: Request, access: Access) -> Iterator[PrintAs]:
    """The printing browser's credentials for one print: a pass of the asker's account (its role and districts), made on
    the primary for minutes, good for GET only, and deleted when the print is done, whatever happens. Never the asker's
    own token or session: the browser holds nothing that outlives the print or could change anything."""
    if access.user is None:
        yield PrintAs(None)
        return
    with request.app.state.primary.connection() as conn:
        key = accounts.start_print_pass(conn, request.app.state.gate.policy, access.user)
    try:
        yield PrintAs(key)
    finally:
        with request.app.state.primary.connection() as conn:
            accounts.end_session(conn, key)


def print_pdf(executable: str, url: str, *, ready: str, landscape: bool, credentials: PrintAs, paper: str = "A4",
              session_storage: dict[str, str] | None = None) -> bytes:
    """Open `url`, wait until `ready` (a CSS selector) is on the page and its tiles have come, print it on `paper`.

    Blocking (Playwright's sync API): call it from a worker thread, never from the event loop, which
    must stay free to serve the page to the printing browser.
    """
    return _render(executable, url, ready=ready, landscape=landscape, credentials=credentials, paper=paper,
                   session_storage=session_storage, png=False)


def screenshot_png(executable: str, url: str, *, ready: str, landscape: bool, credentials: PrintAs, paper: str = "A4",
                   session_storage: dict[str, str] | None = None) -> bytes:
    """As `print_pdf`, but a PNG of the page laid out on the paper's size, at PNG_SCALE pixels per CSS pixel."""
    return _render(executable, url, ready=ready, landscape=landscape, credentials=credentials, paper=paper,
                   session_storage=session_storage, png=True)


def _render(executable: str, url: str, *, ready: str, landscape: bool, credentials: PrintAs, paper: str,
            session_storage: dict[str, str] | None, png: bool) -> bytes:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))

    def same_origin_only(route: Route) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            route.abort()

    width, height = paper_px(paper, landscape)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
            try:
                # Laid out on the paper's own width, so that a map fills the page as it will print.
                context = browser.new_context(locale="zh-CN", timezone_id=TIMEZONE, viewport={"width": width, "height": height},
                                              device_scale_factor=PNG_SCALE if png else 1)
                context.route("**/*", same_origin_only)
                if credentials.session:
                    context.add_cookies([{"name": SESSION_COOKIE, "value": credentials.session, "url": origin}])
                if session_storage:
                    context.add_init_script(
                        f"for (const [k, v] of Object.entries({json.dumps(session_storage)})) sessionStorage.setItem(k, v);")
                page = context.new_page()
                page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
                page.wait_for_selector(ready, state="attached", timeout=TIMEOUT_MS)
                page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)  # base-map tiles of a map on the page
                if png:
                    return page.screenshot(full_page=True, type="png")
                return page.pdf(format=paper, landscape=landscape, print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfUnavailable("PDF 生成失败，请用 HTML 版本打印", f"the PDF could not be made ({exc.message.splitlines()[0]}); "
                             "print the HTML version") from exc


FOOTER = '<div style="width:100%;text-align:center;font-size:10px;color:#333;">— <span class="pageNumber"></span> —</div>'


def print_html(executable: str, html: str) -> bytes:
    """Print a page made whole in memory (images inline as data: URLs) on A4 portrait, page numbers in the footer.

    The browser fetches nothing: every request it would make is aborted. Blocking, as `print_pdf`."""
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
            try:
                context = browser.new_context(locale="zh-CN", timezone_id=TIMEZONE)
                context.route("**/*", lambda route: route.abort())
                page = context.new_page()
                page.set_content(html, wait_until="load", timeout=TIMEOUT_MS)
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True, display_header_footer=True,
                                header_template="<span></span>", footer_template=FOOTER)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfUnavailable("PDF 生成失败", f"the PDF could not be made ({exc.message.splitlines()[0]})") from exc
