"""Loads from the page: upload, the check report before anything is written, then the load in one transaction,
as the account that uploaded, held to its districts and recorded in the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

import geo_api.routers.loads
from etl.file_limits import FileLimits
from etl.load import LoadRequest
from geo_api.app import create_app
from geo_api.replica import WROTE_COOKIE
from mujun.settings import DatabaseSettings, Settings, WebSettings
from tests.access import bearer
from tests.geodata import write_geojson
from tests.world import world_parcels


@pytest.fixture
def app_settings(empty_db: str, db_url: str, tmp_path: Path) -> Settings:
    return Settings(database=DatabaseSettings(url=db_url), web=WebSettings(upload_dir=tmp_path / "uploads"))


def client_of(settings: Settings, role: str = "editor", districts: tuple[str, ...] = ()) -> TestClient:
    assert settings.database.url
    return TestClient(create_app(settings), headers=bearer(settings.database.url, role, districts))


def files_of(world: LoadRequest) -> dict[str, Any]:
    return {kind: (path.name, path.read_bytes()) for kind, path in world.files()}


def count(conninfo: str, table: str) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def editor(app_settings: Settings) -> Iterator[TestClient]:
    with client_of(app_settings) as client:
        yield client


def test_the_check_report_comes_first_then_one_load(editor: TestClient, world: LoadRequest, empty_db: str, app_settings: Settings) -> None:
    checked = editor.post("/api/loads/check", files=files_of(world))
    assert checked.status_code == 200, checked.text
    report = checked.json()
    assert report["ok"] is True and report["error_count"] == 0 and report["upload"]
    assert [(f["kind"], f["file"], f["features"]) for f in report["files"]] == [
        ("zones", "zones.geojson", 3), ("projects", "projects.xlsx", 8), ("parcels", "parcels.geojson", 9)]
    assert report["warning_count"] == len(report["warnings"]) > 0  # P6 straddles, P7 lies in no zone, …
    assert count(empty_db, "parcels") == 0  # nothing written by a check
    loaded = editor.post(f"/api/loads/{report['upload']}")
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["counts"]["parcels"]["inserted"] == 9 and count(empty_db, "parcels") == 9
    assert loaded.cookies.get(WROTE_COOKIE, "").count("/") == 1  # the primary's WAL position, for the next reads
    again = editor.post(f"/api/loads/{report['upload']}")
    assert again.status_code == 404  # an upload loads once
    assert not any((app_settings.web.upload_dir).iterdir())
    with psycopg.connect(empty_db) as conn:
        row = conn.execute("SELECT username, via, detail FROM audit WHERE action = 'load' ORDER BY id DESC LIMIT 1").fetchone()
    assert row is not None and row[0].startswith("editor-") and row[1] == "token"
    assert {f["name"] for f in row[2]["files"]} == {"zones.geojson", "projects.xlsx", "parcels.geojson"}


def test_a_file_with_errors_is_reported_and_never_loadable(editor: TestClient, world: LoadRequest, tmp_path: Path, empty_db: str) -> None:
    parcels = world_parcels()
    parcels[1][0]["recorded_area_m2"] = "很大"
    bad = write_geojson(tmp_path / "bad.geojson", parcels)
    report = editor.post("/api/loads/check", files={"parcels": ("bad.geojson", bad.read_bytes())}).json()
    assert report["ok"] is False and report["upload"] is None and report["error_count"] == 1
    error = report["errors"][0]
    assert (error["file"], error["field"], error["value"]) == ("bad.geojson", "recorded_area_m2", "很大")
    assert editor.post("/api/loads/check", files={}).json()["error"]["code"] == "no_files"
    assert count(empty_db, "parcels") == 0


def test_a_district_s_editor_is_refused_rows_of_another_and_nothing_is_written(app_settings: Settings, world: LoadRequest,
                                                                                empty_db: str) -> None:
    with client_of(app_settings, "editor", ("武进区",)) as wujin:
        upload = wujin.post("/api/loads/check", files=files_of(world)).json()["upload"]
        refused = wujin.post(f"/api/loads/{upload}")
    assert refused.status_code == 422
    named = {problem["location"] for problem in refused.json()["error"]["details"]}
    assert {"宗地 P8 / parcel P8", "园区 LY-DZ / zone LY-DZ"} <= named
    assert count(empty_db, "zones") == 0


def test_only_the_uploader_loads_an_upload(app_settings: Settings, editor: TestClient, world: LoadRequest) -> None:
    upload = editor.post("/api/loads/check", files=files_of(world)).json()["upload"]
    with client_of(app_settings, "admin") as other:
        assert other.post(f"/api/loads/{upload}").status_code == 404
    assert editor.post("/api/loads/not-an-upload-id").status_code == 404


def test_each_file_is_held_to_the_load_limits(editor: TestClient, world: LoadRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geo_api.routers.loads, "LOAD_LIMITS", FileLimits(max_bytes=1000, max_unzipped_bytes=1000, max_members=5, max_ratio=2))
    refused = editor.post("/api/loads/check", files=files_of(world))
    assert refused.status_code == 413 and "zones.geojson" in refused.json()["error"]["message"]["en"]
