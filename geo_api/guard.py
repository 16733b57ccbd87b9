"""The outermost layer of every request: hostile addresses refused before any route sees them, and the security
headers on every answer.

Refused with a 400 (the usual error body, naming nothing of the input back): a path or query that decodes to
invalid UTF-8 or holds control characters (NUL reaches PostgreSQL as an error, others a log as a forged line), a
`..` path segment; with a 414, an address longer than `MAX_TARGET_BYTES`; with a 413, a body over
`MAX_BODY_BYTES` (a declared Content-Length at once, a streamed one once it gets there; the page's load uploads
have their own cap, four files at `etl.file_limits.LOAD_LIMITS`). Plain ASGI, not Starlette's BaseHTTPMiddleware: the map's click and
tiles pay nothing for it but a scan of the address.

The headers: a Content-Security-Policy allowing this server only (base maps, remote ones too, are served from the
portal's own address), never framed (`frame-ancestors 'none'`); `X-Content-Type-Options: nosniff`; `Referrer-Policy:
same-origin`. Inline styles are allowed (Leaflet positions its panes, the legend draws its swatches with them);
inline scripts are not: the printable report, which has some, lists each by its hash in its own policy.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
"""The pattern of a text field of a JSON body: what the guard refuses in an address, refused in a body as a 422."""
MAX_TARGET_BYTES = 8192
MAX_BODY_BYTES = 25 * 2**20
"""A site drawn or uploaded (20 MB at most, etl.file_limits.UPLOAD_LIMITS) with the form around it."""
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    scripts = " ".join(["'self'", *(f"'sha256-{digest}'" for digest in script_hashes)])
    return ("default-src 'self'; " f"script-src {scripts}; " "style-src 'self' 'unsafe-inline'; " "img-src 'self' data: blob:; "
            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'")


_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(html: str) -> list[str]:
    """The sha256 (base64) of each inline script of a page, as a CSP names them."""
    return [base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() for body in _SCRIPT.findall(html)]


def _problem(scope: Scope) -> tuple[int, str, str, str] | None:
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    if len(raw_path) + len(query) > MAX_TARGET_BYTES:
        return 414, "uri_too_long", f"请求地址过长（上限 {MAX_TARGET_BYTES} 字节）", f"the address is too long (at most {MAX_TARGET_BYTES} bytes)"
    for part, name_zh, name_en in ((raw_path, "路径", "path"), (query.replace(b"+", b" "), "查询参数", "query")):
        try:
            text = unquote_to_bytes(part).decode("utf-8")
        except UnicodeDecodeError:
            return 400, "invalid_encoding", f"请求的{name_zh}不是有效的 UTF-8", f"the request's {name_en} is not valid UTF-8"
        if _CONTROL.search(text):
            return 400, "invalid_characters", f"请求的{name_zh}含有控制字符", f"the request's {name_en} holds control characters"
        if part is raw_path and ".." in text.split("/"):
            return 400, "invalid_path", "请求路径不能含有 ..", "the request's path cannot hold a .. segment"
    return None


class BodyTooLarge(Exception):
    """A streamed body went past its cap while the route read it (answered 413 by geo_api.errors)."""

    def __init__(self, cap: int) -> None:
        super().__init__(cap)
        self.cap = cap


def too_large(cap: int) -> tuple[int, str, str, str]:
    mb = cap // 2**20
    return 413, "body_too_large", f"请求内容过大（上限 {mb} MB）", f"the request body is too large (at most {mb} MB)"


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class Guard:
    def __init__(self, app: ASGIApp, csp: str, body_caps: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.body_caps = body_caps
        """(path, cap) of the routes whose bodies may be larger than `MAX_BODY_BYTES`."""
        self.headers = [("Content-Security-Policy", csp), ("X-Content-Type-Options", "nosniff"),
                        ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"), ("Cross-Origin-Opener-Policy", "same-origin")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        problem = _problem(scope)
        cap = next((limit for path, limit in self.body_caps if scope["path"] == path), MAX_BODY_BYTES)
        declared = _declared_length(scope)
        if problem is None and declared is not None and declared > cap:
            problem = too_large(cap)
        if problem is None:
            await self.app(scope, _counting(receive, cap), with_headers)
            return
        status, code, zh, en = problem
        body = json.dumps({"error": {"code": code, "message": {"zh": zh, "en": en}}}, ensure_ascii=False).encode()
        await with_headers({"type": "http.response.start", "status": status,
                            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _counting(receive: Receive, cap: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise BodyTooLarge(cap)
        return message

    return counted


def install(app: Any, csp: str, body_caps: tuple[tuple[str, int], ...] = ()) -> None:
    app.add_middleware(Guard, csp=csp, body_caps=body_caps)
