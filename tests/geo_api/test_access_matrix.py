"""The access matrix: every route of the app's route table × anonymous, viewer, analyst, editor, admin × an account
of every district and one of 武进区 only, each answer written here.

The world of tests/world.py: P8 lies in 溧阳市's zone, every other assessed parcel in 武进区's. A route that shows
records is asked for P8 (or around it): where the written answer is a 200, P8 must be in the answer of an account
of every district and absent from that of a 武进区 account (its `hidden` mark). A route added to the app without a
rule, or missing from this table, fails `test_every_route_has_a_rule_and_a_row`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from shapely.geometry import mapping
from sqlalchemy import Engine, text

from etl.load import LoadRequest, libpq_conninfo, load
from geo_api.access import RouteRule, route_table
from geo_api.app import create_app
from mujun.errors import MujunError
from mujun.settings import DatabaseSettings, RuleSettings, Settings, WebSettings
from tests.access import PASSWORD, SHELL, add_account, bearer
from tests.conftest import TABLES, serving, settings_for
from tests.geo_api.test_tiles import tile_at
from tests.geodata import gk_lonlat, gk_rect, write_geojson, write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_parcels, world_projects, world_zones

WHO = ("anonymous", "viewer", "analyst", "editor", "admin")
SCOPE = ("武进区",)
P8_MIDDLE = gk_lonlat(3150, 150)
P8_TILE = tile_at(3150, 150, 14)
P8_BOX = ",".join(f"{v:.6f}" for v in (*gk_lonlat(3050, 50), *gk_lonlat(3250, 250)))
SITE_ON_P8 = dict(mapping(gk_rect(3120, 120, 40, 40)))
LOGIN = "matrix-login"


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    """The route's path as the app declares it."""
    unscoped: str
    """The status each of anonymous, viewer, analyst, editor, admin gets: an account of every district."""
    scoped: str
    """The same for accounts of 武进区 only (anonymous requests have no districts: as above)."""
    url: str = ""
    """What is asked for (default: the path)."""
    hidden: str | None = None
    """Text in an unscoped 200 that a scoped 200 must not hold (P8's code, or its zone's)."""
    json: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def statuses(self, scoped: bool) -> dict[str, int]:
        return dict(zip(WHO, map(int, (self.scoped if scoped else self.unscoped).split()), strict=True))


SITE_FILE = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": SITE_ON_P8}]}).encode()

MATRIX = [
    # open to everyone, credentials never read
    Row("GET", "/healthz", "200 200 200 200 200", "200 200 200 200 200"),
    Row("GET", "/readyz", "200 200 200 200 200", "200 200 200 200 200"),
    Row("POST", "/api/auth/login", "200 200 200 200 200", "200 200 200 200 200", json={"username": LOGIN, "password": PASSWORD}),
    Row("GET", "/docs", "200 200 200 200 200", "200 200 200 200 200"),
    Row("GET", "/ogc", "200 200 200 200 200", "200 200 200 200 200"),
    Row("GET", "/ogc/api", "200 200 200 200 200", "200 200 200 200 200"),
    Row("GET", "/ogc/conformance", "200 200 200 200 200", "200 200 200 200 200"),
    # open to everyone, who asks is read (a session ends)
    Row("POST", "/api/auth/logout", "204 204 204 204 204", "204 204 204 204 204"),
    # view: viewer and up
    Row("GET", "/api/auth/me", "401 200 200 200 200", "401 200 200 200 200"),
    Row("GET", "/api/parcels/{parcel_code}", "401 200 200 200 200", "401 404 404 404 404", "/api/parcels/P8"),
    Row("GET", "/api/parcels/{parcel_code}/context", "401 200 200 200 200", "401 404 404 404 404", "/api/parcels/P8/context"),
    Row("GET", "/api/lookup", "401 200 200 200 200", "401 200 200 200 200", f"/api/lookup?lon={P8_MIDDLE[0]}&lat={P8_MIDDLE[1]}", "P8"),
    Row("GET", "/api/layers", "401 200 200 200 200", "401 200 200 200 200"),
    Row("GET", "/api/layers/{layer_id}/features", "401 200 200 200 200", "401 200 200 200 200",
        f"/api/layers/parcels/features?bbox={P8_BOX}", "P8"),
    Row("GET", "/api/search", "401 200 200 200 200", "401 200 200 200 200", "/api/search?q=企业G", "P8"),
    Row("POST", "/api/siting/review", "401 200 200 200 200", "401 200 200 200 200", hidden="P8",
        json={"geometry": SITE_ON_P8, "total_investment_wan": 100, "project_type": "industrial"}),
    Row("POST", "/api/siting/upload", "401 200 200 200 200", "401 200 200 200 200", files={"file": ("site.geojson", SITE_FILE)}),
    Row("POST", "/api/siting/sheet.pdf", "401 200 200 200 200", "401 200 200 200 200",
        json={"geometry": SITE_ON_P8, "total_investment_wan": 100, "project_type": "industrial"}),
    Row("GET", "/tiles/{layer_id}/{z}/{x}/{y}.mvt", "401 200 200 200 200", "401 200 200 200 200",
        f"/tiles/parcels/14/{P8_TILE[0]}/{P8_TILE[1]}.mvt", "P8"),
    Row("GET", "/tiles/{layer_id}.json", "401 200 200 200 200", "401 200 200 200 200", "/tiles/parcels.json"),
    Row("GET", "/ogc/collections", "401 200 200 200 200", "401 200 200 200 200"),
    Row("GET", "/ogc/collections/{collection_id}", "401 200 200 200 200", "401 200 200 200 200", "/ogc/collections/parcels"),
    Row("GET", "/ogc/collections/{collection_id}/items", "401 200 200 200 200", "401 200 200 200 200",
        "/ogc/collections/parcels/items?limit=100", "P8"),
    Row("GET", "/ogc/collections/{collection_id}/items/{feature_id}", "401 200 200 200 200", "401 404 404 404 404",
        "/ogc/collections/projects/items/G"),
    # report: analyst and up
    Row("GET", "/api/reports/violations", "401 403 200 200 200", "401 403 200 200 200", "/api/reports/violations?format=csv", "P8"),
    Row("GET", "/api/reports/violations/choices", "401 403 200 200 200", "401 403 200 200 200"),
    # load: editor and up (the check writes nothing; a load of an upload that is not this account's is not found)
    Row("POST", "/api/loads/check", "401 403 403 200 200", "401 403 403 200 200", files={"parcels": ("parcels.geojson", SITE_FILE)}),
    Row("POST", "/api/loads/{upload_id}", "401 403 403 404 404", "401 403 403 404 404", "/api/loads/nobody-s-upload-0000"),
    # administer: admin
    Row("GET", "/api/audit", "401 403 403 403 200", "401 403 403 403 200", "/api/audit?limit=5"),
]


