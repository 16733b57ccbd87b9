"""Hostile input in every parameter and path segment of every route: control characters, invalid UTF-8, SQL
injection, path traversal and oversized values answer 4xx with the usual error body and leak nothing (no stack
trace, no SQL, no file path, no record the request had no right to).

The routes and a valid request for each come from the access matrix (tests/geo_api/test_access_matrix.py), asked
by an admin of every district, so that every refusal seen here is the input's, not the access rule's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

from geo_api.app import create_app
from tests.access import bearer
from tests.conftest import serving
from tests.geo_api.test_access_matrix import MATRIX, Row, matrix_settings, world_url  # noqa: F401  (the module fixture)

HOSTILE_TEXT = {
    "nul": "P1\x00",
    "control": "P\x01\x1b[31m",
    "newline": "P1\r\nSet-Cookie: x=1",
    "sql": "P1' OR '1'='1' --",
    "sql_union": "1 UNION SELECT password_hash FROM users --",
    "traversal": "../../../../etc/passwd",
    "long": "A" * 4000,
}
INVALID_UTF8 = "%FF%FE%C0%AF"
OVERSIZED = "B" * 9000
LEAKS = ("Traceback", "psycopg", "sqlalchemy", "SELECT ", "password_hash", "/etc/passwd", "/work/", "site-packages", "root:")
SKIP = {"/api/auth/logout", "/api/siting/sheet.pdf"}
"""Nothing to inject into (sign-out takes no input); the sheet's inputs are the siting review's, tested there."""


@pytest.fixture(scope="module")
def client(world_url: str) -> Iterator[httpx.Client]:  # noqa: F811
    with serving(create_app(matrix_settings(world_url))) as base, httpx.Client(base_url=base, headers=bearer(world_url), timeout=60) as client:
        yield client


def variants(row: Row) -> Iterator[tuple[str, str, str]]:
    """(where, raw URL, value class) for each hostile value in each path segment and query parameter of the row's request."""
    url = urlsplit(row.url or row.path)
    template = row.path.split("/")
    concrete = url.path.split("/")
    params = parse_qsl(url.query, keep_blank_values=True)
    for index, part in enumerate(template):
        if not part.startswith("{") and "{" not in part:
            continue
        for kind, value in [*((k, quote(v, safe="")) for k, v in HOSTILE_TEXT.items()), ("utf8", INVALID_UTF8), ("oversized", OVERSIZED)]:
            segments = list(concrete)
            suffix = part[part.index("}") + 1:] if "}" in part else ""
            segments[index] = value + suffix
            yield f"path {part}", "/".join(segments) + (f"?{url.query}" if url.query else ""), kind
    for position, (name, _) in enumerate(params):
        for kind, value in [*((k, quote(v, safe="")) for k, v in HOSTILE_TEXT.items()), ("utf8", INVALID_UTF8), ("oversized", OVERSIZED)]:
            query = "&".join(f"{quote(k)}={quote(v) if i != position else value}" for i, (k, v) in enumerate(params))
            yield f"query {name}", f"{url.path}?{query}", kind


def leaks(text: str, sent: str) -> list[str]:
    """What the answer holds of the server (its code, its SQL, its files), apart from the input echoed back."""
    return [leak for leak in LEAKS if leak in text and leak not in sent]


def check(response: httpx.Response, where: str, kind: str) -> None:
    text = response.text
    assert not leaks(text, HOSTILE_TEXT.get(kind, "")), f"{where} ({kind}): leaks {text[:300]}"
    if kind in ("nul", "control", "newline", "utf8"):
        assert response.status_code == 400, f"{where} ({kind}): {response.status_code} {text[:200]}"
    elif kind == "oversized":
        assert response.status_code == 414, f"{where} ({kind}): {response.status_code}"
    elif response.status_code < 400:
        # Free text that is only text (a search for it, a filter no record has): an answer of nothing.
        assert response.status_code == 200 and "P8" not in text and "P1\"" not in text, f"{where} ({kind}): {text[:300]}"
    else:
        assert response.status_code < 500, f"{where} ({kind}): {response.status_code} {text[:300]}"
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"]["zh"] and error["message"]["en"], where
        assert "\x00" not in json.dumps(error) and "\x1b" not in json.dumps(error)


@pytest.mark.parametrize("row", [r for r in MATRIX if r.method == "GET" and r.path not in SKIP],
                         ids=[f"GET {r.path}" for r in MATRIX if r.method == "GET" and r.path not in SKIP])
def test_every_get_parameter_and_path_segment(client: httpx.Client, row: Row) -> None:
    for where, url, kind in variants(row):
        check(client.get(url), f"GET {url[:120]} ({where})", kind)


def _strings(value: Any, hostile: str) -> Iterator[Any]:
    """The JSON body with each of its strings (in turn) replaced by `hostile`."""
    if isinstance(value, str):
        yield hostile
    elif isinstance(value, dict):
        for key, item in value.items():
            for changed in _strings(item, hostile):
                yield {**value, key: changed}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for changed in _strings(item, hostile):
                yield [*value[:index], changed, *value[index + 1:]]


@pytest.mark.parametrize("row", [r for r in MATRIX if r.method == "POST" and r.path not in SKIP],
                         ids=[f"POST {r.path}" for r in MATRIX if r.method == "POST" and r.path not in SKIP])
def test_every_post_field_and_file_name(client: httpx.Client, row: Row) -> None:
    for kind, hostile in HOSTILE_TEXT.items():
        if row.files:
            ((field, (_, content)),) = row.files.items()
            response = client.post(row.path, files={field: (hostile + ".geojson", content)})
            assert response.status_code in (200, 400, 413, 422), f"file name ({kind}): {response.status_code} {response.text[:200]}"
            assert not leaks(response.text, hostile), response.text[:300]
            continue
        for body in _strings(row.json, hostile):
            response = client.post(row.path, json=body)
            assert response.status_code < 500 and not leaks(response.text, hostile), \
                f"POST {row.path} {json.dumps(body)[:200]} ({kind}): {response.status_code} {response.text[:300]}"
    raw = client.post(row.path, content=b'{"username": "\xff\xfe", "password": "x"}', headers={"Content-Type": "application/json"})
    assert 400 <= raw.status_code < 500
    huge = client.post(row.path, content=b'{"a": "' + b"x" * (30 * 2**20) + b'"}', headers={"Content-Type": "application/json"})
    # 25 MB at most, but for the page's load uploads (four files of the command line's cap): that JSON is merely wrong there.
    assert huge.status_code == (422 if row.path == "/api/loads/check" else 413), huge.status_code


def test_static_files_and_vendor_mounts_refuse_traversal(client: httpx.Client) -> None:
    for url in ("/vendor/leaflet/..%2F..%2Fpackage.json", "/vendor/leaflet/%2e%2e/%2e%2e/package-lock.json", "/..%2F..%2Fetc%2Fpasswd",
                "/node_modules/leaflet/package.json", "/%2e%2e/pyproject.toml", "/vendor/leaflet/leaflet.js%00.map"):
        response = client.get(url)
        assert response.status_code in (400, 404), f"{url}: {response.status_code}"
        assert "dependencies" not in response.text and "root:" not in response.text
