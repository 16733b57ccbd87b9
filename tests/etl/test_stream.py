"""A first load written part by part (`etl.stream`): what it stores is what checking the whole file gives.

With parts of two features, the world's nine parcels come in five parts; project D's two parcels (features 4
and 5) fall in two of them, so their results wait for the end of the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
import pytest
import shapely

from etl.assess import reassess
from etl.load import LoadRequest, check_files, load
from mujun.errors import InputError
from mujun.settings import RuleSettings
from tests.access import SHELL
from tests.etl.test_load import snapshot
from tests.etl.test_safety import _schema
from tests.geodata import gk_rect, write_geojson
from tests.world import POLICY, world_parcels


@pytest.fixture(autouse=True)
def _parts_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("etl.wkb.CHUNK_FEATURES", 2)


def test_parcels_written_part_by_part_carry_the_results_of_the_whole_file(empty_db: str, world: LoadRequest) -> None:
    result = load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    assert result.counts["parcels"] == {"read": 9, "inserted": 9, "updated": 0, "unchanged": 0}
    with psycopg.connect(empty_db) as conn:
        rows = conn.execute("SELECT parcel_code, project_area_mu, parcel_count, intensity_wan_per_mu, shortfall_wan, status "
                            "FROM parcels ORDER BY id").fetchall()
        # Worked by hand in test_load: D is 9 + 6 = 15 亩 carrying 5400 万元 (360 against 400, 600 short) on both parcels.
        assert [r[0] for r in rows] == [f"P{i}" for i in range(1, 10)]  # ids in the order of the file
        assert [r[1:] for r in rows if r[0] in ("P4", "P5")] == [(15, 2, 360, 600, "below")] * 2
        # The rules run again over every stored parcel at once (the path a later load takes) change nothing.
        assert reassess(conn, POLICY) == 0
        conn.rollback()


def test_the_load_warns_as_the_check_of_the_whole_file_does(empty_db: str, world: LoadRequest) -> None:
    checked = {c.kind: c for c in check_files(world, POLICY, RuleSettings(), conninfo=empty_db)}
    result = load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    shown = [w.as_dict() for c in checked.values() for w in c.warnings]
    assert [w.as_dict() for w in result.warnings] == shown and len(shown) == 3  # no zone, straddles, recorded area


def test_an_error_in_a_late_part_leaves_the_database_as_it_was(empty_db: str, world: LoadRequest, tmp_path: Path) -> None:
    parcels = world_parcels()
    parcels[8] = (parcels[8][0], shapely.LineString([(119.9, 31.8), (119.91, 31.81)]))  # the fifth part
    parcels[6] = (parcels[6][0], shapely.Polygon())  # the fourth
    bad = write_geojson(tmp_path / "late.geojson", parcels)
    before, schema = snapshot(empty_db), _schema(empty_db)
    with pytest.raises(InputError) as caught:
        load(empty_db, LoadRequest(zones=world.zones, projects=world.projects, parcels=bad), POLICY, RuleSettings(), actor=SHELL)
    assert [p.message("en") for p in caught.value.problems] == [
        "late.geojson, 要素 feature 7, field geometry: the geometry is empty",
        "late.geojson, 要素 feature 9, field geometry: value 'LineString', expected a polygon (Polygon/MultiPolygon)",
    ]
    assert snapshot(empty_db) == before and _schema(empty_db) == schema
    # and the same file, corrected, loads
    parcels[8], parcels[6] = world_parcels()[8], (parcels[6][0], gk_rect(5000, 0, 100, 100))
    load(empty_db, LoadRequest(zones=world.zones, projects=world.projects, parcels=write_geojson(tmp_path / "late.geojson", parcels)),
         POLICY, RuleSettings(), actor=SHELL)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT count(*) FROM parcels").fetchone() == (9,)


def test_attributes_beyond_the_fields_are_kept_and_a_file_without_them_leaves_the_default(empty_db: str, world: LoadRequest,
                                                                                           tmp_path: Path) -> None:
    parcels = world_parcels()
    parcels[4] = ({**parcels[4][0], "备注": "东区", "批次": 3}, parcels[4][1])  # GeoJSON: the other features hold none
    load(empty_db, LoadRequest(zones=world.zones, projects=world.projects, parcels=write_geojson(tmp_path / "extra.geojson", parcels)),
         POLICY, RuleSettings(), actor=SHELL)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT parcel_code, attributes FROM parcels WHERE attributes <> '{}'").fetchall() == [
            ("P5", {"备注": "东区", "批次": 3})]
        conn.execute("TRUNCATE parcels")
        conn.commit()
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT count(*), count(*) FILTER (WHERE attributes = '{}') FROM parcels").fetchone() == (9, 9)


def test_the_load_is_recorded_with_each_file_and_its_sha256(empty_db: str, world: LoadRequest) -> None:
    result = load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with psycopg.connect(empty_db) as conn:
        row = conn.execute("SELECT files FROM loads WHERE id = %s", [result.load_id]).fetchone()
    assert row is not None
    assert [(f["kind"], f["name"], f["sha256"]) for f in row[0]] == [
        (kind, path.name, hashlib.sha256(path.read_bytes()).hexdigest()) for kind, path in world.files()]