@pytest.fixture(scope="module")
def world_url(engine: Engine, db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session database holding the world (and the account `matrix-login`), for this module's tests."""
    folder = tmp_path_factory.mktemp("matrix")
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE"))
    load(libpq_conninfo(db_url), LoadRequest(
        zones=write_geojson(folder / "zones.geojson", world_zones()), parcels=write_geojson(folder / "parcels.geojson", world_parcels()),
        projects=write_xlsx(folder / "projects.xlsx", PROJECT_HEADER, world_projects())), POLICY, RuleSettings(), actor=SHELL)
    if LOGIN not in _names(db_url):
        add_account(db_url, "viewer", name=LOGIN)
    return db_url


def _names(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(libpq_conninfo(url)) as conn:
        return {row[0] for row in conn.execute("SELECT username FROM users")}


@pytest.fixture(scope="module")
def client(world_url: str) -> Iterator[httpx.Client]:
    """A real server (the PDF routes print pages it serves to a browser) and a client of it."""
    with serving(create_app(settings_for(world_url))) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client


def headers(url: str, who: str, scoped: bool) -> dict[str, str]:
    return {} if who == "anonymous" else bearer(url, who, SCOPE if scoped else ())


def ask(client: httpx.Client, row: Row, credentials: dict[str, str]) -> Any:
    client.cookies.clear()  # only the credentials given: no session left by a sign-in before
    url = row.url or row.path
    if row.method == "GET":
        return client.get(url, headers=credentials)
    if row.files:
        return client.post(url, headers=credentials, files=row.files)
    return client.post(url, headers=credentials, json=row.json)


def test_every_route_has_a_rule_and_a_row() -> None:
    app = create_app(settings_for("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    table = list(route_table(app.routes))
    declared = {(r.method, r.path): r for r in table if isinstance(r, RouteRule)}
    without = sorted(f"{method} {path}" for (method, path), r in declared.items() if r.rule is None)
    assert without == [], f"routes without an access rule (declare CanView, CanReport, …): {without}"
    written = {(row.method, row.path) for row in MATRIX}
    assert len(written) == len(MATRIX), "a route written twice"
    assert sorted(set(declared) - written) == [], "routes missing from the access matrix"
    assert sorted(written - set(declared)) == [], "rows for routes the app does not have"
    # Everything else the app answers is the page and its assets (served to anyone) and the OpenAPI document.
    others = sorted(getattr(r, "path", "") for r in table if not isinstance(r, RouteRule))
    assert others == ["", "/openapi.json", "/vendor/geoman", "/vendor/leaflet", "/vendor/swagger-ui", "/vendor/vectorgrid"]


@pytest.mark.parametrize("row", MATRIX, ids=[f"{row.method} {row.path}" for row in MATRIX])
def test_the_written_answer_for_every_role_and_scope(client: httpx.Client, world_url: str, row: Row) -> None:
    for scoped in (False, True):
        for who, expected in row.statuses(scoped).items():
            response = ask(client, row, headers(world_url, who, scoped))
            where = f"{row.method} {row.url or row.path} as {who}{' of 武进区' if scoped else ''}"
            assert response.status_code == expected, f"{where}: {response.status_code} {response.text[:300]}"
            if expected >= 400:
                body = response.json()["error"]
                assert body["message"]["zh"] and body["message"]["en"], where
            if expected == 200 and row.hidden:
                assert (row.hidden.encode() in response.content) is not scoped, f"{where}: {row.hidden} {'shown' if scoped else 'missing'}"


def test_pages_assets_and_the_openapi_document_need_no_credentials(client: httpx.Client) -> None:
    for url in ("/", "/app.js", "/vendor/leaflet/leaflet.js", "/vendor/swagger-ui/swagger-ui-bundle.js", "/openapi.json"):
        assert client.get(url).status_code == 200, url


def test_an_anonymous_role_answers_as_that_role_and_never_more(world_url: str) -> None:
    settings = Settings(database=DatabaseSettings(url=world_url), web=WebSettings(anonymous_role="viewer"))
    with serving(create_app(settings)) as base, httpx.Client(base_url=base, timeout=120) as client:
        for row in MATRIX:
            viewer = row.statuses(scoped=False)["viewer"]
            response = ask(client, row, {})
            assert response.status_code == (401 if viewer == 403 else viewer), f"{row.method} {row.path}"
    for role in ("editor", "admin"):
        with pytest.raises(MujunError, match="may only be analyst, viewer"):
            create_app(Settings(database=DatabaseSettings(url=world_url), web=WebSettings(anonymous_role=role)))
