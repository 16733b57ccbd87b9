"""Security headers on every answer: a Content-Security-Policy of this server only (base maps too are served from its
address), never framed, no MIME sniffing, no referrer sent off the site."""

from __future__ import annotations

from fastapi.testclient import TestClient

from geo_api.app import create_app
from geo_api.guard import content_security_policy, inline_script_hashes
from mujun.settings import BasemapSettings, DatabaseSettings, Settings
from tests.access import bearer
from tests.geo_api.test_access_matrix import world_url  # noqa: F401  (the module fixture)


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_every_answer_carries_the_headers_and_the_policy_names_no_other_origin(world_url: str) -> None:  # noqa: F811
    with TestClient(create_app(Settings(database=DatabaseSettings(url=world_url))), raise_server_exceptions=False) as client:
        for url in ("/", "/app.js", "/api/parcels/P1", "/tiles/zones/0/0/0.mvt", "/no/such/page", "/api/parcels/%00", "/docs"):
            response = client.get(url)
            headers = response.headers
            assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "same-origin", url
            policy = directives(headers["content-security-policy"])
            assert policy["frame-ancestors"] == ["'none'"] and policy["script-src"] == ["'self'"], url
            assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
            sources = [value for values in policy.values() for value in values]
            assert not any(value.startswith(("http:", "https:", "*")) or "://" in value for value in sources), url


def test_a_remote_base_map_adds_no_origin_since_the_portal_fetches_its_tiles(world_url: str) -> None:  # noqa: F811
    basemaps = BasemapSettings(basemap_url="https://tiles.example.gov.cn/{z}/{x}/{y}.png")
    with TestClient(create_app(Settings(database=DatabaseSettings(url=world_url), basemaps=basemaps))) as client:
        policy = directives(client.get("/").headers["content-security-policy"])
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["connect-src"] == ["'self'"] and policy["script-src"] == ["'self'"]


def test_the_printable_report_allows_its_own_inline_scripts_by_hash_and_nothing_else(world_url: str) -> None:  # noqa: F811
    with TestClient(create_app(Settings(database=DatabaseSettings(url=world_url))), headers=bearer(world_url, "analyst")) as client:
        response = client.get("/api/reports/violations", params={"format": "html"})
    hashes = inline_script_hashes(response.text)
    assert hashes and directives(response.headers["content-security-policy"])["script-src"] == ["'self'", *(f"'sha256-{h}'" for h in hashes)]
    assert response.headers["content-security-policy"] == content_security_policy(hashes)
