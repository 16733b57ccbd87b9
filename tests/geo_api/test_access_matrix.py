"""The access matrix: every route of the app's route table × anonymous, viewer, analyst, editor, admin × an account
of every district and one of 武进区 only, each answer written here.

The world of tests/world.py: P8 lies in 溧阳市's zone, every other assessed parcel in 武进区's. Beside it here
(`everything`): projects G (溧阳市) and B (武进区) on 2024's list of major projects with May's reports, P8 and P2 idle
since 2022 (agreed to start on 2022-06-30, never started), an approval batch over each (BLY in 溧阳市's zone, BWJ in
武进区's), 2023's figures of 企业G (溧阳市) and 企业B (武进区), and a bulletin of 溧阳市 issued (id 1). A route that shows
records is asked for P8 (or around it, or its district): where the written answer is a 200, the `hidden` mark must be
in the answer of an account of every district and absent from that of a 武进区 account. A route whose JSON and
downloads differ in rule has a row for each. A route added to the app without a rule, or missing from this table,
fails `test_every_route_has_a_rule_and_a_row`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import mapping
from sqlalchemy import Engine, text

from etl.load import LoadRequest, libpq_conninfo, load
from geo_api.access import RouteRule, route_table
from geo_api.app import create_app
from mujun.errors import MujunError
from mujun.settings import BasemapSettings, DatabaseSettings, RuleSettings, Settings, WebSettings
from tests.access import PASSWORD, SHELL, add_account, bearer
from tests.conftest import SAMPLE, TABLES, serving
from tests.etl.test_land_use import EVALUATION_HEADER
from tests.geo_api.test_tiles import tile_at
from tests.geodata import gk_lonlat, gk_rect, write_geojson, write_xlsx
from tests.major_projects import MONTHLY_HEADER
from tests.world import POLICY, PROJECT_HEADER, world_parcels, world_projects, world_zones

WHO = ("anonymous", "viewer", "analyst", "editor", "admin")
SCOPE = ("武进区",)
P8_MIDDLE = gk_lonlat(3150, 150)
P8_TILE = tile_at(3150, 150, 14)
P8_BOX = ",".join(f"{v:.6f}" for v in (*gk_lonlat(3050, 50), *gk_lonlat(3250, 250)))
BLY_BOX = ",".join(f"{v:.6f}" for v in (*gk_lonlat(3000, 0), *gk_lonlat(3400, 400)))
BASEMAP_TILE = tile_at(3150, 150, 10)
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


PRINT_NOTHING = {"bbox": [119.9, 31.7, 120.0, 31.8], "layers": ["roads"]}
"""A print refused after its rule (an unknown layer, 422): the rule is what is asked here, the printing is in tests/web/test_pdf.py."""
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
    # view: the progress of major projects, land use, the evaluation of firms, base maps and the map's tools
    Row("GET", "/api/progress", "401 200 200 200 200", "401 200 200 200 200", "/api/progress?as_of=2024-06", "溧阳市"),
    Row("GET", "/api/progress/map", "401 200 200 200 200", "401 200 200 200 200", "/api/progress/map?as_of=2024-06", '"G"'),
    Row("GET", "/api/progress/choices", "401 200 200 200 200", "401 200 200 200 200", hidden="溧阳市"),
    Row("GET", "/api/projects/{project_code}", "401 200 200 200 200", "401 404 404 404 404", "/api/projects/G"),
    Row("GET", "/api/land/idle", "401 200 200 200 200", "401 200 200 200 200", "/api/land/idle?as_of=2024-06-30", "P8"),
    Row("GET", "/api/land/supply", "401 200 200 200 200", "401 200 200 200 200", "/api/land/supply?as_of=2024-06-30", "BLY"),
    Row("GET", "/api/land/map", "401 200 200 200 200", "401 200 200 200 200", "/api/land/map?as_of=2024-06-30", "P8"),
    Row("GET", "/api/land/unsupplied", "401 200 200 200 200", "401 200 200 200 200",
        f"/api/land/unsupplied?as_of=2024-06-30&bbox={BLY_BOX}", "BLY"),
    Row("GET", "/api/land/parcels/{parcel_code}", "401 200 200 200 200", "401 404 404 404 404", "/api/land/parcels/P8?as_of=2024-06-30"),
    Row("GET", "/api/evaluation", "401 200 200 200 200", "401 200 200 200 200", "/api/evaluation?year=2023", "溧阳市"),
    Row("GET", "/api/evaluation/map", "401 200 200 200 200", "401 200 200 200 200", "/api/evaluation/map?year=2023", "P8"),
    Row("GET", "/api/evaluation/firms/{firm}", "401 200 200 200 200", "401 404 404 404 404", "/api/evaluation/firms/企业G"),
    Row("GET", "/api/basemaps", "401 200 200 200 200", "401 200 200 200 200"),
    Row("GET", "/basemaps/{basemap_id}/{z}/{x}/{y}.{ext}", "401 200 200 200 200", "401 200 200 200 200",
        f"/basemaps/local/10/{BASEMAP_TILE[0]}/{BASEMAP_TILE[1]}.png"),
    Row("GET", "/basemaps/{basemap_id}/labels/{z}/{x}/{y}.{ext}", "401 404 404 404 404", "401 404 404 404 404",
        f"/basemaps/local/labels/10/{BASEMAP_TILE[0]}/{BASEMAP_TILE[1]}.png"),  # the offline base map has no labels
    Row("GET", "/api/coords", "401 200 200 200 200", "401 200 200 200 200", f"/api/coords?lon={P8_MIDDLE[0]}&lat={P8_MIDDLE[1]}"),
    Row("POST", "/api/measure", "401 200 200 200 200", "401 200 200 200 200", json={"geometry": SITE_ON_P8}),
    # report: analyst and up (every export, the report, bulletins, printing)
    Row("GET", "/api/reports/violations", "401 403 200 200 200", "401 403 200 200 200", "/api/reports/violations?format=csv", "P8"),
    Row("GET", "/api/reports/violations/choices", "401 403 200 200 200", "401 403 200 200 200"),
    Row("GET", "/api/progress", "401 403 200 200 200", "401 403 200 200 200", "/api/progress?as_of=2024-06&format=csv", "溧阳市"),
    Row("GET", "/api/land/idle", "401 403 200 200 200", "401 403 200 200 200", "/api/land/idle?as_of=2024-06-30&format=csv", "P8"),
    Row("GET", "/api/land/supply", "401 403 200 200 200", "401 403 200 200 200", "/api/land/supply?as_of=2024-06-30&format=csv", "BLY"),
    Row("GET", "/api/evaluation", "401 403 200 200 200", "401 403 200 200 200", "/api/evaluation?year=2023&format=csv", "溧阳市"),
    Row("GET", "/api/bulletins", "401 403 200 200 200", "401 403 422 422 422", "/api/bulletins?month=2024-06&jurisdiction=溧阳市&format=xlsx"),
    Row("POST", "/api/bulletins", "401 403 201 201 201", "401 403 422 422 422",
        json={"month": "2024-06", "jurisdiction": "溧阳市", "format": "xlsx"}),
    Row("GET", "/api/bulletins/issued", "401 403 200 200 200", "401 403 200 200 200", hidden="溧阳市"),
    Row("GET", "/api/bulletins/{bulletin_id}", "401 403 200 200 200", "401 403 404 404 404", "/api/bulletins/1"),
    Row("GET", "/api/bulletins/{bulletin_id}/changes", "401 403 200 200 200", "401 403 404 404 404", "/api/bulletins/1/changes"),
    Row("POST", "/api/print", "401 403 422 422 422", "401 403 422 422 422", json=PRINT_NOTHING),
    # load: editor and up (the check writes nothing; a load of an upload that is not this account's is not found)
    Row("POST", "/api/loads/check", "401 403 403 200 200", "401 403 403 200 200", files={"parcels": ("parcels.geojson", SITE_FILE)}),
    Row("POST", "/api/loads/{upload_id}", "401 403 403 404 404", "401 403 403 404 404", "/api/loads/nobody-s-upload-0000"),
    # administer: admin
    Row("GET", "/api/audit", "401 403 403 403 200", "401 403 403 403 200", "/api/audit?limit=5"),
]


def everything(folder: Path) -> LoadRequest:
    """The world (tests/world.py) with a year's list, monthly reports, idle land, batches and firms' figures (above)."""
    def parcel(props: dict[str, Any], geometry: Any) -> tuple[dict[str, Any], Any]:
        idle = props["parcel_code"] in ("P8", "P2")
        return {**props, "supply_date": "2022-01-01" if idle else None, "agreed_start_date": "2022-06-30" if idle else None,
                "land_price_wan": 1000 if idle else None}, geometry

    listed = {"G": ["溧阳市", 2024, "新建", "市级重大项目", 1000, "2024-03-01"], "B": ["武进区", 2024, "新建", "市级重大项目", 1000, "2024-03-01"]}
    projects = [[*row, *listed.get(row[0], [None] * 6)] for row in world_projects()]
    header = [*PROJECT_HEADER, "所属地区", "年度", "项目类别", "项目级别", "年度计划投资(万元)", "计划开工日期"]
    reports = [["G", "2024-05", None, 200, "主体施工", "2024-06-10"], ["B", "2024-05", None, 100, "主体施工", "2024-06-10"]]
    batches = [({"批次编号": "BLY", "批准日期": "2021-01-01"}, gk_rect(3050, 50, 300, 300)),
               ({"批次编号": "BWJ", "批准日期": "2021-01-01"}, gk_rect(250, 50, 200, 150))]
    firms = [["企业G", None, 2023, "溧阳市", 10, 200, 4000, 800, 400, 4, 40, 120, None],
             ["企业B", None, 2023, "武进区", 10, 300, 5000, 1000, 500, 5, 50, 250, None]]
    return LoadRequest(
        zones=write_geojson(folder / "zones.geojson", world_zones()),
        parcels=write_geojson(folder / "parcels.geojson", [parcel(*feature) for feature in world_parcels()]),
        projects=write_xlsx(folder / "projects.xlsx", header, projects),
        monthly=write_xlsx(folder / "monthly.xlsx", MONTHLY_HEADER, reports),
        batches=write_geojson(folder / "batches.geojson", batches),
        evaluation=write_xlsx(folder / "firms.xlsx", EVALUATION_HEADER, firms),
        today=date(2024, 7, 1))


@pytest.fixture(scope="module")
def world_url(engine: Engine, db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session database holding the world and everything beside it (and the account `matrix-login`), for this
    module's tests."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE"))
    load(libpq_conninfo(db_url), everything(tmp_path_factory.mktemp("matrix")), POLICY, RuleSettings(), actor=SHELL)
    if LOGIN not in _names(db_url):
        add_account(db_url, "viewer", name=LOGIN)
    return db_url


def matrix_settings(url: str) -> Settings:
    """The world's database, and the sample's offline base map (its tiles cover the world)."""
    return Settings(database=DatabaseSettings(url=url), basemaps=BasemapSettings(basemap_mbtiles=SAMPLE / "basemap.mbtiles"))


def _names(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(libpq_conninfo(url)) as conn:
        return {row[0] for row in conn.execute("SELECT username FROM users")}


@pytest.fixture(scope="module")
def client(world_url: str) -> Iterator[httpx.Client]:
    """A real server (the PDF routes print pages it serves to a browser) and a client of it; 溧阳市's bulletin of June
    2024 issued first (id 1)."""
    with serving(create_app(matrix_settings(world_url))) as base, httpx.Client(base_url=base, timeout=120) as client:
        issued = client.post("/api/bulletins", json={"month": "2024-06", "jurisdiction": "溧阳市", "format": "xlsx"},
                             headers=bearer(world_url, "analyst"))
        assert (issued.status_code, issued.json()["id"]) == (201, 1), issued.text
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
    app = create_app(matrix_settings("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    table = list(route_table(app.routes))
    declared = {(r.method, r.path): r for r in table if isinstance(r, RouteRule)}
    without = sorted(f"{method} {path}" for (method, path), r in declared.items() if r.rule is None)
    assert without == [], f"routes without an access rule (declare CanView, CanReport, …): {without}"
    asked = [(row.method, row.path, row.url) for row in MATRIX]
    assert len(set(asked)) == len(MATRIX), "a row written twice"
    written = {(row.method, row.path) for row in MATRIX}
    assert sorted(set(declared) - written) == [], "routes missing from the access matrix"
    assert sorted(written - set(declared)) == [], "rows for routes the app does not have"
    # A route whose downloads need more than its JSON has a row of each.
    split = {(r.method, r.path) for r in declared.values() if r.rule is not None and r.rule.downloads is not None}
    for method, path in sorted(split):
        formats = {"json" if "format=" not in row.url or "format=json" in row.url else "download"
                   for row in MATRIX if (row.method, row.path) == (method, path)}
        assert formats == {"json", "download"}, f"{method} {path}: a row for its JSON and one for a download"
    # Everything else the app answers is the page and its assets (served to anyone) and the OpenAPI document.
    others = sorted(getattr(r, "path", "") for r in table if not isinstance(r, RouteRule))
    assert others == ["", "/openapi.json", "/vendor/echarts", "/vendor/geoman", "/vendor/leaflet", "/vendor/swagger-ui", "/vendor/vectorgrid"]


@pytest.mark.parametrize("row", MATRIX, ids=[f"{row.method} {row.url or row.path}" for row in MATRIX])
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
    settings = matrix_settings(world_url)
    settings.web = WebSettings(anonymous_role="viewer")
    with serving(create_app(settings)) as base, httpx.Client(base_url=base, timeout=120) as client:
        for row in MATRIX:
            viewer = row.statuses(scoped=False)["viewer"]
            response = ask(client, row, {})
            assert response.status_code == (401 if viewer == 403 else viewer), f"{row.method} {row.path}"
    for role in ("editor", "admin"):
        with pytest.raises(MujunError, match="may only be analyst, viewer"):
            create_app(Settings(database=DatabaseSettings(url=world_url), web=WebSettings(anonymous_role=role)))
